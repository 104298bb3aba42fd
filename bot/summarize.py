"""Extractive summary of the article: sentences picked by one of sumy's algorithms.

Only the article's own sentences are candidates, so a brief never presents a commenter's words as
the article's. The picked sentences come back in article order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.errors import BadInput
from bot.text.sentences import split_sentences
from bot.text.words import OfflineTokenizer, stemmer, stop_words
from bot.thread import Article

ALGORITHMS: tuple[str, ...] = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic", "edmundson")
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
    from bot import ranking

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


def summarize_paragraphs(
    paragraphs: Sequence[str],
    *,
    language: str,
    algorithm: str = DEFAULT_ALGORITHM,
    count: Count = 3,
    title: str | None = None,
) -> tuple[str, ...]:
    """Pick `count` sentences from the paragraphs; they come back in their original order."""
    from bot.text.document import Document, Paragraph, Sentence

    tokenizer = OfflineTokenizer(language)
    document = Document(
        tuple(
            Paragraph(tuple(Sentence.of(s, tokenizer) for s in split_sentences(p, language)))
            for p in paragraphs
            if p.strip()
        )
    )
    if not document.sentences:
        return ()
    summarizer = make_summarizer(algorithm, language, title)
    return tuple(str(s) for s in summarizer(document, count))


def summarize_article(
    article: Article, *, algorithm: str = DEFAULT_ALGORITHM, count: Count = 3
) -> tuple[str, ...]:
    return summarize_paragraphs(
        article.paragraphs,
        language=article.language or "en",
        algorithm=check_algorithm(algorithm),
        count=check_count(count),
        title=article.title,
    )
