"""From a parsed thread to a brief: languages, article summary, viewpoints.

This is pure CPU work with no I/O, so the bot can run it in a worker process and the CLI inline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.brief import Brief, Counts
from bot.errors import BadInput
from bot.summarize import (
    DEFAULT_ALGORITHM,
    MAX_SENTENCES,
    Count,
    check_algorithm,
    check_count,
    summarize_article_noted,
)
from bot.text.language import UNDETERMINED, detect_language, language_name, main_language
from bot.text.links import is_link_only
from bot.text.words import stop_words
from bot.thread import CommentKind, Thread
from bot.timeline import key_sentences
from bot.viewpoints import budget as viewpoint_budget
from bot.viewpoints import find_viewpoints


@dataclass(frozen=True, slots=True)
class BriefOptions:
    algorithm: str = DEFAULT_ALGORITHM
    sentences: Count = 3
    viewpoints: int = 5
    quotes: int = 2
    words: int = 75
    """Words of who-said-what that a discussion without an article gets at least."""
    max_sentences: int = MAX_SENTENCES
    """Article sentences ranked together at most; a longer article is ranked in parts."""
    viewpoint_chars: int = viewpoint_budget.MAX_CHARS
    """Characters of comments viewpoints read at most; past it the longest comments are cut."""

    def checked(self) -> BriefOptions:
        """The same options, validated: raises BadInput with a message naming the bad one."""
        if not 1 <= self.viewpoints <= 25:
            raise BadInput(f"Viewpoints must be between 1 and 25, not {self.viewpoints}.")
        if not 10 <= self.words <= 2000:
            raise BadInput(f"The word budget must be between 10 and 2000, not {self.words}.")
        if not 100 <= self.max_sentences <= 100_000:
            raise BadInput(
                f"Sentences ranked together must be between 100 and 100000, "
                f"not {self.max_sentences}."
            )
        if not 10_000 <= self.viewpoint_chars <= 1_000_000_000:
            raise BadInput(
                f"Characters read for viewpoints must be between 10000 and 1000000000, "
                f"not {self.viewpoint_chars}."
            )
        if not 1 <= self.quotes <= 5:
            raise BadInput(f"Quotes per viewpoint must be between 1 and 5, not {self.quotes}.")
        return replace(
            self, algorithm=check_algorithm(self.algorithm), sentences=check_count(self.sentences)
        )


def annotate_languages(thread: Thread) -> Thread:
    """Set the language of the article and of each comment that the source left unset.

    A comment too short to tell ("+1", "I agree.") takes the thread's main language. A thread
    already annotated comes back as it is, without copying each comment again.
    """
    article = thread.article
    if (article is None or article.language not in (None, UNDETERMINED)) and all(
        c.language not in (None, UNDETERMINED) for c in thread.comments
    ):
        return thread
    if article is not None and article.language is None:
        article = replace(article, language=detect_language(article.text))
    detected = [c.language or detect_language(c.own_text()) for c in thread.comments]
    known = [lang for lang in detected if lang != UNDETERMINED]
    if article is not None and article.language not in (None, UNDETERMINED):
        main = article.language or "en"
    else:
        main = main_language(known)
    if article is not None and article.language == UNDETERMINED:
        article = replace(article, language=main)
    comments = tuple(
        c
        if c.language
        == (final := main if lang == UNDETERMINED and not is_link_only(c.text) else lang)
        else replace(c, language=final)
        for c, lang in zip(thread.comments, detected, strict=True)
    )
    return replace(thread, article=article, comments=comments)


def thread_language(thread: Thread) -> str:
    if thread.article is not None and thread.article.language and thread.article.paragraphs:
        return thread.article.language
    return main_language(c.language or UNDETERMINED for c in thread.comments)


def _at_least(count: Count) -> int:
    return count if isinstance(count, int) else 0


def _silent(_: str) -> None:
    return None


def make_brief(
    thread: Thread,
    options: BriefOptions | None = None,
    progress: Callable[[str], None] = _silent,
) -> Brief:
    """The brief of a thread; `progress` hears each step's name, for a terminal to show."""
    options = (options or BriefOptions()).checked()
    thread = annotate_languages(thread)
    language = thread_language(thread)
    article = thread.article
    algorithm, notes = options.algorithm, thread.notes
    article_language = (article.language if article else None) or "en"
    if algorithm == "edmundson" and article is not None and not stop_words(article_language):
        # Edmundson rates words against a stop-word list, which sumy has not for every language.
        algorithm = DEFAULT_ALGORITHM
        notes = (
            *notes,
            f"Edmundson needs stop words, which ThreadBrief has not for "
            f"{language_name(article_language).title()}: the article was summarized with LexRank.",
        )
    summary: tuple[str, ...] = ()
    if article is not None and article.paragraphs:
        progress("Summarizing the article")
        ranked = summarize_article_noted(
            article,
            algorithm=algorithm,
            count=options.sentences,
            max_sentences=options.max_sentences,
        )
        summary = ranked.sentences
        if (note := ranked.note()) is not None:
            notes = (*notes, note)
    progress(f"Grouping {thread.present_count:,} comments into viewpoints")
    discussion, bounded_note = viewpoint_budget.bounded(thread, options.viewpoint_chars)
    found = find_viewpoints(discussion, main_language=language, quotes=options.quotes)
    notes = notes if bounded_note is None else (*notes, bounded_note)
    languages = Counter(c.language or UNDETERMINED for c in thread.discussion())
    counts = Counts(
        comments=thread.present_count,
        declared=thread.declared_count,
        missing=thread.missing,
        authors=len(thread.authors()),
        languages=tuple(languages.most_common()),
        links=sum(1 for c in thread.comments if c.kind is not CommentKind.COMMENT),
        most_active=tuple(
            Counter(c.author for c in thread.discussion() if c.author).most_common(5)
        ),
    )
    return Brief(
        source=thread.source,
        # A discussion without an article is known by its subject (a mail's, a Discord thread's).
        title=article.title if article else thread.extra.get("subject"),
        author=article.author if article else None,
        site=article.site if article else None,
        url=(article.url if article else None) or thread.url,
        published=article.published if article else None,
        language=language,
        summary=summary,
        viewpoints=found.viewpoints,
        unclassified=found.unclassified,
        counts=counts,
        closed=thread.closed,
        algorithm=algorithm,
        notes=notes,
        timeline=key_sentences(
            thread, language, longest=max(8, _at_least(options.sentences)), words=options.words
        )
        if not summary
        else (),
    )
