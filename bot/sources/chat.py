"""A chat conversation (a Discord thread, forum post or channel) as a thread.

The bot reads the messages; this module knows nothing of Discord's API and gets plain records.
Replies give the nesting; consecutive messages of one author, close in time, merge into one
comment, as people split one thought over several lines. The first message stands as the article
only when it starts the conversation (a thread's starter, or the message picked) and carries
something to summarize: a link, read as any other URL, or enough text of its own.

What cannot be read is counted, never guessed: messages whose text Discord withheld (no Message
Content intent), embeds or attachments without text, replies to deleted messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.text.links import find_urls
from bot.thread import Article, Comment, Span, SpanKind, Thread

MERGE_WITHIN = timedelta(minutes=7)
"""Consecutive messages of one author this close together are one comment."""
ARTICLE_WORDS = 25
"""A first message with no link stands as the article from this many words on."""


@dataclass(frozen=True, slots=True)
class ChatMessage:
    id: str
    author: str
    created: datetime
    content: str = ""
    author_id: str = ""
    bot: bool = False
    reply_to: str | None = None
    """The id of the message this one answers."""
    reply_deleted: bool = False
    """It answers a message that was deleted since."""
    embeds: int = 0
    attachments: int = 0
    system: bool = False
    """A join, pin or other notice: not something anyone said."""
    url: str | None = None
    """The message's jump link."""
    score: int | None = None
    """Reactions, where the reader has them."""


@dataclass(frozen=True, slots=True)
class ChatHistory:
    """Messages in the order they were posted, and what the reader knows about their range."""

    place: str
    """How to name where they were read: "#general", "the thread Tram vote"."""
    messages: tuple[ChatMessage, ...]
    starts_conversation: bool = False
    """The first message starts the conversation (a thread's starter, the message picked)."""
    include_bots: bool = False
    left_out: str | None = None
    """Set when the reader stopped before the beginning: what was left out and why."""
    url: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    subject: str | None = None
    """The thread's or forum post's name, which titles a brief without an article."""
    exported: bool = False
    """Read from an export file, not by the bot: a message without text is the export's, not
    Discord's withholding it from a bot."""


def article_link(history: ChatHistory) -> str | None:
    """The link the first message shares, when it stands as the article."""
    first = _lead(history)
    if first is None:
        return None
    urls = find_urls(first.content)
    return urls[0] if urls else None


def chat_thread(history: ChatHistory, linked: Thread | None = None) -> Thread:
    """The conversation as a thread; `linked` is what the first message's link pointed to."""
    lead = _lead(history)
    article: Article | None = None
    messages = list(history.messages)
    if lead is not None:
        if linked is not None and linked.article is not None and linked.article.paragraphs:
            article = linked.article
            messages = messages[1:]
        elif len(lead.content.split()) >= ARTICLE_WORDS and not find_urls(lead.content):
            article = Article(
                title=_first_line(lead.content),
                paragraphs=tuple(p.strip() for p in lead.content.split("\n\n") if p.strip()),
                author=lead.author,
                url=lead.url,
                published=lead.created,
            )
            messages = messages[1:]
    comments, counts = _comments(messages, include_bots=history.include_bots)
    notes = list(history.notes)
    read = len(history.messages)
    notes.insert(0, f"Read {read:,} message{'s' if read != 1 else ''} in {history.place}.")
    if history.left_out:
        notes.append(history.left_out)
    notes.extend(counts.notes(exported=history.exported))
    return Thread(
        source="discord",
        article=article,
        comments=comments,
        missing=counts.unreadable,
        notes=tuple(notes),
        url=(article.url if article is not None else None) or history.url,
        extra={"subject": history.subject} if history.subject else {},
    )


def quote_spans(text: str) -> tuple[Span, ...]:
    """Discord's block quotes: lines starting with "> ", and everything after ">>> "."""
    spans: list[Span] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith(">>> "):
            spans.append(Span(pos, len(text), SpanKind.QUOTE))
            break
        if stripped.startswith("> ") or stripped.rstrip() == ">":
            if spans and spans[-1].end == pos:
                spans[-1] = Span(spans[-1].start, pos + len(line), SpanKind.QUOTE)
            else:
                spans.append(Span(pos, pos + len(line), SpanKind.QUOTE))
        pos += len(line)
    return tuple(spans)


def _lead(history: ChatHistory) -> ChatMessage | None:
    if not history.starts_conversation or not history.messages:
        return None
    first = history.messages[0]
    if first.system or not first.content.strip() or (first.bot and not history.include_bots):
        return None
    return first


def _first_line(text: str) -> str | None:
    """The message's first line as its title, its first twelve words when the line runs on."""
    words = text.strip().splitlines()[0].split() if text.strip() else []
    if not words:
        return None
    return " ".join(words) if len(words) <= 15 else " ".join(words[:12]) + " …"


@dataclass
class _Counts:
    bots: int = 0
    system: int = 0
    withheld: int = 0
    embeds_only: int = 0
    attachments_only: int = 0
    deleted_parents: int = 0

    @property
    def unreadable(self) -> int:
        return self.withheld + self.embeds_only + self.attachments_only

    def notes(self, *, exported: bool = False) -> list[str]:
        out = []
        if self.withheld and exported:
            out.append(
                f"{_n(self.withheld, 'message')} had no text in the export (stickers, calls, "
                "deleted content); not counted as views."
            )
        elif self.withheld:
            out.append(
                f"{_n(self.withheld, 'message')} had no text the bot may read "
                "(Discord withholds it without the Message Content intent); not counted as views."
            )
        if self.embeds_only:
            out.append(f"{_n(self.embeds_only, 'message')} held only embeds; not read.")
        if self.attachments_only:
            out.append(f"{_n(self.attachments_only, 'message')} held only attachments; not read.")
        if self.bots:
            out.append(f"{_n(self.bots, 'message')} from bots left out.")
        if self.deleted_parents:
            out.append(f"{_n(self.deleted_parents, 'reply', 'replies')} to deleted messages.")
        return out


def _n(count: int, one: str, many: str | None = None) -> str:
    return f"{count:,} {one if count == 1 else (many or one + 's')}"


def _comments(
    messages: Sequence[ChatMessage], *, include_bots: bool
) -> tuple[tuple[Comment, ...], _Counts]:
    counts = _Counts()
    comments: list[Comment] = []
    owner: dict[str, str] = {}
    """Message id -> the id of the comment that holds its text."""
    last: ChatMessage | None = None
    for message in messages:
        if message.system:
            counts.system += 1
            continue
        if message.bot and not include_bots:
            counts.bots += 1
            continue
        text = message.content.strip()
        if not text:
            if message.embeds:
                counts.embeds_only += 1
            elif message.attachments:
                counts.attachments_only += 1
            else:
                counts.withheld += 1
            continue
        if message.reply_deleted:
            counts.deleted_parents += 1
        parent = owner.get(message.reply_to) if message.reply_to else None
        previous = comments[-1] if comments else None
        if (
            previous is not None
            and last is not None
            and last.author_id == message.author_id
            and last.author == message.author
            and message.created - last.created <= MERGE_WITHIN
            and (message.reply_to is None or parent == previous.parent_id)
        ):
            score = (
                None
                if previous.score is None and message.score is None
                else (previous.score or 0) + (message.score or 0)
            )
            comments[-1] = replace(previous, text=f"{previous.text}\n\n{text}", score=score)
            owner[message.id] = previous.id
        else:
            comments.append(
                Comment(
                    id=message.id,
                    text=text,
                    parent_id=parent,
                    author=message.author,
                    published=message.created,
                    url=message.url,
                    score=message.score,
                )
            )
            owner[message.id] = message.id
        last = message
    return tuple(replace(c, spans=quote_spans(c.text)) for c in comments), counts
