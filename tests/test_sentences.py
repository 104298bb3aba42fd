"""Sentences split without downloaded data; abbreviations, initials and numbers stay whole."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.text.sentences import split_sentences, split_text
from bot.text.words import OfflineTokenizer, stemmer, stop_words


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "The U.S. view is clear. Then he left.",
            ["The U.S. view is clear.", "Then he left."],
        ),
        (
            "en",
            "Dr. Smith paid $1.5 million. It was a lot.",
            ["Dr. Smith paid $1.5 million.", "It was a lot."],
        ),
        (
            "en",
            "J. R. R. Tolkien wrote it. Others agreed.",
            ["J. R. R. Tolkien wrote it.", "Others agreed."],
        ),
        (
            "en",
            "Bring something, e.g. bread. We eat at 8.",
            ["Bring something, e.g. bread.", "We eat at 8."],
        ),
        (
            "en",
            '"Is it?" he asked. "Yes!" She left.',
            ['"Is it?" he asked.', '"Yes!"', "She left."],
        ),
        (
            "en",
            "We live in the U.S. The weather is fine.",
            ["We live in the U.S.", "The weather is fine."],
        ),
        (
            "fr",
            "M. Dupont est arrivé. Il a dit « non ». C'est tout.",
            ["M. Dupont est arrivé.", "Il a dit « non ».", "C'est tout."],
        ),
        (
            "de",
            "Am 3. Oktober kam Dr. Müller, z.B. mit Hrn. Maier. Das war gut.",
            ["Am 3. Oktober kam Dr. Müller, z.B. mit Hrn. Maier.", "Das war gut."],
        ),
        (
            "es",
            "¿Vienes? La Sra. García dijo que sí. ¡Qué bien!",
            ["¿Vienes?", "La Sra. García dijo que sí.", "¡Qué bien!"],
        ),
    ],
)
def test_sentences_split_where_a_reader_would(
    language: str, text: str, expected: list[str]
) -> None:
    assert split_sentences(text, language) == expected


def test_paragraphs_are_kept_apart() -> None:
    assert split_text("One here. Two here.\n\nThree here.") == [
        ["One here.", "Two here."],
        ["Three here."],
    ]


@given(st.text())
def test_splitting_never_loses_a_character(text: str) -> None:
    joined = "".join("".join(s.split()) for s in split_sentences(text))
    assert joined == "".join(text.split())


def test_sumy_gets_an_offline_tokenizer_with_words_and_language() -> None:
    tokenizer = OfflineTokenizer("fr")
    assert tokenizer.language == "french"
    assert tokenizer.to_words("L'armée a-t-elle 3 chars?") == ("L'armée", "a-t-elle", "chars")
    assert tokenizer.to_sentences("Oui. Non.") == ("Oui.", "Non.")


def test_each_language_has_its_own_stems_and_stop_words() -> None:
    assert stemmer("en")("civilians") == "civilian"
    assert stemmer("fr")("civiles") == "civil"
    assert "the" in stop_words("en") and "les" in stop_words("fr")
    assert stop_words("xx") == stop_words("en")
