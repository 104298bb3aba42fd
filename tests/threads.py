"""Threads built in code for tests: small, readable, and written for these tests."""

from __future__ import annotations

import random

from bot.thread import Article, Comment, Span, Thread

ARTICLE = Article(
    title="The city council votes on the new tram line",
    author="A. Writer",
    site="Example Gazette",
    url="https://example.org/tram",
    paragraphs=(
        "The city council will vote on Tuesday on the new tram line. The line would link the "
        "station with the university in twelve minutes.",
        "Supporters say the tram would cut traffic in the centre. Opponents say the budget of "
        "300 million is far too high for a city of this size.",
        "The mayor promised a public consultation before any work starts. Construction would "
        "take four years, during which several streets would close.",
        "Shop owners on the main street fear the closures will hurt their business. The council "
        "has offered a fund to compensate them.",
    ),
)

COST = [
    "The budget is far too high and taxpayers will pay for the overruns.",
    "Three hundred million for one tram line is a waste of public money and the budget will grow.",
    "Every tram project in this country went over budget; taxpayers always pay the overruns.",
]
TRAFFIC = [
    "The tram will cut traffic in the centre and make the air cleaner for everyone.",
    "Less traffic and cleaner air in the centre is worth it, the tram is the right choice.",
    "Cars clog the centre every morning; a tram would finally cut that traffic.",
]


def tram_thread(extra: tuple[Comment, ...] = ()) -> Thread:
    comments = [
        Comment(id=f"c{i}", text=t, author=f"user{i}") for i, t in enumerate(COST + TRAFFIC)
    ]
    comments.append(Comment(id="short", text="+1", author="user9"))
    return Thread(
        source="test",
        article=ARTICLE,
        comments=(*comments, *extra),
        declared_count=8,
    )


_WORDS = {
    "en": [
        "tram",
        "budget",
        "traffic",
        "council",
        "station",
        "money",
        "street",
        "shop",
        "years",
        "mayor",
        "vote",
        "city",
        "air",
        "centre",
        "project",
        "cost",
        "plan",
        "people",
        "work",
        "road",
        "bus",
    ],
}


def big_thread(n: int, seed: int = 1) -> Thread:
    """A thread of `n` comments on a few topics, some replies, some quotes."""
    rng = random.Random(seed)
    topics = [COST, TRAFFIC]
    comments = []
    for i in range(n):
        base = rng.choice(rng.choice(topics))
        filler = " ".join(rng.choice(_WORDS["en"]) for _ in range(8))
        text = f"{base} I would add that the {filler} matters here."
        parent = f"c{rng.randrange(i)}" if i and rng.random() < 0.4 else None
        spans: tuple[Span, ...] = ()
        if rng.random() < 0.1:
            quote = "Someone else wrote this quoted sentence."
            text = f"{quote}\n\n{text}"
            spans = (Span(0, len(quote)),)
        comments.append(
            Comment(
                id=f"c{i}",
                text=text,
                parent_id=parent,
                author=f"u{i % 50}",
                score=rng.randrange(-3, 40),
                spans=spans,
            )
        )
    return Thread(source="test", article=ARTICLE, comments=tuple(comments))
