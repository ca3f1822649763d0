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

Everything is vectorised over the whole corpus (sorting, not Python loops
per bucket). A bucket or fingerprint shared by more than ``cap`` documents
(:data:`lineage.representatives.GROUP_CAP`, 500) that are near-identical
copies is paired through representatives instead of all-against-all, and so
is a component of more than ``cap`` near-identical documents (see
:mod:`lineage.representatives` for what that changes and why the lineage
stays correct).

>>> import numpy as np
>>> sets = [np.arange(0, 400, dtype=np.uint64), np.arange(0, 100, dtype=np.uint64),
...         np.arange(1000, 1100, dtype=np.uint64)]
>>> fingerprint_pairs(sets, sample=4, min_shared=2, max_df=10)
[(0, 1)]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from lineage.representatives import (
    GROUP_CAP,
    PackedSets,
    collapse_near_identical,
    group_pair_keys,
    huge_components,
    pack,
    run_starts,
)
from lineage.shingles import member

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)
_SKETCH_BITS = 23  # at most 2**23 counters per round of the document-frequency sketch


def document_frequency_filter(hash_sets: Sequence[np.ndarray] | PackedSets, max_df: int) -> np.ndarray:
    """The sorted shingle hashes that occur in more than ``max_df`` documents.

    Each set must hold unique values. Exact, in two passes: a count sketch
    (:func:`may_reach`: counters indexed by hash bits; it can only
    overestimate) keeps the few values that may be that frequent, and those
    alone are counted exactly. Much cheaper than sorting every shingle of the
    corpus, and the same answer.

    >>> sets = [np.array([1, 2], dtype=np.uint64), np.array([2, 3], dtype=np.uint64)]
    >>> document_frequency_filter(sets, 1).tolist()
    [2]
    """
    values = pack(hash_sets).values
    if len(values) == 0:
        return np.zeros(0, dtype=np.uint64)
    candidates = values[may_reach(values, max_df + 1)]
    if len(candidates) == 0:
        return np.zeros(0, dtype=np.uint64)
    found, counts = np.unique(candidates, return_counts=True)
    return found[counts > max_df]


def may_reach(values: np.ndarray, least: int) -> np.ndarray:
    """One bool per value of ``values`` (shingle occurrences, each document's set unique): False
    where the value certainly occurs fewer than ``least`` times, True where it may reach that.

    A count sketch in two rounds: counters indexed by some bits of each value; a value's count is
    at most its counter's, so every value that does reach ``least`` is kept, with a few others.
    The second round counts, by other bits, only the values the first kept (a value dropped
    occurs too few times, so leaving it out undercounts no one): fewer collisions than two rows
    of counters over every value, and less work. Linear in ``values``, no sort.

    >>> may_reach(np.array([5, 7, 5, 9, 5], dtype=np.uint64), 3).tolist()
    [True, False, True, False, True]
    """
    keep = np.ones(len(values), dtype=bool)
    for shift in (0, 32):  # low bits, then bits from 32 up (template_shingles slices by the top ones)
        rest = values[keep] if shift else values
        if len(rest) == 0:
            break
        # about one counter per value (at most 2**23): a value sharing its counter with others by
        # chance costs only an exact count later, never a wrong answer
        bits = int(min(_SKETCH_BITS, max(16, int(len(rest)).bit_length())))
        counts = np.zeros(1 << bits, dtype=np.int64)
        for part in _chunks(rest):  # in chunks, so the temporaries stay small whatever the corpus size
            counts += np.bincount(_sketch_index(part, bits, shift), minlength=1 << bits)
        reach = counts >= least  # a byte per counter, not eight: the look-ups stay in the cache
        del counts
        kept = np.concatenate([reach[_sketch_index(part, bits, shift)] for part in _chunks(rest)])
        if shift:
            keep[keep] = kept
        else:
            keep = kept
    return keep


def _sketch_index(values: np.ndarray, bits: int, shift: int) -> np.ndarray:
    """The counter of each value: its ``bits`` bits from bit ``shift`` up."""
    # read as signed, the bits are already the index type np.bincount wants: no converting pass
    return (values.astype(np.uint64, copy=False).view(np.int64) >> shift) & ((1 << bits) - 1)


def _chunks(values: np.ndarray, size: int = 1 << 22):
    return (values[start : start + size] for start in range(0, len(values), size))


def fingerprint_pairs(
    hash_sets: Sequence[np.ndarray] | PackedSets,
    *,
    sample: int = 4,
    min_shared: int = 2,
    max_df: int = 50,
    boilerplate: np.ndarray | None = None,
    cap: int = GROUP_CAP,
) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, sharing ≥ ``min_shared`` sampled non-boilerplate shingles."""
    sets = pack(hash_sets)
    return _to_pairs(fingerprint_pair_keys(sets, sample=sample, min_shared=min_shared, max_df=max_df,
                                           boilerplate=boilerplate, cap=cap), len(sets))


def fingerprint_pair_keys(
    sets: PackedSets,
    *,
    sample: int = 4,
    min_shared: int = 2,
    max_df: int = 50,
    boilerplate: np.ndarray | None = None,
    cap: int = GROUP_CAP,
    huge: np.ndarray | None = None,
) -> np.ndarray:
    """:func:`fingerprint_pairs` as sorted pair keys ``i * n + j`` (int64).

    ``huge`` (see :func:`lineage.representatives.huge_components`) lets a
    fingerprint group of more than ``cap`` copies pair through
    representatives; without it every group gives all its pairs.
    """
    fp, owner = sampled_fingerprints(sets, sample=sample, boilerplate=boilerplate, least=2)
    return fingerprint_groups_keys(fp, owner, sets, min_shared=min_shared, max_df=max_df, cap=cap, huge=huge)


def sampled_fingerprints(sets: PackedSets, *, sample: int = 4, boilerplate: np.ndarray | None = None,
                         least: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every document's fingerprints (its shingle hashes divisible by ``sample``, boilerplate left
    out) and their owners, sorted by fingerprint, owners ascending within one; with ``least``,
    only the fingerprints at least that many documents hold.

    A fingerprint of one document pairs nothing, and most fingerprints of a corpus are such
    (at 200,000 news documents, 22 of 32 million): ``least=2`` drops them. One pass over the
    sets puts each fingerprint (and its owner, in four bytes) in its slice of the hash range
    (its top bits: every occurrence of a fingerprint lands in the same slice); then each
    slice of about :data:`FINGERPRINT_SLICE` fingerprints is sorted and cut down in turn.
    Sorting all of them at once took 1.5 GB at 200,000 documents (0.5 GB so).

    >>> sets = pack([np.array([4, 8, 9], dtype=np.uint64), np.array([4, 5], dtype=np.uint64)])
    >>> [a.tolist() for a in sampled_fingerprints(sets, sample=4)]
    [[4, 4, 8], [0, 1, 0]]
    >>> [a.tolist() for a in sampled_fingerprints(sets, sample=4, least=2)]
    [[4, 4], [0, 1]]
    """
    values, offsets = sets.values, sets.offsets
    # divisible by a power of two: its low bits are zero (a mask, not a 64-bit division per value)
    low = np.uint64(sample - 1) if sample & (sample - 1) == 0 else None
    slices = 1 << (-(-len(values) // (sample * FINGERPRINT_SLICE)) - 1).bit_length()
    shift = np.uint64(64 - (slices.bit_length() - 1))
    owner_type = np.int32 if len(sets) < 2**31 else np.int64
    fps: list[list[np.ndarray]] = [[] for _ in range(slices)]
    owners: list[list[np.ndarray]] = [[] for _ in range(slices)]
    for start, part in zip(range(0, len(values), 1 << 22), _chunks(values)):
        at = np.flatnonzero((part & low if low is not None else part % np.uint64(sample)) == 0)
        fp = part[at]
        owner = (np.searchsorted(offsets, at + start, side="right") - 1).astype(owner_type)  # ascending, as ``at``
        if boilerplate is not None and len(boilerplate) and len(fp):
            keep = ~member(fp, boilerplate)
            fp, owner = fp[keep], owner[keep]
        if slices > 1:  # stable: each slice's owners stay ascending
            piece = (fp >> shift).astype(np.uint8 if slices <= 256 else np.uint16)  # a radix sort
            order = np.argsort(piece, kind="stable")
            bounds = np.searchsorted(piece[order], np.arange(slices + 1)).tolist()
            fp, owner = fp[order], owner[order]
            for s in range(slices):
                fps[s].append(fp[bounds[s] : bounds[s + 1]].copy())
                owners[s].append(owner[bounds[s] : bounds[s + 1]].copy())
        else:
            fps[0].append(fp)
            owners[0].append(owner)
    found_fp: list[np.ndarray] = []
    found_owner: list[np.ndarray] = []
    for s in range(slices):
        fp = np.concatenate(fps[s]) if fps[s] else np.zeros(0, dtype=np.uint64)
        owner = np.concatenate(owners[s]).astype(np.int64) if owners[s] else np.zeros(0, dtype=np.int64)
        fps[s] = owners[s] = []
        # stable: within one fingerprint the owners stay in ascending order
        order = np.argsort(fp, kind="stable")
        fp, owner = fp[order], owner[order]
        del order
        if least > 1 and len(fp):
            sizes = np.diff(np.concatenate((run_starts(fp), [len(fp)])))
            keep = np.repeat(sizes >= least, sizes)
            fp, owner = fp[keep], owner[keep]
        found_fp.append(fp)
        found_owner.append(owner)
    return np.concatenate(found_fp), np.concatenate(found_owner)


FINGERPRINT_SLICE = 1 << 23  # fingerprints (about 64 MB of hashes) sorted at once by sampled_fingerprints


def fingerprint_groups_keys(fp: np.ndarray, owner: np.ndarray, sets: PackedSets, *, min_shared: int = 2,
                            max_df: int = 50, cap: int = GROUP_CAP, huge: np.ndarray | None = None) -> np.ndarray:
    """:func:`fingerprint_pair_keys` from :func:`sampled_fingerprints`."""
    n = len(sets)
    if len(fp) == 0:
        return np.zeros(0, dtype=np.int64)
    starts = run_starts(fp)
    sizes = np.diff(np.concatenate((starts, [len(fp)])))
    usable = (sizes >= 2) & (sizes <= max_df)
    if huge is None:
        huge = np.full(n, -1, dtype=np.int64)
    keys, _ = group_pair_keys(owner, starts[usable], sizes[usable], n, sets.priority(), cap=cap, huge=huge,
                              least=min_shared)
    return keys


def lsh_pairs(sigs: np.ndarray, *, bands: int = 32, rows: int = 4, cap: int = GROUP_CAP) -> list[tuple[int, int]]:
    """Pairs whose signatures agree on all ``rows`` values of at least one band.

    The chance that a pair of Jaccard ``s`` is proposed is ``1 - (1 - s**rows)**bands``.
    Empty documents (no shingles) are never paired.

    >>> import numpy as np
    >>> s = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [7, 7, 7, 7]], dtype=np.uint64)
    >>> lsh_pairs(s, bands=2, rows=2)
    [(0, 1)]
    """
    return _to_pairs(lsh_pair_keys(sigs, bands=bands, rows=rows, cap=cap), len(sigs))


def lsh_pair_keys(sigs: np.ndarray, *, bands: int = 32, rows: int = 4, cap: int = GROUP_CAP,
                  priority: np.ndarray | None = None) -> np.ndarray:
    """:func:`lsh_pairs` as sorted pair keys ``i * n + j`` (int64)."""
    n, width = sigs.shape
    if bands * rows > width:
        raise ValueError(f"bands * rows = {bands * rows} exceeds num_perm = {width}")
    live = np.flatnonzero(~np.all(sigs == EMPTY, axis=1))
    if priority is None:
        priority = np.arange(n, dtype=np.int64)
    all_keys: list[np.ndarray] = []
    for band in range(bands):
        block = sigs[live, band * rows : (band + 1) * rows]
        order = np.lexsort(block.T[::-1])
        block = block[order]
        change = np.concatenate(([True], np.any(block[1:] != block[:-1], axis=1)))
        starts = np.flatnonzero(change)
        sizes = np.diff(np.concatenate((starts, [len(block)])))
        many = sizes >= 2
        if not many.any():
            continue
        # members in ascending document order within each bucket, like the pairs they make
        members = live[order]
        keys, _ = group_pair_keys(members, starts[many], sizes[many], n, priority, cap=cap)
        all_keys.append(keys)
    if not all_keys:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(all_keys))


def candidate_pairs(
    hash_sets: Sequence[np.ndarray] | PackedSets,
    sigs: np.ndarray,
    *,
    bands: int = 32,
    rows: int = 4,
    sample: int = 4,
    min_shared: int = 2,
    max_df: int = 50,
    boilerplate: np.ndarray | None = None,
    cap: int = GROUP_CAP,
    workers: int = 1,
    as_array: bool = False,
) -> list[tuple[int, int]] | np.ndarray:
    """The union of LSH and fingerprint candidates, sorted.

    ``as_array``: an ``(n, 2)`` int64 array instead of a list of tuples (16 bytes a pair
    instead of about 120: a trace holds a million of them while it aligns them).

    With ``workers`` above 1 (where processes can fork) the LSH pairs are
    found in a forked process while this one samples and sorts the
    fingerprints (their grouping needs the LSH pairs' huge components); the
    same pairs either way.
    """
    from lineage.parallel import run_forked

    sets = pack(hash_sets)
    priority = sets.priority()

    def near_pairs(sigs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        near = lsh_pair_keys(sigs, bands=bands, rows=rows, cap=cap, priority=priority)
        return near, huge_components(near, len(sets), sigs, cap=cap)

    lsh = run_forked(near_pairs, sigs, enabled=workers > 1)
    fp, owner = sampled_fingerprints(sets, sample=sample, boilerplate=boilerplate, least=2)
    near, huge = lsh.result()
    contained = fingerprint_groups_keys(fp, owner, sets, min_shared=min_shared, max_df=max_df, cap=cap, huge=huge)
    del fp, owner
    keys, _ = collapse_near_identical(np.union1d(near, contained), len(sets), sigs, priority, cap=cap)
    return _to_array(keys, len(sets)) if as_array else _to_pairs(keys, len(sets))


def _to_pairs(keys: np.ndarray, n: int) -> list[tuple[int, int]]:
    """Pair keys ``i * n + j`` back to sorted ``(i, j)`` tuples."""
    if n == 0 or len(keys) == 0:
        return []
    return list(zip((keys // n).tolist(), (keys % n).tolist()))


def _to_array(keys: np.ndarray, n: int) -> np.ndarray:
    """Pair keys ``i * n + j`` back to the rows ``(i, j)`` of an ``(m, 2)`` int64 array.

    >>> _to_array(np.array([1, 5]), 4).tolist()
    [[0, 1], [1, 1]]
    """
    keys = np.asarray(keys, dtype=np.int64)
    if n == 0:
        return np.zeros((0, 2), dtype=np.int64)
    return np.stack((keys // n, keys % n), axis=1)
