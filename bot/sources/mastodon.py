"""Mastodon threads: a status and its context (ancestors and descendants), HTML content.

The thread's root (the first ancestor, or the status itself) is the article; descendants nest by
`in_reply_to_id`. A saved file is `{"status": ..., "context": ...}`.
"""

from __future__ import annotations

import re
from typing import Any

from bot.errors import MalformedInput
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.sources.json_values import as_list
from bot.text.language import UNDETERMINED, detect_language
from bot.thread import Article, Comment, Span, Thread, parents_first

_STATUS = re.compile(r"^/(?:@[\w.]+(?:@[\w.-]+)?|users/[\w.]+/statuses)/(\d+)$")


def api_urls(url: str) -> tuple[str, str] | None:
    """(status, context) API URLs for a status page (`/@user/<id>`, `/users/u/statuses/<id>`)."""
    # start-up: yarl costs 0.03 s; only a URL needs it, and aiohttp has it loaded then
    from yarl import URL

    parsed = URL(url)
    match = _STATUS.match(parsed.path.rstrip("/"))
    if match is None:
        return None
    status = parsed.with_path(f"/api/v1/statuses/{match.group(1)}").with_query(None)
    return str(status), str(status / "context")


def looks_like(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("status"), dict)
        and isinstance(obj.get("context"), dict)
    )


def _html(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _name(status: dict[str, Any]) -> str | None:
    account = status.get("account")
    if not isinstance(account, dict):
        return None
    return account.get("display_name") or account.get("acct")


_MENTIONS = re.compile(r"(?:@[\w.-]{1,64}(?:@[\w.-]{1,253})?[\s,:]{0,8}){1,50}")
"""The `@user @other@server` a reply opens with: whom it addresses, not what it says."""


def _text(status: dict[str, Any], *, warning: bool = True) -> tuple[str, tuple[Span, ...]]:
    """The post's text without its leading mentions; its content warning, a label, first."""
    content = _html(status.get("content"))
    text, spans = html_to_text(content)
    lead = _MENTIONS.match(text)
    if lead is not None and lead.end() < len(text):
        cut = lead.end()
        text = text[cut:]
        spans = tuple(
            Span(max(0, s.start - cut), s.end - cut, s.kind) for s in spans if s.end > cut
        )
    label = status.get("spoiler_text") if warning else None
    if isinstance(label, str) and label.strip():
        head = " ".join(label.split())
        text = f"{head}\n\n{text}" if text else head
        shift = len(head) + 2
        spans = tuple(Span(s.start + shift, s.end + shift, s.kind) for s in spans)
    return text, spans


def _language(status: dict[str, Any], text: str) -> str | None:
    """The post's declared language, unless its text says otherwise: apps declare the
    language the writer's app is set to, whatever they type."""
    declared = status.get("language")
    declared = declared.split("-")[0].lower() if isinstance(declared, str) and declared else None
    detected = detect_language(text)
    return declared if detected == UNDETERMINED else detected


def parse(status: object, context: object, *, url: str | None = None) -> Thread:
    if not isinstance(status, dict) or not isinstance(context, dict):
        raise MalformedInput("This Mastodon JSON needs a status and its context.")
    ancestors = [s for s in as_list(context.get("ancestors")) if isinstance(s, dict)]
    descendants = [s for s in as_list(context.get("descendants")) if isinstance(s, dict)]
    root = ancestors[0] if ancestors else status
    rest = [*ancestors[1:], *([status] if ancestors else []), *descendants]
    body, _ = _text(root, warning=False)  # a content warning is a label, not a sentence
    article = Article(
        title=None,
        paragraphs=tuple(p for p in body.split("\n\n") if p),
        author=_name(root),
        site="Mastodon",
        url=root.get("url") or url,
        published=iso_date(root.get("created_at")),
        language=_language(root, body),
    )
    comments = []
    for item in rest:
        text, spans = _text(item)
        if not text:
            continue
        parent = item.get("in_reply_to_id")
        favourites = item.get("favourites_count")
        comments.append(
            Comment(
                id=str(item.get("id")),
                text=text,
                spans=spans,
                parent_id=str(parent) if parent and str(parent) != str(root.get("id")) else None,
                author=_name(item),
                published=iso_date(item.get("created_at")),
                score=favourites if isinstance(favourites, int) else None,
                language=_language(item, text),
                url=item.get("url") if isinstance(item.get("url"), str) else None,
            )
        )
    return Thread(
        source="mastodon", article=article, comments=parents_first(comments), url=article.url
    )


def parse_saved(obj: object, *, url: str | None = None) -> Thread:
    if not looks_like(obj):
        raise MalformedInput('A saved Mastodon thread is {"status": ..., "context": ...}.')
    assert isinstance(obj, dict)
    return parse(obj["status"], obj["context"], url=url)
