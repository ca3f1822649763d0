"""Propose pairs of documents that may share text; verification comes later.

Two complementary generators:

* **Jaccard LSH** over MinHash signatures (banding): near-duplicates,
  whatever the document frequency of their shingles.
* **Shared fingerprints** for small-in-large reuse: a fixed 1-in-``sample``
  subset of each document's shingle hashes (chosen by hash value, so the same
  shingle is sampled in every document) goes into an inverted index; two
  documents sharing at least ``min_shared`` fingerprints are proposed. This
  estimates the *intersection*, so a 300-word excerpt inside a 3,000-word page
  is found although their Jaccard is tiny.

Shingles present in more than ``max_df`` documents (share buttons, sign-offs,
"Advertisement" lines) are boilerplate: they never create a candidate.

>>> import numpy as np
>>> sets = [np.arange(0, 400, dtype=np.uint64), np.arange(0, 100, dtype=np.uint64),
...         np.arange(1000, 1100, dtype=np.uint64)]
>>> fingerprint_pairs(sets, sample=4, min_shared=2, max_df=10)
[(0, 1)]
"""

from __future__ import annotations

import numpy as np


def document_frequency_filter(hash_sets: list[np.ndarray], max_df: int) -> np.ndarray:
    """The sorted shingle hashes that occur in more than ``max_df`` documents."""
    if not hash_sets:
        return np.zeros(0, dtype=np.uint64)
    values, counts = np.unique(np.concatenate(hash_sets), return_counts=True)
    return values[counts > max_df]


def fingerprint_pairs(
    hash_sets: list[np.ndarray],
    *,
    sample: int = 4,
    min_shared: int = 2,
    max_df: int = 50,
    boilerplate: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, sharing ≥ ``min_shared`` sampled non-boilerplate shingles."""
    fps: list[np.ndarray] = []
    owners: list[np.ndarray] = []
    for index, hashes in enumerate(hash_sets):
        picked = hashes[hashes % np.uint64(sample) == 0]
        if boilerplate is not None and len(boilerplate):
            picked = picked[~np.isin(picked, boilerplate, assume_unique=True)]
        fps.append(picked)
        owners.append(np.full(len(picked), index, dtype=np.int64))
    if not fps:
        return []
    fp = np.concatenate(fps)
    owner = np.concatenate(owners)
    order = np.argsort(fp, kind="stable")
    fp, owner = fp[order], owner[order]
    bounds = np.flatnonzero(np.diff(fp)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(fp)]))
    n = len(hash_sets)
    keys: list[np.ndarray] = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        size = end - start
        if size < 2 or size > max_df:
            continue
        members = owner[start:end]
        i, j = np.triu_indices(size, k=1)
        keys.append(members[i] * n + members[j])
    if not keys:
        return []
    pair_keys, counts = np.unique(np.concatenate(keys), return_counts=True)
    good = pair_keys[counts >= min_shared]
    return [(int(k // n), int(k % n)) for k in good]


def lsh_pairs(sigs: np.ndarray, *, bands: int = 32, rows: int = 4) -> list[tuple[int, int]]:
    """Pairs whose signatures agree on all ``rows`` values of at least one band.

    The chance that a pair of Jaccard ``s`` is proposed is ``1 - (1 - s**rows)**bands``.
    Empty documents (no shingles) are never paired.

    >>> import numpy as np
    >>> s = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 7, 7]], dtype=np.uint64)
    >>> lsh_pairs(s, bands=2, rows=2)
    [(0, 1)]
    """
    n, width = sigs.shape
    if bands * rows > width:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {width}")
    empty = np.all(sigs == np.uint64(0xFFFFFFFFFFFFFFFF), axis=1)
    found: set[tuple[int, int]] = set()
    for band in range(bands):
        block = np.ascontiguousarray(sigs[:, band * rows : (band + 1) * rows])
        _, inverse = np.unique(block, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        order = np.argsort(inverse, kind="stable")
        groups = np.split(order, np.flatnonzero(np.diff(inverse[order])) + 1)
        for group in groups:
            group = group[~empty[group]]
            if len(group) < 2:
                continue
            group = np.sort(group)
            for x in range(len(group)):
                for y in range(x + 1, len(group)):
                    found.add((int(group[x]), int(group[y])))
    return sorted(found)


def candidate_pairs(
    hash_sets: list[np.ndarray],
    sigs: np.ndarray,
    *,
    bands: int = 32,
    rows: int = 4,
    sample: int = 4,
    min_shared: int = 2,
    max_df: int = 50,
    boilerplate: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    """The union of LSH and fingerprint candidates, sorted."""
    near = lsh_pairs(sigs, bands=bands, rows=rows)
    contained = fingerprint_pairs(
        hash_sets, sample=sample, min_shared=min_shared, max_df=max_df, boilerplate=boilerplate
    )
    return sorted(set(near) | set(contained))
