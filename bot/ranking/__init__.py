"""sumy's seven summarizers, vectorised for thread-sized documents.

Each class keeps sumy's interface (a stemmer at construction, a `stop_words` property, and
`__call__(document, sentences_count)` over sumy's document model) and sumy's meaning, checked by
parity tests against sumy itself. None of them imports `sumy.summarizers`, whose base class pulls
in NLTK (1.4 s at start-up). Each is imported when first used, so a brief pays for one ranking's
imports, not seven.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.ranking.counts import best_sentences, items_count
    from bot.ranking.edmundson import EdmundsonSummarizer
    from bot.ranking.kl import KLSummarizer
    from bot.ranking.lexrank import LexRankSummarizer, lexrank_scores
    from bot.ranking.lsa import LsaSummarizer, lsa_scores
    from bot.ranking.luhn import LuhnSummarizer, luhn_scores
    from bot.ranking.sumbasic import SumBasicSummarizer, sumbasic_order
    from bot.ranking.textrank import TextRankSummarizer, textrank_scores

_HOMES = {
    "best_sentences": "counts",
    "items_count": "counts",
    "EdmundsonSummarizer": "edmundson",
    "KLSummarizer": "kl",
    "LexRankSummarizer": "lexrank",
    "lexrank_scores": "lexrank",
    "LsaSummarizer": "lsa",
    "lsa_scores": "lsa",
    "LuhnSummarizer": "luhn",
    "luhn_scores": "luhn",
    "SumBasicSummarizer": "sumbasic",
    "sumbasic_order": "sumbasic",
    "TextRankSummarizer": "textrank",
    "textrank_scores": "textrank",
}

__all__ = [
    "EdmundsonSummarizer",
    "KLSummarizer",
    "LexRankSummarizer",
    "LsaSummarizer",
    "LuhnSummarizer",
    "SumBasicSummarizer",
    "TextRankSummarizer",
    "best_sentences",
    "items_count",
    "lexrank_scores",
    "lsa_scores",
    "luhn_scores",
    "sumbasic_order",
    "textrank_scores",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'bot.ranking' has no attribute {name!r}")
    return getattr(import_module(f"bot.ranking.{home}"), name)
