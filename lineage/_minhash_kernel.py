"""The compiled MinHash kernel (numba); imported only by :mod:`lineage.signatures`.

Kept in its own module so that importing :mod:`lineage` never loads numba: a
failed import here simply sends :func:`lineage.signatures.packed_signatures`
to its NumPy path, which gives the same values.
"""

from __future__ import annotations

import os
import sys


def _prefer_wide_vectors() -> None:
    """Let LLVM use 512-bit vectors where the CPU has them (about 1.4x on this kernel).

    LLVM targets 256-bit vectors on AVX-512 CPUs by default (the
    ``prefer-256-bit`` tuning); the kernel's 64-bit multiplies run on full
    width. Only a tuning flag: the values are the same either way. Applied
    only when numba is not loaded yet and the user has not chosen the CPU
    features themselves.
    """
    if "numba" in sys.modules or "NUMBA_CPU_FEATURES" in os.environ:
        return
    try:
        import llvmlite.binding as llvm

        features = llvm.get_host_cpu_features().flatten()
    except Exception:  # an llvmlite without host queries: keep numba's defaults
        return
    if "+avx512f" in features:
        os.environ["NUMBA_CPU_FEATURES"] = features + ",-prefer-256-bit"


_prefer_wide_vectors()

import numba  # noqa: E402
import numpy as np  # noqa: E402

_EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


@numba.njit(cache=True, nogil=True)
def minhash_rows(mixed, offsets, a, b, out):  # pragma: no cover - compiled
    """Fill ``out[d]`` with min over ``mixed[offsets[d]:offsets[d+1]]`` of ``a * x + b`` (mod 2**64).

    Eight shingles per pass over the permutations: the row stays in cache,
    the eight products of one permutation are reduced in registers, and the
    inner loop vectorises (SIMD 64-bit multiply and unsigned minimum).
    """
    p = a.shape[0]
    row = np.empty(p, np.uint64)
    for d in range(offsets.shape[0] - 1):
        start = offsets[d]
        end = offsets[d + 1]
        if end == start:
            continue
        for i in range(p):
            row[i] = _EMPTY
        j = start
        while j + 8 <= end:
            x0 = mixed[j]
            x1 = mixed[j + 1]
            x2 = mixed[j + 2]
            x3 = mixed[j + 3]
            x4 = mixed[j + 4]
            x5 = mixed[j + 5]
            x6 = mixed[j + 6]
            x7 = mixed[j + 7]
            for i in range(p):
                ai = a[i]
                bi = b[i]
                v0 = min(ai * x0 + bi, ai * x1 + bi)
                v2 = min(ai * x2 + bi, ai * x3 + bi)
                v4 = min(ai * x4 + bi, ai * x5 + bi)
                v6 = min(ai * x6 + bi, ai * x7 + bi)
                row[i] = min(row[i], min(min(v0, v2), min(v4, v6)))
            j += 8
        while j < end:
            x = mixed[j]
            for i in range(p):
                row[i] = min(row[i], a[i] * x + b[i])
            j += 1
        for i in range(p):
            out[d, i] = row[i]
