"""Verify a candidate pair exactly and align its shared passages.

Seed and extend: every shingle the two texts share is a seed ``(i, j)``;
seeds on the same diagonal with consecutive positions form a run (an exact
common word sequence). Runs are chosen longest first, one-to-one in both
texts, then neighbours separated by at most ``max_gap`` words on both sides
and in the same order are merged, so a changed word or a short insertion does
not split a passage. Passages shorter than ``min_words`` are dropped.

>>> from lineage.normalise import tokenize
>>> a = "Kerry said the two nations agreed on a number of critical issues in Moscow today."
>>> b = "In brief: Kerry said the two nations agreed on a number of critical issues in Moscow."
>>> al = align_pair("a", tokenize(a), "b", tokenize(b), k=3, min_words=5)
>>> [(a[p.source[0]:p.source[1]], p.words) for p in al.passages]
[('Kerry said the two nations agreed on a number of critical issues in Moscow', 14)]
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from lineage.kernels import load, loaded
from lineage.model import Alignment, Passage
from lineage.normalise import Tokens
from lineage.quotes import quoted_mask, token_quoted
from lineage.shingles import member, shingle_hashes

# A shingle repeated more often than this inside one document is a refrain,
# not evidence of alignment; skipping it keeps the seed count linear.
MAX_REPEATS = 4


def align_pair(
    a_id: str,
    a: Tokens,
    b_id: str,
    b: Tokens,
    *,
    k: int = 5,
    max_gap: int = 8,
    min_words: int = 8,
    quoted_share: float = 0.5,
    a_hashes: np.ndarray | None = None,
    b_hashes: np.ndarray | None = None,
    ignore: np.ndarray | None = None,
    a_quoted: np.ndarray | Callable[[], np.ndarray] | None = None,
    b_quoted: np.ndarray | Callable[[], np.ndarray] | None = None,
    a_unique: np.ndarray | None = None,
    b_unique: np.ndarray | None = None,
    a_index: tuple[np.ndarray, np.ndarray] | None = None,
    b_index: tuple[np.ndarray, np.ndarray] | None = None,
    kernel: bool | None = None,
) -> Alignment:
    """Align two tokenised texts; passages are oriented ``a -> b``.

    ``ignore`` holds shingle hashes (boilerplate) that may not seed a passage.
    ``a_quoted``/``b_quoted`` (one bool per token, see :func:`quoted_tokens`)
    may be passed in when the caller already has them (or a function that
    gives them, called only when the texts share a passage), and so may the sorted
    unique shingle hashes ``a_unique``/``b_unique`` and each text's
    :func:`hash_index` ``a_index``/``b_index`` (worth keeping for a text
    aligned with several others).
    A passage is ``quoted`` when at least ``quoted_share`` of its words lie
    inside quotation marks in either text.

    ``kernel`` chooses the compiled kernel (:mod:`lineage._align_kernel`, same
    result): None uses it when it is already loaded (see :func:`load_kernel`).
    """
    ha = shingle_hashes(a, k=k) if a_hashes is None else a_hashes
    hb = shingle_hashes(b, k=k) if b_hashes is None else b_hashes
    ua = np.unique(ha) if a_unique is None else a_unique
    ub = np.unique(hb) if b_unique is None else b_unique
    compiled = loaded(*_KERNEL) if kernel is None else (load_kernel() if kernel else None)
    if compiled is not None:
        shared, found = compiled(
            ua, ub, _NO_IGNORE if ignore is None else sorted_set(ignore), *(a_index or hash_index(ha)),
            *(b_index or hash_index(hb)), min(k, len(a)), min(k, len(b)), len(a), len(b), max_gap, min_words,
            MAX_REPEATS)
        spans = [tuple(span) for span in found.tolist()]
    else:
        common = np.intersect1d(ua, ub, assume_unique=True)
        shared = len(common)
        if ignore is not None and len(ignore) and len(common):
            common = common[~member(common, sorted_set(ignore))]
        spans = _spans(ha, hb, common, k=k, len_a=len(a), len_b=len(b), max_gap=max_gap, min_words=min_words,
                       a_index=a_index, b_index=b_index)
    union = len(ua) + len(ub) - shared
    jaccard = shared / union if union else 0.0
    a_in_b = shared / len(ua) if len(ua) else 0.0
    b_in_a = shared / len(ub) if len(ub) else 0.0
    qa = _given(a_quoted, a) if spans else None
    qb = _given(b_quoted, b) if spans else None
    passages = []
    covered_a = covered_b = 0
    for a0, a1, b0, b1 in spans:
        # count / length: the value of .mean(), at a tenth of its cost
        quoted = bool(np.count_nonzero(qa[a0:a1]) / (a1 - a0) >= quoted_share
                      or np.count_nonzero(qb[b0:b1]) / (b1 - b0) >= quoted_share)
        passages.append(
            Passage(
                source=(int(a.starts[a0]), int(a.ends[a1 - 1])),
                target=(int(b.starts[b0]), int(b.ends[b1 - 1])),
                words=min(a1 - a0, b1 - b0),
                quoted=quoted,
            )
        )
        covered_a += a1 - a0
        covered_b += b1 - b0
    return Alignment(
        a=a_id,
        b=b_id,
        passages=tuple(passages),
        jaccard=round(jaccard, 4),
        a_in_b=round(a_in_b, 4),
        b_in_a=round(b_in_a, 4),
        a_coverage=round(covered_a / len(a), 4) if len(a) else 0.0,
        b_coverage=round(covered_b / len(b), 4) if len(b) else 0.0,
        a_words=len(a),
        b_words=len(b),
    )


_NO_IGNORE = np.zeros(0, dtype=np.uint64)
_KERNEL = ("lineage._align_kernel", "align_spans")
_ORDER_KERNEL = ("lineage._align_kernel", "hash_order")  # hash_index, compiled: loaded with _KERNEL


def load_kernel():  # -> the numba function, or None when numba is missing or broken
    """The compiled alignment kernel, compiled (or loaded from numba's cache) on first use.

    Once loaded, :func:`align_pair` uses it by default in this process and in
    processes forked from it afterwards: a caller with many pairs to align
    loads it before starting its workers.
    """
    load(*_ORDER_KERNEL)
    return load(*_KERNEL)


def _given(quoted: np.ndarray | Callable[[], np.ndarray] | None, tokens: Tokens) -> np.ndarray:
    """The quoted-token flags the caller gave (called, when a function), else computed here."""
    if quoted is None:
        return quoted_tokens(tokens)
    return quoted() if callable(quoted) else quoted


def quoted_tokens(tokens: Tokens) -> np.ndarray:
    """One bool per token: does it lie inside quotation marks?"""
    return token_quoted(quoted_mask(tokens.text), tokens.starts, tokens.ends)


def _spans(
    ha: np.ndarray,
    hb: np.ndarray,
    common: np.ndarray,
    *,
    k: int,
    len_a: int,
    len_b: int,
    max_gap: int,
    min_words: int,
    a_index: tuple[np.ndarray, np.ndarray] | None = None,
    b_index: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[tuple[int, int, int, int]]:
    """Token spans ``(a0, a1, b0, b1)`` (end exclusive) of the aligned passages, by ``a0``.

    Seeds and runs are found with array operations (sorting by shingle value,
    then by diagonal); only the one-to-one choice of runs and the merging of
    neighbours, over a few dozen runs, are Python loops.
    """
    if len(common) == 0:
        return []
    seed_i, seed_j = _seeds(a_index or hash_index(ha), b_index or hash_index(hb), common)
    if len(seed_i) == 0:
        return []
    diagonal = seed_j - seed_i
    order = np.lexsort((seed_i, diagonal))
    seed_i, seed_j, diagonal = seed_i[order], seed_j[order], diagonal[order]
    # a run continues while the diagonal is the same and i advances by one
    breaks = np.flatnonzero((diagonal[1:] != diagonal[:-1]) | (seed_i[1:] != seed_i[:-1] + 1)) + 1
    first = np.concatenate(([0], breaks))
    last = np.concatenate((breaks - 1, [len(seed_i) - 1]))
    width_a, width_b = min(k, len_a), min(k, len_b)
    runs = list(zip(seed_i[first].tolist(), (seed_i[last] + width_a).tolist(),
                    seed_j[first].tolist(), (seed_j[last] + width_b).tolist()))
    # Longest runs first, each word of either text used by at most one run.
    runs.sort(key=lambda r: (-(r[1] - r[0]), r[0], r[2]))
    used_a = bytearray(len_a)
    used_b = bytearray(len_b)
    chosen: list[tuple[int, int, int, int]] = []
    for a0, a1, b0, b1 in runs:
        if any(used_a[a0:a1]) or any(used_b[b0:b1]):
            continue
        used_a[a0:a1] = b"\x01" * (a1 - a0)
        used_b[b0:b1] = b"\x01" * (b1 - b0)
        chosen.append((a0, a1, b0, b1))
    chosen.sort()
    merged: list[tuple[int, int, int, int]] = []
    for span in chosen:
        if merged:
            a0, a1, b0, b1 = merged[-1]
            if 0 <= span[0] - a1 <= max_gap and 0 <= span[2] - b1 <= max_gap:
                merged[-1] = (a0, span[1], b0, span[3])
                continue
        merged.append(span)
    return [s for s in merged if min(s[1] - s[0], s[3] - s[2]) >= min_words]


def hash_index(hashes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A text's shingle positions sorted by hash (ascending positions within a hash), and those hashes.

    >>> order, values = hash_index(np.array([9, 4, 9, 7], dtype=np.uint64))
    >>> order.tolist(), values.tolist()
    ([1, 3, 0, 2], [4, 7, 9, 9])
    """
    compiled = loaded(*_ORDER_KERNEL)
    if compiled is not None:
        return compiled(np.asarray(hashes, dtype=np.uint64))
    order = np.argsort(hashes, kind="stable")
    return order, hashes[order]


def _seeds(a_index: tuple[np.ndarray, np.ndarray], b_index: tuple[np.ndarray, np.ndarray],
           common: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ``(i, j)`` with ``ha[i] == hb[j]`` in ``common``, skipping values repeated too often.

    ``a_index``/``b_index`` are the texts' :func:`hash_index`: a binary search
    per common value finds its positions in each text. A value found more
    than :data:`MAX_REPEATS` times in either text seeds nothing. Within one
    value the pairs are all combinations of its positions (at most
    ``MAX_REPEATS ** 2``).
    """
    (order_a, sorted_a), (order_b, sorted_b) = a_index, b_index
    start_a = np.searchsorted(sorted_a, common, side="left")
    count_a = np.searchsorted(sorted_a, common, side="right") - start_a
    start_b = np.searchsorted(sorted_b, common, side="left")
    count_b = np.searchsorted(sorted_b, common, side="right") - start_b
    ok = (count_a >= 1) & (count_a <= MAX_REPEATS) & (count_b >= 1) & (count_b <= MAX_REPEATS)
    single = ok & (count_a == 1) & (count_b == 1)
    seed_i = [order_a[start_a[single]]]
    seed_j = [order_b[start_b[single]]]
    multi = ok & ~single
    for sa, ca, sb, cb in zip(start_a[multi].tolist(), count_a[multi].tolist(),
                              start_b[multi].tolist(), count_b[multi].tolist()):
        seed_i.append(np.repeat(order_a[sa : sa + ca], cb))
        seed_j.append(np.tile(order_b[sb : sb + cb], ca))
    return np.concatenate(seed_i), np.concatenate(seed_j)


_CHECKED: list = [None, None]  # [the array sorted_set was last given, its answer]


def sorted_set(values: np.ndarray) -> np.ndarray:
    """``values`` as a sorted unique array for :func:`lineage.shingles.member`: itself when it is one already
    (a linear check, no copy), else ``np.unique(values)``.

    The answer for the last array given is kept (by identity: lineage never changes an array
    in place once made): every pair of a verification batch passes the same boilerplate, and
    the check cost more than a tenth of aligning a pair that shares nothing.

    >>> sorted_set(np.array([3, 1, 3])).tolist(), sorted_set(np.array([1, 3])).tolist()
    ([1, 3], [1, 3])
    """
    if values is _CHECKED[0]:
        return _CHECKED[1]
    found = np.unique(values) if len(values) > 1 and not (values[1:] > values[:-1]).all() else values
    _CHECKED[:] = [values, found]
    return found
