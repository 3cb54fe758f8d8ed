"""Comparing the outputs of two builds: byte for byte, but the search index's vectors to float rounding."""

from __future__ import annotations


def same_vectors(built: bytes, reference: bytes) -> bool:
    """Two FAISS index files hold the same ids and vectors, to float32 rounding (1e-6).

    The bundled model embeds in micro-batches of neighbouring texts, and a text shared by two
    documents is cached by whichever document embeds it first, so on parallel workers a handful of
    search-index vectors differ in the last bits (measured: 10 of 2,285, by 2e-7). Alignment, TMX,
    TSV and every stage file are compared byte for byte.
    """
    import faiss
    import numpy as np

    def load(data: bytes):
        index = faiss.deserialize_index(np.frombuffer(data, dtype="uint8"))
        inner = faiss.downcast_index(index.index)
        return faiss.vector_to_array(index.id_map), inner.reconstruct_n(0, inner.ntotal)

    (ids_a, vectors_a), (ids_b, vectors_b) = load(built), load(reference)
    return np.array_equal(ids_a, ids_b) and vectors_a.shape == vectors_b.shape and \
        bool(np.allclose(vectors_a, vectors_b, rtol=0, atol=1e-6))


def differences(built: dict[str, bytes], reference: dict[str, bytes]) -> list[str]:
    """Output files that differ between two builds (the search index's vectors to float rounding)."""
    return [name for name in built if built[name] != reference.get(name)
            and not (name.endswith(".faiss") and name in reference and same_vectors(built[name], reference[name]))]
