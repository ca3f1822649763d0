"""Find which characters of a text lie inside quotation marks.

Handles straight and typographic quotes (' " ‘ ’ “ ” « » „ ‹ ›). A single
quote inside a word (an apostrophe: Kerry's, countries’) neither opens nor
closes. Quotes do not run past a line break: news style reopens a quote at
each new paragraph, and an unclosed quote must not swallow the rest of the
text.

>>> text = 'He said “we agree” and \\'fine\\' but Kerry’s and the allies’ team left.'
>>> mask = quoted_mask(text)
>>> "".join(c for c, m in zip(text, mask) if m)
'we agreefine'
"""

from __future__ import annotations

import re

import numpy as np

from lineage.kernels import load, loaded

# Opening mark -> the marks that close it. „ closes with “ in German and with ” in
# Polish, Hungarian and Romanian; » opens in German and Danish (»…«).
_DOUBLE = {"\u201c": "\u201d", "\u00ab": "\u00bb", "\u201e": "\u201c\u201d", "\u00bb": "\u00ab",
           '"': '"'}
_SINGLE = {"\u2018": "\u2019", "\u2039": "\u203a", "\u201a": "\u2018\u2019", "\u203a": "\u2039",
           "'": "'"}
# Marks that also close or stand between words, so they open only at the start of a word.
_AMBIGUOUS = {'"', "\u00bb"}
# Every character str.splitlines() breaks at: a file with CR or U+2029 paragraphs has lines too.
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK = re.compile(f"[{_BREAKS}]")
# Every character the scan below reacts to; all others leave its state unchanged,
# so it visits only these (a few per sentence) instead of every character.
_MARKS = re.compile(
    "["
    + re.escape("".join(sorted(set(_BREAKS) | {c for k, v in (*_DOUBLE.items(), *_SINGLE.items()) for c in k + v})))
    + "]"
)


def quoted_mask(text: str) -> np.ndarray:
    """A boolean array, True for each character strictly inside a quotation.

    A quote still open at the end of a paragraph counts when the next paragraph
    reopens it (the news convention for a quotation running over paragraphs).

    >>> text = "“We agree.\\n“And we will meet again,” he said."
    >>> "".join(c for c, m in zip(text, quoted_mask(text)) if m)
    'We agree.And we will meet again,'
    """
    compiled = loaded(*QUOTE_KERNEL)
    if compiled is not None and text:
        points = _code_points(text)
        if points is not None:
            from lineage._quote_kernel import char_classes

            return compiled(points, char_classes())
    return _scan(text)


def _code_points(text: str) -> np.ndarray | None:
    """The code points of ``text`` as uint8 or uint16 (cheap encodings); None beyond the BMP."""
    try:
        return np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
    except UnicodeEncodeError:
        points = np.frombuffer(text.encode("utf-16-le", "surrogatepass"), dtype=np.uint16)
        return points if len(points) == len(text) else None  # a surrogate pair: a character beyond it


def _scan(text: str) -> np.ndarray:
    """:func:`quoted_mask` in Python: a visit to each mark the regular expression finds."""
    mask = np.zeros(len(text), dtype=bool)
    double_close: str | None = None  # the characters that close the open double quote
    single_close: str | None = None
    double_open = single_open = ""
    double_start = single_start = 0
    n = len(text)
    for match in _MARKS.finditer(text):
        i = match.start()
        ch = text[i]
        if ch in _BREAKS:
            if double_close is not None and _reopens(text, i, double_open):
                mask[double_start:i] = True
            if single_close is not None and _reopens(text, i, single_open):
                mask[single_start:i] = True
            double_close = single_close = None
            continue
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < n else " "
        if double_close is not None and ch in double_close:
            mask[double_start:i] = True
            double_close = None
            continue
        if double_close is None and ch in _DOUBLE:
            if ch in _AMBIGUOUS and not _opens(prev, nxt):
                continue
            double_close, double_open, double_start = _DOUBLE[ch], ch, i + 1
            continue
        if single_close is not None and ch in single_close:
            if not (prev.isalnum() and nxt.isalnum()) and not _plural_possessive(text, i):
                mask[single_start:i] = True
                single_close = None
                continue
        if single_close is None and ch in _SINGLE and _opens(prev, nxt):
            single_close, single_open, single_start = _SINGLE[ch], ch, i + 1
    return mask


QUOTE_KERNEL = ("lineage._quote_kernel", "quoted_spans")


def load_kernel():  # -> the numba function, or None when numba is missing or broken
    """The compiled scan (:mod:`lineage._quote_kernel`, same masks), with its character table.

    Once loaded, :func:`quoted_mask` uses it in this process and in processes
    forked from it afterwards (so a caller loads it before starting its workers).
    """
    compiled = load(*QUOTE_KERNEL)
    if compiled is not None:
        from lineage._quote_kernel import char_classes

        char_classes()
    return compiled


def _reopens(text: str, i: int, opener: str) -> bool:
    """Whether the next non-blank line after position ``i`` starts with ``opener``."""
    j = i
    while j < len(text) and text[j].isspace():
        j += 1
    return text[j : j + 1] == opener


def _plural_possessive(text: str, i: int) -> bool:
    """``countries’ officials``: an apostrophe after a plural, before a lower-case word.

    Only when the same quote mark closes again later in the paragraph; otherwise
    (``‘practical steps’ to``) this one is the closing quote.
    """
    if not (i > 0 and text[i - 1] in "sS" and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].islower()):
        return False
    found = _BREAK.search(text, i)
    end = len(text) if found is None else found.start()
    j = text.find(text[i], i + 1, end)
    while j >= 0:
        if not (text[j - 1].isalnum() and text[j + 1 : j + 2].isalnum()):
            return True
        j = text.find(text[i], j + 1, end)
    return False


def _opens(prev: str, nxt: str) -> bool:
    """An ambiguous quote opens when it starts a word: after a space, bracket or opening quote."""
    return (prev.isspace() or prev in "([{—–-:“„«‘‚‹") and not nxt.isspace()


def token_quoted(mask: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """For each token span, whether its first character lies inside a quotation.

    >>> m = quoted_mask('a "b c" d')
    >>> token_quoted(m, np.array([0, 3, 5, 8]), np.array([1, 4, 6, 9])).tolist()
    [False, True, True, False]
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    return mask[starts]
