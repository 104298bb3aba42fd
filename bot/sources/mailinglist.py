"""Mailing-list threads: mbox archives, and one-line thread dumps (messages joined by `</s>`).

A reply quotes what it answers (`>` lines, "On ... wrote:" and everything after it, forwarded
"Original Message" blocks) and ends with a sign-off and signature. Both stay in the message's text,
marked by spans, so neither is ever taken for the writer's own view. Replies nest by In-Reply-To
where the archive has it.

A list thread is a discussion: its first message becomes an article only when it reads like one
(long, and not a question to the list), otherwise every message is a comment.
"""

from __future__ import annotations

import bisect
import email.errors
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from bot.errors import BadInput, MalformedInput, NotFoundError
from bot.thread import Article, Comment, Span, SpanKind, Thread

if TYPE_CHECKING:
    from email.headerregistry import HeaderRegistry
    from email.message import EmailMessage

_ONE_LINE_START = re.compile(
    r'\s*Name:\s*"(?P<name>[^"]*)"\s+Email:\s*"(?P<email>[^"]*)"\s+To:', re.DOTALL
)
_QUOTED = re.compile(r'\s*"([^"]*)"')
_SPACES = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class _Head:
    """The header of one message of a one-line dump: Name: "..." Email: "..." To: ... Subject:
    "..."; `end` is where the body starts."""

    name: str
    email: str
    subject: str
    end: int


def _one_line_head(chunk: str) -> _Head | None:
    """The header at the start of `chunk`, read in one pass.

    The recipients before "Subject:" are free text: a pattern like `To:\\s*(.*?)\\s+Subject:`
    tries every split of a run of spaces three ways (cubic); here the first "Subject:" that
    follows whitespace is found with `str.find`.
    """
    start = _ONE_LINE_START.match(chunk)
    if start is None:
        return None
    pos = start.end()
    while (at := chunk.find("Subject:", pos)) >= 0:
        pos = at + len("Subject:")
        if at == start.end() or not chunk[at - 1].isspace():
            continue
        subject = _QUOTED.match(chunk, pos)
        if subject is not None:
            return _Head(start["name"], start["email"], subject.group(1), subject.end())
        after = _SPACES.match(chunk, pos)
        if after is not None and chunk.startswith('"', after.end()):
            return None  # an opening quote never closed: no later "Subject:" can close one
    return None


_WROTE = re.compile(
    r"^(?:On\s.{0,200}?\b(?:wrote|writes):|.{0,120}\b(?:wrote|writes):\s*$|"
    r"In (?:message|article) <[^>\n]{1,200}>.{0,120}?\b(?:writes|wrote):|"
    r"From:\s.+\n(?:Sent|Date):)"
    r"|-{2,}\s*Original Message\s*-{2,}"
    r"|_{10,}\s*\n\s*From:\s"
    r"|\bFrom:\s[^\n]{1,120}?\s(?:Sent|Date):\s[^\n]{1,80}?\sTo:\s",
    re.MULTILINE | re.IGNORECASE,
)
"""Where a reply's quotation of the message it answers starts: "On ... wrote:", "X writes:",
MH's "In message <id>, X writes:", Outlook's "-----Original Message-----" or "From: ... Sent:"."""
_NOTES_TAIL = re.compile(
    r"<[^<>\s]{1,200}@[^<>\s]{1,200}>\s{1,9}on\s{1,9}"
    r"\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\s+\d{1,2}:\d{2}",
    re.IGNORECASE,
)
_NOTES_WORDS = re.compile(r"\b[\w.'-]{1,40}(?: [\w.'-]{1,40}){0,4}\s{0,3}\Z")
_NOTES_QUOTED = re.compile(r'"[^"\n]{1,80}"\s{0,3}\Z')
_NOTES_REACH = 5 * 41 + 3
"""The longest name (five words of 40 characters) and the spaces before the address.

Lotus Notes' `"Slein, Judith A" <js@example.com> on 11/01/99 10:01:38 AM` is found address and
date first (they start with `<`, which the engine scans for), then the name in the characters
before them. One pattern for both tried the name's five words at every word of every body:
linear, but a quarter of the time spent reading an 8 MB archive."""
_QUOTE_TAG = re.compile(r"<(/?)(\w{2,20})>")
_HEADER_LINE = re.compile(
    r"^[ \t]*In-Reply-To:[ \t]*(?:Your message of|Message from)\b.*"
    r"(?:\n[ \t]+\S.*|\n[ \t]*<[^<>\n]+>[ \t]*$)*\n?",
    re.MULTILINE | re.IGNORECASE,
)
"""MH's `In-reply-to: Your message of ...` lines, pasted into bodies by some archives: headers,
not anyone's words."""
_CONTACT = re.compile(
    r"[\w.+-]{1,64}@[\w-]{1,63}\.[\w.-]{1,253}|https?://|www\.|\(?\+?\d[\d ()./-]{6,25}\d|"
    r"\b(?:tel|phone|fax|"
    r"mobile|cell)\b",
    re.IGNORECASE,
)
"""Some lists quote with the quoted person's name as a tag: <blake> ... </blake>."""
_SIGN_OFF = re.compile(
    r"^(?:-- ?$|(?:kind |best |warm |many )?(?:regards|thanks|thank you|cheers|best|"
    r"sincerely|yours|ciao)\b[^\n.?]{0,30}$)",
    re.MULTILINE | re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Message:
    id: str
    author: str
    subject: str
    body: str
    published: datetime | None = None
    reply_to: str | None = None
    references: tuple[str, ...] = ()


_MBOX_HEAD = re.compile(r"^(?:From|Subject|Date|Message-ID):", re.MULTILINE | re.IGNORECASE)
_HEADER_NAME = re.compile(r"[!-9;-~]{1,76}:")
"""A header field name (RFC 5322: printable characters but the colon) and its colon."""
_FIRST_HEADERS = frozenset(
    {"return-path", "received", "from", "to", "subject", "date", "message-id", "delivered-to"}
)


def _is_message(head: str) -> bool:
    """Headers, a blank line, a body: a single saved message (.eml), From: among the headers."""
    block, blank, _ = head.replace("\r\n", "\n").partition("\n\n")
    lines = block.split("\n")
    if not blank or lines[0].split(":", 1)[0].lower() not in _FIRST_HEADERS:
        return False
    names = []
    for line in lines:
        if line[:1] in (" ", "\t"):
            continue
        match = _HEADER_NAME.match(line)
        if match is None:
            return False
        names.append(match.group(0)[:-1].lower())
    return "from" in names


def looks_like(text: str) -> bool:
    """An mbox archive (a "From " line, then headers, however many Received lines come first),
    a single saved message (headers, a blank line, a body), or a one-line thread dump."""
    if _one_line_head(text[:2000]) is not None:
        return True
    head = text[:65536]
    header_block = head.split("\n\n", 1)[0]
    if head.startswith("From "):
        return _MBOX_HEAD.search(header_block) is not None
    return _is_message(head)


def display_name(name: str, address: str = "") -> str:
    """ "Kay, Michael" -> "Michael Kay"; "ZOHAR,ILAN (HP)" -> "Ilan Zohar"; an address alone ->
    its local part."""
    name = " ".join(re.sub(r"\([^()]*\)", " ", name).split()).strip("'\"").strip()
    if not name or "@" in name:
        return (name or address).split("@")[0]
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if last and first:
            name = f"{first} {last}"
    return name.title() if name.isupper() else name


def _tagged_quotes(body: str) -> Iterator[Span]:
    """`<name> ... </name>` quotations, each from an opening tag to the first closing tag of the
    same name, in one pass (the pattern `<(\\w+)>.*?</\\1>` rescans the rest of the body from
    every opening tag that is never closed: quadratic)."""
    tags = list(_QUOTE_TAG.finditer(body))
    closes: dict[str, list[int]] = {}
    for m in tags:
        if m.group(1):
            closes.setdefault(m.group(2), []).append(m.start())
    by_start = {m.start(): m for m in tags}
    pos = 0
    for m in tags:
        if m.group(1) or m.start() < pos:
            continue
        ends = closes.get(m.group(2), [])
        i = bisect.bisect_left(ends, m.end())
        if i < len(ends):
            close = by_start[ends[i]]
            yield Span(m.start(), close.end(), SpanKind.QUOTE)
            pos = close.end()


def _quotation_start(body: str) -> int | None:
    """Where the quotation of the message answered starts, if the body quotes one.

    A name of words cannot hold the `<` an address starts with, so it is looked for after the
    previous address only: each character is read a bounded number of times.
    """
    wrote = _WROTE.search(body)
    best = len(body) if wrote is None else wrote.start()
    after = 0
    for tail in _NOTES_TAIL.finditer(body):
        at = tail.start()
        if at - _NOTES_REACH >= best:
            break
        quoted = _NOTES_QUOTED.search(body, max(0, at - _NOTES_REACH), at)
        words = _NOTES_WORDS.search(body, max(after, at - _NOTES_REACH), at)
        for name in (quoted, words):
            if name is not None:
                best = min(best, name.start())
        after = at + 1
    return None if wrote is None and best == len(body) else best


def _quote_and_signature(body: str, author: str | None = None) -> tuple[Span, ...]:
    """Spans of quoted text and of the sign-off, in a body with real line breaks."""
    spans: list[Span] = list(_tagged_quotes(body))
    quoted = _quotation_start(body)
    end_of_own = len(body) if quoted is None else quoted
    if quoted is not None:
        spans.append(Span(quoted, len(body), SpanKind.QUOTE))
    pos = 0
    for line in body[:end_of_own].splitlines(keepends=True):
        if line.lstrip().startswith(">") and not any(s.start <= pos < s.end for s in spans):
            if spans and spans[-1].kind is SpanKind.QUOTE and spans[-1].end == pos:
                spans[-1] = Span(spans[-1].start, pos + len(line), SpanKind.QUOTE)
            else:
                spans.append(Span(pos, pos + len(line), SpanKind.QUOTE))
        pos += len(line)
    sign_offs = [m for m in _SIGN_OFF.finditer(body, 0, end_of_own)]
    signature = _contact_block(body, end_of_own, author)
    if sign_offs:
        start = sign_offs[-1].start()
        # only a sign-off near the end: a "thanks" in the middle is part of the message
        if len(body[start:end_of_own].split()) <= 40:
            signature = start if signature is None else min(start, signature)
    if signature is not None:
        spans.append(Span(signature, end_of_own, SpanKind.SIGNATURE))
    return tuple(sorted(spans, key=lambda s: s.start))


def _contact_block(body: str, end: int, author: str | None = None) -> int | None:
    """Where a signature block without a "-- " line starts: the message's last short lines,
    holding an address or phone number ("Judith Slein / Xerox Corporation / js@example.com /
    (716) 422-5169") or opening with the writer's name ("Dana Keller / Facilities Office").
    A lone link on the last line is the writer's pointer, not a signature."""
    text = body[:end].rstrip()
    pos, start, lines, contact = len(text), None, 0, False
    for line in reversed(text.splitlines(keepends=True)):
        stripped = line.strip()
        if (
            not stripped
            or stripped.startswith(">")
            or lines >= 6
            or len(stripped.split()) > 8
            or (stripped.endswith((".", "?", "!", ":")) and not _CONTACT.search(stripped))
        ):
            break
        pos -= len(line)
        start, lines = pos, lines + 1
        if _CONTACT.search(stripped):
            contact = contact or lines > 1 or not stripped.startswith(("http", "www"))
    if start is None or start == 0:
        return None
    block = text[start:]
    names = {w.casefold() for w in re.findall(r"\w{2,}", author or "")}
    first_line = {w.casefold() for w in re.findall(r"\w{2,}", block.split("\n", 1)[0])}
    signed = bool(names & first_line) and all(len(x.split()) <= 5 for x in block.splitlines())
    if (contact and (lines > 1 or "@" in block)) or signed:
        return start
    return None


def _one_line_body(raw: str) -> str:
    """Collapsed whitespace back to lines: 5+ spaces were a blank line, 3-4 a line break."""
    text = html.unescape(raw)
    text = re.sub(r" {5,}", "\n\n", text)
    text = re.sub(r" {3,4}", "\n", text)
    return text.strip()


def _one_line_messages(text: str) -> list[_Message]:
    messages = []
    for i, chunk in enumerate(text.strip().split("</s>")):
        if not chunk.strip():
            continue
        head = _one_line_head(chunk)
        if head is None:
            raise MalformedInput(
                f"Message {i + 1} of this thread dump has no Name/Email/To/Subject header.",
                hint='Each message must start with Name: "..." Email: "..." To: ... '
                'Subject: "...".',
            )
        messages.append(
            _Message(
                id=str(i + 1),
                author=display_name(head.name, head.email),
                subject=html.unescape(head.subject),
                body=_HEADER_LINE.sub("", _one_line_body(chunk[head.end :])).strip(),
            )
        )
    return messages


_BROKEN_MAIL = (
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    LookupError,
    UnicodeError,
    email.errors.MessageError,
)
"""What the email package raises on a damaged header or part (it parses lazily, on access)."""


def _header(message: EmailMessage, name: str) -> str:
    """A header's decoded value; its raw text where decoding fails; "" where it is absent."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except _BROKEN_MAIL:
        pass
    for key, raw in message.raw_items():
        if key.lower() == name.lower():
            return str(raw).strip()
    return ""


def _raw_header(message: EmailMessage, name: str) -> str:
    """A header's text as written, unfolded; "" where it is absent. For dates and message ids,
    which the email package would parse into objects only for us to turn back into text (a
    quarter of the time spent reading a large archive)."""
    wanted = name.lower()
    for key, raw in message.raw_items():
        if key.lower() == wanted:
            return " ".join(str(raw).split())
    return ""


def _text_part(message: EmailMessage) -> str:
    try:
        part = message.get_body(preferencelist=("plain", "html"))
    except _BROKEN_MAIL:
        part = message
    if part is None:
        return ""
    try:
        content = str(part.get_content())
    except _BROKEN_MAIL:
        # An unknown or missing charset, a broken transfer encoding: the bytes as UTF-8.
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        return html.unescape(re.sub(r"<[^<>]+>", " ", content))
    return content


def _split_mbox(data: bytes) -> list[bytes]:
    """The messages of an mbox: each starts at a line beginning "From " (the line is dropped)."""
    messages: list[bytes] = []
    current: list[bytes] | None = None
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From "):
            if current is not None:
                messages.append(b"".join(current))
            current = []
        elif current is not None:
            current.append(line)
    if current is not None:
        messages.append(b"".join(current))
    return messages


def _header_registry() -> HeaderRegistry:
    """The default header classes, each made once per archive: the stock registry builds a new
    class for every header it parses (a third of the time spent reading a large archive's
    headers). Defined here, as the email package is imported only when an archive is read."""
    # start-up: the email package, as above
    from email.headerregistry import BaseHeader, HeaderRegistry

    class Headers(HeaderRegistry):
        def __init__(self) -> None:
            super().__init__()
            self.made: dict[str, type[BaseHeader]] = {}

        def __getitem__(self, name: str) -> type[BaseHeader]:
            key = name.lower()
            if key not in self.made:
                self.made[key] = super().__getitem__(name)
            return self.made[key]

    return Headers()


def _mbox_messages(data: bytes) -> list[_Message]:
    if not data.lstrip().startswith(b"From "):
        data = b"From unknown Thu Jan  1 00:00:00 1970\n" + data.lstrip()  # a saved message
    # start-up: the email package's parser, policy and message classes cost 50 ms to import:
    # only an archive pays for them, not every text told apart from one.
    import email.parser
    import email.policy
    import email.utils
    from email.message import EmailMessage

    parser = email.parser.BytesParser(
        policy=email.policy.default.clone(header_factory=_header_registry())
    )
    messages = []
    for i, blob in enumerate(_split_mbox(data)):
        msg = parser.parsebytes(blob)
        assert isinstance(msg, EmailMessage)
        try:
            name, address = _sender(msg)
        except _BROKEN_MAIL:
            name, address = "", ""
        date = None
        if when := _raw_header(msg, "Date"):
            try:
                date = email.utils.parsedate_to_datetime(when)
                date = date if date.tzinfo else date.replace(tzinfo=UTC)
            except (TypeError, ValueError, IndexError, OverflowError):
                date = None
        messages.append(
            _Message(
                id=_raw_header(msg, "Message-ID").strip() or str(i + 1),
                author=display_name(name, address),
                subject=_header(msg, "Subject"),
                body=_HEADER_LINE.sub("", _text_part(msg).replace("\r\n", "\n")).strip(),
                published=date,
                reply_to=_first_id(_raw_header(msg, "In-Reply-To")),
                references=tuple(_IDS.findall(_raw_header(msg, "References"))),
            )
        )
    return messages


_IDS = re.compile(r"<[^<>\s]+>")


def _first_id(value: str) -> str | None:
    """The message id an In-Reply-To names: MH writes `Your message of ... <id>`."""
    found = _IDS.search(value)
    return found.group(0) if found else (value.strip() or None)


def _sender(msg: EmailMessage) -> tuple[str, str]:
    """(name, address) of the From header, read raw: pipermail writes `andy at example.com
    (Andy Smith)`, which the modern header parser reads as an address without its name."""
    # start-up: the email package, as above
    import email.header
    import email.utils

    raw = next((str(v) for k, v in msg.raw_items() if k.lower() == "from"), "")
    try:
        raw = str(email.header.make_header(email.header.decode_header(raw)))
    except (ValueError, LookupError, UnicodeError):
        pass
    raw = re.sub(r"^([\w.+-]+) at ([\w-]+(?:\.[\w-]+)+)", r"\1@\2", " ".join(raw.split()))
    return email.utils.parseaddr(raw)


def _reads_like_an_article(first: _Message, replies: list[_Message]) -> bool:
    words = len(first.body.split())
    asks = "?" in first.body[-400:]
    return bool(replies) and words >= 300 and not asks


_SUBJECT_PREFIX = re.compile(
    r"^(?:\s*(?:(?:re|fwd?|aw|sv|wg|tr)\s*(?:\[\d+\])?\s*:|\[[^\]]{1,40}\]))+\s*", re.I
)
_SENTENCE = re.compile(r"[^\s>][^.!?]*(?:[.!?]+[\"')\]]*|$)", re.DOTALL)
QUOTED_WORDS = 6
"""A sentence this long found in an earlier message by someone else is a quotation of it."""


def subject_of(message_subject: str) -> str:
    """The thread's subject: without "Re:", "Fwd:", "AW:" or a list's "[tag]"."""
    return _SUBJECT_PREFIX.sub("", " ".join(message_subject.split())).strip()


def _threads(messages: list[_Message]) -> list[list[_Message]]:
    """Messages grouped into threads, by reply headers and then by subject, in archive order."""
    parent = list(range(len(messages)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(a: int, b: int) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    by_id = {m.id: i for i, m in enumerate(messages)}
    by_subject: dict[str, int] = {}
    for i, m in enumerate(messages):
        for ref in (m.reply_to, *m.references):
            if ref in by_id:
                join(i, by_id[ref])
        key = subject_of(m.subject).casefold()
        if key:
            join(i, by_subject.setdefault(key, i))
    groups: dict[int, list[_Message]] = {}
    for i, m in enumerate(messages):
        groups.setdefault(root(i), []).append(m)
    return list(groups.values())


def mbox_threads(data: bytes) -> list[tuple[str, int, datetime | None]]:
    """The threads of an mbox: (subject, messages, first date), in archive order."""
    return [
        (subject_of(g[0].subject) or "(no subject)", len(g), g[0].published)
        for g in _threads(_mbox_messages(data))
    ]


def _label(group: list[_Message]) -> str:
    n = len(group)
    return (
        f'"{subject_of(group[0].subject) or "(no subject)"}" ({n} message{"s" if n != 1 else ""})'
    )


def _pick_thread(
    threads: list[list[_Message]], pick: str | None
) -> tuple[list[_Message], str | None]:
    if pick is not None:
        wanted = subject_of(pick).casefold()
        for exact in (True, False):
            for group in threads:
                subject = subject_of(group[0].subject).casefold()
                if (
                    (subject == wanted or group[0].id.casefold() == pick.strip().casefold())
                    if exact
                    else (wanted and wanted in subject)
                ):
                    return group, None
        some = ", ".join(_label(g) for g in threads[:5])
        raise NotFoundError(
            f'No thread in this archive has the subject "{pick}".', hint=f"Threads: {some}."
        )
    if len(threads) == 1:
        return threads[0], None
    best = max(threads, key=len)
    others = [g for g in threads if g is not best]
    shown = ", ".join(_label(g) for g in sorted(others, key=len, reverse=True)[:5])
    more = f" and {len(others) - 5} more" if len(others) > 5 else ""
    return best, (
        f"This archive holds {len(threads)} threads; briefed the busiest, {_label(best)}. "
        f"The others: {shown}{more}. Pick one by its subject to brief it instead."
    )


_WORD = re.compile(r"\w+")


def _normal(sentence: str) -> str:
    return " ".join(_WORD.findall(sentence.casefold()))


def _quoted_from_earlier(comments: list[Comment]) -> list[Comment]:
    """Sentences someone else wrote earlier in the thread are theirs, wherever they are pasted
    (unmarked, re-wrapped, in a one-line dump whose ">" marks are gone)."""
    said: dict[str, str | None] = {}
    out = []
    keys: dict[str, str | None] = {}

    def key_of(sentence: str) -> str | None:
        """The sentence's words, normalised, if there are enough of them to count as quoted;
        each sentence of a comment is normalised once though it is looked up twice."""
        if sentence not in keys:
            key = _normal(sentence)
            keys[sentence] = key if key.count(" ") + 1 >= QUOTED_WORDS else None
        return keys[sentence]

    for comment in comments:
        keys.clear()
        spans = list(comment.spans)
        for paragraph in re.finditer(r"(?:[^\n]|\n(?!\s*\n))+", comment.text):
            for match in _SENTENCE.finditer(paragraph.group(0)):
                start = paragraph.start() + match.start()
                end = paragraph.start() + match.end()
                key = key_of(match.group(0))
                if (
                    key is not None
                    and key in said
                    and said[key] != comment.author
                    and not any(s.start <= start < s.end for s in spans)
                ):
                    spans.append(Span(start, end, SpanKind.QUOTE))
        updated = replace(comment, spans=tuple(sorted(spans, key=lambda s: s.start)))
        out.append(updated)
        for own in updated.own_text().split("\n\n"):
            for found in _SENTENCE.finditer(own):
                key = key_of(found.group(0))
                if key is not None:
                    said.setdefault(key, comment.author)
    return out


def parse(
    text: str, *, url: str | None = None, data: bytes | None = None, pick: str | None = None
) -> Thread:
    stripped = text.lstrip()
    notes: list[str] = []
    if _one_line_head(stripped[:2000]) is not None:
        messages = _one_line_messages(stripped)
        source = "mailing-list"
    else:
        messages = _mbox_messages(data if data is not None else text.encode("utf-8"))
        source = "mbox"
        if messages:
            messages, note = _pick_thread(_threads(messages), pick)
            notes.extend([note] if note else [])
    if not messages:
        raise BadInput("This mailing-list archive holds no messages.")
    ids = {m.id for m in messages}
    comments = _quoted_from_earlier(
        [
            Comment(
                id=m.id,
                text=m.body,
                parent_id=m.reply_to if m.reply_to in ids else None,
                author=m.author,
                published=m.published,
                spans=_quote_and_signature(m.body, m.author),
            )
            for m in messages
        ]
    )
    article = None
    first = messages[0]
    if _reads_like_an_article(first, messages[1:]):
        own = comments[0].own_text()
        article = Article(
            title=first.subject or None,
            paragraphs=tuple(p.strip() for p in own.split("\n\n") if p.strip()),
            author=first.author,
            published=first.published,
            url=url,
        )
        comments = [
            replace(c, parent_id=None) if c.parent_id == first.id else c for c in comments[1:]
        ]
    subject = subject_of(first.subject)
    return Thread(
        source=source,
        article=article,
        comments=tuple(comments),
        notes=tuple(notes),
        url=url,
        extra={"subject": subject} if subject else {},
    )
