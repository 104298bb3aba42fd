"""A bound on the text viewpoints read, so a huge thread costs what a large one does.

Viewpoints tokenise, embed and compare every sentence of every comment: their time grows with the
thread's text. Past `MAX_CHARS` of comments, each of the longest comments is read only to its
first sentences, the same length for all of them (the shorter ones stay whole), so every comment
still takes part and most comments keep all their words. A comment states its point early, which
is also where the key-point method looks for it. The brief says when this was done.
"""

from __future__ import annotations

from dataclasses import replace

from bot.text.links import is_link_only
from bot.thread import Comment, CommentKind, Thread

MAX_CHARS = 1_500_000
"""Characters of comments' own words viewpoints read at most: 6,000 comments of a paragraph
each, or 1,500 long ones; an 8 MB upload is then briefed in under 10 s of CPU."""
LEAST = 200
"""Characters of a comment always read, however many comments share the budget."""


def _share(lengths: list[int], most: int) -> int | None:
    """The length every comment is cut to so the total is at most `most` (shorter ones whole):
    None when the comments fit as they are."""
    spent = 0
    ordered = sorted(lengths)
    for i, length in enumerate(ordered):
        left = len(ordered) - i
        if spent + length * left > most:
            return max(LEAST, (most - spent) // left)
        spent += length
    return None


def _cut(text: str, length: int) -> str:
    """`text` to at most `length` characters, at the end of a sentence or a word if one is in
    the second half."""
    head = text[: length + 1]
    end = max(head.rfind(mark) for mark in (". ", "! ", "? ", "\n"))
    if end >= length // 2:
        return head[: end + 1].rstrip()
    space = head.rfind(" ")
    return head[:space] if space >= length // 2 else text[:length]


def bounded(thread: Thread, most: int = MAX_CHARS) -> tuple[Thread, str | None]:
    """The thread with its longest comments cut to share `most` characters, and the note that
    says so (None, and the thread as it is, when the comments fit)."""
    if sum(len(c.text) for c in thread.comments) <= most:
        return thread, None
    texts = [c.own_text() if c.kind is CommentKind.COMMENT else "" for c in thread.comments]
    share = _share([len(t) for t in texts], most)
    if share is None:
        return thread, None
    comments: list[Comment] = []
    cut = 0
    for comment, text in zip(thread.comments, texts, strict=True):
        if len(text) > share:
            shorter = _cut(text, share)
            if shorter.strip() and not is_link_only(shorter):
                comment = replace(comment, text=shorter, spans=())
                cut += 1
        comments.append(comment)
    if not cut:  # every comment is already as short as a comment is ever cut
        return thread, None
    total = sum(len(t) for t in texts)
    note = (
        f"The comments hold {total:,} characters, more than the {most:,} viewpoints read: "
        f"the {cut:,} longest were read to their first {share:,} characters."
    )
    return replace(thread, comments=tuple(comments)), note
