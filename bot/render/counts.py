"""The one-line facts of a brief ("5 of 6 responses present · 3 authors · English 4, French 1"),
shared by every renderer."""

from __future__ import annotations

from bot.brief import Brief
from bot.text.language import language_label


def counts_line(brief: Brief) -> str:
    """Comments present (of declared), missing, authors, languages, links, closed."""
    c = brief.counts
    parts = [c.presence()]
    if c.missing:
        parts.append(f"{c.missing} missing or deleted")
    if c.authors:
        parts.append(f"{c.authors} author{'s' if c.authors != 1 else ''}")
    if c.languages:
        parts.append(", ".join(f"{language_label(code)} {n}" for code, n in c.languages[:5]))
    if c.links:
        parts.append(f"{c.links} link{'s' if c.links != 1 else ''} from other sites")
    if brief.closed:
        parts.append("comments closed")
    return " · ".join(parts)
