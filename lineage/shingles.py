"""Word k-shingles hashed to 64-bit integers.

A shingle is ``k`` consecutive normalised tokens. Its hash combines the
64-bit hashes of its tokens, so a shingle hash can be computed from token
hashes in bulk (NumPy) and also from the shingle's text alone by
:func:`shingle_hash`, which is what makes our MinHash values reproducible
with datasketch (pass ``hashfunc=shingle_hash``).

>>> from lineage.normalise import tokenize
>>> h = shingle_hashes(tokenize("the talks in moscow went well"), k=5)
>>> len(h), int(h[0]) == shingle_hash(b"the talks in moscow went")
(2, True)
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np

from lineage.normalise import Tokens

_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd 64-bit constant (golden ratio)


@lru_cache(maxsize=1 << 20)
def token_hash(token: str) -> int:
    """A stable 64-bit hash of one normalised token (BLAKE2b, 8 bytes)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def _mix(h: np.ndarray) -> np.ndarray:
    """A 64-bit avalanche (the MurmurHash3 finaliser constants)."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def combine(token_hashes: np.ndarray, k: int) -> np.ndarray:
    """Hashes of all windows of ``k`` consecutive token hashes (uint64, wrapping).

    Fewer than ``k`` tokens give one shingle of all of them; none give none.
    """
    n = len(token_hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    width = min(k, n)
    count = n - width + 1
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(width):
            acc = acc * _MULT + token_hashes[offset : offset + count]
        acc = acc + np.uint64(width)
        return _mix(acc)


def shingle_hashes(tokens: Tokens, *, k: int = 5) -> np.ndarray:
    """The positional shingle hashes of a text: element ``i`` covers tokens ``i..i+k-1``."""
    hashes = np.fromiter((token_hash(t) for t in tokens.norms), dtype=np.uint64, count=len(tokens))
    return combine(hashes, k)


def shingle_hash(shingle: bytes) -> int:
    """The hash of one shingle given as space-separated normalised tokens (UTF-8).

    Usable as datasketch's ``hashfunc`` (with ``scheme="affine64"``).

    >>> shingle_hash(b"a b c d e") == shingle_hash("a b c d e".encode())
    True
    """
    words = shingle.decode("utf-8").split(" ")
    hashes = np.array([token_hash(w) for w in words], dtype=np.uint64)
    return int(combine(hashes, len(words))[0])
