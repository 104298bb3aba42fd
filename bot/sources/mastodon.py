"""Mastodon threads: a status and its context (ancestors and descendants), HTML content.

The thread's root (the first ancestor, or the status itself) is the article; descendants nest by
`in_reply_to_id`. A saved file is `{"status": ..., "context": ...}`.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.errors import MalformedInput
from bot.sources.html_text import html_to_text
from bot.sources.json_values import as_list
from bot.thread import Article, Comment, Thread, parents_first

_STATUS = re.compile(r"^/(?:@[\w.]+(?:@[\w.-]+)?|users/[\w.]+/statuses)/(\d+)$")


def api_urls(url: str) -> tuple[str, str] | None:
    """(status, context) API URLs for a status page (`/@user/<id>`, `/users/u/statuses/<id>`)."""
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


def _date(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _name(status: dict[str, Any]) -> str | None:
    account = status.get("account")
    if not isinstance(account, dict):
        return None
    return account.get("display_name") or account.get("acct")


def _text(status: dict[str, Any]) -> tuple[str, tuple]:  # type: ignore[type-arg]
    content = _html(status.get("content"))
    warning = status.get("spoiler_text")
    if isinstance(warning, str) and warning:
        content = f"<p>{warning}</p>{content}"
    return html_to_text(content)


def parse(status: object, context: object, *, url: str | None = None) -> Thread:
    if not isinstance(status, dict) or not isinstance(context, dict):
        raise MalformedInput("This Mastodon JSON needs a status and its context.")
    ancestors = [s for s in as_list(context.get("ancestors")) if isinstance(s, dict)]
    descendants = [s for s in as_list(context.get("descendants")) if isinstance(s, dict)]
    root = ancestors[0] if ancestors else status
    rest = [*ancestors[1:], *([status] if ancestors else []), *descendants]
    body, _ = _text(root)
    article = Article(
        title=None,
        paragraphs=tuple(p for p in body.split("\n\n") if p),
        author=_name(root),
        site="Mastodon",
        url=root.get("url") or url,
        published=_date(root.get("created_at")),
        language=root.get("language") if isinstance(root.get("language"), str) else None,
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
                published=_date(item.get("created_at")),
                score=favourites if isinstance(favourites, int) else None,
                language=item.get("language") if isinstance(item.get("language"), str) else None,
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
