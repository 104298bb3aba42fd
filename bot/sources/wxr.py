"""WordPress WXR exports: a whole blog, posts and pages, each with its `wp:comment` records.

A WXR file holds many posts: the user picks one by title, slug or link; without a pick, the post
with the most approved comments is briefed and a note says so. Only approved comments are shown;
unapproved, spam and trashed ones are counted in a note. Pingbacks and trackbacks are kept apart:
they are links from other sites, not opinions.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from bot.errors import NotFoundError
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.sources.limit import check_count
from bot.sources.safexml import parse_xml
from bot.thread import Article, Comment, CommentKind, Thread, parents_first

WP = "{https://wordpress.org/export/1.2/}"
_NAMESPACES = re.compile(r"\{https?://wordpress\.org/export/1\.\d+/\}")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
_SHORTCODE = re.compile(r"\[/?[a-zA-Z_-]+(?:\s[^\[\]]*)?\]")


@dataclass(frozen=True, slots=True)
class PostSummary:
    title: str
    slug: str
    link: str
    kind: str
    comments: int


def _wp(element: Element, name: str) -> str:
    """Text of a wp: child, whatever WXR version (1.0-1.2) the export uses."""
    for child in element:
        if _NAMESPACES.sub("", child.tag) == name and child.tag.startswith("{"):
            return (child.text or "").strip()
    return ""


def _children(element: Element, name: str) -> list[Element]:
    return [c for c in element if c.tag.startswith("{") and _NAMESPACES.sub("", c.tag) == name]


def _text(html: str) -> tuple[str, tuple]:  # type: ignore[type-arg]
    """WordPress content: blank lines are paragraphs, shortcodes are dropped."""
    cleaned = _SHORTCODE.sub("", html).replace("\r\n", "\n")
    cleaned = re.sub(r"\n\s*\n", "<p>", cleaned).replace("\n", "<br>")
    return html_to_text(cleaned)


def _items(root: Element) -> list[Element]:
    channel = root.find("channel")
    return (
        []
        if channel is None
        else [
            i
            for i in channel.findall("item")
            if _wp(i, "post_type") in ("post", "page")
            # other importers write no post_type: an item with comments is a post
            or (not _wp(i, "post_type") and bool(_children(i, "comment")))
        ]
    )


def _approved(item: Element) -> int:
    return sum(1 for c in _children(item, "comment") if _wp(c, "comment_approved") == "1")


def list_posts(data: bytes) -> tuple[PostSummary, ...]:
    root = parse_xml(data, "WordPress export")
    return tuple(
        PostSummary(
            title=i.findtext("title") or "",
            slug=_wp(i, "post_name"),
            link=i.findtext("link") or "",
            kind=_wp(i, "post_type"),
            comments=_approved(i),
        )
        for i in _items(root)
    )


def _pick(items: list[Element], pick: str | None) -> tuple[Element, str | None]:
    if not items:
        raise NotFoundError("This WordPress export has no posts or pages.")
    if pick is None:
        best = max(items, key=_approved)
        note = None
        if len(items) > 1:
            note = (
                f'Picked "{best.findtext("title")}" out of {len(items)} posts; choose another '
                "with --pick and a title, slug or link (threadbrief list shows them all)."
            )
        return best, note
    wanted = pick.strip().lower()
    keys = [
        (
            i,
            [
                (i.findtext("title") or "").lower(),
                _wp(i, "post_name").lower(),
                (i.findtext("link") or "").lower(),
            ],
        )
        for i in items
    ]
    for exact in (True, False):
        for item, names in keys:
            if any((n == wanted) if exact else (wanted in n) for n in names if n):
                return item, None
    some = ", ".join(f'"{i.findtext("title")}"' for i in items[:5])
    raise NotFoundError(f'No post in this export matches "{pick}".', hint=f"Posts include {some}.")


def parse(
    data: bytes,
    *,
    pick: str | None = None,
    url: str | None = None,
    max_comments: int | None = None,
) -> Thread:
    root = parse_xml(data, "WordPress export")
    item, note = _pick(_items(root), pick)
    text, _ = _text(item.findtext(CONTENT) or "")
    site = root.findtext("channel/title")
    link = item.findtext("link") or url
    article = Article(
        title=item.findtext("title"),
        paragraphs=tuple(p for p in text.split("\n\n") if p),
        author=item.findtext(CREATOR),
        site=site,
        url=link,
        published=iso_date(_wp(item, "post_date_gmt")),
    )
    comments: list[Comment] = []
    hidden = 0
    for record in _children(item, "comment"):
        if _wp(record, "comment_approved") != "1":
            hidden += 1
            continue
        kind = {"pingback": CommentKind.PINGBACK, "trackback": CommentKind.TRACKBACK}.get(
            _wp(record, "comment_type"), CommentKind.COMMENT
        )
        check_count(len(comments) + 1, max_comments)
        body, spans = _text(_wp(record, "comment_content"))
        parent = _wp(record, "comment_parent")
        cid = _wp(record, "comment_id")
        comments.append(
            Comment(
                id=cid,
                parent_id=parent if parent not in ("", "0") else None,
                text=body,
                spans=spans,
                author=html.unescape(_wp(record, "comment_author")) or None,
                published=iso_date(_wp(record, "comment_date_gmt")),
                kind=kind,
                url=f"{link}#comment-{cid}" if link else None,
            )
        )
    ordered = parents_first(comments)
    notes = [n for n in (note,) if n]
    if hidden:
        notes.append(
            f"{hidden} comment{'s' if hidden != 1 else ''} awaiting moderation or "
            "marked as spam not shown."
        )
    return Thread(
        source="wordpress",
        article=article,
        comments=ordered,
        closed=_wp(item, "comment_status") == "closed" or None,
        notes=tuple(notes),
        url=link,
    )
