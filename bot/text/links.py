"""Links in chat messages: the URL a user means when they ask for a brief of a message."""

from __future__ import annotations

import re

_URL = re.compile(r"<?(https?://[^\s<>|]+[^\s<>|.,;:!?\"')\]])>?", re.IGNORECASE)


def find_urls(text: str) -> list[str]:
    """http(s) URLs in order of appearance, with chat wrappers (<...>) and trailing punctuation
    removed."""
    return [m.group(1) for m in _URL.finditer(text or "")]
