"""Rule-based sentence splitting that needs no downloaded data.

A boundary is terminal punctuation (. ! ? …, with any closing quotes or brackets) followed by
space and something that can start a sentence. The rules that keep a period from ending a sentence
are the ones that matter in comments and news: abbreviations of each language ("Dr.", "e.g.",
"z.B.", "M.", "Sra."), initials ("J. R. Tolkien"), dotted acronyms ("U.S. view"), decimals and
ordinals ("1.5", German "3. Oktober"), and a quote followed by a lowercase word ('"Why?" he
asked'). It handles about 3 million characters a second, 100 times the speed of pysbd, which
matters for 10,000-sentence threads (README, "Sentence splitting").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

_COMMON = (
    "e.g i.e etc vs cf al approx ca no nos vol pp p fig ed eds jan feb mar apr jun jul aug sep "
    "sept oct nov dec mon tue wed thu fri sat sun"
)
_ABBREVIATIONS: Mapping[str, str] = {
    "en": "mr mrs ms dr prof sr jr st mt rev gen col lt sgt capt gov sen rep pres inc ltd co "
    "corp dept univ est approx u.s u.k u.n e.u a.m p.m ph.d b.a m.a",
    "fr": "m mm mme mlle dr pr st ste av bd env p.ex c.-à-d cie éd",
    "de": "hr hrn fr frl dr prof bzw ca usw z.b d.h u.a o.ä s.o s.u vgl nr str abs ggf evtl inkl "
    "jh bspw mio mrd",
    "es": "sr sra srta dr dra ud uds lic ing av avda pág núm aprox etc ee.uu",
    "it": "sig sigg dott prof ing avv pag ecc",
    "pt": "sr sra dr dra prof av pág etc",
    "nl": "dhr mevr dr prof bijv o.a d.w.z enz",
}

_SENTENCE_STARTERS = frozenset(
    [
        "the",
        "a",
        "an",
        "it",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "they",
        "we",
        "i",
        "you",
        "there",
        "but",
        "and",
        "so",
        "in",
        "on",
        "at",
        "if",
        "when",
        "what",
        "why",
        "how",
        "le",
        "la",
        "les",
        "il",
        "elle",
        "ils",
        "nous",
        "je",
        "der",
        "die",
        "das",
        "er",
        "sie",
        "es",
        "wir",
        "ich",
        "el",
        "los",
        "las",
        "ella",
        "ellos",
        "yo",
    ]
)

# terminal punctuation, closing quotes/brackets, then whitespace
_BOUNDARY = re.compile(r"(?<![.!?…])([.!?…]++)([\"'”’»)\]]*+)(\s+)")
"""Linear: only the first mark of a run starts a match, and neither run gives characters back
(each is followed by characters it cannot hold), so a run of dots is scanned once, not once per
dot."""
_TOKEN_BEFORE = re.compile(r"([\w.\-]*)$", re.UNICODE)
_DOTTED_ACRONYM = re.compile(r"^(?:[^\W\d_]\.){1,}[^\W\d_]$", re.UNICODE)


@cache
def _abbreviations(language: str) -> frozenset[str]:
    words = _COMMON + " " + _ABBREVIATIONS.get(language, _ABBREVIATIONS["en"])
    return frozenset(words.split())


def _starts_sentence(text: str, pos: int) -> bool:
    """Whether the text after a candidate boundary can open a sentence."""
    if pos >= len(text):
        return True
    ch = text[pos]
    return ch.isupper() or ch.isdigit() or ch in "\"'“‘«([¿¡-–—*•" or not ch.isalpha()


def _next_word(text: str, pos: int) -> str:
    end = pos
    while end < len(text) and text[end].isalpha():
        end += 1
    return text[pos:end].lower()


def _is_boundary(text: str, match: re.Match[str], language: str) -> bool:
    punct, closers, _space = match.groups()
    after = match.end()
    if not _starts_sentence(text, after):
        return False
    if punct != ".":
        # "?" or "!" (or "...") followed by a capital ends a sentence, unless a quote closes
        # mid-sentence: '"Why?" he asked' was excluded above by the lowercase test.
        return True
    if closers:
        return True
    # Look back a bounded distance: an anchored search from 0 would rescan the paragraph.
    token = _TOKEN_BEFORE.search(text, max(0, match.start() - 40), match.start()).group(1)  # type: ignore[union-attr]
    lowered = token.lower().rstrip(".")
    if not lowered:
        return True
    if _DOTTED_ACRONYM.match(lowered):
        # "U.S. view" continues; "in the U.S. The next..." ends.
        return _next_word(text, after) in _SENTENCE_STARTERS
    if lowered in _abbreviations(language):
        return False
    if len(lowered) == 1 and token.isalpha() and token.isupper():
        return False  # an initial: "J. R. Tolkien"
    # A German ordinal ("am 3. Oktober") does not end a sentence.
    return not (lowered.isdigit() and language == "de" and len(lowered) <= 2)


def split_sentences(paragraph: str, language: str = "en") -> list[str]:
    """The sentences of one paragraph, stripped, in order; never loses a non-space character."""
    text = paragraph.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if _is_boundary(text, match, language):
            end = match.end(2)
            sentence = text[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [" ".join(s.split()) if "\n" in s else s for s in sentences]


def split_text(text: str, language: str = "en") -> list[list[str]]:
    """Paragraphs (blank-line separated) of sentences."""
    return [s for p in re.split(r"\n\s*\n", text) if (s := split_sentences(p, language))]
