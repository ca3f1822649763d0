"""Reading priority from independent witnesses.

Where two related texts A and B differ, a third text C that shares their
story can say whose reading it carries. A copier changes its copy (edits,
house style, synonyms); every other text derived from the same source, and the
source's own ancestors, keep the source's readings. So C votes for A when C
contains more of what A has and B lacks than of what B has and A lacks. Only
descendants of the copier vote the wrong way, so across several witnesses the
more original text usually wins (the principle of shared readings in textual
criticism). Only *variant readings* count (:func:`shared_readings`): the
wording of each text inside the passages the two share, where one of them
changed a few words. Material outside the shared passages is left out: a
compilation that pasted passages from several sources would otherwise be
"confirmed" by each of its sources, and a copy's additions by the copy's own
descendants (what one text cut or added is the inclusion evidence's business).
Boilerplate shingles never count, and every witness gets one vote whatever its
length.

>>> import numpy as np
>>> source = np.arange(0, 100, dtype=np.uint64)           # readings of the original
>>> edited = np.arange(5, 105, dtype=np.uint64)           # a copy that changed a few words
>>> sibling = np.arange(0, 90, dtype=np.uint64)           # another copy of the original
>>> witness_votes(source, edited, source, edited, [sibling])
(1, 0, 0)

A witness that confirms readings of *both* sides (the third count) is what
siblings look like: their common parent keeps each one's reading where the
other one changed it. For a copy and its source no witness does that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from lineage.normalise import Tokens
from lineage.shingles import combine, combine_rows, member, token_hashes, unique_sorted

MIN_READINGS = 2  # shingles a witness must confirm before its vote counts
MAX_WITNESSES = 25  # a huge cluster votes through a deterministic sample


def readings(hashes: np.ndarray, foreign: np.ndarray, k: int) -> np.ndarray:
    """Sorted unique hashes of the shingles touching no ``foreign`` token (one bool per token).

    >>> import numpy as np
    >>> foreign = np.array([False, False, False, True, False, False])
    >>> readings(np.array([5, 6, 7, 8, 9], dtype=np.uint64), foreign, k=2).tolist()
    [5, 6, 9]
    """
    if len(hashes) == 0:
        return hashes
    width = len(foreign) - len(hashes) + 1  # shingle width actually used
    bad = np.concatenate(([0], np.cumsum(foreign, dtype=np.int64)))
    touched = bad[width : width + len(hashes)] - bad[: len(hashes)] > 0
    return unique_sorted(hashes[~touched])


def shared_readings(
    hashes: np.ndarray, n_tokens: int, spans: list[tuple[int, int]], k: int, layout: np.ndarray | None = None
) -> np.ndarray:
    """Sorted unique hashes of the shingles lying wholly inside the shared passages ``spans``
    (token index spans): the text's readings of what both texts carry. Shingles touching a
    ``layout`` token (one bool per token: lines of fewer than five words, page furniture such as
    "Advertisement", see :func:`lineage.evidence.line_marks`) are not readings. Too short to be
    shingles of their own, such lines still change the shingles that run across them, so a copy
    rendered without its source's advertisement breaks would "differ" from it there, and every
    other document without them would vote for the copy.

    >>> import numpy as np
    >>> shared_readings(np.array([5, 6, 7, 8, 9], dtype=np.uint64), 6, [(0, 3), (4, 6)], k=2).tolist()
    [5, 6, 9]
    """
    outside = np.ones(n_tokens, dtype=bool)
    for start, end in spans:
        outside[start:end] = False
    if layout is not None:
        outside |= layout
    return readings(hashes, outside, k)


def with_layout_free(unique: np.ndarray, tokens: Tokens, layout: np.ndarray, k: int) -> np.ndarray:
    """A text's sorted unique shingle hashes ``unique``, plus those of the text read with its
    ``layout`` tokens left out: the shingles that run across an advertisement line, as a copy
    without that line has them. ``unique`` itself when there is no layout.

    >>> from lineage.normalise import tokenize
    >>> from lineage.shingles import shingle_hashes, unique_sorted
    >>> t = tokenize("Rates rose again on Monday.\\nAdvertisement\\nBanks fell.")
    >>> layout = np.array([False] * 5 + [True] + [False] * 2)  # the "Advertisement" line
    >>> both = with_layout_free(unique_sorted(shingle_hashes(t, k=2)), t, layout, k=2)
    >>> set(shingle_hashes(tokenize("Rates rose again on Monday.\\nBanks fell."), k=2).tolist()) <= set(both.tolist())
    True
    """
    if not layout.any():
        return unique
    kept = np.flatnonzero(~layout)
    if len(kept) < k:  # fewer than k words left: one shingle of all of them
        return np.union1d(unique, combine(token_hashes(tokens)[kept], k))
    # only the windows that straddle a left-out line are new; the rest are shingles of the text
    q = np.flatnonzero(kept[k - 1 :] - kept[: len(kept) - k + 1] != k - 1)
    if not len(q):
        return unique
    rows = kept[q[:, None] + np.arange(k)]
    return np.union1d(unique, combine_rows(token_hashes(tokens)[rows]))


def witness_votes(
    a_readings: np.ndarray,
    b_readings: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    witnesses: Iterable[np.ndarray],
    boilerplate: np.ndarray | None = None,
) -> tuple[int, int, int]:
    """Votes ``(for a, for b, for both)``; ``*_readings`` are each side's readings of the shared
    story, ``a``/``b`` and the witnesses whole documents, ``boilerplate`` the neutral shingles:
    all sorted unique shingle-hash arrays (``np.union1d`` gives the neutral set so; checking it
    here, per pair, cost a pass over half a million values at 100,000 documents)."""
    # binary searches of the few readings in the sorted sets: np.setdiff1d, np.isin and
    # np.intersect1d would sort each whole set (the corpus-wide neutral set too) again per call
    only_a = a_readings[~member(a_readings, b)]
    only_b = b_readings[~member(b_readings, a)]
    if boilerplate is not None and len(boilerplate):
        only_a = only_a[~member(only_a, boilerplate)]
        only_b = only_b[~member(only_b, boilerplate)]
    votes_a = votes_b = both = 0
    for c in witnesses:
        x = int(np.count_nonzero(member(only_a, c))) if len(only_a) else 0
        y = int(np.count_nonzero(member(only_b, c))) if len(only_b) else 0
        if x >= MIN_READINGS and y >= MIN_READINGS:
            both += 1
        elif x > y and x >= MIN_READINGS:
            votes_a += 1
        elif y > x and y >= MIN_READINGS:
            votes_b += 1
    return votes_a, votes_b, both


def pick_witnesses(i: int, j: int, neighbours: dict[int, set[int]], order: Sequence[str]) -> list[int]:
    """Documents related to either side (not the pair itself), by id, at most ``MAX_WITNESSES``.

    >>> pick_witnesses(0, 1, {0: {1, 2}, 1: {0, 3}, 2: {0}, 3: {1}}, ["a", "b", "c", "d"])
    [2, 3]
    """
    found = (neighbours.get(i, set()) | neighbours.get(j, set())) - {i, j}
    return sorted(found, key=lambda k: order[k])[:MAX_WITNESSES]
