"""A huge discussion is briefed within bounds: viewpoints read a bounded share of each long comment.

Below the bound nothing changes (the same thread object goes to viewpoints); past it, the longest
comments are cut to one shared length at a sentence end, every comment still ends up in a
viewpoint or among the unclassified, and the brief says what was done.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.errors import BadInput
from bot.pipeline import BriefOptions, make_brief
from bot.thread import Comment, CommentKind, Span
from bot.viewpoints.budget import LEAST, _cut, _share, bounded
from tests.threads import big_thread, tram_thread

LONG_TAIL = " Besides, the station square needs new benches and a better roof for rainy days." * 40


def test_a_thread_within_the_bound_reaches_viewpoints_unchanged() -> None:
    thread = big_thread(300)
    assert bounded(thread, 1_000_000) == (thread, None)
    brief = make_brief(thread)
    assert not any("viewpoints read" in note for note in brief.notes)


def test_the_longest_comments_share_what_is_left_and_short_ones_stay_whole() -> None:
    assert _share([100, 100, 5000, 9000], 1200) == 500
    assert _share([100, 200], 300) is None
    assert _share([10_000] * 10, 1000) == LEAST  # never less than a sentence or two


def test_a_thread_of_short_comments_past_the_bound_is_read_whole_without_a_note() -> None:
    # No comment is longer than the least a comment is ever read to: nothing is cut, so the
    # brief must not claim that anything was.
    short = tuple(
        Comment(id=f"s{i}", text=f"Comment {i}: the tram budget keeps growing every year.")
        for i in range(300)
    )
    thread = tram_thread(short)
    assert all(len(c.text) <= LEAST for c in thread.comments)
    assert sum(len(c.text) for c in thread.comments) > 10_000
    assert bounded(thread, 10_000) == (thread, None)


def test_a_comment_is_cut_at_the_end_of_a_sentence() -> None:
    text = "The tram is too dear. It will never pay for itself. Buses are cheaper and go further."
    assert _cut(text, 60) == "The tram is too dear. It will never pay for itself."
    assert _cut("word " * 40, 50) == ("word " * 10).strip()


def test_a_huge_discussion_is_briefed_with_a_note_naming_the_bound() -> None:
    thread = big_thread(400)
    long_ones = tuple(
        replace(c, text=c.text + LONG_TAIL) if i % 2 else c for i, c in enumerate(thread.comments)
    )
    thread = replace(thread, comments=long_ones)
    brief = make_brief(thread, BriefOptions(viewpoint_chars=200_000))
    (note,) = [n for n in brief.notes if "viewpoints read" in n]
    assert "more than the 200,000 viewpoints read" in note and "the 200 longest" in note
    placed = [i for v in brief.viewpoints for i in v.comment_ids] + list(brief.unclassified)
    assert sorted(placed) == sorted(c.id for c in thread.comments)
    assert brief.counts.comments == 400
    assert brief.viewpoints and all(len(q.text) < 400 for v in brief.viewpoints for q in v.quotes)


def test_quotations_and_link_only_cuts_stay_out_of_the_bound() -> None:
    quoted = Comment(
        id="q",
        text="Q" * 5000 + "\n\nMy own point is short.",
        author="a",
        spans=(Span(0, 5000),),
    )
    link = Comment(id="l", text="https://example.org/" + "a" * 3000 + " and then my words.")
    ping = Comment(id="p", text="P" * 9000, kind=CommentKind.PINGBACK)
    thread = tram_thread((quoted, link, ping))
    cut, note = bounded(thread, 1000)
    assert note is None  # the only long comment's cut would leave its link alone: nothing is cut
    by_id = {c.id: c for c in cut.comments}
    assert by_id["q"].own_text() == "My own point is short."  # its quotation was never counted
    assert by_id["l"] == link  # a cut that left only the link keeps the comment whole
    assert by_id["p"] == ping  # pingbacks are not read by viewpoints at all


def test_the_bound_is_checked() -> None:
    with pytest.raises(BadInput, match="between 10000 and 1000000000, not 5"):
        BriefOptions(viewpoint_chars=5).checked()
