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
import email.parser
import email.policy
import email.utils
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.message import EmailMessage

from bot.errors import BadInput, MalformedInput
from bot.thread import Article, Comment, Span, SpanKind, Thread

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
    r"^(?:On\s.{0,200}?\bwrote:|.{0,120}\bwrote:\s*$|-{2,}\s*Original Message\s*-{2,}|"
    r"From:\s.+\n(?:Sent|Date):)",
    re.MULTILINE | re.IGNORECASE,
)
_QUOTE_TAG = re.compile(r"<(/?)(\w{2,20})>")
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


def looks_like(text: str) -> bool:
    head = text[:2000]
    return _one_line_head(head) is not None or (
        head.startswith("From ") and re.search(r"^(?:From|Subject|Date):", head, re.M) is not None
    )


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


def _quote_and_signature(body: str) -> tuple[Span, ...]:
    """Spans of quoted text and of the sign-off, in a body with real line breaks."""
    spans: list[Span] = list(_tagged_quotes(body))
    wrote = _WROTE.search(body)
    end_of_own = wrote.start() if wrote else len(body)
    if wrote:
        spans.append(Span(wrote.start(), len(body), SpanKind.QUOTE))
    pos = 0
    for line in body[:end_of_own].splitlines(keepends=True):
        if line.lstrip().startswith(">") and not any(s.start <= pos < s.end for s in spans):
            if spans and spans[-1].kind is SpanKind.QUOTE and spans[-1].end == pos:
                spans[-1] = Span(spans[-1].start, pos + len(line), SpanKind.QUOTE)
            else:
                spans.append(Span(pos, pos + len(line), SpanKind.QUOTE))
        pos += len(line)
    sign_offs = [m for m in _SIGN_OFF.finditer(body, 0, end_of_own)]
    if sign_offs:
        start = sign_offs[-1].start()
        # only a sign-off near the end: a "thanks" in the middle is part of the message
        if len(body[start:end_of_own].split()) <= 40:
            spans.append(Span(start, end_of_own, SpanKind.SIGNATURE))
    return tuple(sorted(spans, key=lambda s: s.start))


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
                body=_one_line_body(chunk[head.end :]),
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


def _mbox_messages(data: bytes) -> list[_Message]:
    parser = email.parser.BytesParser(policy=email.policy.default)
    messages = []
    for i, blob in enumerate(_split_mbox(data)):
        msg = parser.parsebytes(blob)
        assert isinstance(msg, EmailMessage)
        try:
            name, address = email.utils.parseaddr(_header(msg, "From"))
        except _BROKEN_MAIL:
            name, address = "", ""
        date = None
        if when := _header(msg, "Date"):
            try:
                date = email.utils.parsedate_to_datetime(when)
                date = date if date.tzinfo else date.replace(tzinfo=UTC)
            except (TypeError, ValueError, IndexError, OverflowError):
                date = None
        messages.append(
            _Message(
                id=_header(msg, "Message-ID").strip() or str(i + 1),
                author=display_name(name, address),
                subject=_header(msg, "Subject"),
                body=_text_part(msg).replace("\r\n", "\n").strip(),
                published=date,
                reply_to=_header(msg, "In-Reply-To").strip() or None,
            )
        )
    return messages


def _roots(messages: list[_Message]) -> dict[str, str]:
    """Each message's thread: the id of the first message up its In-Reply-To chain."""
    by_id = {m.id: m for m in messages}
    roots: dict[str, str] = {}
    for m in messages:
        seen = {m.id}
        current = m
        while current.reply_to in by_id and current.reply_to not in seen:
            current = by_id[current.reply_to]
            seen.add(current.id)
        roots[m.id] = current.id
    return roots


def _subject(message: _Message) -> str:
    return re.sub(r"^(?:(?:re|fwd?|aw)\s*:\s*)+", "", message.subject, flags=re.I).strip()


def mbox_threads(data: bytes) -> list[tuple[str, int, datetime | None]]:
    """The threads of an mbox: (subject, messages, first date), in archive order."""
    messages = _mbox_messages(data)
    roots = _roots(messages)
    by_id = {m.id: m for m in messages}
    counts: dict[str, int] = {}
    for m in messages:
        counts[roots[m.id]] = counts.get(roots[m.id], 0) + 1
    return [
        (_subject(by_id[r]) or "(no subject)", n, by_id[r].published) for r, n in counts.items()
    ]


def _picked(messages: list[_Message], pick: str) -> list[_Message]:
    """The messages of the thread whose subject (or first message id) matches `pick`."""
    from bot.errors import NotFound

    roots = _roots(messages)
    by_id = {m.id: m for m in messages}
    wanted = pick.strip().lower()
    threads = list(dict.fromkeys(roots.values()))
    for exact in (True, False):
        for root in threads:
            subject = _subject(by_id[root]).lower()
            if (subject == wanted or root.lower() == wanted) if exact else wanted in subject:
                return [m for m in messages if roots[m.id] == root]
    some = ", ".join(f'"{_subject(by_id[r])}"' for r in threads[:5])
    raise NotFound(f'No thread in this archive matches "{pick}".', hint=f"Threads include {some}.")


def _reads_like_an_article(first: _Message, replies: list[_Message]) -> bool:
    words = len(first.body.split())
    asks = "?" in first.body[-400:]
    return bool(replies) and words >= 300 and not asks


def parse(
    text: str, *, url: str | None = None, data: bytes | None = None, pick: str | None = None
) -> Thread:
    stripped = text.lstrip()
    if _one_line_head(stripped[:2000]) is not None:
        messages = _one_line_messages(stripped)
        source = "mailing-list"
    else:
        messages = _mbox_messages(data if data is not None else text.encode("utf-8"))
        source = "mbox"
        if pick is not None and messages:
            messages = _picked(messages, pick)
    if not messages:
        raise BadInput("This mailing-list archive holds no messages.")
    ids = {m.id for m in messages}
    comments = tuple(
        Comment(
            id=m.id,
            text=m.body,
            parent_id=m.reply_to if m.reply_to in ids else None,
            author=m.author,
            published=m.published,
            spans=_quote_and_signature(m.body),
        )
        for m in messages
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
        comments = tuple(
            replace(c, parent_id=None) if c.parent_id == first.id else c for c in comments[1:]
        )
    subject = re.sub(r"^(?:(?:re|fwd?|aw)\s*:\s*)+", "", first.subject, flags=re.I).strip()
    return Thread(
        source=source,
        article=article,
        comments=comments,
        url=url,
        extra={"subject": subject} if subject else {},
    )
