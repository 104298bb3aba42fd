"""Sources: bytes or a URL in, one `Thread` out.

The format is told from the content (magic bytes, JSON shape, XML root), not from a file name, so
an upload named "export.txt" that holds a Disqus export still reads as one. Each format lives in
its own module; this one only decides which to call.
"""

from __future__ import annotations

import codecs
import json
import re
from typing import Any

from bot.errors import BadInput, MalformedInput, UnsupportedSource
from bot.sources.checked import checked
from bot.sources.limit import check_count
from bot.thread import Thread

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"RIFF", "a media file"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x7fELF", "a program"),
    (b"OggS", "an audio file"),
    (b"ID3", "an audio file"),
)

_TRY_HINT = (
    "ThreadBrief reads web pages, Reddit and Hacker News threads, RSS/Atom feeds, WordPress "
    "exports (WXR), mailing-list archives (mbox), a text copy of a page with its comments, or "
    "its own --json output."
)


_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
"""Characters no text file holds in numbers: C0 controls other than tabs and line breaks, DEL."""


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: BOM, then the declared charset, then UTF-8, then a detected charset."""
    if not data.strip():
        raise BadInput("The input is empty.", hint=_TRY_HINT)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _text_or_refuse(data.decode(encoding, errors="replace"))
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedSource(f"This is {what}, not a thread.", hint=_TRY_HINT)
    if b"\x00" in data[:4096]:
        raise UnsupportedSource("This is a binary file, not a thread.", hint=_TRY_HINT)
    if declared:
        try:
            return _text_or_refuse(data.decode(declared))
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return _text_or_refuse(data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # start-up: charset_normalizer costs 0.04 s; only text that is not UTF-8 needs it
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise UnsupportedSource(
            "This file is not text in any encoding I recognise.", hint=_TRY_HINT
        )
    return _text_or_refuse(str(best))


def _text_or_refuse(text: str) -> str:
    """The text, unless its start is more than a tenth control characters: then it is binary."""
    head = text[:65536]
    if not text.strip() or len(_CONTROL.findall(head)) * 10 > len(head):
        raise UnsupportedSource(
            "This file is control characters or binary data, not text.", hint=_TRY_HINT
        )
    return text


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise MalformedInput(
            "This JSON nests its values deeper than any thread does.",
            hint="Check that the file is a thread export.",
        ) from None
    except json.JSONDecodeError as e:
        raise MalformedInput(
            f"This JSON is malformed at line {e.lineno}, column {e.colno}: {e.msg}.",
            hint="Check that the file was saved completely.",
        ) from None


def parse_json(obj: object, *, url: str | None = None, max_comments: int | None = None) -> Thread:
    """A decoded JSON document of any supported shape."""
    thread = checked(_parse_json(obj, url=url, max_comments=max_comments))
    check_count(thread.present_count, max_comments)
    return thread


def _parse_json(obj: object, *, url: str | None = None, max_comments: int | None = None) -> Thread:
    # start-up: a file imports only its own reader (all the readers at once cost 0.10 s)
    from bot.sources import discord_export, discourse, hackernews, mastodon, own_json, reddit

    if own_json.looks_like(obj):
        return own_json.parse(obj, max_comments=max_comments)
    if reddit.looks_like(obj):
        return reddit.parse(obj, url=url, max_comments=max_comments)
    if hackernews.looks_like(obj):
        return hackernews.parse(obj, url=url, max_comments=max_comments)
    if discourse.looks_like(obj):
        return discourse.parse(obj, url=url)
    if mastodon.looks_like(obj):
        return mastodon.parse_saved(obj, url=url)
    if discord_export.looks_like(obj):
        return discord_export.parse(obj)  # type: ignore[arg-type]
    raise UnsupportedSource(
        "This JSON is not a thread format ThreadBrief knows.",
        hint="Supported JSON: Reddit threads, Hacker News items (Algolia or Firebase), "
        "Discourse topics, Mastodon status + context, Discord channel exports "
        "(DiscordChatExporter), "
        "ThreadBrief's own --json output, or a thread object with 'article' and 'comments'.",
    )


_NAME = re.compile(r"[^\s/>]*")
_SKIP: tuple[tuple[str, str], ...] = (("<?", "?>"), ("<!--", "-->"))


def first_element(text: str) -> tuple[str, int, str] | None:
    """A markup document's first element: its name, where it starts and its start tag, found past
    any declaration, comments, processing instructions and doctype, however long they are."""
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if not text.startswith("<", pos):
            return None
        for opening, closing in _SKIP:
            if text.startswith(opening, pos):
                close = text.find(closing, pos + len(opening))
                if close < 0:
                    return None
                pos = close + len(closing)
                break
        else:
            if text.startswith("<!", pos):
                bracket, close = text.find("[", pos), text.find(">", pos)
                if 0 <= bracket < close:  # an internal subset: its declarations hold ">"
                    close = text.find("]", bracket)
                    close = text.find(">", close) if close >= 0 else -1
                if close < 0:
                    return None
                pos = close + 1
                continue
            name = _NAME.match(text, pos + 1)
            assert name is not None
            tag_end = text.find(">", pos, pos + 65536)
            return name.group().lower(), pos, text[pos : tag_end if tag_end >= 0 else pos + 4096]


def xml_kind(text: str) -> str | None:
    first = first_element(text)
    if first is None:
        return None
    name, start, _ = first
    if name == "disqus":
        return "disqus"
    if name in ("rss", "feed", "rdf:rdf"):
        wordpress = "wordpress.org/export" in text[start : start + 65536].lower()
        return "wxr" if name == "rss" and wordpress else "feed"
    return None


def _is_html(text: str) -> bool:
    first = first_element(text)
    return first is not None and first[0] in ("html", "head", "body")


def _parse_xml(
    kind: str, data: bytes, url: str | None, pick: str | None, max_comments: int | None
) -> Thread:
    if kind == "disqus":
        # start-up: only its own reader, as above
        from bot.sources import disqus

        return disqus.parse(data, pick=pick, url=url, max_comments=max_comments)
    if kind == "wxr":
        # start-up: only its own reader, as above
        from bot.sources import wxr

        return wxr.parse(data, pick=pick, url=url, max_comments=max_comments)
    # start-up: only its own reader, as above
    from bot.sources import feed

    parsed = feed.parse_feed(data, url=url)
    return feed.item_thread(feed.pick_item(parsed, pick), parsed)


def parse_text(
    text: str,
    *,
    url: str | None = None,
    pick: str | None = None,
    data: bytes | None = None,
    max_comments: int | None = None,
) -> Thread:
    """Decoded text of any supported format.

    The large formats stop reading at the first comment past `max_comments` (TooManyComments);
    the others, small by nature, are checked once read.
    """
    thread = checked(_parse_text(text, url=url, pick=pick, data=data, max_comments=max_comments))
    check_count(thread.present_count, max_comments)
    return thread


def _parse_text(
    text: str,
    *,
    url: str | None = None,
    pick: str | None = None,
    data: bytes | None = None,
    max_comments: int | None = None,
) -> Thread:
    stripped = text.lstrip("\ufeff \t\r\n")
    if not stripped:
        raise BadInput("The input is empty.", hint=_TRY_HINT)
    if stripped[0] in "{[":
        return _parse_json(_json(stripped), url=url, max_comments=max_comments)
    if stripped.startswith("<") and (kind := xml_kind(stripped)) is not None:
        raw = data if data is not None else stripped.encode("utf-8")
        return _parse_xml(kind, raw, url, pick, max_comments)
    if stripped.startswith("<") and (
        _is_html(stripped) or re.match(r"<!doctype html", stripped[:200], re.IGNORECASE)
    ):
        # start-up: only its own reader, as above
        from bot.sources import webpage

        return webpage.parse(stripped, url=url)
    # start-up: only its own reader, as above
    from bot.sources import mailinglist, textdump

    if mailinglist.looks_like(stripped):
        return mailinglist.parse(stripped, url=url, data=data, pick=pick)
    return textdump.parse(stripped, url=url, max_comments=max_comments)


def read_bytes(
    data: bytes,
    *,
    url: str | None = None,
    pick: str | None = None,
    charset: str | None = None,
    max_comments: int | None = None,
) -> Thread:
    """Any supported file or download, told apart by its content."""
    return parse_text(
        decode(data, charset), url=url, pick=pick, data=data, max_comments=max_comments
    )
