"""Static sentence vectors from the token table that ships inside the WordLlama wheel.

WordLlama (MIT) packs a 256-dimension token table distilled from a large language model, and its
tokenizer, into its wheel: nothing is downloaded. A text's vector is the mean of its tokens' rows,
which is all WordLlama's own `embed` does. The two files are read directly because importing the
package pulls in pydantic and requests and configures the root logger. The table is mapped from
its file, not read: a brief converts only the rows of the tokens its thread uses.
"""

from __future__ import annotations

import importlib.util
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_DTYPES = {"F16": np.float16, "F32": np.float32}
SPARSE_POOL = 20_000
"""Words in a call from which texts are pooled by a sparse product rather than by gathering."""
_GATHER = 1 << 15
"""Token rows gathered at a time while pooling: 32 MB of float32 at most."""


class WordRows:
    """Each distinct word's token count and sum of token rows, worked out once per thread.

    A text's mean vector is then the sum of its words' sums over the sum of their counts, so
    the thread's words are tokenised and looked up in the table once, however often they recur.
    """

    def __init__(self, dim: int) -> None:
        self.index: dict[str, int] = {}
        self.sums = np.zeros((0, dim), dtype=np.float32)
        self.counts = np.zeros(0, dtype=np.float64)


@dataclass(frozen=True)
class TokenTable:
    """Token ids for texts, and the table their vectors are averaged from."""

    tokenizer: object
    table: np.ndarray

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text: the mean of its token vectors (zeros for a text without tokens)."""
        return self.embed_counted(texts)[0]

    def words(self) -> WordRows:
        return WordRows(self.table.shape[1])

    def _learn(self, words: list[str], rows: WordRows) -> None:
        """Tokenise words not seen before (the tokenizer splits at spaces first, so a text's
        tokens are its words' tokens in turn) and sum each one's token rows."""
        encoded = self.tokenizer.encode_batch(words, add_special_tokens=False)  # type: ignore[attr-defined]
        vocabulary = self.table.shape[0]
        ids = [[t for t in e.ids if 0 <= t < vocabulary] for e in encoded]
        counts = np.asarray([len(i) for i in ids], dtype=np.int64)
        tokens = np.asarray([t for i in ids for t in i], dtype=np.int64)
        sums = self._sums(tokens, np.repeat(np.arange(len(words)), counts), len(words))
        start = len(rows.index)
        rows.index.update((w, start + k) for k, w in enumerate(words))
        rows.sums = np.vstack([rows.sums, sums])
        rows.counts = np.concatenate([rows.counts, counts.astype(np.float64)])

    def _sums(
        self, picks: np.ndarray, owner: np.ndarray, n: int, source: np.ndarray | None = None
    ) -> np.ndarray:
        """Sum of the rows `picks` of `source` (the table by default) for each owner 0..n-1;
        `owner` never decreases."""
        source = self.table if source is None else source
        sums = np.zeros((n, source.shape[1]), dtype=np.float32)
        for start in range(0, len(picks), _GATHER):
            owners = owner[start : start + _GATHER]
            vectors = np.asarray(source[picks[start : start + _GATHER]], dtype=np.float32)
            starts = np.flatnonzero(np.diff(owners, prepend=-1))
            sums[owners[starts]] += np.add.reduceat(vectors, starts, axis=0)
        return sums

    def embed_words(
        self, texts: Sequence[Sequence[str]], rows: WordRows | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean token vectors of texts given as words, and each text's number of tokens.

        `rows` keeps the words already seen, for a caller that embeds in several passes.
        """
        rows = self.words() if rows is None else rows
        index = rows.index
        new = list({w: None for text in texts for w in text if w not in index})
        if new:
            self._learn(new, rows)
        sizes = [len(text) for text in texts]
        picks = np.fromiter((index[w] for text in texts for w in text), np.int64, sum(sizes))
        owner = np.repeat(np.arange(len(texts)), sizes)
        lengths = np.bincount(owner, weights=rows.counts[picks], minlength=len(texts))
        if len(picks) > SPARSE_POOL:
            # start-up: scipy costs 0.25 s; only large inputs need it
            import scipy.sparse as sp

            # A sparse product sums the rows in place; gathering them first would copy each.
            pick = sp.csr_matrix(
                (np.ones(len(picks), dtype=np.float32), (owner, picks)),
                shape=(len(texts), len(index)),
            )
            sums = np.asarray(pick @ rows.sums, dtype=np.float32)
        else:
            sums = self._sums(picks, owner, len(texts), rows.sums)
        sums /= np.maximum(lengths, 1.0).astype(np.float32)[:, None]
        return sums, lengths

    def embed_counted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Mean token vectors and the number of tokens of each text, so means can be pooled."""
        if not texts:
            return np.zeros((0, self.table.shape[1]), dtype=np.float32), np.zeros(0)
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)  # type: ignore[attr-defined]
        vocabulary = self.table.shape[0]
        ids = [[t for t in e.ids if 0 <= t < vocabulary] for e in encodings]
        lengths = np.asarray([len(i) for i in ids], dtype=np.int64)
        tokens = np.asarray([t for i in ids for t in i], dtype=np.int64)
        sums = self._sums(tokens, np.repeat(np.arange(len(texts)), lengths), len(texts))
        sums /= np.maximum(lengths, 1).astype(np.float32)[:, None]
        return sums, lengths.astype(np.float64)


def _mapped_table(path: Path) -> np.ndarray:
    """The file's one tensor, mapped read-only (safetensors: a length, a JSON header, the data)."""
    with path.open("rb") as file:
        (size,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(size))
    tensors = [v for k, v in header.items() if k != "__metadata__"]
    if len(tensors) != 1 or tensors[0].get("dtype") not in _DTYPES:
        raise ValueError(f"{path.name}: not one tensor of a known type")
    tensor = tensors[0]
    begin, end = tensor["data_offsets"]
    dtype = np.dtype(_DTYPES[tensor["dtype"]]).newbyteorder("<")
    rows, dim = tensor["shape"]
    if end - begin != rows * dim * dtype.itemsize:
        raise ValueError(f"{path.name}: tensor size does not match its shape")
    return np.memmap(path, dtype=dtype, mode="r", offset=8 + size + begin, shape=(rows, dim))


@cache
def token_table() -> TokenTable | None:
    """The shipped table, mapped once per process; None where the wheel is not installed.

    Cached because it is 16 MB of read-only data every brief in the process shares.
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        # start-up: tokenizers costs 0.02 s; only the vectors need it (missing: no vectors)
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
        table = _mapped_table(root / _WEIGHTS)
    except (ImportError, OSError, ValueError, KeyError, TypeError, struct.error):
        return None
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return TokenTable(tokenizer, table)
