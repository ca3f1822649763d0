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

import numpy as np

from lineage.shingles import _mix

EMPTY = np.uint64(0xFFFFFFFFFFFFFFFF)


def permutations(num_perm: int = 128, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` parameters of ``num_perm`` affine permutations (``a`` odd)."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 63, num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = gen.randint(0, 1 << 64, num_perm, dtype=np.uint64)
    return a, b


def signature(hashes: np.ndarray, perms: tuple[np.ndarray, np.ndarray], chunk: int = 4096) -> np.ndarray:
    """The MinHash signature (uint64, one value per permutation) of a set of shingle hashes."""
    a, b = perms
    sig = np.full(len(a), EMPTY, dtype=np.uint64)
    if len(hashes) == 0:
        return sig
    mixed = _mix(np.asarray(hashes, dtype=np.uint64))
    with np.errstate(over="ignore"):
        for start in range(0, len(mixed), chunk):
            part = mixed[start : start + chunk]
            values = part[:, None] * a[None, :] + b[None, :]
            np.minimum(sig, values.min(axis=0), out=sig)
    return sig


def signatures(hash_sets: list[np.ndarray], *, num_perm: int = 128, seed: int = 1) -> np.ndarray:
    """Signatures of many documents as an ``(n_docs, num_perm)`` uint64 array."""
    perms = permutations(num_perm, seed)
    out = np.empty((len(hash_sets), num_perm), dtype=np.uint64)
    for row, hashes in enumerate(hash_sets):
        out[row] = signature(hashes, perms)
    return out


def to_minhash(sig: np.ndarray, *, seed: int = 1):  # -> datasketch.MinHash
    """Wrap a signature as a ``datasketch.MinHash`` (scheme ``affine64``) for its LSH indexes."""
    from datasketch import MinHash

    return MinHash(seed=seed, hashvalues=sig, scheme="affine64")
