"""Who said what, in order: a key sentence from each message of a discussion.

Discussions with no article (mailing lists, forum threads, chat) are summarised by people the way
they unfold: "Blake asks whether..., John replies that...". This step picks, for each message, the
sentence a reader would quote: early in its message, where writers put their point, or a question
close to the start; among sentences as early, the one most central to the thread (LexRank over
every candidate sentence). Greetings, thanks, lead-ins ending in ":", links and code are never
picked, nor quotations of others or signatures.

Measured on the ConvoSumm email threads (README, "Quality"), under a 75-word budget: ROUGE-1 31.9
and ROUGE-2 8.6, against 27.7 and 7.0 for the best baseline (Lead) and 26.2 and 5.6 for sumy.
"""

from __future__ import annotations

import re

from bot.brief import Quote
from bot.ranking import lexrank_scores
from bot.text.sentences import split_sentences
from bot.text.words import stemmer, stop_words, tokenize_words
from bot.thread import Comment, Thread

MAX_MESSAGES = 12
"""Longer discussions get only their `longest` best lines: a 60-line timeline helps nobody."""
MAX_RANKED = 3000
"""Beyond this many messages the viewpoints alone carry the brief."""
MIN_WORDS, MAX_WORDS = 5, 60
POSITION_PENALTY = 0.2
"""How much each earlier sentence of a message is preferred: writers put their point first."""
QUESTION_BONUS = 0.3
"""A question close to the start of a message is what its writer asks: worth a line."""
CENTRALITY_WEIGHT = 0.01
"""Centrality only breaks ties between sentences at the same place in their messages. On the
ConvoSumm threads (ROUGE-1/2): centrality alone 30.9/7.5; at full weight beside position 31.7/8.4;
as the tie-break, with the question bonus, 31.6/8.5."""

_SMALL_TALK = re.compile(
    r"^(?:hi|hello|hey|dear|thanks|thank you|many thanks|regards|cheers|best|ok|okay|yes|no)\b",
    re.IGNORECASE,
)
_NOT_PROSE = re.compile(r"https?://|www\.|[{}<>=;]")


_THANKS = re.compile(r"^(?:hi|hello|hey|dear|thanks|thank you|many thanks|cheers|\+1)\b", re.I)


def _answers_a_question(comment: Comment, earlier: list[Comment]) -> bool:
    """The comment replies to a message that asks something (its parent, or the one before)."""
    asked = next((c for c in earlier if c.id == comment.parent_id), None)
    if asked is None and comment.parent_id is None and earlier:
        asked = earlier[-1]
    return asked is not None and "?" in asked.own_text()


def _candidate(sentence: str) -> bool:
    words = len(sentence.split())
    return (
        MIN_WORDS <= words <= MAX_WORDS
        and not _SMALL_TALK.match(sentence)
        and not sentence.rstrip().endswith(":")
        and not _NOT_PROSE.search(sentence)
    )


def _answers(
    kept: list[int],
    candidates: list[tuple[int, int, str]],
    comments: list[Comment],
    best: dict[int, int],
) -> set[int]:
    """The line of the first reply to each question kept, so a question never stands alone."""
    first_reply: dict[str, int] = {}
    for index, comment in enumerate(comments):
        if comment.parent_id is not None and index in best:
            first_reply.setdefault(comment.parent_id, index)
    answers = set()
    for k in kept:
        index, _, sentence = candidates[k]
        reply = first_reply.get(comments[index].id)
        if sentence.rstrip().endswith("?") and reply is not None:
            answers.add(best[reply])
    return answers


def key_sentences(
    thread: Thread, main_language: str, *, longest: int = 8, words: int = 75
) -> tuple[Quote, ...]:
    """One quote per message that has a quotable sentence, in thread order.

    When those fall short of `words`, the next best sentences that still fit are added (a short
    thread deserves more than one line per message). Past MAX_MESSAGES messages, only the
    `longest` best lines are kept, with the first answer to each question among them.
    """
    comments = list(thread.discussion())
    if not comments or len(comments) > MAX_RANKED:
        return ()
    candidates: list[tuple[int, int, str]] = []
    tokens: list[list[str]] = []
    for index, comment in enumerate(comments):
        language = comment.language or main_language
        stem, stops = stemmer(language), stop_words(language)
        every = [
            s
            for paragraph in comment.own_text().split("\n\n")
            for s in split_sentences(paragraph, language)
        ]
        sentences = [s for s in every if _candidate(s)]
        if not sentences:
            # A message written without full stops is one long "sentence": still its point.
            sentences = [
                s for s in every if len(s.split()) >= MIN_WORDS and not _NOT_PROSE.search(s)
            ][:1]
        if not sentences and every and _answers_a_question(comment, comments[:index]):
            # "Yes." to a question is the answer the thread turns on, however short.
            first = every[0]
            if len(first.split()) <= MAX_WORDS and not _THANKS.match(first):
                sentences = [first]
        for position, sentence in enumerate(sentences):
            candidates.append((index, position, sentence))
            tokens.append(
                [stem(w.lower()) for w in tokenize_words(sentence) if w.lower() not in stops]
            )
    if not candidates:
        return ()
    centrality = lexrank_scores(tokens)
    values = [
        CENTRALITY_WEIGHT * float(score)
        - POSITION_PENALTY * position
        + QUESTION_BONUS * sentence.rstrip().endswith("?")
        for (_, position, sentence), score in zip(candidates, centrality, strict=True)
    ]
    best: dict[int, int] = {}
    for k, (index, _, _) in enumerate(candidates):
        if index not in best or values[k] > values[best[index]]:
            best[index] = k
    chosen = set(best.values())
    if len(comments) > MAX_MESSAGES:
        kept = sorted(chosen, key=lambda k: values[k], reverse=True)[:longest]
        chosen = set(kept) | _answers(kept, candidates, comments, best)
    else:
        # Each message's line costs its words and about two for its author's name.
        used = sum(len(candidates[k][2].split()) + 2 for k in chosen)
        for k in sorted(range(len(candidates)), key=lambda k: values[k], reverse=True):
            if used >= words:
                break
            size = len(candidates[k][2].split())
            if k not in chosen and used + size <= words:
                chosen.add(k)
                used += size
    return tuple(
        Quote(
            text=candidates[k][2],
            comment_id=comments[candidates[k][0]].id,
            author=comments[candidates[k][0]].author,
            url=comments[candidates[k][0]].url,
        )
        for k in sorted(chosen)
    )
