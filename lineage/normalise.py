"""Unicode-aware word tokens with character spans into the raw text.

Tokens are runs of letters, combining marks and digits in any script; Han,
kana and Thai characters are one token each (those scripts do not separate
words with spaces). A soft hyphen or zero-width (non-)joiner inside a word
does not split it. Each token is normalised for comparison: NFKC, case
folding, Latin accents and Arabic-script vowel marks removed; a token with
nothing left (a lone vowel mark, a tatweel) is dropped. Punctuation
(and so every style of quote mark and dash) is not part of any token, which
makes quote and dash folding implicit. The spans map every token back to the
raw text, so passages can be reported as raw character offsets.

>>> t = tokenize("“Kerry’s” TALKS — Москва, café")
>>> t.norms
('kerry', 's', 'talks', 'москва', 'cafe')
>>> [t.text[s:e] for s, e in zip(t.starts, t.ends)][-2:]
['Москва', 'café']
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

import numpy as np
import regex

_SINGLE = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}"
# Invisible characters that sit inside words (soft hyphen, zero-width non-joiner and
# joiner, word joiner, zero-width no-break space): one copy of a text may carry them
# and another not, so they neither split a word nor take part in its comparison form.
_JOINERS = "\u00ad\u200c\u200d\u2060\ufeff"
_WORD_CHAR = rf"(?![{_SINGLE}])[\p{{L}}\p{{M}}\p{{N}}]"
_TOKEN = regex.compile(rf"[{_SINGLE}]|{_WORD_CHAR}(?:{_WORD_CHAR}|[{_JOINERS}]+(?={_WORD_CHAR}))*")
_DROP = dict.fromkeys(map(ord, _JOINERS))
# Arabic-script short vowels and marks that writers include or omit at will, and tatweel.
_ARABIC_OPTIONAL = {cp for cp in range(0x064B, 0x0660)} | {0x0670, 0x0640}
# A non-ASCII character that can be (part of) a word: its presence sends a text down the
# Unicode path. Curly quotes, dashes and other punctuation do not.
_NON_ASCII_WORD = regex.compile(rf"[[\p{{L}}\p{{M}}\p{{N}}{_JOINERS}]--[\x00-\x7f]]", regex.V1)
_ASCII_RUN = re.compile(r"[a-z0-9]+")
# 1 for the ASCII letters and digits, index 128 standing for every non-ASCII character.
_ALNUM = np.zeros(129, dtype=np.int8)
_ALNUM[[ord(c) for c in "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"]] = 1


class Tokens:
    """The tokens of one text: normalised forms and ``[start, end)`` character spans.

    ``norms`` may be given as None for a text whose word characters are all
    ASCII (:func:`ascii_words`): they are then its ``[a-z0-9]`` runs, found
    only when first asked for. Most pairs a tracer aligns need only the spans
    and the token hashes (:func:`lineage.shingles.token_hashes`, which read
    such a text directly), and the normalised strings cost more than both.

    >>> t = Tokens("Talks IN Moscow", None, np.array([0, 6, 9]), np.array([5, 8, 15]))
    >>> len(t), t.norms
    (3, ('talks', 'in', 'moscow'))
    """

    __slots__ = ("text", "_norms", "starts", "ends", "ascii", "hashes")

    def __init__(self, text: str, norms: tuple[str, ...] | None, starts: np.ndarray, ends: np.ndarray) -> None:
        self.text = text
        self._norms = norms
        self.ascii = norms is None  # the tokens are the text's ASCII letter-and-digit runs
        self.starts = starts  # int64, character offset of each token
        self.ends = ends
        self.hashes: np.ndarray | None = None  # kept by lineage.shingles.token_hashes once computed

    @property
    def norms(self) -> tuple[str, ...]:
        """The comparison form of each token."""
        if self._norms is None:
            # interned: one string object per distinct word instead of one per occurrence (~25 KB
            # less per 600-word document while a batch of documents is held tokenised)
            self._norms = tuple(map(sys.intern, _ASCII_RUN.findall(self.text.lower())))
        return self._norms

    def lengths(self) -> np.ndarray:
        """The length of each token's comparison form (an ASCII token's is its span's)."""
        if self.ascii:
            return self.ends - self.starts
        return np.fromiter(map(len, self.norms), dtype=np.int64, count=len(self.norms))

    def __len__(self) -> int:
        return len(self.starts)

    def __repr__(self) -> str:
        return f"Tokens({len(self)} tokens of a {len(self.text)}-character text)"


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised word tokens with their raw spans.

    >>> len(tokenize("Ἀθῆναι, 2015: اردو زبان"))
    4
    >>> tokenize("inter\u00adnational talks").norms
    ('international', 'talks')
    """
    if ascii_words(text):
        return _tokenize_ascii(text)
    return _tokenize_unicode(text)


def _tokenize_unicode(text: str) -> Tokens:
    """:func:`tokenize` for any text: the Unicode regular expression, each token normalised."""
    starts: list[int] = []
    ends: list[int] = []
    norms: list[str] = []
    for match in _TOKEN.finditer(text):
        norm = normalise_word(match.group())
        if not norm:
            continue  # a lone Arabic vowel mark or tatweel: nothing left to compare
        starts.append(match.start())
        ends.append(match.end())
        norms.append(norm)
    return Tokens(
        text=text,
        norms=tuple(norms),
        starts=np.asarray(starts, dtype=np.int64),
        ends=np.asarray(ends, dtype=np.int64),
    )


def ascii_words(text: str) -> bool:
    """Whether every word character of ``text`` is ASCII (curly quotes and dashes may be present).

    Such a text's tokens are exactly its runs of ``[A-Za-z0-9]`` and their
    comparison forms are those runs lower-cased (NFKC and case folding change
    nothing else in ASCII), which :func:`tokenize` and
    :func:`lineage.shingles.text_shingles` exploit: most news text in Latin
    script takes this path, many times faster than the Unicode one.

    >>> ascii_words("“Kerry’s” talks — 2015"), ascii_words("café")
    (True, False)
    """
    return text.isascii() or _NON_ASCII_WORD.search(text) is None


def _tokenize_ascii(text: str) -> Tokens:
    """:func:`tokenize` for a text whose word characters are all ASCII (same result; the
    normalised forms are found when first asked for, see :class:`Tokens`)."""
    # UTF-32 gives one code unit per character, so positions are character offsets.
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    word = np.zeros(len(codes) + 2, dtype=np.int8)
    word[1:-1] = _ALNUM[np.minimum(codes, 128)]
    step = np.diff(word)
    return Tokens(
        text=text,
        norms=None,
        starts=np.flatnonzero(step == 1).astype(np.int64),
        ends=np.flatnonzero(step == -1).astype(np.int64),
    )


@lru_cache(maxsize=1 << 18)
def normalise_word(word: str) -> str:
    """The comparison form of one token (idempotent).

    >>> normalise_word("Straße"), normalise_word("ÉTÉ"), normalise_word("ﬁnal")
    ('strasse', 'ete', 'final')
    >>> normalise_word(normalise_word("Über")) == normalise_word("Über")
    True
    """
    folded = unicodedata.normalize("NFKC", word.translate(_DROP)).casefold()
    if folded.isascii():
        return folded
    out = []
    for ch in unicodedata.normalize("NFD", folded):
        if ord(ch) in _ARABIC_OPTIONAL:
            continue
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue  # an accent on a Latin letter
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))
