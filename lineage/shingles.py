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
from collections.abc import Iterable
from functools import lru_cache

import numpy as np

from lineage.kernels import loaded
from lineage.normalise import Tokens, ascii_words, tokenize

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
    compiled = loaded(*COMBINE_KERNEL)
    if compiled is not None:
        return compiled(np.asarray(token_hashes, dtype=np.uint64), k)
    n = len(token_hashes)
    if n == 0:
        return np.zeros(0, dtype=np.uint64)
    width = min(k, n)
    count = n - width + 1
    return _fold((token_hashes[offset : offset + count] for offset in range(width)), width, count)


def combine_rows(windows: np.ndarray) -> np.ndarray:
    """The shingle hash of each row of a ``(m, k)`` array of token hashes (any rows: :func:`combine`
    passes the sliding windows of one text, the witnesses the windows that straddle a left-out line).

    >>> th = norm_hashes(("a", "b", "c", "d"))
    >>> combine_rows(np.stack([th[0:2], th[2:4]])).tolist() == combine(th, 2)[[0, 2]].tolist()
    True
    """
    width = windows.shape[1]
    return _fold((windows[:, column] for column in range(width)), width, len(windows))


def _fold(columns: Iterable[np.ndarray], width: int, count: int) -> np.ndarray:
    """The shingle arithmetic shared by :func:`combine` and :func:`combine_rows`: ``count``
    hashes, each folding ``width`` token hashes (one array per position) in order."""
    acc = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for column in columns:
            acc = acc * _MULT + column
        return _mix(acc + np.uint64(width))


def shingle_hashes(tokens: Tokens, *, k: int = 5) -> np.ndarray:
    """The positional shingle hashes of a text: element ``i`` covers tokens ``i..i+k-1``."""
    return combine(token_hashes(tokens), k)


def token_hashes(tokens: Tokens) -> np.ndarray:
    """``token_hash`` of each token; an ASCII text's are read from its bytes (see :func:`text_token_hashes`).

    >>> t = tokenize("Talks in MOSCOW")
    >>> token_hashes(t).tolist() == [token_hash(w) for w in ("talks", "in", "moscow")]
    True
    """
    if tokens.hashes is None:  # computed once per Tokens (alignment, evidence and witnesses read them)
        tokens.hashes = _ascii_token_hashes(tokens.text) if tokens.ascii else norm_hashes(tokens.norms)
    return tokens.hashes


_NORM_HASHES: dict[str, int] = {}


def norm_hashes(norms: tuple[str, ...] | list[str]) -> np.ndarray:
    """``token_hash`` of each normalised token, through a plain dict (a third of lru_cache's cost).

    >>> norm_hashes(("talks", "moscow")).tolist() == [token_hash("talks"), token_hash("moscow")]
    True
    """
    return _cached_hashes(_NORM_HASHES, norms, token_hash)


def _cached_hashes(cache: dict, keys, make) -> np.ndarray:
    """``make(key)`` of each key as uint64, through ``cache`` (cleared when it outgrows its bound)."""
    try:
        return np.fromiter(map(cache.__getitem__, keys), dtype=np.uint64, count=len(keys))
    except KeyError:
        if len(cache) > _BYTE_HASHES_MAX:
            cache.clear()
        for key in keys:
            if key not in cache:
                cache[key] = make(key)
        return np.fromiter(map(cache.__getitem__, keys), dtype=np.uint64, count=len(keys))


# Byte -> itself lower-cased for ASCII letters and digits, a space for everything else
# (a non-ASCII character arrives as "?" from encode(errors="replace")).
_WORD_BYTES = bytes(ord(chr(c).lower()) if chr(c).isascii() and chr(c).isalnum() else 32 for c in range(256))
_BYTE_HASHES: dict[bytes, int] = {}
_BYTE_HASHES_MAX = 1 << 21  # distinct words kept; a larger vocabulary restarts the cache


def text_token_hashes(text: str) -> np.ndarray:
    """The token hashes of ``text``, equal to ``token_hash`` over ``tokenize(text).norms``.

    Only the hashes, not the spans: the bulk stages need nothing else. A text
    whose word characters are all ASCII is split with one byte translation
    and ``bytes.split`` (no regular expression, no per-token normalisation),
    which is where most of the speed of the shingling stage comes from.

    >>> from lineage.normalise import tokenize
    >>> text = "“Talks in MOSCOW,” he said — again."
    >>> [int(h) for h in text_token_hashes(text)] == [token_hash(w) for w in tokenize(text).norms]
    True
    """
    if not ascii_words(text):
        return norm_hashes(tokenize(text).norms)
    return _ascii_token_hashes(text)


def _ascii_token_hashes(text: str) -> np.ndarray:
    """:func:`text_token_hashes` of a text whose word characters are all ASCII."""
    if loaded(*TOKEN_KERNEL) is not None:
        return _compiled_ascii_tokens(text)[2]
    words = text.encode("ascii", errors="replace").translate(_WORD_BYTES).split()
    return _cached_hashes(_BYTE_HASHES, words, _ascii_hash)


TOKEN_KERNEL = ("lineage._token_kernel", "ascii_tokens")
COMBINE_KERNEL = ("lineage._token_kernel", "combine_windows")
# the compiled tokeniser's word-key -> token-hash table, made when first needed: [keys, values, used]
_TABLE: list = []


def tokenize_hashed(text: str) -> Tokens:
    """``tokenize(text)`` with its token hashes (:func:`token_hashes`) already kept on it.

    When the compiled tokeniser is loaded (``lineage.kernels.load(*TOKEN_KERNEL)``,
    done by the bulk stages for large corpora) an ASCII-word text is split and
    hashed in one compiled pass; otherwise this is :func:`tokenize`, the hashes
    computed when first asked for. The tokens and hashes are the same either way.

    >>> t = tokenize_hashed("Talks in MOSCOW, “again”")
    >>> t.norms, token_hashes(t).tolist() == [token_hash(w) for w in t.norms]
    (('talks', 'in', 'moscow', 'again'), True)
    """
    if loaded(*TOKEN_KERNEL) is None or not ascii_words(text):
        return tokenize(text)
    starts, ends, hashes = _compiled_ascii_tokens(text)
    tokens = Tokens(text, None, starts, ends)
    tokens.hashes = hashes
    return tokens


def _compiled_ascii_tokens(text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Spans and token hashes of an ASCII-word text from the compiled tokeniser; the words its
    table lacks are hashed here (``token_hash``) and added to it."""
    from lineage._token_kernel import new_table, remember

    if not _TABLE or _TABLE[2] > _BYTE_HASHES_MAX:
        _TABLE[:] = [*new_table(), 0]
    buf = np.frombuffer(text.encode("ascii", errors="replace").translate(_WORD_BYTES), dtype=np.uint8)
    starts, ends, hashes, keys, missing = loaded(*TOKEN_KERNEL)(buf, _TABLE[0], _TABLE[1])
    if len(missing):
        hashes[missing] = _cached_hashes(
            _BYTE_HASHES, [buf[starts[t] : ends[t]].tobytes() for t in missing.tolist()], _ascii_hash)
        if 2 * (_TABLE[2] + len(missing)) > len(_TABLE[0]):  # keep it at most half full
            _TABLE[:2] = _grown(_TABLE[0], _TABLE[1], 4 * (_TABLE[2] + len(missing)))
        _TABLE[2] += remember(_TABLE[0], _TABLE[1], keys, hashes, missing)
    return starts, ends, hashes


def _grown(keys: np.ndarray, values: np.ndarray, least: int) -> tuple[np.ndarray, np.ndarray]:
    """The tokeniser's table rebuilt with at least ``least`` slots (a power of two), same entries."""
    from lineage._token_kernel import new_table, remember

    slots = len(keys)
    while slots < least:
        slots *= 2
    bigger = new_table(slots)
    held = np.flatnonzero(keys)
    remember(*bigger, keys, values, held)
    return bigger


def _ascii_hash(word: bytes) -> int:
    return token_hash(word.decode("ascii"))


def unique_sorted(hashes: np.ndarray) -> np.ndarray:
    """``np.unique`` for a uint64 array, without its bookkeeping (about 3x faster on small arrays).

    >>> unique_sorted(np.array([3, 1, 3, 2], dtype=np.uint64)).tolist()
    [1, 2, 3]
    """
    return distinct(np.sort(hashes)) if len(hashes) >= 2 else np.array(hashes, dtype=np.uint64)


def distinct(ordered: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending uint64 array (:func:`unique_sorted` of a sorted one).

    >>> distinct(np.array([1, 1, 2, 5, 5], dtype=np.uint64)).tolist()
    [1, 2, 5]
    """
    if len(ordered) < 2:
        return np.array(ordered, dtype=np.uint64)
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def member(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """``np.isin(values, sorted_set)`` for a sorted unique ``sorted_set`` (binary search, no sort).

    >>> member(np.array([5, 2, 9]), np.array([2, 5])).tolist()
    [True, True, False]
    """
    if len(sorted_set) == 0:
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_set, values)
    at[at == len(sorted_set)] = 0
    return sorted_set[at] == values


SET_KERNEL = ("lineage._set_kernel", "contains")
LARGE_SET = 4096  # values: from this size a set probed by many documents gets a hash table
_TABLE_FOR: list = [None, None]  # [the sorted set, its (keys, has_zero)]: the last large set asked about


def member_of(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """:func:`member` for a large set that many calls probe (the corpus-wide neutral set).

    When the compiled set kernel is loaded (``lineage.kernels.load(*SET_KERNEL)``,
    done by direction for large corpora) and the set holds :data:`LARGE_SET`
    values or more, the set is put once in a hash table (kept for as long as
    the same array object is asked about) and each value costs a probe or two
    instead of a binary search; otherwise this is :func:`member`. Same answers.

    >>> member_of(np.array([5, 2, 9], dtype=np.uint64), np.array([2, 5], dtype=np.uint64)).tolist()
    [True, True, False]
    """
    compiled = loaded(*SET_KERNEL)
    if compiled is None or len(sorted_set) < LARGE_SET:
        return member(values, sorted_set)
    if _TABLE_FOR[0] is not sorted_set:
        from lineage._set_kernel import build_table, table_size

        table = build_table(np.asarray(sorted_set, dtype=np.uint64), table_size(len(sorted_set)))
        _TABLE_FOR[:] = [sorted_set, table]
    return compiled(*_TABLE_FOR[1], np.asarray(values, dtype=np.uint64))


def shingle_sets(texts: list[str], *, k: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted unique shingle hashes of many texts, packed: ``(values, offsets, words)``.

    Text ``i``'s set is ``values[offsets[i]:offsets[i + 1]]``; ``words[i]`` is its
    token count. One array per batch instead of one per document keeps the
    pickling between processes and the memory overhead small.

    >>> values, offsets, words = shingle_sets(["a b c d e f", "", "a b c d e"], k=5)
    >>> offsets.tolist(), words.tolist()
    ([0, 2, 2, 3], [6, 0, 5])
    >>> int(values[2]) == shingle_hash(b"a b c d e")
    True
    """
    parts: list[np.ndarray] = []
    words = np.zeros(len(texts), dtype=np.int64)
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    for i, text in enumerate(texts):
        token_hashes = text_token_hashes(text)
        words[i] = len(token_hashes)
        unique = unique_sorted(combine(token_hashes, k))
        parts.append(unique)
        offsets[i + 1] = offsets[i] + len(unique)
    values = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    return values.astype(np.uint64, copy=False), offsets, words


def shingle_hash(shingle: bytes) -> int:
    """The hash of one shingle given as space-separated normalised tokens (UTF-8).

    Usable as datasketch's ``hashfunc`` (with ``scheme="affine64"``).

    >>> shingle_hash(b"a b c d e") == shingle_hash("a b c d e".encode())
    True
    """
    words = shingle.decode("utf-8").split(" ")
    hashes = np.array([token_hash(w) for w in words], dtype=np.uint64)
    return int(combine(hashes, len(words))[0])
