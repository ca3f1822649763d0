"""The compiled alignment kernel (numba); imported only by :mod:`lineage.alignment`.

One function does what :func:`lineage.alignment._spans` and the set
arithmetic of :func:`lineage.alignment.align_pair` do with NumPy calls:
intersect the two shingle sets, drop boilerplate, pair the positions of each
shared shingle (seeds), cut seeds into runs along diagonals, choose runs
longest first, merge neighbours. Same rules, same spans (tests compare both
paths on random and real texts); a few microseconds per pair instead of a
few hundred, most of which was the overhead of small NumPy calls.
"""

from __future__ import annotations

import lineage._minhash_kernel  # noqa: F401 - loads numba with its CPU tuning first
import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def align_spans(ua, ub, ignore, order_a, sorted_a, order_b, sorted_b,
                width_a, width_b, len_a, len_b, max_gap, min_words, max_repeats):  # pragma: no cover - compiled
    """``(shared, spans)``: the number of shingles the sorted unique sets ``ua`` and ``ub`` share,
    and the ``(m, 4)`` token spans ``a0, a1, b0, b1`` of the passages, by ``a0``.

    ``ignore`` is sorted and unique (boilerplate: shared, but seeds nothing);
    ``order_x``/``sorted_x`` are each text's :func:`lineage.alignment.hash_index`.
    """
    # the shared shingles (both sets sorted and unique: one merge)
    common = np.empty(min(ua.shape[0], ub.shape[0]), np.uint64)
    shared = 0
    x = 0
    y = 0
    while x < ua.shape[0] and y < ub.shape[0]:
        if ua[x] < ub[y]:
            x += 1
        elif ua[x] > ub[y]:
            y += 1
        else:
            common[shared] = ua[x]
            shared += 1
            x += 1
            y += 1
    # boilerplate seeds nothing (binary search: the ignore set may be large)
    n = 0
    for t in range(shared):
        c = common[t]
        if ignore.shape[0]:
            at = np.searchsorted(ignore, c)
            if at < ignore.shape[0] and ignore[at] == c:
                continue
        common[n] = c
        n += 1
    empty = np.zeros((0, 4), np.int64)
    if n == 0:
        return shared, empty
    # each common value's positions in either text (a value repeated too often seeds nothing)
    start_a = np.empty(n, np.int64)
    count_a = np.empty(n, np.int64)
    start_b = np.empty(n, np.int64)
    count_b = np.empty(n, np.int64)
    pa = 0
    pb = 0
    total = 0
    for t in range(n):
        c = common[t]
        while pa < sorted_a.shape[0] and sorted_a[pa] < c:
            pa += 1
        qa = pa
        while qa < sorted_a.shape[0] and sorted_a[qa] == c:
            qa += 1
        while pb < sorted_b.shape[0] and sorted_b[pb] < c:
            pb += 1
        qb = pb
        while qb < sorted_b.shape[0] and sorted_b[qb] == c:
            qb += 1
        start_a[t], count_a[t], start_b[t], count_b[t] = pa, qa - pa, pb, qb - pb
        if 1 <= qa - pa <= max_repeats and 1 <= qb - pb <= max_repeats:
            total += (qa - pa) * (qb - pb)
        pa, pb = qa, qb
    if total == 0:
        return shared, empty
    seed_i = np.empty(total, np.int64)
    seed_j = np.empty(total, np.int64)
    s = 0
    for t in range(n):
        if 1 <= count_a[t] <= max_repeats and 1 <= count_b[t] <= max_repeats:
            for u in range(count_a[t]):
                for v in range(count_b[t]):
                    seed_i[s] = order_a[start_a[t] + u]
                    seed_j[s] = order_b[start_b[t] + v]
                    s += 1
    # by diagonal, then position: (diagonal, i) is unique, so any sort gives this order
    key = (seed_j - seed_i + len_a) * (len_a + 1) + seed_i
    order = np.argsort(key)
    # runs: consecutive positions on one diagonal
    runs = np.empty((total, 4), np.int64)
    r = 0
    first = order[0]
    previous = first
    for q in range(1, total + 1):
        if q < total:
            here = order[q]
            if (seed_j[here] - seed_i[here] == seed_j[previous] - seed_i[previous]
                    and seed_i[here] == seed_i[previous] + 1):
                previous = here
                continue
        runs[r, 0] = seed_i[first]
        runs[r, 1] = seed_i[previous] + width_a
        runs[r, 2] = seed_j[first]
        runs[r, 3] = seed_j[previous] + width_b
        r += 1
        if q < total:
            first = here
            previous = here
    runs = runs[:r]
    # longest first, then by a0, then b0 ((a0, b0) is unique: stable sorts, least key first)
    by_start = np.argsort(runs[:, 0] * (len_b + 1) + runs[:, 2], kind="mergesort")
    by_length = by_start[np.argsort(runs[by_start, 0] - runs[by_start, 1], kind="mergesort")]
    used_a = np.zeros(len_a, np.bool_)
    used_b = np.zeros(len_b, np.bool_)
    chosen = np.empty(r, np.int64)
    m = 0
    for q in range(r):
        a0, a1, b0, b1 = runs[by_length[q], 0], runs[by_length[q], 1], runs[by_length[q], 2], runs[by_length[q], 3]
        free = True
        for p in range(a0, a1):
            if used_a[p]:
                free = False
                break
        if free:
            for p in range(b0, b1):
                if used_b[p]:
                    free = False
                    break
        if not free:
            continue
        used_a[a0:a1] = True
        used_b[b0:b1] = True
        chosen[m] = by_length[q]
        m += 1
    # chosen runs are disjoint in a: sorting by a0 sorts them
    picked = runs[chosen[:m]]
    picked = picked[np.argsort(picked[:, 0])]
    merged = np.empty((m, 4), np.int64)
    w = 0
    for q in range(m):
        if w and 0 <= picked[q, 0] - merged[w - 1, 1] <= max_gap and 0 <= picked[q, 2] - merged[w - 1, 3] <= max_gap:
            merged[w - 1, 1] = picked[q, 1]
            merged[w - 1, 3] = picked[q, 3]
            continue
        merged[w] = picked[q]
        w += 1
    keep = 0
    for q in range(w):
        if min(merged[q, 1] - merged[q, 0], merged[q, 3] - merged[q, 2]) >= min_words:
            merged[keep] = merged[q]
            keep += 1
    return shared, merged[:keep].copy()


@numba.njit(cache=True, nogil=True)
def hash_order(hashes):  # pragma: no cover - compiled
    """:func:`lineage.alignment.hash_index`: ``(order, sorted)``, the positions of ``hashes``
    sorted by value, ascending positions within a value, and the values in that order.

    A least-significant-digit radix sort, a byte per pass (stable by construction), the eight
    byte histograms counted in one read: for a text's few hundred shingles this costs less
    than NumPy's stable argsort. A pass where every value has the same byte is skipped.
    """
    n = hashes.shape[0]
    counts = np.zeros((8, 257), np.int64)
    for i in range(n):
        value = hashes[i]
        for byte in range(8):
            counts[byte, np.int64((value >> np.uint64(8 * byte)) & np.uint64(255)) + 1] += 1
    keys = hashes.copy()
    order = np.arange(n)
    spare_keys = np.empty(n, np.uint64)
    spare_order = np.empty(n, np.int64)
    for byte in range(8):
        count = counts[byte]
        if count.max() == n:
            continue
        for b in range(256):
            count[b + 1] += count[b]
        shift = np.uint64(8 * byte)
        for i in range(n):
            digit = np.int64((keys[i] >> shift) & np.uint64(255))
            at = count[digit]
            count[digit] = at + 1
            spare_keys[at] = keys[i]
            spare_order[at] = order[i]
        keys, spare_keys = spare_keys, keys
        order, spare_order = spare_order, order
    return order, keys
