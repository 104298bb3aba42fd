"""Viewpoints as a reader means them: points people make, in their words, sides kept apart."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from bot.pipeline import make_brief
from bot.render.embeds import brief_pages
from bot.thread import Article, Comment, Thread

CLAIM = "The city should build a bike lane on Main Street"
FOR = [
    "The city should build the bike lane on Main Street because cycling there is dangerous.",
    "We should build the bike lane, riding next to buses on Main Street is too dangerous.",
    "The bike lane should be built: I was nearly hit by a car while cycling to work.",
    "Build the bike lane because children cycle to school on Main Street and it is unsafe.",
    "The city should build the lane since cyclists get hurt on Main Street every month.",
    "A protected lane keeps cyclists safe from cars and buses, the city should build it.",
]
AGAINST = [
    "The city should not build the bike lane because the shops will lose their parking.",
    "We should not build the bike lane, removing parking will hurt the shops on Main Street.",
    "The bike lane should not be built: shop owners depend on customers who park outside.",
    "No bike lane on Main Street, the parking spaces keep the small shops alive.",
    "The city should not build it since delivery vans will have nowhere to park.",
    "Taking away parking for a bike lane will drive customers away from the shops.",
]


def bike_thread() -> Thread:
    texts = [t for pair in zip(FOR, AGAINST, strict=True) for t in pair]
    comments = tuple(
        Comment(id=f"c{i}", text=text, author=f"user{i}") for i, text in enumerate(texts)
    )
    article = Article(
        title=CLAIM,
        paragraphs=(
            "The council will decide next week whether to paint a protected bike lane along "
            "Main Street. The plan would remove forty parking spaces.",
        ),
    )
    return Thread(source="test", article=article, comments=comments)


def test_for_and_against_a_bike_lane_are_different_viewpoints() -> None:
    brief = make_brief(bike_thread())
    sides_of = {f"c{2 * i}": "for" for i in range(6)} | {
        f"c{2 * i + 1}": "against" for i in range(6)
    }
    mixed = [v for v in brief.viewpoints if len({sides_of[i] for i in v.comment_ids}) > 1]
    assert not mixed, [v.comment_ids for v in mixed]
    assert {v.side for v in brief.viewpoints} >= {"for", "against"}
    for v in brief.viewpoints:
        if v.side:
            assert all(sides_of[i] == v.side for i in v.comment_ids)


def test_a_thread_with_two_sides_says_so() -> None:
    line = make_brief(bike_thread()).sides().line()
    assert line == "Two sides: 6 comments for the claim, 6 against."


def test_a_headline_is_a_real_sentence_of_a_member() -> None:
    thread = bike_thread()
    by_id = {c.id: c for c in thread.comments}
    for v in make_brief(thread).viewpoints:
        assert v.headline is not None
        assert v.headline.comment_id in v.comment_ids
        assert v.headline.text in by_id[v.headline.comment_id].own_text()
        assert v.headline.author == by_id[v.headline.comment_id].author


def test_the_same_point_made_many_times_is_one_viewpoint() -> None:
    repeats = [
        f"Ticket prices are far too high for {who}, the fare should come down."
        for who in ("students", "pensioners", "families", "commuters", "nurses", "everyone")
    ]
    other = [
        f"The trains are always late in the {when}, nobody can rely on them."
        for when in ("morning", "evening", "winter", "rain", "holidays", "week")
    ]
    comments = tuple(
        Comment(id=f"c{i}", text=t, author=f"u{i}") for i, t in enumerate(repeats + other)
    )
    brief = make_brief(Thread(source="test", comments=comments))
    fares = [v for v in brief.viewpoints if set(v.comment_ids) & {f"c{i}" for i in range(6)}]
    assert len(fares) == 1 and set(fares[0].comment_ids) == {f"c{i}" for i in range(6)}


def test_a_reply_that_disagrees_is_not_counted_with_the_comment_it_answers() -> None:
    comments = [
        Comment(id="root", text="We should build the bike lane because cycling is dangerous.")
    ]
    for i in range(5):
        comments.append(
            Comment(
                id=f"no{i}",
                parent_id="root",
                text=f"No, cycling on Main Street is not dangerous at all, I ride it daily {i}.",
            )
        )
        comments.append(
            Comment(id=f"yes{i}", text=f"We should build the bike lane, cycling is dangerous {i}.")
        )
    thread = Thread(source="test", article=Article(title=CLAIM), comments=tuple(comments))
    brief = make_brief(thread)
    for v in brief.viewpoints:
        names = {i.rstrip("0123456789") for i in v.comment_ids}
        assert not ({"no"} <= names and {"yes"} <= names), v.comment_ids


SENTENCES = [
    "The budget for the new stadium is far too high for this town.",
    "A stadium would bring visitors and money to the local shops.",
    "Traffic on match days will block the roads around the park.",
    "Young players need a proper pitch to train on every week.",
    "Nobody asked the neighbours before the plans were drawn up.",
    "Ticket prices will be too expensive for families anyway.",
    "Good.",
    "+1",
]


@settings(max_examples=25, deadline=None)
@example(["Good. Good. Good."])  # no sentence long enough to state a point: no key points
@given(
    st.lists(
        st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3).map(" ".join),
        min_size=0,
        max_size=60,
    )
)
def test_every_comment_is_in_exactly_one_viewpoint_or_unclassified(texts: list[str]) -> None:
    comments = tuple(Comment(id=f"c{i}", text=t) for i, t in enumerate(texts))
    brief = make_brief(Thread(source="test", comments=comments))
    placed = [i for v in brief.viewpoints for i in v.comment_ids] + list(brief.unclassified)
    assert sorted(placed) == sorted(c.id for c in comments)
    shown = [v.headline.text for v in brief.viewpoints[:5] if v.headline]
    assert len(shown) == len(set(shown))  # no two shown viewpoints state the same sentence


BIKE = Path(__file__).parent / "fixtures" / "bike-lane.json"


def test_the_terminal_shows_each_side() -> None:
    path = BIKE
    result = subprocess.run(
        [sys.executable, "-m", "bot", "summarize", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert result.returncode == 0, result.stderr
    assert "[for]" in result.stdout and "[against]" in result.stdout
    assert "Two sides:" in result.stdout
    data = subprocess.run(
        [sys.executable, "-m", "bot", "summarize", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    brief = json.loads(data.stdout)["brief"]
    assert {v["side"] for v in brief["viewpoints"]} >= {"for", "against"}
    assert brief["sides"]["for"] > 0 and brief["sides"]["against"] > 0


def test_discord_shows_each_side_with_its_key_sentence() -> None:
    brief = make_brief(bike_thread())
    [page, *_] = brief_pages(brief).embeds
    names = [f["name"] for f in page["fields"]]
    assert any("· for ·" in n for n in names) and any("· against ·" in n for n in names)
    for field, v in zip(page["fields"], brief.viewpoints, strict=False):
        assert v.headline is not None and v.headline.text[:40] in field["name"]
    assert "Two sides:" in page["description"]


def test_the_readme_shows_what_the_cli_prints() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    for fixture in ("tram-vote.txt", "bike-lane.json"):
        shown = subprocess.run(
            [sys.executable, "-m", "bot", "summarize", str(BIKE.parent / fixture)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "80", "NO_COLOR": "1"},
        )
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout in readme, fixture
