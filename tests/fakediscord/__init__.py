"""A local Discord for end-to-end tests of the bot with the real discord.py client."""
