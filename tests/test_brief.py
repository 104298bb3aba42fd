"""What a brief holds: article sentences in order, and every comment placed in a viewpoint."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from bot.errors import BadInput
from bot.pipeline import BriefOptions, make_brief
from bot.render.embeds import brief_pages
from bot.render.terminal import render
from bot.summarize import ALGORITHMS
from bot.text.sentences import split_sentences
from bot.thread import Article, Comment, Span, Thread
from tests.threads import ARTICLE, big_thread, tram_thread

ARTICLE_SENTENCES = [s for p in ARTICLE.paragraphs for s in split_sentences(p)]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_summary_is_article_sentences_in_article_order(algorithm: str) -> None:
    brief = make_brief(tram_thread(), BriefOptions(algorithm=algorithm, sentences=3))
    assert len(brief.summary) == 3
    positions = [ARTICLE_SENTENCES.index(s) for s in brief.summary]
    assert positions == sorted(positions)


def test_summary_never_quotes_a_comment() -> None:
    brief = make_brief(tram_thread(), BriefOptions(sentences=8))
    comment_texts = " ".join(c.text for c in tram_thread().comments)
    assert all(s in ARTICLE_SENTENCES and s not in comment_texts for s in brief.summary)


def test_ratio_asks_for_a_share_of_the_article() -> None:
    brief = make_brief(tram_thread(), BriefOptions(sentences="25%"))
    assert len(brief.summary) == len(ARTICLE_SENTENCES) * 25 // 100


@pytest.mark.parametrize("bad", [0, "abc", "150%", "-2"])
def test_bad_summary_length_is_refused_with_a_hint(bad: int | str) -> None:
    with pytest.raises(BadInput, match=r"summary length|at least 1"):
        make_brief(tram_thread(), BriefOptions(sentences=bad))


def test_unknown_algorithm_names_the_choices() -> None:
    with pytest.raises(BadInput, match="lexrank, textrank"):
        make_brief(tram_thread(), BriefOptions(algorithm="magic"))


def test_comments_on_cost_and_on_traffic_form_two_viewpoints() -> None:
    brief = make_brief(tram_thread())
    groups = [set(v.comment_ids) for v in brief.viewpoints]
    assert {"c0", "c1", "c2"} in groups
    assert {"c3", "c4", "c5"} in groups
    assert brief.unclassified == ("short",)
    assert all(abs(v.share - 3 / 7) < 1e-9 for v in brief.viewpoints)


def test_every_comment_is_in_one_group_or_unclassified() -> None:
    thread = big_thread(300)
    brief = make_brief(thread)
    placed = [i for v in brief.viewpoints for i in v.comment_ids] + list(brief.unclassified)
    assert sorted(placed) == sorted(c.id for c in thread.comments)


def test_quotes_are_real_sentences_of_the_comment_they_are_attributed_to() -> None:
    thread = big_thread(300)
    by_id = {c.id: c for c in thread.comments}
    brief = make_brief(thread)
    quotes = [q for v in brief.viewpoints for q in v.quotes]
    assert quotes
    for q in quotes:
        comment = by_id[q.comment_id]
        assert q.text in comment.own_text()
        assert q.author == comment.author


def test_quoted_text_is_never_presented_as_a_commenters_view() -> None:
    quote = "Budget overruns are a myth invented by opponents of every tram."
    reply = Comment(
        id="q",
        author="quoter",
        text=f"{quote}\n\nThat claim is wrong: taxpayers pay every overrun, budget after budget.",
        spans=(Span(0, len(quote)),),
    )
    brief = make_brief(tram_thread((reply,)))
    assert all(q.text != quote for v in brief.viewpoints for q in v.quotes)


def test_comments_in_a_rare_language_are_gathered_and_labelled() -> None:
    french = Comment(id="fr", text="Le budget de ce tramway est beaucoup trop élevé pour la ville.")
    brief = make_brief(tram_thread((french,)))
    [group] = [v for v in brief.viewpoints if "fr" in v.comment_ids]
    assert group.language == "fr" and group.label.startswith("in French")


def test_thread_with_no_comments_says_so() -> None:
    brief = make_brief(Thread(source="test", article=ARTICLE))
    assert brief.viewpoints == () and brief.counts.comments == 0
    assert brief.summary
    [page] = brief_pages(brief).embeds
    assert page["description"].startswith("**0 comments**")
    assert page["description"].endswith("No comments to group.")
    assert "fields" not in page
    console = Console(width=100, record=True, file=io.StringIO())
    render(brief, console)
    shown = console.export_text()
    assert "0 comments" in shown
    assert shown.index("What commenters argue") < shown.index("No comments to group.")


@pytest.mark.parametrize("n", [1, 2, 3])
def test_tiny_threads_still_give_viewpoints(n: int) -> None:
    comments = tuple(
        Comment(id=str(i), text=t)
        for i, t in enumerate(tram_thread().comments[i].text for i in range(n))
    )
    brief = make_brief(Thread(source="test", article=ARTICLE, comments=comments))
    assert sum(v.size for v in brief.viewpoints) == n
    assert all(v.quotes for v in brief.viewpoints)


POINTS = {
    "cost": [
        "The budget is far too high and taxpayers will pay for the overruns.",
        "Three hundred million for one tram line is a waste of public money.",
        "Every tram project went over budget and taxpayers paid the overruns.",
        "The budget will grow and taxpayers will pay the overruns again.",
        "Public money should not fund a tram whose budget keeps growing.",
    ],
    "air": [
        "The tram will cut traffic in the centre and make the air cleaner.",
        "Cleaner air in the centre is worth it, cars pollute every morning.",
        "Cars clog the centre and the air is dirty; the tram cuts that traffic.",
        "Less traffic means cleaner air for the children in the centre.",
    ],
    "shops": [
        "Shops on the main street will close during four years of works.",
        "Shop owners will lose customers while the street is closed for works.",
        "The compensation fund for shops comes too late to save the main street.",
    ],
    "bikes": [
        "A protected bike lane would cost less and help cyclists more.",
        "Cyclists need a bike lane far more than a tram line.",
    ],
}


def test_heavier_viewpoints_come_first() -> None:
    lightest_first = [
        Comment(id=f"{point}{i}", text=text, author=f"{point}-{i}")
        for point, texts in reversed(POINTS.items())
        for i, text in enumerate(texts)
    ]
    brief = make_brief(Thread(source="test", article=ARTICLE, comments=tuple(lightest_first)))
    shown = [sorted(v.comment_ids) for v in brief.viewpoints]
    assert shown == [[f"{point}{i}" for i in range(len(t))] for point, t in POINTS.items()]
    assert [v.size for v in brief.viewpoints] == [5, 4, 3, 2]


def test_discussion_without_article_is_a_discussion_brief() -> None:
    thread = tram_thread()
    brief = make_brief(Thread(source="test", comments=thread.comments))
    assert brief.summary == () and brief.title is None and brief.viewpoints


def test_presence_line_counts_declared_responses() -> None:
    brief = make_brief(tram_thread())
    assert brief.counts.presence() == "7 of 8 responses present"


def test_article_language_is_detected_and_used() -> None:
    article = Article(
        title="Le tramway",
        paragraphs=(
            "Le conseil municipal vote mardi sur la nouvelle ligne de tramway. "
            "Elle relierait la gare et l'université en douze minutes.",
            "Les opposants disent que le budget est trop élevé.",
        ),
    )
    brief = make_brief(Thread(source="test", article=article), BriefOptions(sentences=1))
    assert brief.language == "fr" and len(brief.summary) == 1


def test_a_long_discussion_keeps_the_answer_to_each_question_it_shows() -> None:
    asked = [
        f"Will the council publish the tram contract number {n} before the vote?" for n in range(12)
    ]
    comments = [Comment(id="q", author="Quinn", text="Could buses run on weekends instead?")]
    comments += [Comment(id=str(n), author=f"P{n}", text=t) for n, t in enumerate(asked)]
    comments.append(
        Comment(id="a", author="Ada", parent_id="q", text="Weekend buses cost little, said Ada.")
    )
    brief = make_brief(Thread(source="test", comments=tuple(comments)))
    lines = [q.comment_id for q in brief.timeline]
    assert len(lines) < len(comments)  # a long discussion shows its best lines only
    assert lines[0] == "q" and lines[-1] == "a"  # the question, and the answer to it
