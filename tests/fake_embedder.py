"""A deterministic stand-in for the Embedder protocol: hashed character bigrams, no model, no cache.

Fast enough for thousands of property-test examples; similar texts get similar vectors, so the
aligner's choices are not random. Not for measuring alignment quality.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

DIMENSIONS = 32


class BigramEmbedder:
    model_id = "fake-bigrams"

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, 32) float32, rows L2-normalised (an empty text gets a fixed unit vector)."""
        vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            padded = f"^{text}$"
            for i in range(len(padded) - 1):
                bigram = padded[i : i + 2].encode("utf-8", "surrogatepass")
                vectors[row, zlib.crc32(bigram) % DIMENSIONS] += 1.0
        vectors[:, 0] += 1e-3
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    def encode_spans(self, texts: Sequence[str], max_span: int, joiner: str) -> np.ndarray:
        """(max_span, n, 32): row [k, i] embeds texts[i..i+k] joined; rows past the end are zero."""
        spans = np.zeros((max_span, len(texts), DIMENSIONS), dtype=np.float32)
        for k in range(max_span):
            joined = [joiner.join(texts[i : i + k + 1]) for i in range(len(texts) - k)]
            if joined:
                spans[k, : len(joined)] = self.encode(joined)
        return spans
