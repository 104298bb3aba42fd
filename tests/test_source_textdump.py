"""A page copied as text reads into an article and a comment tree."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import BadInput
from bot.sources.textdump import parse
from bot.thread import SpanKind


def dump(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


def test_sample_reads_title_byline_and_seven_paragraphs(sample) -> None:
    thread = parse(sample("informed-comment-mosul.txt").read_text("utf-8"))
    article = thread.article
    assert article is not None
    assert article.title == "ISIL Boasts: America will go down to defeat in the Streets of Mosul"
    assert (article.author, article.site) == ("Juan Cole", "Informed Comment")
    assert len(article.paragraphs) == 7
    assert article.paragraphs[0].startswith("AFP is reporting")
    assert article.paragraphs[-1].endswith("even more of a stretch.")
    assert "Related video" not in article.text and "On the road to Mosul" not in article.text


def test_sample_has_five_of_six_responses_with_the_french_reply_nested(sample) -> None:
    thread = parse(sample("informed-comment-mosul.txt").read_text("utf-8"))
    assert thread.declared_count == 6 and thread.presence_line() == "5 of 6 responses present"
    top = thread.top_level()
    assert [c.id for c in top] == ["1", "2", "3", "4"]
    [reply] = thread.children("1")
    assert reply.text.startswith("Les forces de sécurité irakiennes")
    assert thread.closed is True
    assert all(c.author is None for c in thread.comments)
    assert not any("link to" in c.text for c in thread.comments)


def test_sample_pasted_briefing_is_a_quotation_not_the_commenters_words(sample) -> None:
    first = parse(sample("informed-comment-mosul.txt").read_text("utf-8")).comments[0]
    [quoted] = first.quoted_texts()
    assert quoted.startswith("Q: He [Josh Earnest") and "A: …the Iraqi Government" in quoted
    own = first.own_text()
    assert own.startswith("A defeat for those") and "Precisely because the US" in own
    assert "Q:" not in own


WORDPRESS_STYLE = dump("""
    Why we moved our blog to a static site

    Posted by Mara Quill on March 2, 2024

    We moved the blog last month. Pages load faster and hosting costs less.

    The hard part was comments. We kept them, as you can see below.

    3 Comments

    Tom Reyes says:
    March 3, 2024 at 4:12 pm
    Static sites are great until you need search.
    Reply

        Mara Quill says:
        March 3, 2024 at 5:00 pm
        Search works fine with a small index built at deploy time.
        Log in to Reply

    Ines Vidal says:
    March 4, 2024
    How do you handle spam now?
    Reply

    Leave a Reply
    Your email address will not be published.
""")


def test_wordpress_says_lines_give_authors_dates_and_nesting() -> None:
    thread = parse(WORDPRESS_STYLE)
    assert thread.article is not None and thread.article.author == "Mara Quill"
    assert [(c.author, c.parent_id is not None) for c in thread.comments] == [
        ("Tom Reyes", False),
        ("Mara Quill", True),
        ("Ines Vidal", False),
    ]
    assert thread.comments[0].published is not None
    assert thread.comments[0].published.strftime("%Y-%m-%d %H:%M") == "2024-03-03 16:12"
    assert thread.comments[1].text == "Search works fine with a small index built at deploy time."
    assert not any("Reply" in c.text or "email address" in c.text for c in thread.comments)


def test_parenthesised_numbers_and_dash_bullets_nest_replies() -> None:
    thread = parse(
        dump("""
        A short post

        Body of the post, one paragraph long.

        2 Replies

        1) First comment here.

           - A reply to the first comment.

           - Another reply to the first.

        2) Second comment here.
    """)
    )
    assert [(c.id, c.parent_id) for c in thread.comments] == [
        ("1", None),
        ("1.1", "1"),
        ("1.2", "1"),
        ("2", None),
    ]


def test_indentation_nests_three_levels_deep() -> None:
    thread = parse(
        dump("""
        Title of the post

        Article text is here.

        4 Comments

        Ann says:
        Top level opinion.

          Ben says:
          A reply to Ann.

            Cy says:
            A reply to Ben.

        Dee says:
        Another top level opinion.
    """)
    )
    depth = thread.depths()
    assert [depth[c.id] for c in thread.comments] == [0, 1, 2, 0]
    assert [c.author for c in thread.comments] == ["Ann", "Ben", "Cy", "Dee"]


def test_page_without_comment_section_is_an_article_with_none() -> None:
    thread = parse("A title\n\nFirst paragraph of text.\n\nSecond paragraph of text.")
    assert thread.comments == () and thread.article is not None
    assert thread.article.paragraphs == ("First paragraph of text.", "Second paragraph of text.")


def test_one_response_header_and_german_comment() -> None:
    thread = parse("Titel\n\nDer Artikel.\n\nOne Response\n\n1. Das sehe ich ganz anders.")
    assert thread.declared_count == 1
    assert thread.comments[0].text == "Das sehe ich ganz anders."


def test_greater_than_lines_are_quotations() -> None:
    thread = parse(
        "T\n\nBody.\n\n1 Comment\n\n1. > you said the tram is cheap\n\nIt is not cheap at all."
    )
    [comment] = thread.comments
    assert comment.spans[0].kind is SpanKind.QUOTE
    assert comment.own_text() == "It is not cheap at all."


@pytest.mark.parametrize("text", ["", "   \n\n  "])
def test_empty_text_is_refused_with_a_hint(text: str) -> None:
    with pytest.raises(BadInput, match="empty"):
        parse(text)


@given(st.text())
def test_parser_never_fails_on_arbitrary_text(text: str) -> None:
    try:
        thread = parse(text)
    except BadInput:
        return
    ids = [c.id for c in thread.comments]
    assert len(ids) == len(set(ids))


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
    lambda w: w not in {"reply", "report", "like", "share", "flag", "edit", "says", "said", "wrote"}
)
BODY = st.lists(WORD, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["1.", "•", "-", "says"]), BODY), min_size=1, max_size=8))
def test_generated_dumps_keep_every_comment_word(comments: list[tuple[str, str]]) -> None:
    lines = ["A title", "", "The article body.", "", f"{len(comments)} Comments", ""]
    number = 0
    for marker, body in comments:
        if marker == "1.":
            number += 1
            lines += [f"{number}. {body}", ""]
        elif marker == "says":
            lines += ["Someone says:", body, ""]
        else:
            lines += [f"   {marker} {body}", ""]
    thread = parse("\n".join(lines))
    text = " ".join(c.text for c in thread.comments)
    for _, body in comments:
        for word in body.split():
            assert word in text
    seen: set[str] = set()
    for c in thread.comments:
        assert c.parent_id is None or c.parent_id in seen
        seen.add(c.id)
