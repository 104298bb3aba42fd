"""The brief as a short paragraph of plain text, within a word budget.

Used where a brief must fit a small space (digests, previews) and by the quality benchmark. It
reads like a person's summary of a discussion: who said what, in the order it was said, each
sentence a real one from the article or from the comment it is attributed to.
"""

from __future__ import annotations

from bot.brief import Brief, Quote
from bot.thread import Thread


def _words(text: str) -> int:
    return len(text.split())


def brief_text(brief: Brief, thread: Thread, budget: int = 75) -> str:
    """Summary sentences, then one quote per viewpoint (heaviest first) until `budget` words,
    shown in thread order as "Name: sentence"."""
    if not brief.summary and brief.timeline:
        said: list[str] = []
        for n, q in enumerate(brief.timeline):
            same = n > 0 and brief.timeline[n - 1].author == q.author
            said.append(f"{q.author}: {q.text}" if q.author and not same else q.text)
        return " ".join(said)
    parts: list[str] = []
    used = 0
    for sentence in brief.summary:
        if used >= budget:
            break
        parts.append(sentence)
        used += _words(sentence)
    picked: list[Quote] = []
    rounds = max((len(v.quotes) for v in brief.viewpoints), default=0)
    for k in range(rounds):
        for viewpoint in brief.viewpoints:
            if used >= budget:
                break
            if k < len(viewpoint.quotes):
                quote = viewpoint.quotes[k]
                picked.append(quote)
                used += _words(quote.text) + (_words(quote.author) if quote.author else 0)
    position = {c.id: i for i, c in enumerate(thread.comments)}
    picked.sort(key=lambda q: position.get(q.comment_id, 0))
    parts += [f"{q.author}: {q.text}" if q.author else q.text for q in picked]
    return " ".join(parts)
