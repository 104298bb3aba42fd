"""A blog page reads into an article and its comment tree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import ThreadBriefError
from bot.sources import read_bytes
from bot.sources.webpage import parse

PAGE = (Path(__file__).parent / "fixtures" / "wordpress-post.html").read_text("utf-8")


def test_wordpress_page_gives_article_and_nested_comments() -> None:
    thread = parse(PAGE, url="https://town.example/library")
    assert thread.article is not None
    assert thread.article.title == "Why the library should open on Sundays"
    assert thread.article.author == "Priya Nair"
    assert thread.article.paragraphs[0].startswith("The town library closes on Sundays")
    assert [(c.author, c.parent_id) for c in thread.comments] == [
        ("Marta", None),
        ("Dev", "comment-11"),
        ("Olu", None),
    ]
    assert thread.comments[0].published is not None
    assert thread.declared_count == 3 and thread.closed is True


def test_json_ld_comments_are_read_when_there_is_no_comment_list() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": "Post",
        "comment": [
            {
                "@type": "Comment",
                "@id": "a",
                "text": "Great analysis of the budget.",
                "author": {"@type": "Person", "name": "Kim"},
                "comment": [
                    {"@type": "Comment", "@id": "b", "text": "I disagree.", "author": "Lee"}
                ],
            }
        ],
    }
    body = "".join(
        f"<p>Paragraph {i} of the post, with enough words to be kept here.</p>" for i in range(5)
    )
    html = (
        f"<html><head><title>Post</title><script type='application/ld+json'>{json.dumps(ld)}"
        f"</script></head><body><article>{body}</article></body></html>"
    )
    thread = read_bytes(html.encode())
    assert [(c.author, c.parent_id) for c in thread.comments] == [("Kim", None), ("Lee", "a")]


def test_a_page_without_comments_is_an_article_with_none() -> None:
    body = "".join(f"<p>Paragraph {i} of a post without any comments at all.</p>" for i in range(5))
    thread = parse(f"<html><body><article><h1>T</h1>{body}</article></body></html>")
    assert thread.comments == () and thread.article is not None and thread.article.paragraphs


@settings(max_examples=30, deadline=None)
@given(st.text())
def test_any_html_either_parses_or_says_why(text: str) -> None:
    try:
        outcome = parse(f"<html><body>{text}</body></html>").source
    except ThreadBriefError as e:
        outcome = e.user_message()
    assert outcome == "web-page" or outcome.endswith("."), outcome  # a brief, or why not


def test_a_login_wall_is_refused_as_access_denied() -> None:
    from bot.errors import AccessDenied

    html = (
        "<html><head><title>Exclusive</title></head><body><article><h1>Exclusive</h1>"
        "<p>The first lines of the story.</p></article><div class='paywall'>"
        "Subscribe to continue reading. Create a free account.</div></body></html>"
    )
    with pytest.raises(AccessDenied, match="login or subscription"):
        parse(html)


def test_every_comment_of_a_long_threaded_list_is_read() -> None:
    # Twenty replies deep and wide, with one id used twice: none is skipped, none merged.
    def li(n: int, depth: int) -> str:
        replies = "".join(li(n * 3 + k, depth + 1) for k in (1, 2)) if depth < 3 else ""
        children = f'<ul class="children">{replies}</ul>' if replies else ""
        return (
            f'<li id="comment-{n if n != 7 else 6}" class="comment"><cite class="fn">U{n}</cite>'
            f'<div class="comment-content"><p>Comment number {n} says its own thing.</p></div>'
            f"{children}</li>"
        )

    html = (
        "<html><body><article><h1>T</h1><p>The post itself, long enough to be an article.</p>"
        f'</article><ol class="comment-list">{li(0, 0)}{li(100, 0)}</ol></body></html>'
    )
    thread = read_bytes(html.encode())
    assert len(thread.comments) == 30
    assert len({c.id for c in thread.comments}) == 30
