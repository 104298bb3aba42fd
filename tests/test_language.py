"""Each text is detected in its own language, offline and without a model file."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.text.language import UNDETERMINED, detect_language, main_language

# Sentences written for these tests, in the style of blog comments.
SENTENCES = {
    "en": [
        "I think the author is missing the point about the costs of this war.",
        "This is exactly what happened last time, and nobody learned anything from it.",
        "The numbers in the second paragraph do not add up, as far as I can tell.",
    ],
    "fr": [
        "Je pense que l'auteur oublie le coût humain de cette offensive.",
        "C'est exactement ce qui s'est passé la dernière fois, et personne n'a rien appris.",
        "Les chiffres du deuxième paragraphe ne sont pas corrects, à mon avis.",
    ],
    "de": [
        "Ich glaube, der Autor übersieht die Kosten dieses Krieges.",
        "Das ist genau das, was beim letzten Mal passiert ist, und niemand hat daraus gelernt.",
        "Die Zahlen im zweiten Absatz stimmen nicht, soweit ich das sehe.",
    ],
    "es": [
        "Creo que el autor no ve el costo humano de esta guerra.",
        "Esto es exactamente lo que pasó la última vez, y nadie aprendió nada.",
        "Los números del segundo párrafo no cuadran, por lo que veo.",
    ],
    "it": [
        "Penso che l'autore non veda il costo umano di questa guerra.",
        "È esattamente quello che è successo l'ultima volta, e nessuno ha imparato niente.",
    ],
    "pt": [
        "Acho que o autor não vê o custo humano desta guerra.",
        "Isso é exatamente o que aconteceu da última vez, e ninguém aprendeu nada.",
    ],
    "nl": [
        "Ik denk dat de auteur de menselijke kosten van deze oorlog niet ziet.",
        "Dit is precies wat er de vorige keer gebeurde, en niemand heeft er iets van geleerd.",
    ],
    "ru": ["Я думаю, что автор не видит цену этой войны, и это так."],
    "el": ["Νομίζω ότι ο συγγραφέας δεν βλέπει το κόστος αυτού του πολέμου."],
    "ja": ["著者はこの戦争の人的コストを見ていないと思います。"],
}


@pytest.mark.parametrize(
    ("language", "text"), [(lang, s) for lang, texts in SENTENCES.items() for s in texts]
)
def test_comment_is_detected_in_its_language(language: str, text: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize("text", ["", "lol", "+1", "12345", "https://example.org", "👍👍"])
def test_text_without_words_is_undetermined(text: str) -> None:
    assert detect_language(text) == UNDETERMINED


def test_main_language_ignores_undetermined_and_falls_back() -> None:
    assert main_language(["und", "fr", "en", "fr"]) == "fr"
    assert main_language(["und"], default="de") == "de"


@given(st.text())
def test_detection_never_fails_and_returns_a_code(text: str) -> None:
    code = detect_language(text)
    assert code == UNDETERMINED or (2 <= len(code) <= 3 and code.isalpha())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "word",
                " ",
                "WWW.",
                "www.",
                "ww",
                "w.",
                "http",
                "://",
                "https://a.b/c",
                "@",
                "x@y.z",
                "a.b",
                "é",
                "\n",
                "Mail",
                ".org",
                "-",
                "+",
            ]
        ),
        max_size=14,
    ).map("".join)
)
def test_links_are_found_with_or_without_the_quick_test(text: str) -> None:
    """The quick test that spares most comments the address scan never skips an address."""
    from bot.text import links

    assert links.without_addresses(text) == links._ADDRESS.sub(" ", text)
    expected = (
        links._ADDRESS.search(text) is not None
        and links._LETTER.search(links._ADDRESS.sub(" ", text)) is None
    )
    assert links.is_link_only(text) == expected
