"""Static sentence vectors from the token table that ships inside the WordLlama wheel.

WordLlama (MIT) packs a 256-dimension token table distilled from a large language model, and its
tokenizer, into its wheel: nothing is downloaded. A text's vector is the mean of its tokens' rows,
which is all WordLlama's own `embed` does. The two files are read directly because importing the
package pulls in pydantic and requests and configures the root logger.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import scipy.sparse as sp

_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"


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
        counts = sp.csr_matrix(
            (np.ones(len(cols), dtype=np.float32), (rows, cols)), shape=(n, self.table.shape[0])
        )
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        mean = sp.diags((1.0 / np.maximum(lengths, 1.0)).astype(np.float32)) @ counts
        return np.asarray(mean @ self.table, dtype=np.float32), lengths

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


@cache
def token_table() -> TokenTable | None:
    """The shipped table, loaded once per process; None where the wheel is not installed.

    Cached because it is 16 MB of read-only data every brief in the process shares.
    """
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations)))
    try:
        from safetensors.numpy import load_file  # measured: 0.02 s, only when vectors are used
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(root / _TOKENIZER))
        tensors = load_file(str(root / _WEIGHTS))
    except (ImportError, OSError, ValueError):
        return None
    tokenizer.no_padding()
    tokenizer.no_truncation()
    table = np.ascontiguousarray(next(iter(tensors.values())), dtype=np.float32)
    return TokenTable(tokenizer, table)
