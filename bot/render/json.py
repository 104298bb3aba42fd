"""The brief as JSON, with the thread it was made from.

The document carries the whole parsed thread, so ThreadBrief reads its own output back
(`threadbrief summarize brief.json`) and, with the same options, gets the same brief. Keys are only
ever added within a schema version; README "JSON output" documents each field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.brief import SCHEMA_VERSION, Brief, Viewpoint
from bot.thread import Article, Comment, Thread


def _date(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _viewpoint(v: Viewpoint) -> dict[str, Any]:
    headline = v.headline
    return {
        "headline": headline.text if headline else None,
        "side": v.side,
        "label": v.label,
        "share": round(v.share, 4),
        "comments": v.size,
        "authors": v.authors,
        "score": v.score,
        "language": v.language,
        "comment_ids": list(v.comment_ids),
        "quotes": [
            {"text": q.text, "author": q.author, "comment_id": q.comment_id, "url": q.url}
            for q in v.quotes
        ],
    }


def brief_dict(brief: Brief, options: dict[str, Any] | None = None) -> dict[str, Any]:
    c = brief.counts
    return {
        "source": brief.source,
        "title": brief.title,
        "author": brief.author,
        "site": brief.site,
        "url": brief.url,
        "published": _date(brief.published),
        "language": brief.language,
        "algorithm": brief.algorithm,
        "options": options or {},
        "summary": list(brief.summary),
        "viewpoints": [_viewpoint(v) for v in brief.viewpoints],
        "sides": {"for": (sides := brief.sides()).for_, "against": sides.against},
        "unclassified": list(brief.unclassified),
        "counts": {
            "comments": c.comments,
            "declared": c.declared,
            "missing": c.missing,
            "authors": c.authors,
            "languages": dict(c.languages),
            "links": c.links,
            "most_active": [{"author": a, "comments": n} for a, n in c.most_active],
            "presence": c.presence(),
        },
        "closed": brief.closed,
        "notes": list(brief.notes),
        "timeline": [
            {"text": q.text, "author": q.author, "comment_id": q.comment_id, "url": q.url}
            for q in brief.timeline
        ],
    }


def _article(a: Article) -> dict[str, Any]:
    return {
        "title": a.title,
        "author": a.author,
        "site": a.site,
        "url": a.url,
        "published": _date(a.published),
        "language": a.language,
        "paragraphs": list(a.paragraphs),
    }


def _comment(c: Comment) -> dict[str, Any]:
    return {
        "id": c.id,
        "parent_id": c.parent_id,
        "author": c.author,
        "published": _date(c.published),
        "score": c.score,
        "language": c.language,
        "url": c.url,
        "kind": c.kind.value,
        "text": c.text,
        "spans": [{"start": s.start, "end": s.end, "kind": s.kind.value} for s in c.spans],
    }


def thread_dict(thread: Thread) -> dict[str, Any]:
    return {
        "source": thread.source,
        "url": thread.url,
        "declared_count": thread.declared_count,
        "missing": thread.missing,
        "closed": thread.closed,
        "notes": list(thread.notes),
        "article": _article(thread.article) if thread.article else None,
        "comments": [_comment(c) for c in thread.comments],
        "extra": dict(thread.extra),
    }


def document(brief: Brief, thread: Thread, options: dict[str, Any]) -> dict[str, Any]:
    """The `--json` document: schema version, brief, and the thread it summarises."""
    return {
        "schema_version": SCHEMA_VERSION,
        "brief": brief_dict(brief, options),
        "thread": thread_dict(thread),
    }
