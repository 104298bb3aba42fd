"""Which side of the article's claim a comment takes, where the thread says so plainly.

Two cues, both explicit in the text, so a wrong guess is rare and no guess is the default:
- a comment that restates the claim with its modal and its verb ("we should not ban X", "X must
  be banned"), with or without a negation that the claim lacks;
- a reply that opens by disagreeing ("No,", "I disagree", "Wrong") takes the side opposite to
  the comment it answers, one that opens by agreeing ("Exactly", "Agreed") the same side.
The cues seed the sides; a viewpoint's side is its members' clear majority.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence

FOR = 1
AGAINST = -1
UNKNOWN = 0

_MODALS: Mapping[str, frozenset[str]] = {
    "en": frozenset({"should", "shouldn't", "must", "mustn't", "ought", "need", "needs"}),
    "de": frozenset({"sollte", "sollten", "soll", "sollen", "muss", "müssen", "müsste"}),
    "fr": frozenset({"doit", "doivent", "devrait", "devraient", "faut", "faudrait"}),
    "es": frozenset({"debe", "deben", "debería", "deberían", "debemos", "deberíamos"}),
}
_NEGATIONS: Mapping[str, frozenset[str]] = {
    "en": frozenset({"not", "no", "never", "nor", "against", "cannot"}),
    "de": frozenset({"nicht", "kein", "keine", "keinen", "nie", "niemals", "gegen"}),
    "fr": frozenset({"pas", "ne", "jamais", "non", "contre"}),
    "es": frozenset({"no", "nunca", "jamás", "contra"}),
}
_DISAGREE = re.compile(
    r"^\W{0,3}(?:no\b|nope\b|nah\b|wrong\b|not really\b|not true\b|i disagree\b|"
    r"i don'?t agree\b|i do not agree\b|disagree\b|that'?s not\b|that is not\b|"
    r"incorrect\b|false\b|nonsense\b|rubbish\b|actually,? no\b)",
    re.IGNORECASE,
)
_AGREE = re.compile(
    r"^\W{0,3}(?:exactly\b|agreed\b|i agree\b|this\.|yes\b|yep\b|absolutely\b|"
    r"so true\b|well said\b|\+1\b|same\b|indeed\b)",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"(?<=[.!?;])\s+|,\s*(?:but|however)\b|\bbut\b", re.IGNORECASE)


def _negated(word: str, negations: frozenset[str]) -> bool:
    return word in negations or word.endswith("n't")


class ClaimCue:
    """Reads comments against one claim (the article's title)."""

    def __init__(
        self,
        claim: str | None,
        language: str,
        words: Callable[[str], Sequence[str]],
        stem: Callable[[str], str],
        stops: frozenset[str],
    ) -> None:
        self.modals = _MODALS.get(language, frozenset())
        self.negations = _NEGATIONS.get(language, frozenset())
        self.words, self.stem = words, stem
        tokens = [w.lower() for w in words(claim or "")]
        self.claim = frozenset(
            stem(w) for w in tokens if w not in stops and w not in self.modals and len(w) > 1
        )
        self.claim_negated = any(_negated(w, self.negations) for w in tokens)
        after = next((i for i, w in enumerate(tokens) if w in self.modals), len(tokens))
        self.verb = next(
            (stem(w) for w in tokens[after + 1 :] if w not in stops and stem(w) in self.claim), None
        )
        self.usable = bool(self.modals) and self.verb is not None

    def restated(self, text: str) -> int:
        """FOR or AGAINST where a clause restates the claim with its modal, else UNKNOWN."""
        if not self.usable:
            return UNKNOWN
        need = math.ceil(0.5 * len(self.claim))
        for clause in _CLAUSES.split(text):
            tokens = [w.lower() for w in self.words(clause)]
            stems = [self.stem(w) for w in tokens]
            hits = [i for i, s in enumerate(stems) if s in self.claim]
            found = {stems[i] for i in hits}
            if len(found) < need or self.verb not in found:
                continue
            modals = [i for i, w in enumerate(tokens) if w in self.modals]
            if not modals:
                continue
            low, high = min(hits[0], modals[0]), max(hits[-1], modals[0] + 2)
            negated = any(_negated(w, self.negations) for w in tokens[low : high + 1])
            return AGAINST if negated != self.claim_negated else FOR
        return UNKNOWN


def reply_relation(text: str) -> int:
    """+1 a reply that opens by agreeing, -1 by disagreeing, 0 otherwise."""
    head = text.lstrip()[:80]
    if _DISAGREE.match(head):
        return -1
    if _AGREE.match(head):
        return 1
    return 0


def propagate(cues: list[int], parents: Sequence[int | None], relations: Sequence[int]) -> None:
    """Give a reply without a cue of its own its parent's side, or the other, as it opens.

    Parents come before their replies in thread order; one pass in that order carries a side
    down a chain of replies.
    """
    for i, parent in enumerate(parents):
        if cues[i] == UNKNOWN and parent is not None and relations[i]:
            cues[i] = cues[parent] * relations[i]
