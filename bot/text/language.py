"""Offline language detection for articles and comments.

Comments are short, so detection leans on what short texts do carry: their script, and their
function words ("the", "und", "les", "que"), weighted so that a word shared by several languages
counts for less than one only a single language uses. This needs no model file, loads in
microseconds and runs at about a microsecond per word; model-based detectors cost 0.9-1.3 s to load,
most of the CLI's one-second budget (see README, "Language detection").

A text too short or too mixed to decide is "und" (undetermined); callers let such comments inherit
the thread's main language rather than guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache

from bot.text.links import without_addresses

UNDETERMINED = "und"

LANGUAGES = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese", "ko": "Korean",
    "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sk": "Slovak", "sv": "Swedish", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "zh": "Chinese",
}  # fmt: skip
"""English names of the ISO 639-1 codes the text steps know: what a brief shows, and (lowered)
the names Snowball's stemmers and the stop-word lists go by."""


def language_label(code: str) -> str:
    """What a brief calls a language: "German", "another language" when undetermined."""
    if code == UNDETERMINED:
        return "another language"
    return LANGUAGES.get(code, code)


def language_name(code: str) -> str:
    """Lowercase English name of a code ("fr" -> "french"); English for unknown codes."""
    return LANGUAGES.get(code, "English").lower()


# The most frequent function words of each language: the words a short comment cannot avoid.
_FUNCTION_WORDS: Mapping[str, str] = {
    "en": "the and of to is in that it was for you with on as are be this have not but they "
    "at by from or his her we an what which there their would can if will has been were "
    "i do does don't i'm it's isn't doesn't these those who about just so",
    "fr": "le la les de des du un une et est que qui dans pour pas sur au aux avec ce cette "
    "il elle ils sont ont mais ou plus par se sa son ses leur nous vous je c'est n'est "
    "d'un d'une l'on qu'il très aussi",
    "de": "der die das und ist nicht ein eine einen dem den des zu mit sich auf für von "
    "im ich es sie wir auch wird sind war wie aber oder nur noch doch schon bei aus "
    "nach dass kein keine man hat haben",
    "es": "el la los las de del que y en un una es por con para no se lo su sus al como "
    "más pero este esta está son fue muy ya también porque hay sin sobre entre yo "
    "estoy estás estamos creo eso esto todo nada algo mucho",
    "it": "il lo la gli le di del della che e è un una per con non si sono da nel nella "
    "come ma più anche questo questa ho hanno sua suo dei delle degli alla al perché",
    "pt": "o a os as de do da dos das que e é um uma em no na para com não por se mais "
    "como mas foi são ao pelo pela também isso está muito já seu sua nos você",
    "nl": "de het een en van is dat niet in op te met voor zijn er aan ook als maar om "
    "dan wat bij nog wel uit door ze hij ik je we naar kan heeft geen",
    "sv": "och att det som en är på för med inte av den till har de om ett jag var men "
    "så kan från eller vi ska när också bara",
    "da": "og at det som en er på for med ikke af den til har de om et jeg var men så kan "
    "fra eller vi skal når også bare hvad mig dig nu",
    "no": "og at det som en er på for med ikke av den til har de om et jeg var men så kan "
    "fra eller vi skal når også bare ble hva meg deg nå",
    "pl": "i w nie na z że się do jest to jak co o po ale tak dla od za jego jej są był "
    "było już może tylko przez",
    "cs": "a v se na je že to s z do o jako ale by pro jsem jsou byl bylo jeho které který "
    "také není jen už po",
    "sk": "a v sa na je že to s z do o ako ale by pre som sú bol bolo jeho ktoré ktorý "
    "tiež nie len už po",
    "ru": "и в не на что я с он как это по но из у за от так же все она то его были "
    "было для мы вы они если уже или",
    "uk": "і в не на що я з він як це по але із у за від так же все вона то його були "
    "було для ми ви вони якщо вже або та є",
    "fi": "ja on ei se että oli hän kun mutta niin myös tai jos ovat olla sen ne kuin vain "
    "nyt vielä minä sinä",
    "hu": "a az és hogy nem is egy van volt de meg csak már mint ha ez azt vagy még el kell lesz",
    "ro": "și în de la nu este că cu o un pe care se din pentru mai ca sunt dar au fost "
    "sau ce acest această",
    "tr": "ve bir bu da de için ile çok ne daha gibi ama olarak var değil ben sen o mi "
    "mı kadar sonra",
    "id": "dan yang di ini itu dengan untuk tidak dari dalam akan pada juga ke ada saya "
    "kami mereka bisa atau sudah",
}

_WORD_RE = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)


@cache
def _word_weights() -> Mapping[str, tuple[tuple[str, float], ...]]:
    """Each function word with the languages it belongs to, weighted by 1 / their number."""
    owners: dict[str, list[str]] = {}
    for lang, words in _FUNCTION_WORDS.items():
        for word in set(words.split()):
            owners.setdefault(word, []).append(lang)
    return {w: tuple((lang, 1.0 / len(langs)) for lang in langs) for w, langs in owners.items()}


_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_NON_LATIN_LETTER = re.compile(r"[^\W\d_\u0000-\u024f\u1e00-\u1eff]", re.UNICODE)
_SCRIPTS = {
    "CJK": "zh",
    "HANGUL": "ko",
    "ARABIC": "ar",
    "HEBREW": "he",
    "GREEK": "el",
    "THAI": "th",
    "DEVANAGARI": "hi",
}


def _script_language(text: str) -> str | None:
    """The language a non-Latin script implies, or None for Latin text (decided by words)."""
    if text.isascii():
        return None
    others = _NON_LATIN_LETTER.findall(text)
    if not others or len(others) * 2 < len(_LETTER.findall(text)):
        return None
    scripts = Counter(unicodedata.name(ch, "?").split(" ", 1)[0] for ch in others[:200])
    if scripts["HIRAGANA"] or scripts["KATAKANA"]:
        return "ja"
    return _SCRIPTS.get(scripts.most_common(1)[0][0])


def detect_language(text: str) -> str:
    """The ISO 639-1 code of `text`'s language, or "und" when the text does not say enough.

    Links and e-mail addresses are left out first: "/o/a/" in a path is not Portuguese."""
    text = without_addresses(text)
    script = _script_language(text)
    if script is not None:
        return script
    weights = _word_weights()
    scores: dict[str, float] = {}
    # Counted in C, then only the function words among the text's distinct words are visited.
    counts = Counter(_WORD_RE.findall(text.lower().replace("’", "'")))
    for word in sorted(counts.keys() & weights.keys()):
        n = counts[word]
        for lang, weight in weights[word]:
            scores[lang] = scores.get(lang, 0.0) + weight * n
    if not scores:
        return UNDETERMINED
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:2]
    best, top = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if top < 1.0 or top <= runner_up * 1.2:
        return UNDETERMINED
    return best


def main_language(languages: Iterable[str], default: str = "en") -> str:
    """The most frequent determined language, for texts too short to tell on their own."""
    counts = Counter(lang for lang in languages if lang != UNDETERMINED)
    return counts.most_common(1)[0][0] if counts else default
