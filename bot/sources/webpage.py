"""Web pages: the article through trafilatura, the comments from the page's comment markup.

trafilatura finds the article body and its metadata; comments are read separately from the DOM,
as a tree, from the markups most blogs use: WordPress comment lists (`li.comment`, replies in
`ul.children`) and schema.org `Comment` in JSON-LD. A page with no comments is an article with none.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from bot.errors import AccessDenied, BadInput
from bot.sources.dates import iso_date
from bot.sources.html_text import html_to_text
from bot.thread import Article, Comment, CommentKind, Span, Thread

_COUNT_WORDS = (
    r"comments?|responses?|replies|thoughts?|reactions?|antworten|kommentare?|reaktionen|"
    r"commentaires?|réponses?|comentarios?|respuestas?|commenti|risposte|reacties|reacties|"
    r"kommentarer?|svar|komentarz[ey]?|odpowied[zź]i?"
)
_COUNT = re.compile(rf"(?<![\w.,])(\d[\d,.]*|one|eine?|un[ea]?)\s+(?:{_COUNT_WORDS})\b", re.I)
"""A comment-section heading: "8 thoughts on ...", "This Post Has 80 Comments", "142 Antworten
zu ...", "One Response to ..."."""
_ONE = frozenset({"one", "ein", "eine", "un", "une", "una"})
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LOGIN_WALL = re.compile(
    r"subscribe to (?:continue|read)|sign in to (?:continue|read)|"
    r"log in to (?:continue|read)|create a free account",
    re.I,
)
_LISTS = (
    "//ol[contains(@class,'comment-list') or contains(@class,'commentlist') or "
    "contains(@class,'comments-list')] | "
    "//ul[contains(@class,'comment-list') or contains(@class,'commentlist') or "
    "contains(@class,'comments-list')]"
)
_REPLIES = ".//ul[contains(@class,'children')]/li | .//ol[contains(@class,'children')]/li"
_CONTENT = (
    ".//*[contains(concat(' ',normalize-space(@class),' '),' comment-content ') or "
    "contains(concat(' ',normalize-space(@class),' '),' comment-text ') or "
    "contains(concat(' ',normalize-space(@class),' '),' comment-entry ') or "
    "@itemprop='text']"
)
_META_CLASSES = (
    "comment-meta",
    "commentmetadata",
    "comment-metadata",
    "comment-author",
    "comment-header",
    "vcard",
    "reply",
    "comment-reply",
    "edit-link",
    "comment-awaiting-moderation",
    "comment-avatar",
    "avatar",
    "says",
    "children",
)
"""Parts of a comment that are the theme's, not the commenter's: name, date, reply link."""
_SAYS = re.compile(r"^\s*(?:says|said|sagt|dit|dice|schreef|skriver)\s*:?\s*", re.I)
_BYLINE_JUNK = re.compile(
    r"^(?:view all posts by|all posts by|more posts by|posts by|posted by|written by|"
    r"published by|by)\s+",
    re.I,
)
_PING = re.compile(r"^\s*(?:pingback|trackback)\s*:\s*", re.I)


def _classes(node: Any) -> set[str]:
    return set((node.get("class") or "").split())


def _own(node: Any, li: Any) -> bool:
    """`node` belongs to the comment `li` itself, not to one of its replies."""
    for ancestor in node.iterancestors():
        if ancestor is li:
            return True
        if ancestor.tag == "li":
            return False
    return False


def _first_own(li: Any, xpath: str) -> Any | None:
    return next((n for n in li.xpath(xpath) if _own(n, li)), None)


def _author(li: Any) -> str | None:
    node = next(
        (
            found
            for xpath in (
                ".//*[contains(concat(' ',normalize-space(@class),' '),' fn ')]",
                ".//*[@itemprop='author']//*[@itemprop='name']",
                ".//*[contains(@class,'comment-author')]",
                ".//cite",
            )
            if (found := _first_own(li, xpath)) is not None
        ),
        None,
    )
    if node is None:
        return None
    name = _SAYS.sub("", " ".join(node.text_content().split()))
    name = re.sub(r"\s+(?:says|sagt|dit|dice)\s*:?\s*$", "", name, flags=re.I).strip()
    return name or None


def _body(li: Any) -> Any:
    """A copy of the comment's own markup with the theme's parts (name, date, replies) cut."""
    content = _first_own(li, _CONTENT)
    node = copy.deepcopy(content if content is not None else li)
    for child in list(node.iter()):
        if child is node or child.getparent() is None:
            continue
        classes = _classes(child)
        if (
            child.tag in ("img", "form", "script", "style", "noscript", "footer", "header")
            or (child.tag in ("ul", "ol", "li") and content is None)
            or (content is None and child.tag in ("cite", "small"))
            or classes.intersection(_META_CLASSES)
            or any(c.startswith("comment-") and "meta" in c for c in classes)
        ):
            child.drop_tree()
    return node


def _comment_text(li: Any) -> tuple[str, tuple[Span, ...]]:
    # start-up: lxml.html costs 0.04 s, trafilatura 0.26 s; only web pages need them
    import lxml.html

    body = _body(li)
    markup = lxml.html.tostring(body, encoding="unicode")
    text, spans = html_to_text(markup)
    said = _SAYS.match(text)
    if said and not spans:
        text = text[said.end() :]
    return text.strip(), spans if not said else tuple(s for s in spans if s.start >= said.end())


def _wordpress(tree: Any) -> list[Comment]:
    comments: list[Comment] = []
    # The elements themselves, not their id(): lxml makes a new proxy object for a node whose last
    # one was freed, so an id() can come back for another comment and skip it.
    seen: set[Any] = set()

    def walk(items: list[Any], parent: str | None) -> None:
        for li in items:
            if li in seen:
                continue
            seen.add(li)
            inner = _first_own(li, ".//*[starts-with(@id,'comment-')]")
            raw_id = li.get("id") or (inner.get("id") if inner is not None else None)
            cid = (raw_id or f"comment-{len(comments) + 1}").removeprefix("li-")
            classes = _classes(li)
            kind = (
                CommentKind.PINGBACK
                if "pingback" in classes
                else CommentKind.TRACKBACK
                if "trackback" in classes
                else CommentKind.COMMENT
            )
            text, spans = _comment_text(li)
            if kind is CommentKind.COMMENT and _PING.match(text):
                kind = (
                    CommentKind.TRACKBACK
                    if text.lower().lstrip().startswith("trackback")
                    else CommentKind.PINGBACK
                )
            if kind is not CommentKind.COMMENT:
                text, spans = _PING.sub("", text), ()
            when = _first_own(li, ".//time[@datetime]")
            if text:
                comments.append(
                    Comment(
                        id=cid,
                        parent_id=parent,
                        text=text,
                        spans=spans,
                        author=_author(li) if kind is CommentKind.COMMENT else None,
                        published=iso_date(when.get("datetime")) if when is not None else None,
                        kind=kind,
                    )
                )
            walk([r for r in li.xpath(_REPLIES) if _own(r.getparent(), li)], cid)

    for listing in tree.xpath(_LISTS):  # a list reached already, as replies, is not read twice
        walk(listing.xpath("./li"), None)
    return comments


def _declared(tree: Any) -> int | None:
    """The count a comment section's heading announces."""
    headings = tree.xpath(
        "//*[contains(@class,'comments-title') or contains(@class,'comment-title') or "
        "@id='comments-title']|//h1|//h2|//h3|//h4"
    )
    for heading in headings:
        text = " ".join(heading.text_content().split())
        if len(text) > 300:
            continue
        match = _COUNT.search(text)
        if match:
            number = match.group(1).lower()
            if number in _ONE:
                return 1
            digits = re.sub(r"[,.]", "", number)
            if digits.isdigit():
                return int(digits)
    return None


def _byline(tree: Any, found: str | None, commenters: set[str]) -> str | None:
    """The article's author, without theme junk ("View all posts by X"), and never a commenter's
    "X says" picked up from the comment list."""

    def clean(value: str | None) -> str | None:
        if not value:
            return None
        value = _BYLINE_JUNK.sub("", " ".join(value.split())).strip(" ,;|")
        if not value or len(value) > 80 or re.search(r"\bsays\b\s*:?$", value, re.I):
            return None
        return value

    outside = "not(ancestor::*[@id='comments' or contains(@class,'comment')])"
    bylines = [
        name
        for xpath in (
            "//meta[@name='author']/@content",
            f"//a[@rel='author'][{outside}]",
            f"//*[contains(@class,'byline') or contains(@class,'entry-author') or "
            f"contains(@class,'post-author')][{outside}]//*[contains(@class,'fn') or "
            f"contains(@class,'author')]",
            f"//a[contains(@href,'/author/')][{outside}]",
        )
        for node in tree.xpath(xpath)
        if (name := clean(str(node if isinstance(node, str) else node.text_content())))
    ]
    name = clean(found)
    if name is not None and (name not in commenters or name in bylines):
        return name
    return bylines[0] if bylines else None


def _is_heading(paragraph: str, page_title: str) -> bool:
    return (
        len(paragraph.split()) <= 15
        and not paragraph.endswith((".", "!", "?", ":"))
        and paragraph in " ".join(page_title.split())
    )


def _without_byline(paragraphs: list[str], author: str | None) -> list[str]:
    """The theme's "November 12th, 2026 by X" line is not the article's first sentence."""
    if paragraphs and len(paragraphs[0].split()) <= 12:
        first = paragraphs[0]
        if re.search(r"\bby\b", first, re.I) and (
            (author and author in first) or re.search(r"\b(?:19|20)\d\d\b", first)
        ):
            return paragraphs[1:]
    return paragraphs


def _json_ld(tree: Any) -> list[Comment]:
    comments: list[Comment] = []

    def walk(items: Any, parent: str | None) -> None:
        # Iterative, in document order: the page, not Python's stack, sets the depth.
        stack = [(item, parent) for item in reversed(items if isinstance(items, list) else [items])]
        while stack:
            item, above = stack.pop()
            if not isinstance(item, dict) or item.get("@type") != "Comment":
                continue
            cid = str(item.get("@id") or item.get("url") or f"c{len(comments) + 1}")
            author = item.get("author")
            name = author.get("name") if isinstance(author, dict) else author
            text = item.get("text") or item.get("description") or ""
            if isinstance(text, str) and text.strip():
                comments.append(
                    Comment(
                        id=cid,
                        parent_id=above,
                        text=text.strip(),
                        author=name if isinstance(name, str) else None,
                        published=iso_date(item.get("dateCreated")),
                    )
                )
            replies = item.get("comment", [])
            replies = replies if isinstance(replies, list) else [replies]
            stack.extend((reply, cid) for reply in reversed(replies))

    for script in tree.xpath("//script[@type='application/ld+json']/text()"):
        try:
            data = json.loads(script)
        except (json.JSONDecodeError, RecursionError):
            continue
        graph = data.get("@graph", [data]) if isinstance(data, dict) else data
        for node in graph if isinstance(graph, list) else []:
            if isinstance(node, dict):
                walk(node.get("comment", []), None)
    return comments


def warm_up() -> None:
    """Load what the first page's dates would otherwise load: trafilatura and htmldate, and
    dateparser's locale data (every language's month names, its parser), which a fresh process
    builds on first use. A worker calls this at start, so no user waits for it."""
    # start-up: trafilatura, as above
    import trafilatura

    trafilatura.bare_extraction(
        "<html><body><article><p>Posted on 3 janvier 2021.</p></article></body></html>",
        with_metadata=True,
    )
    try:
        # start-up: htmldate, with trafilatura, as above
        from htmldate.extractors import get_external_parser, month_words
    except ImportError:
        return
    month_words()
    parser = get_external_parser()
    for sample in ("3 janvier 2021", "12. März 2020", "2020年3月12日", "12 марта 2020"):
        parser.get_date_data(sample)


def parse(html: str, *, url: str | None = None) -> Thread:
    # start-up: lxml.html and trafilatura, as above
    import lxml.html
    import trafilatura

    if not html.strip():
        raise BadInput("The page is empty.")
    # Control characters (not in any real page) make lxml refuse the text it edits later.
    html = _CONTROLS.sub("", html)
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        # lxml finds no document in a page of only markup ("<html"): a page with nothing in it.
        raise BadInput(
            "I found no article text and no comments on this page.",
            hint="Link to the article itself, or upload a copy of the page.",
        ) from None
    document = trafilatura.bare_extraction(
        html, url=url, include_comments=False, with_metadata=True
    )
    text = (getattr(document, "text", None) or "") if document is not None else ""
    title = getattr(document, "title", None) if document is not None else None
    paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    elif paragraphs and _is_heading(paragraphs[0], tree.findtext(".//title") or ""):
        # "Site » Blog Archive » Post": trafilatura keeps the site's name, the page its heading
        title, paragraphs = paragraphs[0], paragraphs[1:]
    comments = _wordpress(tree) or _json_ld(tree)
    author = _byline(
        tree, getattr(document, "author", None), {c.author for c in comments if c.author}
    )
    paragraphs = _without_byline(paragraphs, author)
    if len(" ".join(paragraphs).split()) < 60 and _LOGIN_WALL.search(tree.text_content()):
        raise AccessDenied(
            "This page hides its text behind a login or subscription.",
            hint="Copy the page as text and upload it instead.",
        )
    if not paragraphs and not comments:
        raise BadInput(
            "I found no article text and no comments on this page.",
            hint="Link to the article itself, or upload a copy of the page.",
        )
    declared = _declared(tree) if comments else None
    closed = True if re.search(r"comments are closed", tree.text_content(), re.I) else None
    article = Article(
        title=title,
        paragraphs=tuple(paragraphs),
        author=author,
        site=getattr(document, "sitename", None),
        url=url,
        published=iso_date(getattr(document, "date", None)),
    )
    return Thread(
        source="web-page",
        article=article,
        comments=tuple(comments),
        declared_count=declared,
        closed=closed,
        url=url,
    )
