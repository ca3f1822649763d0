"""A compiled membership test for a large set of shingle hashes (numba); imported only through
:mod:`lineage.kernels` (see :func:`lineage.shingles.member_of`).

Direction asks, for every token of every document it reads, whether the shingle there is
neutral (boilerplate or a site template): a corpus-wide sorted set of hundreds of thousands
of hashes. A binary search per value (``np.searchsorted``) walks about twenty levels of that
array, most of them cache misses; an open-addressing table built once per set answers with
one or two probes. Same answers as :func:`lineage.shingles.member` (tests compare both).

The table is the compiled tokeniser's (:mod:`lineage._token_kernel`: keys probed linearly
from a multiplicative hash, key 0 marking a free slot), holding the set's values as keys,
at most half full. Value 0, which cannot be a key there, is kept apart as a flag.
"""

from __future__ import annotations

import numba
import numpy as np

from lineage._token_kernel import _slot  # also loads numba with lineage's CPU tuning first


def table_size(size: int) -> int:
    """Slots for a set of ``size`` values: a power of two, at least twice as many (and 16)."""
    return 1 << max(4, int(2 * max(1, size) - 1).bit_length())


@numba.njit(cache=True, nogil=True)
def build_table(values, slots):  # pragma: no cover - compiled
    """``(keys, has_zero)``: the table of ``values`` (distinct uint64) in ``slots`` slots."""
    keys = np.zeros(slots, np.uint64)
    has_zero = False
    for v in values:
        if v == np.uint64(0):
            has_zero = True
        else:
            keys[_slot(keys, v)] = v
    return keys, has_zero


@numba.njit(cache=True, nogil=True)
def contains(keys, has_zero, values):  # pragma: no cover - compiled
    """One bool per value of ``values``: whether the table ``(keys, has_zero)`` holds it."""
    out = np.zeros(values.shape[0], np.bool_)
    for i in range(values.shape[0]):
        v = values[i]
        out[i] = has_zero if v == np.uint64(0) else keys[_slot(keys, v)] == v
    return out
