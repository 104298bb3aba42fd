"""The document model the rankers read: sumy's interface, without sumy's import cost.

sumy's `ObjectDocumentModel`, `Paragraph` and `Sentence` live in `sumy.models.dom`, whose package
imports `requests` (and with it charset detection), a third of the CLI's start-up for classes
that hold three tuples. These have the same attributes (`paragraphs`, `sentences`, `headings`,
`words`, `is_heading`, `str()`), so the rankers take either, and the parity tests still run sumy's
own classes through sumy's summarizers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import chain
from typing import Protocol


class Tokenizer(Protocol):
    def to_words(self, sentence: str) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    words: tuple[str, ...]
    is_heading: bool = False

    @classmethod
    def of(cls, text: str, tokenizer: Tokenizer, *, is_heading: bool = False) -> Sentence:
        """A sentence tokenised once, as sumy's `Sentence(text, tokenizer)` does on first use."""
        stripped = text.strip()
        return cls(stripped, tuple(tokenizer.to_words(stripped)), is_heading)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class Paragraph:
    items: tuple[Sentence, ...]
    sentences: tuple[Sentence, ...] = field(init=False, repr=False)
    headings: tuple[Sentence, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "sentences", tuple(s for s in self.items if not s.is_heading))
        object.__setattr__(self, "headings", tuple(s for s in self.items if s.is_heading))

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(chain.from_iterable(s.words for s in self.items))


@dataclass(frozen=True, slots=True)
class Document:
    paragraphs: tuple[Paragraph, ...]

    @property
    def sentences(self) -> tuple[Sentence, ...]:
        return tuple(chain.from_iterable(p.sentences for p in self.paragraphs))

    @property
    def headings(self) -> tuple[Sentence, ...]:
        return tuple(chain.from_iterable(p.headings for p in self.paragraphs))

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(chain.from_iterable(p.words for p in self.paragraphs))
