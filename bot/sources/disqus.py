"""Disqus XML exports: threads (one per article) and posts that point at their thread and parent.

Like a WordPress export, one file holds many threads: the user picks one by title or link, or
the busiest is briefed with a note. Deleted and spam posts count as missing; IP addresses and
e-mails are never read.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from bot.errors import NotFoundError
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.sources.limit import check_count
from bot.sources.safexml import parse_xml
from bot.thread import Article, Comment, Thread, parents_first

NS = "{http://disqus.com}"
DSQ = "{http://disqus.com/disqus-internals}id"


def _ref(element: Element, name: str) -> str | None:
    found = element.find(f"{NS}{name}")
    return found.get(DSQ) if found is not None else None


def _true(element: Element, name: str) -> bool:
    return (element.findtext(f"{NS}{name}") or "").strip().lower() == "true"


def list_threads(data: bytes) -> list[tuple[str, str | None, int]]:
    """(title, link, posts) of every thread in the export."""
    root = parse_xml(data, "Disqus export")
    counts: dict[str | None, int] = {}
    for post in root.findall(f"{NS}post"):
        counts[_ref(post, "thread")] = counts.get(_ref(post, "thread"), 0) + 1
    return [
        (t.findtext(f"{NS}title") or "", t.findtext(f"{NS}link"), counts.get(t.get(DSQ), 0))
        for t in root.findall(f"{NS}thread")
    ]


def parse(
    data: bytes,
    *,
    pick: str | None = None,
    url: str | None = None,
    max_comments: int | None = None,
) -> Thread:
    root = parse_xml(data, "Disqus export")
    threads = {t.get(DSQ): t for t in root.findall(f"{NS}thread")}
    posts = root.findall(f"{NS}post")
    counts: dict[str | None, int] = {}
    for post in posts:
        counts[_ref(post, "thread")] = counts.get(_ref(post, "thread"), 0) + 1
    if not threads:
        raise NotFoundError("This Disqus export has no threads.")
    notes: list[str] = []
    if pick is None:
        chosen = max(threads, key=lambda t: counts.get(t, 0))
        if len(threads) > 1:
            title = threads[chosen].findtext(f"{NS}title")
            notes.append(
                f'Picked "{title}" out of {len(threads)} threads; choose another with '
                "--pick and a title or link (threadbrief list shows them all)."
            )
    else:
        wanted = pick.strip().lower()
        matches = [
            k
            for k, t in threads.items()
            if wanted in (t.findtext(f"{NS}title") or "").lower()
            or wanted == (t.findtext(f"{NS}link") or "").lower()
        ]
        if not matches:
            some = ", ".join(f'"{t.findtext(f"{NS}title")}"' for t in list(threads.values())[:5])
            raise NotFoundError(
                f'No thread in this export matches "{pick}".', hint=f"Threads include {some}."
            )
        chosen = matches[0]
    thread = threads[chosen]
    comments: list[Comment] = []
    missing = 0
    for post in posts:
        if _ref(post, "thread") != chosen:
            continue
        if _true(post, "isDeleted") or _true(post, "isSpam"):
            missing += 1
            continue
        check_count(len(comments) + 1, max_comments)
        text, spans = html_to_text(post.findtext(f"{NS}message") or "")
        comments.append(
            Comment(
                id=post.get(DSQ) or str(len(comments) + 1),
                parent_id=_ref(post, "parent"),
                text=text,
                spans=spans,
                author=post.findtext(f"{NS}author/{NS}name"),
                published=iso_date(post.findtext(f"{NS}createdAt")),
            )
        )
    body, _ = html_to_text(thread.findtext(f"{NS}message") or "")
    link = thread.findtext(f"{NS}link") or url
    article = Article(
        title=thread.findtext(f"{NS}title"),
        paragraphs=tuple(p for p in body.split("\n\n") if p),
        url=link,
        published=iso_date(thread.findtext(f"{NS}createdAt")),
    )
    return Thread(
        source="disqus",
        article=article,
        comments=parents_first(comments),
        missing=missing,
        closed=True if _true(thread, "isClosed") else None,
        notes=tuple(notes),
        url=link,
    )
