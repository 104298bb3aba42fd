"""`threadbrief` itself, with discord.py pointed at the local stand-in.

`python -m tests.selfhost_bot API_BASE GATEWAY_URL run --config FILE ...` is what a user's
`threadbrief run --config FILE ...` does (the same CLI, logging and bot), except that Discord is
the stand-in on 127.0.0.1.
"""

from __future__ import annotations

import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket

from bot.cli import main

if __name__ == "__main__":
    api_base, gateway = sys.argv[1:3]
    discord.http.Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    sys.exit(main(sys.argv[3:]))
