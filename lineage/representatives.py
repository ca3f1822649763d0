"""Pairs from groups of documents, with representatives for huge groups.

A *group* is a set of documents that share something: an LSH bucket (equal
band of their MinHash signatures) or a fingerprint (one sampled shingle).
Every two members of a group are a candidate pair, which is quadratic: a
wire story republished by 1,000 outlets puts the same 1,000 documents in
every one of its buckets and fingerprints, 499,500 pairs to align.

Two safeguards, both above :data:`GROUP_CAP` (500) documents:

1. *Generation*: an LSH bucket of more than ``cap`` documents (they agree on
   whole bands of their signatures: near-identical copies) is paired through
   its **representatives**: its :data:`REPRESENTATIVES` (8) members of
   highest priority (most distinct shingles, then lowest index) are paired
   with each other and with every member, ``8 * size`` pairs instead of
   ``size * (size - 1) / 2``. So is a fingerprint group of more than ``cap``
   documents when 90% of them are copies in one huge near-identical
   component (found from the LSH pairs); a fingerprint shared by many
   unrelated documents (a stock phrase below the boilerplate threshold)
   still gives all its pairs, as before. Because the priority is global,
   every bucket and fingerprint of one copy cluster chooses the same
   representatives: the longest versions of the story, the likeliest
   originals or fullest copies.
2. *Alignment* (:func:`collapse_near_identical`): copies that differ a
   little (trimmed, a credit line added) fall into many smaller groups, each
   under the cap, whose pairs together are quadratic again. So candidate
   pairs whose signatures agree on at least :data:`NEAR_IDENTICAL` (90%) of
   their values are linked; in a linked component of more than ``cap``
   documents only the pairs with one of the component's representatives are
   kept (pairs with documents outside it are all kept).

How the lineage stays correct: every member is still aligned exactly, with
each representative, so it keeps its edge, its passages and containment
against the fullest versions, its cluster (connected components are the
same as with all pairs: every member links to the representatives) and a
parent in the lineage tree (the best-scoring representative). What is not
computed is the edge between two non-representative members of the same
huge group: two copies of the wire story are linked through the
representative they both copy instead of directly, and a copy of a copy is
hung from the representative rather than from the intermediate copy. That
is the only change, and only where more than 500 near-identical documents
(signatures agreeing on 90% of their values, or on whole LSH bands) form
one group: ``scripts/group_sizes.py`` reports a corpus's largest LSH bucket
and near-identical component (the benchmark corpora of up to 200,000
documents stay under 40).

>>> import numpy as np
>>> members = np.arange(10, dtype=np.int64)
>>> keys, counts = group_pair_keys(members, np.array([0]), np.array([10]), 10, np.arange(10), cap=4)
>>> len(keys), 10 * 9 // 2   # each member paired with the 8 representatives (0..7) only
(44, 45)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

GROUP_CAP = 500
REPRESENTATIVES = 8
NEAR_IDENTICAL = 0.9  # share of equal signature values linking two documents as near-identical copies


@dataclass(frozen=True)
class PackedSets:
    """Many sorted uint64 sets in one array: set ``i`` is ``values[offsets[i]:offsets[i + 1]]``.

    Behaves like a read-only list of arrays (``len``, indexing, iteration),
    without one Python object and allocation per document.

    >>> s = pack([np.array([1, 2], dtype=np.uint64), np.array([7], dtype=np.uint64)])
    >>> len(s), s[1].tolist(), s.lengths().tolist()
    (2, [7], [2, 1])
    """

    values: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> np.ndarray:
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def priority(self) -> np.ndarray:
        """Rank of each set as a representative: 0 for the largest (ties: lowest index)."""
        return priority_ranks(self.lengths())


def priority_ranks(lengths: np.ndarray, index: np.ndarray | None = None) -> np.ndarray:
    """Representative rank from set sizes: 0 for the largest, ties to the lowest ``index``.

    ``index`` (sorted document numbers, default ``0..len-1``) lets a subset of
    the corpus be ranked in the order the whole corpus would rank it.

    >>> priority_ranks(np.array([3, 9, 9])).tolist()
    [2, 0, 1]
    """
    index = np.arange(len(lengths)) if index is None else index
    order = np.lexsort((index, -lengths))
    rank = np.empty(len(lengths), dtype=np.int64)
    rank[order] = np.arange(len(lengths))
    return rank


def pack(sets: Sequence[np.ndarray] | PackedSets, dtype: type = np.uint64) -> PackedSets:
    """``sets`` as :class:`PackedSets` (returned as is when it already is one); ``dtype`` that of
    the values (``np.int64`` for lists of document indices).

    >>> packed = pack([[3, 9], [], [4]], dtype=np.int64)
    >>> len(packed), packed[0].tolist(), packed[1].tolist(), packed.values.dtype.name
    (3, [3, 9], [], 'int64')
    """
    if isinstance(sets, PackedSets):
        return sets
    lengths = np.fromiter(map(len, sets), dtype=np.int64, count=len(sets))
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    values = (np.concatenate([np.asarray(s, dtype=dtype) for s in sets]) if len(sets)
              else np.zeros(0, dtype=dtype))
    return PackedSets(values, offsets)


def run_starts(values: np.ndarray) -> np.ndarray:
    """Where each run of equal values of a sorted array begins.

    >>> run_starts(np.array([4, 4, 7, 9, 9, 9])).tolist()
    [0, 2, 3]
    """
    return np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))


def group_pair_keys(
    members: np.ndarray, starts: np.ndarray, sizes: np.ndarray, n: int, priority: np.ndarray,
    *, cap: int = GROUP_CAP, huge: np.ndarray | None = None, least: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs within groups, as sorted unique keys ``i * n + j`` (``i < j``) and how many groups hold each;
    ``least``: only the pairs that at least that many groups hold.

    Group ``g`` is ``members[starts[g] : starts[g] + sizes[g]]`` (distinct
    document indices). Groups of at most ``cap`` members give all their pairs,
    larger ones only the pairs with their representatives (lowest
    ``priority``). With ``huge`` (each document's huge near-identical
    component, -1 for none; see :func:`huge_components`), a large group is
    paired through representatives only when 90% of its members are copies
    in one such component; otherwise (a common phrase shared by many
    unrelated documents) it gives all its pairs, as below the cap.
    """
    partial_keys: list[np.ndarray] = []
    partial_counts: list[np.ndarray] = []

    def add(a: np.ndarray, b: np.ndarray) -> None:
        keys, counts = np.unique(np.minimum(a, b) * n + np.maximum(a, b), return_counts=True)
        partial_keys.append(keys)
        partial_counts.append(counts)

    small = sizes <= cap
    if huge is not None:
        for g in np.flatnonzero(~small).tolist():
            labels = huge[members[starts[g] : starts[g] + sizes[g]]]
            labels = labels[labels >= 0]
            if len(labels) < NEAR_IDENTICAL * sizes[g] or np.bincount(labels).max() < NEAR_IDENTICAL * sizes[g]:
                small[g] = True
    # all pairs, one size at a time: a (groups x size) matrix of members and its upper triangle
    for size in np.unique(sizes[small]).tolist():
        first = starts[small & (sizes == size)]
        block = members[first[:, None] + np.arange(size)[None, :]]
        left, right = np.triu_indices(size, k=1)
        add(block[:, left].ravel(), block[:, right].ravel())
    for start, size in zip(starts[~small].tolist(), sizes[~small].tolist()):
        group = members[start : start + size]
        reps = group[np.argsort(priority[group], kind="stable")[:REPRESENTATIVES]]
        a = np.repeat(reps, len(group))
        b = np.tile(group, len(reps))
        keep = a != b
        # a pair of two representatives is met from both sides: count it once
        keep &= ~(np.isin(b, reps) & (a > b))
        add(a[keep], b[keep])
    return merged_counts(partial_keys, partial_counts, least=least)


def merged_counts(keys: Sequence[np.ndarray], counts: Sequence[np.ndarray], *,
                  least: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Parts of sorted unique keys with their counts, merged: each key once with its total count,
    sorted; ``least``: only the keys whose total reaches it.

    Done by ranges of keys (cut at quantiles of a sample of them) of about :data:`MERGE_SLICE`
    entries, each found in every part by binary search: the temporaries are one range's,
    whatever the total. Sorting all the parts at once took 0.7 GB for the 20 million
    fingerprint pairs of 200,000 documents.

    >>> k, c = merged_counts([np.array([1, 5]), np.array([5, 7])], [np.array([1, 2]), np.array([3, 1])])
    >>> k.tolist(), c.tolist()
    ([1, 5, 7], [1, 5, 1])
    >>> [a.tolist() for a in merged_counts([np.array([1, 5]), np.array([5, 7])],
    ...                                    [np.array([1, 2]), np.array([3, 1])], least=2)]
    [[5], [5]]
    """
    parts = [(k, c) for k, c in zip(keys, counts) if len(k)]
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if len(parts) == 1:
        k, c = parts[0]
        return (k, c) if least <= 1 else (k[c >= least], c[c >= least])
    total = sum(len(k) for k, _ in parts)
    step = max(1, total // MERGE_SAMPLE)
    sample = np.sort(np.concatenate([k[::step] for k, _ in parts]))
    ranges = -(-total // MERGE_SLICE)
    cuts = np.unique(sample[(np.arange(1, ranges) * len(sample)) // ranges]) if ranges > 1 else sample[:0]
    # range r holds part p's entries bounds[p][r] to bounds[p][r + 1]
    bounds = [[0, *np.searchsorted(k, cuts).tolist(), len(k)] for k, _ in parts]
    found_keys, found_counts = [], []
    for r in range(len(cuts) + 1):
        k = np.concatenate([part_k[at[r] : at[r + 1]] for (part_k, _), at in zip(parts, bounds)])
        c = np.concatenate([part_c[at[r] : at[r + 1]] for (_, part_c), at in zip(parts, bounds)])
        if not len(k):
            continue
        order = np.argsort(k, kind="stable")
        k, c = k[order], c[order]
        first = run_starts(k)
        k, c = k[first], np.add.reduceat(c, first)
        if least > 1:
            reach = c >= least
            k, c = k[reach], c[reach]
        found_keys.append(k)
        found_counts.append(c)
    if not found_keys:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_keys), np.concatenate(found_counts)


MERGE_SLICE = 1 << 22  # part entries merged at once by merged_counts
MERGE_SAMPLE = 1 << 16  # keys sampled to cut merged_counts' ranges


def huge_components(keys: np.ndarray, n: int, sigs: np.ndarray | None, *, cap: int = GROUP_CAP,
                    near: np.ndarray | None = None) -> np.ndarray:
    """Each document's near-identical component if it has more than ``cap`` documents, else -1.

    Components link the pairs (keys ``i * n + j``) whose signatures agree on at
    least :data:`NEAR_IDENTICAL` of their values; ``near`` (one flag per key,
    from :func:`near_identical`) may be given instead of ``sigs`` when an
    engine compared the signatures elsewhere.

    >>> huge_components(np.array([1, 2, 5]), 3, np.zeros((3, 4), dtype=np.uint64), cap=2).tolist()
    [0, 0, 0]
    """
    label = _near_identical_labels(keys, n, sigs, near)
    sizes = np.bincount(label, minlength=n)
    return np.where(sizes[label] > cap, label, -1)


def near_identical(i: np.ndarray, j: np.ndarray, sig_i: np.ndarray, sig_j: np.ndarray) -> np.ndarray:
    """Flags: do rows ``sig_i[x]`` and ``sig_j[x]`` agree on :data:`NEAR_IDENTICAL` of their values?

    >>> near_identical(np.array([0]), np.array([1]), np.zeros((1, 10), np.uint64), np.ones((1, 10), np.uint64))
    array([False])
    """
    agree = np.empty(len(i), dtype=bool)
    for start in range(0, len(i), 1 << 16):  # chunks: (pairs x num_perm) comparisons stay small
        part = slice(start, start + (1 << 16))
        agree[part] = (sig_i[part] == sig_j[part]).mean(axis=1) >= NEAR_IDENTICAL
    return agree


def _near_identical_labels(keys: np.ndarray, n: int, sigs: np.ndarray | None,
                           near: np.ndarray | None = None) -> np.ndarray:
    if len(keys) == 0:
        return np.arange(n, dtype=np.int64)
    i, j = keys // n, keys % n
    if near is None:
        assert sigs is not None
        near = np.concatenate([near_identical(i[s], j[s], sigs[i[s]], sigs[j[s]])
                               for s in (slice(a, a + (1 << 16)) for a in range(0, len(keys), 1 << 16))])
    return components(n, np.stack([i[near], j[near]], axis=1))


def collapse_near_identical(keys: np.ndarray, n: int, sigs: np.ndarray | None, priority: np.ndarray,
                            *, cap: int = GROUP_CAP, near: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Drop the pairs inside huge near-identical components that involve none of their representatives.

    ``keys`` are sorted pair keys ``i * n + j`` (``near``: as for
    :func:`huge_components`). Returns the kept keys and the size of the
    largest near-identical component (for reports).

    >>> sigs = np.zeros((4, 8), dtype=np.uint64)  # four identical documents
    >>> keys = np.array([1, 2, 3, 6, 7, 11])      # all six pairs of 0..3
    >>> kept, largest = collapse_near_identical(keys, 4, sigs, np.arange(4), cap=2)
    >>> largest, kept.tolist()   # with representatives limited to 8, all four are representatives
    (4, [1, 2, 3, 6, 7, 11])
    """
    if len(keys) == 0:
        return keys, 0
    i, j = keys // n, keys % n
    label = _near_identical_labels(keys, n, sigs, near)
    sizes = np.bincount(label, minlength=n)
    largest = int(sizes.max()) if n else 0
    huge = np.flatnonzero(sizes > cap)
    if len(huge) == 0:
        return keys, largest
    is_rep = np.zeros(n, dtype=bool)
    for root in huge.tolist():
        members = np.flatnonzero(label == root)
        is_rep[members[np.argsort(priority[members], kind="stable")[:REPRESENTATIVES]]] = True
    inside = (label[i] == label[j]) & (sizes[label[i]] > cap)
    keep = ~inside | is_rep[i] | is_rep[j]
    return keys[keep], largest


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label (its smallest member) of each of ``n`` nodes, vectorised.

    >>> components(5, np.array([[0, 3], [3, 4]])).tolist()
    [0, 1, 2, 0, 0]
    """
    label = np.arange(n, dtype=np.int64)
    if len(pairs) == 0:
        return label
    i, j = pairs[:, 0], pairs[:, 1]
    while True:
        before = label.copy()
        low = np.minimum(label[i], label[j])
        np.minimum.at(label, i, low)
        np.minimum.at(label, j, low)
        while True:  # pointer jumping: follow labels to their own label
            jumped = label[label]
            if np.array_equal(jumped, label):
                break
            label = jumped
        if np.array_equal(label, before):
            return label
