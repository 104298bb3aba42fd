"""Extractive summary of the article: sentences picked by one of sumy's algorithms.

Only the article's own sentences are candidates, so a brief never presents a commenter's words as
the article's. The picked sentences come back in article order.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from bot import ranking
from bot.config import ALGORITHMS
from bot.errors import BadInput
from bot.text.document import Document, Paragraph, Sentence
from bot.text.sentences import split_sentences
from bot.text.words import OfflineTokenizer, stemmer, stop_words
from bot.thread import Article

DEFAULT_ALGORITHM = "lexrank"
Count = int | str
"""A number of sentences, or a ratio of the article such as "20%"."""


def check_count(count: Count) -> Count:
    """Validate a sentence count or ratio, with a message a user can act on."""
    if isinstance(count, int):
        if count < 1:
            raise BadInput(f"The summary length must be at least 1 sentence, not {count}.")
        return count
    text = count.strip()
    if text.endswith("%") and text[:-1].isdigit() and 0 < int(text[:-1]) <= 100:
        return text
    if text.isdigit() and int(text) >= 1:
        return int(text)
    raise BadInput(
        f"'{count}' is not a summary length.",
        hint="Give a number of sentences (3) or a share of the article (20%).",
    )


def check_algorithm(name: str) -> str:
    key = name.strip().lower().replace("-", "").replace("_", "")
    if key not in ALGORITHMS:
        raise BadInput(
            f"'{name}' is not a summary algorithm.",
            hint=f"Choose one of: {', '.join(ALGORITHMS)}.",
        )
    return key


_CLASSES = {
    "lexrank": "LexRankSummarizer",
    "textrank": "TextRankSummarizer",
    "lsa": "LsaSummarizer",
    "luhn": "LuhnSummarizer",
    "kl": "KLSummarizer",
    "sumbasic": "SumBasicSummarizer",
    "edmundson": "EdmundsonSummarizer",
}


def make_summarizer(algorithm: str, language: str, title: str | None = None) -> Any:
    """A summarizer with sumy's interface, configured for the language."""
    # By name: each ranking (and its numpy, scipy or linear algebra) is imported only when used.
    cls: Any = getattr(ranking, _CLASSES[algorithm])
    summarizer = cls(stemmer(language))
    summarizer.stop_words = stop_words(language)
    if algorithm == "edmundson":
        tokenizer = OfflineTokenizer(language)
        title_words = tokenizer.to_words(title or "")
        summarizer.bonus_words = [w.lower() for w in title_words] or ["the"]
        summarizer.stigma_words = ["hardly", "impossible"]
        summarizer.null_words = sorted(stop_words(language))
    return summarizer


MAX_SENTENCES = 1000
"""Sentences ranked together at most. sumy's algorithms compare sentences pairwise (LexRank's
similarity graph is n x n where the vocabulary is small), so a longer article is ranked in parts
of this size and the best of each part ranked again: time and memory stay linear in its length."""


@dataclass(frozen=True, slots=True)
class Summary:
    sentences: tuple[str, ...]
    total: int = 0
    """Sentences in the article."""
    parts: int = 1
    """Parts it was ranked in: 1 unless it had more than `max_sentences`."""
    max_sentences: int = MAX_SENTENCES

    def note(self) -> str | None:
        """What was done on a huge article, for the brief's notes."""
        if self.parts <= 1:
            return None
        return (
            f"The article has {self.total:,} sentences, more than the {self.max_sentences:,} "
            f"ranked together: it was ranked in {self.parts} parts, then the best sentences of "
            "every part against each other."
        )


def _windows(groups: Sequence[Sequence[Any]], size: int) -> Iterator[list[list[Any]]]:
    """Consecutive paragraphs, `size` sentences at most each; a longer paragraph is cut."""
    window: list[list[Any]] = []
    held = 0
    for group in groups:
        for start in range(0, len(group), size):
            piece = list(group[start : start + size])
            if held + len(piece) > size and window:
                yield window
                window, held = [], 0
            window.append(piece)
            held += len(piece)
    if window:
        yield window


def _document(groups: Sequence[Sequence[Any]]) -> Any:
    return Document(tuple(Paragraph(tuple(g)) for g in groups))


def summarize_bounded(
    paragraphs: Sequence[str],
    *,
    language: str,
    algorithm: str = DEFAULT_ALGORITHM,
    count: Count = 3,
    title: str | None = None,
    max_sentences: int = MAX_SENTENCES,
) -> Summary:
    """Pick `count` sentences, ranking at most `max_sentences` together; in original order.

    Up to `max_sentences` this is sumy's ranking of the whole article. Past it, each part of
    the article gives its best `count` sentences (or its share, for a ratio) and, for a count,
    those winners are ranked together for the final pick.
    """
    tokenizer = OfflineTokenizer(language)
    groups = [
        [Sentence.of(s, tokenizer) for s in split_sentences(p, language)]
        for p in paragraphs
        if p.strip()
    ]
    total = sum(len(g) for g in groups)
    if total == 0:
        return Summary((), 0, 1, max_sentences)
    summarizer = make_summarizer(algorithm, language, title)
    if total <= max_sentences:
        picked = summarizer(_document(groups), count)
        return Summary(tuple(str(s) for s in picked), total, 1, max_sentences)
    position = {id(s): i for i, s in enumerate(s for g in groups for s in g)}
    parts = list(_windows(groups, max_sentences))
    if isinstance(count, int):
        count = min(count, max_sentences // 2)
    winners = [s for part in parts for s in summarizer(_document(part), count)]
    del parts
    while isinstance(count, int) and len(winners) > count:
        if len(winners) <= max_sentences:
            winners = list(summarizer(_document([winners]), count))
            break
        chunks = [winners[i : i + max_sentences] for i in range(0, len(winners), max_sentences)]
        winners = [s for chunk in chunks for s in summarizer(_document([chunk]), count)]
    winners.sort(key=lambda s: position[id(s)])
    total_parts = -(-total // max_sentences)
    return Summary(tuple(str(s) for s in winners), total, max(2, total_parts), max_sentences)


def summarize_paragraphs(
    paragraphs: Sequence[str],
    *,
    language: str,
    algorithm: str = DEFAULT_ALGORITHM,
    count: Count = 3,
    title: str | None = None,
    max_sentences: int = MAX_SENTENCES,
) -> tuple[str, ...]:
    """Pick `count` sentences from the paragraphs; they come back in their original order."""
    return summarize_bounded(
        paragraphs,
        language=language,
        algorithm=algorithm,
        count=count,
        title=title,
        max_sentences=max_sentences,
    ).sentences


def summarize_article(
    article: Article,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    count: Count = 3,
    max_sentences: int = MAX_SENTENCES,
) -> tuple[str, ...]:
    return summarize_article_noted(
        article, algorithm=algorithm, count=count, max_sentences=max_sentences
    ).sentences


def summarize_article_noted(
    article: Article,
    *,
    algorithm: str = DEFAULT_ALGORITHM,
    count: Count = 3,
    max_sentences: int = MAX_SENTENCES,
) -> Summary:
    """The article's summary, with what was done if it was too long to rank whole."""
    return summarize_bounded(
        article.paragraphs,
        language=article.language or "en",
        algorithm=check_algorithm(algorithm),
        count=check_count(count),
        title=article.title,
        max_sentences=max_sentences,
    )
