"""The compiled tokeniser and shingler for ASCII-word texts (numba); imported only through :mod:`lineage.kernels`.

For a text whose word characters are all ASCII, :func:`lineage.normalise.tokenize`
splits on runs of ``[A-Za-z0-9]`` and :func:`lineage.shingles.token_hash` hashes
each run lower-cased (BLAKE2b). :func:`ascii_tokens` does both in one pass over
the text's bytes: spans, and each word's hash looked up in a table keyed by the
word itself, packed exactly into 64 bits (words of up to 12 characters; 36
symbols in base 37, so no two words share a key). Words the table lacks, and
longer words, are reported and hashed by the caller (:mod:`lineage.shingles`),
which adds them to the table: the values are those of ``token_hash`` by
construction, never an approximation.

The table is two arrays, keys and values, probed linearly from a multiplicative
hash of the key (key 0, which no packed word has, marks a free slot): a lookup
costs a few nanoseconds, about a tenth of a ``numba.typed.Dict`` lookup.
:func:`combine_windows` is :func:`lineage.shingles.combine` (the shingle
hashes of a text's token hashes) in one compiled loop.
"""

from __future__ import annotations

import lineage._minhash_kernel  # noqa: F401 - loads numba with its CPU tuning first
import numba
import numpy as np

MAX_PACKED = 12  # characters: 37 ** 12 < 2 ** 63
_SPACE = 32
_SPREAD = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xFF51AFD7ED558CCD)
_MIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_SHIFT = np.uint64(33)


def new_table(slots: int = 1 << 16) -> tuple[np.ndarray, np.ndarray]:
    """An empty word-key -> token-hash table for :func:`ascii_tokens`: ``(keys, values)`` of
    ``slots`` entries (a power of two); key 0 marks a free slot."""
    return np.zeros(slots, np.uint64), np.zeros(slots, np.uint64)


@numba.njit(cache=True, nogil=True, inline="always")
def _slot(keys_table, key):  # pragma: no cover - compiled
    """Where ``key`` is in the table, or the free slot where it would go: probed linearly from
    the high half of a multiplicative hash of the key."""
    mask = np.uint64(keys_table.shape[0] - 1)
    slot = np.int64(((key * _SPREAD) >> np.uint64(32)) & mask)
    while keys_table[slot] != key and keys_table[slot] != np.uint64(0):
        slot = (slot + 1) & np.int64(mask)
    return slot


@numba.njit(cache=True, nogil=True)
def _code(byte):  # pragma: no cover - compiled
    """'0'-'9' -> 1..10, 'a'-'z' -> 11..36 (the translated text holds nothing else but spaces)."""
    return byte - 47 if byte <= 57 else byte - 86


@numba.njit(cache=True, nogil=True)
def ascii_tokens(buf, keys_table, values_table):  # pragma: no cover - compiled
    """``(starts, ends, hashes, keys, missing)`` of the words of ``buf``.

    ``buf``: the text's bytes with ASCII letters and digits lower-cased and
    every other character one space (one byte per character). ``hashes[t]``
    is word ``t``'s token hash when the table has it; ``missing`` lists the
    words it lacks, with their keys (0 for a word too long to pack).
    """
    n = buf.shape[0]
    count = 0
    inside = False
    for p in range(n):
        word = buf[p] != _SPACE
        if word and not inside:
            count += 1
        inside = word
    starts = np.empty(count, np.int64)
    ends = np.empty(count, np.int64)
    hashes = np.zeros(count, np.uint64)
    keys = np.zeros(count, np.uint64)
    missing = np.empty(count, np.int64)
    lost = 0
    t = 0
    p = 0
    while p < n:
        if buf[p] == _SPACE:
            p += 1
            continue
        start = p
        key = np.uint64(0)
        while p < n and buf[p] != _SPACE:
            if p - start < MAX_PACKED:
                key = key * np.uint64(37) + np.uint64(_code(buf[p]))
            p += 1
        starts[t] = start
        ends[t] = p
        if p - start <= MAX_PACKED:
            keys[t] = key
            slot = _slot(keys_table, key)
            if keys_table[slot] == key:
                hashes[t] = values_table[slot]
                t += 1
                continue
        missing[lost] = t
        lost += 1
        t += 1
    return starts, ends, hashes, keys, missing[:lost]


@numba.njit(cache=True, nogil=True)
def remember(keys_table, values_table, keys, hashes, words):  # pragma: no cover - compiled
    """Add ``keys[t] -> hashes[t]`` to the table for each ``t`` in ``words`` with a key (a packed
    word); the number of keys new to it. The caller keeps the table at most half full."""
    added = 0
    for t in words:
        key = keys[t]
        if key == np.uint64(0):
            continue
        slot = _slot(keys_table, key)
        if keys_table[slot] == np.uint64(0):
            keys_table[slot] = key
            added += 1
        values_table[slot] = hashes[t]
    return added


@numba.njit(cache=True, nogil=True)
def combine_windows(token_hashes, k):  # pragma: no cover - compiled
    """:func:`lineage.shingles.combine`: the hash of every window of ``k`` consecutive token
    hashes (fewer than ``k`` tokens: one window of all of them), uint64 wrapping arithmetic."""
    n = token_hashes.shape[0]
    if n == 0:
        return np.zeros(0, np.uint64)
    width = min(k, n)
    count = n - width + 1
    out = np.empty(count, np.uint64)
    for i in range(count):
        acc = np.uint64(0)
        for c in range(width):
            acc = acc * _SPREAD + token_hashes[i + c]
        h = acc + np.uint64(width)
        h = h ^ (h >> _SHIFT)
        h = h * _MIX1
        h = h ^ (h >> _SHIFT)
        h = h * _MIX2
        out[i] = h ^ (h >> _SHIFT)
    return out
