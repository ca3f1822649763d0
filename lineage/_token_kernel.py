"""The compiled tokeniser for ASCII-word texts (numba); imported only through :mod:`lineage.kernels`.

For a text whose word characters are all ASCII, :func:`lineage.normalise.tokenize`
splits on runs of ``[A-Za-z0-9]`` and :func:`lineage.shingles.token_hash` hashes
each run lower-cased (BLAKE2b). :func:`ascii_tokens` does both in one pass over
the text's bytes: spans, and each word's hash looked up in a table keyed by the
word itself, packed exactly into 64 bits (words of up to 12 characters; 36
symbols in base 37, so no two words share a key). Words the table lacks, and
longer words, are reported and hashed by the caller (:mod:`lineage.shingles`),
which adds them to the table: the values are those of ``token_hash`` by
construction, never an approximation.
"""

from __future__ import annotations

import lineage._minhash_kernel  # noqa: F401 - loads numba with its CPU tuning first
import numba
import numpy as np
from numba import types
from numba.typed import Dict

MAX_PACKED = 12  # characters: 37 ** 12 < 2 ** 63
_SPACE = 32


def new_table():
    """An empty word-key -> token-hash table for :func:`ascii_tokens`."""
    return Dict.empty(key_type=types.uint64, value_type=types.uint64)


@numba.njit(cache=True, nogil=True)
def _code(byte):  # pragma: no cover - compiled
    """'0'-'9' -> 1..10, 'a'-'z' -> 11..36 (the translated text holds nothing else but spaces)."""
    return byte - 47 if byte <= 57 else byte - 86


@numba.njit(cache=True, nogil=True)
def ascii_tokens(buf, table):  # pragma: no cover - compiled
    """``(starts, ends, hashes, keys, missing)`` of the words of ``buf``.

    ``buf``: the text's bytes with ASCII letters and digits lower-cased and
    every other character one space (one byte per character). ``hashes[t]``
    is word ``t``'s token hash when ``table`` has it; ``missing`` lists the
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
            found = table.get(key, np.uint64(0))
            if found != np.uint64(0) or key in table:
                hashes[t] = found
                t += 1
                continue
        missing[lost] = t
        lost += 1
        t += 1
    return starts, ends, hashes, keys, missing[:lost]


@numba.njit(cache=True, nogil=True)
def remember(table, keys, hashes, words):  # pragma: no cover - compiled
    """Add ``keys[t] -> hashes[t]`` to ``table`` for each ``t`` in ``words`` with a key (a packed word)."""
    for t in words:
        if keys[t] != np.uint64(0):
            table[keys[t]] = hashes[t]
