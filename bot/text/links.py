"""Links in chat messages: the URL a user means when they ask for a brief of a message."""

from __future__ import annotations

import re

_URL = re.compile(r"<?(https?://[^\s<>|]+[^\s<>|.,;:!?\"')\]])>?", re.IGNORECASE)


def find_urls(text: str) -> list[str]:
    """http(s) URLs in order of appearance, with chat wrappers (<...>) and trailing punctuation
    removed."""
    return [m.group(1) for m in _URL.finditer(text or "")]


_ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>]{1,2000}|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}",
    re.IGNORECASE,
)
_LETTER = re.compile(r"[^\W\d_]")


def _may_hold_address(text: str) -> bool:
    """Whether `_ADDRESS` can match at all: each of its forms holds '://', 'www.' or '@'.

    The e-mail form is tried at every position of a text, so a comment without any of these
    is spared a scan that costs as much as detecting its language."""
    return "@" in text or "://" in text or "www." in text.lower()


def without_addresses(text: str) -> str:
    """The text with its links and e-mail addresses taken out: they are in no language."""
    return _ADDRESS.sub(" ", text) if _may_hold_address(text) else text


def is_link_only(text: str) -> bool:
    """A comment that is only links or e-mail addresses: it has no language and holds no view."""
    return (
        _may_hold_address(text)
        and _ADDRESS.search(text) is not None
        and _LETTER.search(without_addresses(text)) is None
    )
