"""Embedding cache keyed by (model id, normalisation version, text hash), so nothing is embedded twice.

SQLite (standard library) because its transactions survive a killed process: a crash loses at
most the batch being written, never the file.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

Compute = Callable[[Sequence[str]], tuple[np.ndarray, np.ndarray]]


class EmbeddingCache:
    """Stores, per text, one float32 vector and one float (a token count or 1)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, count REAL, vector BLOB)")

    def __reduce__(self):
        # sent to cluster workers (align/cluster.py) as its path: each process opens its own connection
        return (EmbeddingCache, (self.path,))

    @staticmethod
    def _key(model_id: str, text: str) -> bytes:
        return hashlib.sha256(f"{model_id}\0{text}".encode()).digest()

    def get_or_compute(self, model_id: str, texts: Sequence[str], compute: Compute) -> tuple[np.ndarray, np.ndarray]:
        keys = [self._key(model_id, t) for t in texts]
        found: dict[bytes, tuple[float, bytes]] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            batch = unique[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, count, vector FROM vectors WHERE key IN ({','.join('?' * len(batch))})", batch)
            found.update({key: (count, vector) for key, count, vector in rows})
        missing = {key: text for key, text in zip(keys, texts) if key not in found}
        if missing:
            vectors, counts = compute(list(missing.values()))
            rows = [(key, float(c), v.astype(np.float32).tobytes()) for key, c, v in zip(missing, counts, vectors)]
            with self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            found.update({key: (count, vector) for key, count, vector in rows})
        vectors = np.stack([np.frombuffer(found[k][1], dtype=np.float32) for k in keys]) if keys else np.zeros((0, 0))
        counts = np.array([found[k][0] for k in keys], dtype=np.float32)
        return vectors, counts

    def close(self) -> None:
        self._db.close()
