"""MinHash signatures for many documents, with datasketch-compatible values.

The permutations and hash values follow datasketch's ``affine64`` scheme: for
a shingle hash ``h`` the value of permutation ``i`` is
``a[i] * fmix64(h) + b[i]`` modulo 2**64, ``a``/``b`` drawn from NumPy's
``RandomState(seed)``. A signature from :func:`signature` therefore equals
``datasketch.MinHash(num_perm, seed, hashfunc=shingle_hash, scheme="affine64")``
updated with the same shingles (a test checks it), and :func:`to_minhash`
hands one to a datasketch index.

>>> import numpy as np
>>> sig = signature(np.array([1, 2, 3], dtype=np.uint64), permutations(8, seed=1))
>>> sig.shape, sig.dtype
((8,), dtype('uint64'))
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from lineage.kernels import load
from lineage.shingles import _mix

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


@lru_cache(maxsize=8)
def permutations(num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters of ``num_perm`` affine permutations (``a`` odd), read-only.

    Made once per setting: the index signs one document at a time.

    >>> a, b = permutations(4)
    >>> bool((a % 2 == 1).all()), a.flags.writeable, permutations(4)[0] is a
    (True, False, True)
    """
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, num_perm, dtype=np.uint64)
    a.flags.writeable = b.flags.writeable = False
    return a, b


def signature(hashes: np.ndarray, perms: tuple[np.ndarray, np.ndarray], chunk: int = 4096,
              premixed: bool = False) -> np.ndarray:
    """The MinHash signature (uint64, one value per permutation) of a set of shingle hashes."""
    a, b = perms
    sig = np.full(len(a), EMPTY, dtype=np.uint64)
    if len(hashes) == 0:
        return sig
    mixed = np.asarray(hashes, dtype=np.uint64) if premixed else _mix(np.asarray(hashes, dtype=np.uint64))
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), chunk):
            part = mixed[start : start + chunk]
            values = part[:, None] * a[None, :] + b[None, :]
            np.minimum(sig, values.min(axis=0), out=sig)
    return sig


def signatures(hash_sets: list[np.ndarray], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """Signatures of many documents as an ``(n_docs, num_perm)`` uint64 array.

    >>> sets = [np.array([1, 2, 3], dtype=np.uint64), np.zeros(0, dtype=np.uint64)]
    >>> sigs = signatures(sets, num_perm=4)
    >>> sigs.shape, bool((sigs[1] == EMPTY).all())
    ((2, 4), True)
    """
    lengths = np.fromiter(map(len, hash_sets), dtype=np.int64, count=len(hash_sets))
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    values = np.concatenate(hash_sets).astype(np.uint64) if hash_sets else np.zeros(0, dtype=np.uint64)
    return packed_signatures(values, offsets, num_perm=num_perm, seed=seed)


# Below this many shingle-permutation products (~8 M shingles at 128 permutations) NumPy is
# fast enough and the compiled kernel's import and first-call cost (about a second) would
# dominate: tests and small corpora never load it. lineage.parallel decides per corpus.
KERNEL_MIN_WORK = 1 << 30


def packed_signatures(
    values: np.ndarray, offsets: np.ndarray, *, num_perm: int = 128, seed: int = 1, kernel: bool | None = None
) -> np.ndarray:
    """Signatures of packed sets: set ``i`` is ``values[offsets[i]:offsets[i + 1]]``.

    Uses a compiled kernel (numba) when it is installed and the batch is large
    (``kernel=None``), else NumPy; both give the same values (tests check it).
    The kernel keeps each signature row in registers/L1 and takes eight
    shingles per pass over the permutations, about 7x NumPy's throughput.

    >>> values = np.array([5, 1, 2, 3], dtype=np.uint64)
    >>> a = packed_signatures(values, np.array([0, 1, 4]), num_perm=8, kernel=False)
    >>> bool((a[1] == signature(values[1:], permutations(8, seed=1))).all())
    True
    """
    a, b = permutations(num_perm, seed)
    offsets = np.asarray(offsets, dtype=np.int64)
    out = np.full((len(offsets) - 1, num_perm), EMPTY, dtype=np.uint64)
    if len(values) == 0:
        return out
    mixed = _mix(np.asarray(values, dtype=np.uint64))
    use_kernel = kernel if kernel is not None else len(values) * num_perm >= KERNEL_MIN_WORK
    compiled = _compiled_kernel() if use_kernel else None
    if compiled is not None:
        compiled(mixed, offsets, a, b, out)
    else:
        _numpy_kernel(mixed, offsets, a, b, out)
    return out


def _numpy_kernel(mixed: np.ndarray, offsets: np.ndarray, a: np.ndarray, b: np.ndarray, out: np.ndarray,
                  chunk: int = 8192) -> None:
    """All permutations of a run of whole documents at once, reduced per document with reduceat."""
    lengths = np.diff(offsets)
    nonempty = np.flatnonzero(lengths > 0)
    buf = np.empty((len(a), chunk), dtype=np.uint64)
    start = 0
    with np.errstate(over="ignore"):
        while start < len(nonempty):
            first = offsets[nonempty[start]]
            # as many documents as fit in the buffer, at least one (a long one gets its own pass)
            stop = int(np.searchsorted(offsets[nonempty + 1], first + chunk, side="right"))
            stop = max(stop, start + 1)
            docs = nonempty[start:stop]
            last = offsets[docs[-1] + 1]
            if last - first > chunk:  # one document larger than the buffer
                out[docs[0]] = signature(mixed[first:last], (a, b), premixed=True)
            else:
                part = mixed[first:last]
                view = buf[:, : len(part)]
                np.multiply(a[:, None], part[None, :], out=view)
                np.add(view, b[:, None], out=view)
                out[docs] = np.minimum.reduceat(view, offsets[docs] - first, axis=1).T
            start = stop


def _compiled_kernel():  # -> the numba function, or None when numba is missing or broken
    """The numba kernel, compiled (or loaded from numba's cache) on first use."""
    return load("lineage._minhash_kernel", "minhash_rows")


def to_minhash(sig: np.ndarray, *, seed: int = 1):  # -> datasketch.MinHash
    """Wrap a signature as a ``datasketch.MinHash`` (scheme ``affine64``) for its LSH indexes."""
    from datasketch import MinHash

    return MinHash(seed=seed, hashvalues=sig, scheme="affine64")
