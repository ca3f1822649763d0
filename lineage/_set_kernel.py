"""A compiled membership test for a large set of shingle hashes (numba); imported only through
:mod:`lineage.kernels` (see :func:`lineage.shingles.member_of`).

Direction asks, for every token of every document it reads, whether the shingle there is
neutral (boilerplate or a site template): a corpus-wide sorted set of hundreds of thousands
of hashes. A binary search per value (``np.searchsorted``) walks about twenty levels of that
array, most of them cache misses; an open-addressing table built once per set answers with
one or two probes. Same answers as :func:`lineage.shingles.member` (tests compare both).

The table: ``keys`` and ``used`` arrays of a power-of-two size, at most half full, probed
linearly from the high bits of a multiplicative hash of the value (any uint64 is a value,
0 too: ``used`` marks the occupied slots).
"""

from __future__ import annotations

import lineage._minhash_kernel  # noqa: F401 - loads numba with its CPU tuning first
import numba
import numpy as np

_SPREAD = np.uint64(0x9E3779B97F4A7C15)


def table_bits(size: int) -> int:
    """Bits of the slot index for a set of ``size`` values: at least twice as many slots."""
    return max(4, int(2 * max(1, size) - 1).bit_length())


@numba.njit(cache=True, nogil=True)
def build_table(values, bits):  # pragma: no cover - compiled
    """``(keys, used)``: the table holding ``values`` (distinct uint64), ``2 ** bits`` slots."""
    size = np.int64(1) << bits
    mask = size - 1
    shift = np.uint64(64 - bits)
    keys = np.zeros(size, np.uint64)
    used = np.zeros(size, np.bool_)
    for v in values:
        slot = np.int64((v * _SPREAD) >> shift)
        while used[slot] and keys[slot] != v:
            slot = (slot + 1) & mask
        keys[slot] = v
        used[slot] = True
    return keys, used


@numba.njit(cache=True, nogil=True)
def contains(keys, used, bits, values):  # pragma: no cover - compiled
    """One bool per value of ``values``: whether the table ``(keys, used)`` holds it."""
    mask = keys.shape[0] - 1
    shift = np.uint64(64 - bits)
    out = np.zeros(values.shape[0], np.bool_)
    for i in range(values.shape[0]):
        v = values[i]
        slot = np.int64((v * _SPREAD) >> shift)
        while used[slot]:
            if keys[slot] == v:
                out[i] = True
                break
            slot = (slot + 1) & mask
    return out
