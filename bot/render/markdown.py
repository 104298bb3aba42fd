"""Untrusted text made safe for Discord markdown, and Discord's size limits.

Thread text is untrusted: a comment may hold "@everyone", role or user mentions, markdown,
masked links or headings. `neutralise` makes each of those print literally. Text is cut before it
is escaped, so a cut never splits an escape sequence, and every length is checked after escaping.
Kept free of discord.py so that payloads built in the core (digests) share the same rules.
"""

from __future__ import annotations

import re

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELDS_LIMIT = 25
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
MESSAGE_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10

_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:@!])")
_MENTION_WORDS = re.compile(r"@(everyone|here)", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
ZWSP = "\u200b"


def neutralise(text: str) -> str:
    """Text that renders as itself: no markdown, links, mentions, headings or line breaks."""
    flat = _WHITESPACE.sub(" ", text).strip()
    escaped = _MARKDOWN.sub(r"\\\1", flat)
    return _MENTION_WORDS.sub(lambda m: f"@{ZWSP}{m.group(1)}", escaped)


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip() + "…"


def safe(text: str, limit: int) -> str:
    """Neutralised text of at most `limit` characters, whatever the escaping adds."""
    budget = limit
    while True:
        out = neutralise(clip(text, budget))
        if len(out) <= limit:
            return out
        budget = max(1, budget - (len(out) - limit) - 1)


def http_url(url: str | None) -> str | None:
    return url if url and url.startswith(("https://", "http://")) and len(url) <= 2000 else None
