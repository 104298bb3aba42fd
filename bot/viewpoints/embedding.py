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
_GATHER = 1 << 15
"""Token rows gathered at a time while pooling: 32 MB of float32 at most."""


@dataclass(frozen=True)
class TokenTable:
    """Token ids for texts, and the table their vectors are averaged from."""

    tokenizer: object
    table: np.ndarray

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text: the mean of its token vectors (zeros for a text without tokens)."""
        return self.embed_counted(texts)[0]

    def embed_words(
        self, texts: Sequence[Sequence[str]], ids: dict[str, list[int]] | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Mean token vectors of texts given as words, and each text's number of tokens.

        The tokenizer splits at spaces first, so a text's tokens are its words' tokens in turn:
        each distinct word is tokenised once, however often the thread uses it (`ids` keeps the
        words already seen, for a caller that embeds in several passes).
        """
        ids = {} if ids is None else ids
        distinct = list({w: None for text in texts for w in text if w not in ids})
        if distinct:
            encoded = self.tokenizer.encode_batch(distinct, add_special_tokens=False)  # type: ignore[attr-defined]
            vocabulary = self.table.shape[0]
            for word, encoding in zip(distinct, encoded, strict=True):
                ids[word] = [t for t in encoding.ids if 0 <= t < vocabulary]
        rows: list[int] = []
        cols: list[int] = []
        for i, text in enumerate(texts):
            for word in text:
                tokens = ids[word]
                rows.extend([i] * len(tokens))
                cols.extend(tokens)
        return self._pool(rows, cols, len(texts))

    def _pool(self, rows: list[int], cols: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
        """Mean rows per text; `rows` (each token's text) never decreases."""
        owner = np.asarray(rows, dtype=np.int64)
        tokens = np.asarray(cols, dtype=np.int64)
        lengths = np.bincount(owner, minlength=n).astype(np.float64)
        sums = np.zeros((n, self.table.shape[1]), dtype=np.float32)
        for start in range(0, len(tokens), _GATHER):
            texts = owner[start : start + _GATHER]
            vectors = np.asarray(self.table[tokens[start : start + _GATHER]], dtype=np.float32)
            starts = np.flatnonzero(np.diff(texts, prepend=-1))
            sums[texts[starts]] += np.add.reduceat(vectors, starts, axis=0)
        sums /= np.maximum(lengths, 1.0).astype(np.float32)[:, None]
        return sums, lengths

    def embed_counted(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Mean token vectors and the number of tokens of each text, so means can be pooled."""
        if not texts:
            return np.zeros((0, self.table.shape[1]), dtype=np.float32), np.zeros(0)
        encodings = self.tokenizer.encode_batch(texts, add_special_tokens=False)  # type: ignore[attr-defined]
        rows: list[int] = []
        cols: list[int] = []
        vocabulary = self.table.shape[0]
        for i, encoding in enumerate(encodings):
            ids = [t for t in encoding.ids if 0 <= t < vocabulary]
            rows.extend([i] * len(ids))
            cols.extend(ids)
        return self._pool(rows, cols, len(texts))


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
