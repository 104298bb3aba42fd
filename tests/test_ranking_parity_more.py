"""The vectorised LSA, Luhn, KL, SumBasic and Edmundson against sumy's own classes.

Luhn, SumBasic and Edmundson pick exactly sumy's sentences. LSA and KL cannot always: where
ratings are equal in exact arithmetic, sumy's order comes from rounding noise (see the bounds in
`bot/ranking/lsa.py` and `bot/ranking/kl.py`), so their tests assert those bounds.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.summarizers.edmundson import EdmundsonSummarizer as SumyEdmundson
from sumy.summarizers.kl import KLSummarizer as SumyKL
from sumy.summarizers.lsa import LsaSummarizer as SumyLsa
from sumy.summarizers.luhn import LuhnSummarizer as SumyLuhn
from sumy.summarizers.sum_basic import SumBasicSummarizer as SumySumBasic

from bot.ranking import (
    EdmundsonSummarizer,
    KLSummarizer,
    LsaSummarizer,
    LuhnSummarizer,
    SumBasicSummarizer,
)
from bot.ranking.kl import TIE
from bot.text.words import stemmer, stop_words
from tests.test_ranking_parity import POOL, TOKENIZER, document, synthetic
from tests.threads import ARTICLE

SIZES = [(20, 1), (60, 2), (150, 3), (200, 4)]
COUNTS: list[int | str] = [1, 5, "20%"]
# Stop words, capitals and repeats exercise sumy's normalisation quirks.
WORDS = [*POOL[:12], "The", "the", "and", "Tram", "BUDGET", "was", "it", "hardly", "impossible"]
BONUS = ["tram", "budget", "city", "the"]
STIGMA = ["hardly", "rent"]


def configured(cls: Any, **weights: float) -> Any:
    summarizer = cls(stemmer("en"), **weights)
    summarizer.stop_words = stop_words("en")
    if "Edmundson" in cls.__name__:
        summarizer.bonus_words = BONUS
        summarizer.stigma_words = STIGMA
        summarizer.null_words = sorted(stop_words("en"))
    return summarizer


def picked(summarizer: Any, doc: ObjectDocumentModel, count: int | str) -> tuple[str, ...]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # sumy's LSA warns about short dictionaries
        return tuple(map(str, summarizer(doc, count)))


def article() -> ObjectDocumentModel:
    return document([TOKENIZER.to_sentences(p) for p in ARTICLE.paragraphs])


sentence_text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(
    lambda w: " ".join(w) + "."
)
documents = st.lists(
    st.lists(st.tuples(sentence_text, st.booleans()), min_size=1, max_size=8),
    min_size=1,
    max_size=6,
).map(
    lambda paragraphs: ObjectDocumentModel(
        [
            Paragraph(
                [
                    Sentence(text, TOKENIZER, is_heading=h and i == 0 < len(p) - 1)
                    for i, (text, h) in enumerate(p)
                ]
            )
            for p in paragraphs
        ]
    )
)
"""Documents with headings (sometimes a longer paragraph's first sentence), repeats, stop words."""

EXACT = [
    (LuhnSummarizer, SumyLuhn),
    (SumBasicSummarizer, SumySumBasic),
    (EdmundsonSummarizer, SumyEdmundson),
]


@pytest.mark.parametrize(("ours", "theirs"), EXACT)
@pytest.mark.parametrize(("n", "seed"), SIZES)
@pytest.mark.parametrize("count", COUNTS)
def test_exact_parity_on_synthetic_documents(
    ours: Any, theirs: Any, n: int, seed: int, count: int | str
) -> None:
    doc = synthetic(n, seed)
    assert picked(configured(ours), doc, count) == picked(configured(theirs), doc, count)


@pytest.mark.parametrize(("ours", "theirs"), EXACT)
def test_exact_parity_on_an_article(ours: Any, theirs: Any) -> None:
    doc = article()
    assert picked(configured(ours), doc, 3) == picked(configured(theirs), doc, 3)


def test_luhn_chunks_end_after_max_gap_size_insignificant_words() -> None:
    """Significant words 3 or 4 words apart: one chunk, or two (sumy's `max_gap_size` is 4)."""
    gap = ["and the was"] * 3 + ["and the was it"] * 3
    sentences = [f"tram {g} budget {g} city." for g in gap] + ["tram budget city council."]
    doc = document([sentences, ["council budget city."]])
    for count in range(1, 8):
        assert picked(configured(LuhnSummarizer), doc, count) == picked(
            configured(SumyLuhn), doc, count
        )


@settings(max_examples=60, deadline=None)
@given(documents, st.integers(min_value=1, max_value=6))
def test_exact_parity_on_random_documents(doc: ObjectDocumentModel, count: int) -> None:
    for ours, theirs in EXACT:
        assert picked(configured(ours), doc, count) == picked(configured(theirs), doc, count)


@settings(max_examples=40, deadline=None)
@given(documents, st.integers(min_value=1, max_value=6))
def test_every_edmundson_method_and_weight_matches(doc: ObjectDocumentModel, count: int) -> None:
    ours, theirs = configured(EdmundsonSummarizer), configured(SumyEdmundson)
    for method, args in [
        ("cue_method", (2, 3)),
        ("key_method", (0.3,)),
        ("title_method", ()),
        ("location_method", (2, 1, 3, 1, 2)),
    ]:
        mine = getattr(ours, method)(doc, count, *args)
        sumys = getattr(theirs, method)(doc, count, *args)
        assert tuple(map(str, mine)) == tuple(map(str, sumys)), method
    weights = {"cue_weight": 0.0, "key_weight": 1.0, "title_weight": 0.5, "location_weight": 0.0}
    assert picked(configured(EdmundsonSummarizer, **weights), doc, count) == picked(
        configured(SumyEdmundson, **weights), doc, count
    )


def test_edmundson_keeps_sumys_word_sets_and_errors() -> None:
    ours, theirs = configured(EdmundsonSummarizer), configured(SumyEdmundson)
    assert (ours.bonus_words, ours.stigma_words, ours.null_words) == (
        theirs.bonus_words,
        theirs.stigma_words,
        theirs.null_words,
    )
    bare = EdmundsonSummarizer(stemmer("en"))
    with pytest.raises(ValueError, match="bonus words is empty"):
        bare(synthetic(5, 1), 1)
    with pytest.raises(ValueError, match="Negative weights"):
        EdmundsonSummarizer(key_weight=-1)


# LSA: same ratings to rounding; the selection may only exchange sentences of equal rating.


def sumy_lsa_ranks(doc: ObjectDocumentModel) -> np.ndarray:
    summarizer = configured(SumyLsa)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        dictionary = summarizer._create_dictionary(doc)
        if not dictionary:  # sumy returns no sentences without rating any
            return np.zeros(0)
        matrix = summarizer._compute_term_frequency(summarizer._create_matrix(doc, dictionary))
    _, sigma, v = np.linalg.svd(matrix, full_matrices=False)
    return np.asarray(summarizer._compute_ranks(sigma, v))


def assert_lsa_within_bound(doc: ObjectDocumentModel, count: int | str) -> None:
    ours = configured(LsaSummarizer)
    ratings = ours.rate_sentences(doc)
    np.testing.assert_allclose(ratings, sumy_lsa_ranks(doc), rtol=1e-9, atol=1e-12)
    mine, sumys = ours(doc, count), picked(configured(SumyLsa), doc, count)
    if len(ratings) == 0:  # no content word at all
        assert mine == sumys == ()
        return
    rating = {str(s): r for s, r in zip(doc.sentences, ratings, strict=True)}
    assert len(mine) == len(sumys)
    np.testing.assert_allclose(
        sorted(rating[str(s)] for s in mine), sorted(rating[s] for s in sumys), rtol=1e-9
    )
    if mine:  # only sentences tied with the cut can differ
        cut = min(rating[str(s)] for s in mine)
        tied = sum(abs(r - cut) <= 1e-9 * cut for r in ratings)
        shared = Counter(map(str, mine)) & Counter(sumys)
        assert sum(shared.values()) >= len(mine) - tied


@pytest.mark.parametrize(("n", "seed"), SIZES)
@pytest.mark.parametrize("count", COUNTS)
def test_lsa_within_its_bound_on_synthetic_documents(n: int, seed: int, count: int | str) -> None:
    assert_lsa_within_bound(synthetic(n, seed), count)


def test_lsa_within_its_bound_on_an_article() -> None:
    assert_lsa_within_bound(article(), 3)


@settings(max_examples=60, deadline=None)
@given(documents, st.integers(min_value=1, max_value=6))
def test_lsa_within_its_bound_on_random_documents(doc: ObjectDocumentModel, count: int) -> None:
    assert_lsa_within_bound(doc, count)


def test_lsa_picks_sumys_sentences_where_ratings_differ() -> None:
    """Without ties (distinct repeat counts), the LSA selection is exactly sumy's."""
    doc = document([[" ".join(["tram"] * k + ["budget"] * (9 - k)) + "." for k in range(1, 9)]])
    assert picked(configured(LsaSummarizer), doc, 3) == picked(configured(SumyLsa), doc, 3)


# KL: sumy's greedy passes, replayed; every pass's divergences must match ours.


def sumy_kl_passes(doc: ObjectDocumentModel) -> list[tuple[list[float], int]]:
    """Each of sumy's passes: the divergences of the remaining sentences and its pick among them."""
    summarizer = configured(SumyKL)
    passes: list[tuple[list[float], int]] = []
    find = summarizer._find_index_of_best_sentence

    def record(kls: list[float]) -> int:
        index = int(find(kls))
        passes.append((list(kls), index))
        return index

    summarizer._find_index_of_best_sentence = record
    summarizer._compute_ratings(doc.sentences)
    return passes


def assert_kl_within_bound(doc: ObjectDocumentModel, count: int | str) -> None:
    state = configured(KLSummarizer).greedy(doc)
    remaining = list(range(len(doc.sentences)))
    same_order = True
    for kls, index in sumy_kl_passes(doc):
        divergences = state.divergences()[remaining]
        np.testing.assert_allclose(divergences, kls, rtol=1e-9, atol=1e-12)
        smallest = min(kls)
        near = [k for k in kls if k <= smallest + TIE * max(abs(smallest), 1.0)]
        ours = state.pick()
        if all(k == smallest for k in near):  # no tie that rounding could have decided
            assert ours == remaining[index]
        same_order &= ours == remaining[index]
        state.add(remaining.pop(index))
    if same_order:
        assert picked(configured(KLSummarizer), doc, count) == picked(
            configured(SumyKL), doc, count
        )


@pytest.mark.parametrize(("n", "seed"), SIZES)
@pytest.mark.parametrize("count", COUNTS)
def test_kl_within_its_bound_on_synthetic_documents(n: int, seed: int, count: int | str) -> None:
    doc = synthetic(n, seed)
    assert_kl_within_bound(doc, count)


@pytest.mark.parametrize(("n", "seed"), SIZES)
def test_kl_picks_sumys_sentences_on_synthetic_documents(n: int, seed: int) -> None:
    """On these documents no pass meets a rounding tie, so the selections are identical."""
    doc = synthetic(n, seed)
    assert picked(configured(KLSummarizer), doc, 5) == picked(configured(SumyKL), doc, 5)


def test_kl_picks_sumys_sentences_on_an_article() -> None:
    assert_kl_within_bound(article(), 3)
    assert picked(configured(KLSummarizer), article(), 3) == picked(
        configured(SumyKL), article(), 3
    )


@settings(max_examples=60, deadline=None)
@given(documents, st.integers(min_value=1, max_value=6))
def test_kl_within_its_bound_on_random_documents(doc: ObjectDocumentModel, count: int) -> None:
    assert_kl_within_bound(doc, count)


def test_no_algorithm_imports_nltk() -> None:
    code = (
        "import sys\n"
        "from bot.summarize import ALGORITHMS, summarize_paragraphs\n"
        "for a in ALGORITHMS:\n"
        "    assert summarize_paragraphs(['A tram. A bus. The tram is late.'], language='en',"
        " algorithm=a, count=1, title='Tram'), a\n"
        "print('nltk' in sys.modules, 'sumy.summarizers' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
