"""The brief: what the article says and what the commenters argue, ready to render.

Everything here is extracted: the summary is article sentences, each quote is a sentence of the
comment it is attributed to. Renderers (terminal, JSON, Discord embeds) read only this model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.thread import presence

SCHEMA_VERSION = 1
"""Version of the JSON form of a brief; bumped on any incompatible change (README, "JSON")."""


@dataclass(frozen=True, slots=True)
class Quote:
    """A real sentence from one comment, with who wrote it and where to read it."""

    text: str
    comment_id: str
    author: str | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Viewpoint:
    """A point that several commenters make, stated in a real sentence of one of them."""

    label: str
    """A few key terms of the group ("civilians, humanitarian, aleppo"): a hint beside the
    headline, not the point itself."""
    comment_ids: tuple[str, ...]
    authors: int
    """Distinct named authors in the group (0 where the source is anonymous)."""
    share: float
    """Fraction of the thread's discussion comments in this group, 0..1."""
    quotes: tuple[Quote, ...]
    """The key sentence that states the point first, then further sentences of other members."""
    language: str | None = None
    """Set when the group is comments in a language other than the thread's main one."""
    score: int | None = None
    """Sum of the group's comment scores, where the source has scores."""
    side: str | None = None
    """"for" or "against" the article's claim where its members clearly take that side."""

    @property
    def size(self) -> int:
        return len(self.comment_ids)

    @property
    def headline(self) -> Quote | None:
        """The member's sentence that states the point."""
        return self.quotes[0] if self.quotes else None


@dataclass(frozen=True, slots=True)
class Counts:
    comments: int
    """Comments present in the source (replies included, pingbacks included)."""
    declared: int | None
    """The count the source announces ("6 Responses"), where it does."""
    missing: int
    authors: int
    languages: tuple[tuple[str, int], ...]
    """(ISO code, number of comments), most frequent first."""
    links: int = 0
    """Pingbacks and trackbacks: links from other sites, not opinions."""
    most_active: tuple[tuple[str, int], ...] = ()
    """The authors of the most comments, with their counts, most first (at most five)."""

    def presence(self) -> str:
        """ "5 of 6 responses present" when the source declared more than it holds."""
        return presence(self.comments, self.declared)


@dataclass(frozen=True, slots=True)
class Brief:
    source: str
    title: str | None
    author: str | None
    site: str | None
    url: str | None
    published: datetime | None
    language: str
    summary: tuple[str, ...]
    """Article sentences, in article order; empty for a discussion with no article."""
    viewpoints: tuple[Viewpoint, ...]
    """Heaviest first (size, then score)."""
    unclassified: tuple[str, ...]
    """Ids of comments too short or too isolated to place in a group ("+1", "thanks")."""
    counts: Counts
    closed: bool | None
    algorithm: str
    notes: tuple[str, ...] = ()
    timeline: tuple[Quote, ...] = ()
    """For discussions without an article: one key sentence per message, in order."""

    def sides(self) -> Sides:
        """How many grouped comments take each side of the article's claim."""
        return Sides(
            sum(v.size for v in self.viewpoints if v.side == "for"),
            sum(v.size for v in self.viewpoints if v.side == "against"),
        )


CONSENSUS = 0.75
"""Share of the comments with a side that makes that side the thread's consensus."""


@dataclass(frozen=True, slots=True)
class Sides:
    for_: int
    against: int

    @property
    def both(self) -> bool:
        return bool(self.for_ and self.against)

    def line(self) -> str | None:
        """ "Two sides: 40 comments for the claim, 12 against." or the consensus, or None."""
        decided = self.for_ + self.against
        if decided < 2:
            return None
        for name, n in (("for", self.for_), ("against", self.against)):
            if n >= CONSENSUS * decided and n >= 3:
                return f"Most who take a side are {name} the claim ({n} of {decided} comments)."
        if self.both:
            return f"Two sides: {self.for_} comments for the claim, {self.against} against."
        return None


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """A feed item as a digest shows it: its brief cut down to a few lines."""

    keys: tuple[str, ...]
    title: str
    link: str | None
    published: datetime | None
    summary: tuple[str, ...]
    comments: int
    viewpoints: tuple[Viewpoint, ...]
