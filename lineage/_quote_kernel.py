"""The compiled quotation scan (numba); imported only through :mod:`lineage.kernels`.

:func:`quoted_spans` is :func:`lineage.quotes.quoted_mask` over a text's code
points: the same marks, the same rules for apostrophes, ambiguous quotes and
paragraphs, the same mask (tests compare both on random texts). The character
classes the rules ask about (``str.isalnum``, ``isspace``, ``islower``) come
from a table of the Basic Multilingual Plane made once per process from
Python's own string methods (:func:`char_classes`); a text with a character
beyond it is left to the Python scan.
"""

from __future__ import annotations

import lineage._minhash_kernel  # noqa: F401 - loads numba with its CPU tuning first
import numba
import numpy as np

ALNUM, SPACE, LOWER, MARK = 1, 2, 4, 8
# the characters the scan reacts to (lineage.quotes._MARKS): line breaks and quotation marks
_MARKED = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029'\"\u2018\u2019\u201a\u201c\u201d\u201e\u2039\u203a\u00ab\u00bb"
_CLASSES: list[np.ndarray] = []


def char_classes() -> np.ndarray:
    """One byte per BMP code point: ``ALNUM | SPACE | LOWER`` as Python's ``str`` methods say, and
    ``MARK`` for the characters the scan reacts to."""
    if not _CLASSES:
        chars = [chr(c) for c in range(0x10000)]
        classes = np.array([c.isalnum() | c.isspace() << 1 | c.islower() << 2 for c in chars], np.uint8)
        classes[[ord(c) for c in _MARKED]] |= MARK
        _CLASSES.append(classes)
    return _CLASSES[0]


@numba.njit(cache=True, nogil=True)
def _is_break(c):  # pragma: no cover - compiled
    # "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029": every character str.splitlines() breaks at
    return (10 <= c <= 13) or (28 <= c <= 30) or c == 0x85 or c == 0x2028 or c == 0x2029


@numba.njit(cache=True, nogil=True)
def _double(c):  # pragma: no cover - compiled
    """The marks closing the double quote ``c`` opens (-1: none; both -1: ``c`` opens none)."""
    if c == 0x201C:  # “ ”
        return 0x201D, -1
    if c == 0xAB:  # « »
        return 0xBB, -1
    if c == 0x201E:  # „ “ or ”
        return 0x201C, 0x201D
    if c == 0xBB:  # » «
        return 0xAB, -1
    if c == 0x22:  # "
        return 0x22, -1
    return -1, -1


@numba.njit(cache=True, nogil=True)
def _single(c):  # pragma: no cover - compiled
    """The marks closing the single quote ``c`` opens, as :func:`_double`."""
    if c == 0x2018:  # ‘ ’
        return 0x2019, -1
    if c == 0x2039:  # ‹ ›
        return 0x203A, -1
    if c == 0x201A:  # ‚ ‘ or ’
        return 0x2018, 0x2019
    if c == 0x203A:  # › ‹
        return 0x2039, -1
    if c == 0x27:  # '
        return 0x27, -1
    return -1, -1


@numba.njit(cache=True, nogil=True)
def _opens(prev, nxt, classes):  # pragma: no cover - compiled
    """An ambiguous quote opens when it starts a word: after a space, bracket or opening quote."""
    before = (classes[prev] & SPACE) != 0 or prev in (0x28, 0x5B, 0x7B, 0x2014, 0x2013, 0x2D, 0x3A,
                                                       0x201C, 0x201E, 0xAB, 0x2018, 0x201A, 0x2039)
    return before and (classes[nxt] & SPACE) == 0


@numba.njit(cache=True, nogil=True)
def _reopens(cp, i, opener, classes):  # pragma: no cover - compiled
    """Whether the next non-blank line after position ``i`` starts with ``opener``."""
    j = i
    while j < cp.shape[0] and (classes[cp[j]] & SPACE) != 0:
        j += 1
    return j < cp.shape[0] and cp[j] == opener


@numba.njit(cache=True, nogil=True)
def _plural_possessive(cp, i, classes):  # pragma: no cover - compiled
    """``countries’ officials``; see :func:`lineage.quotes._plural_possessive`."""
    n = cp.shape[0]
    if not (i > 0 and (cp[i - 1] == 0x73 or cp[i - 1] == 0x53) and i + 2 < n and cp[i + 1] == 0x20
            and (classes[cp[i + 2]] & LOWER) != 0):
        return False
    end = i
    while end < n and not _is_break(cp[end]):
        end += 1
    for j in range(i + 1, end):
        if cp[j] == cp[i]:
            if not ((classes[cp[j - 1]] & ALNUM) != 0 and j + 1 < n and (classes[cp[j + 1]] & ALNUM) != 0):
                return True
    return False


@numba.njit(cache=True, nogil=True)
def quoted_spans(cp, classes):  # pragma: no cover - compiled
    """The quoted-character mask of the text whose code points (all in the BMP) are ``cp``."""
    n = cp.shape[0]
    mask = np.zeros(n, np.bool_)
    d1 = d2 = s1 = s2 = -1  # the marks that close the open double / single quote (-1: none open)
    d_open = s_open = 0
    d_start = s_start = 0
    for i in range(n):
        ch = np.int64(cp[i])
        if (classes[ch] & MARK) == 0:
            continue  # not a line break or a quotation mark: the state is unchanged
        if _is_break(ch):
            if d1 >= 0 and _reopens(cp, i, d_open, classes):
                mask[d_start:i] = True
            if s1 >= 0 and _reopens(cp, i, s_open, classes):
                mask[s_start:i] = True
            d1 = d2 = s1 = s2 = -1
            continue
        c1, c2 = _double(ch)
        e1, e2 = _single(ch)
        prev = np.int64(cp[i - 1]) if i > 0 else 0x20
        nxt = np.int64(cp[i + 1]) if i + 1 < n else 0x20
        if d1 >= 0 and (ch == d1 or ch == d2):
            mask[d_start:i] = True
            d1 = d2 = -1
            continue
        if d1 < 0 and c1 >= 0:
            if (ch == 0x22 or ch == 0xBB) and not _opens(prev, nxt, classes):
                continue
            d1, d2, d_open, d_start = c1, c2, ch, i + 1
            continue
        if s1 >= 0 and (ch == s1 or ch == s2):
            if not ((classes[prev] & ALNUM) != 0 and (classes[nxt] & ALNUM) != 0) \
                    and not _plural_possessive(cp, i, classes):
                mask[s_start:i] = True
                s1 = s2 = -1
                continue
        if s1 < 0 and e1 >= 0 and _opens(prev, nxt, classes):
            s1, s2, s_open, s_start = e1, e2, ch, i + 1
    return mask
