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

import unicodedata
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Tokens:
    """The tokens of one text: normalised forms and ``[start, end)`` character spans."""

    text: str
    norms: tuple[str, ...]
    starts: np.ndarray  # int64, character offset of each token
    ends: np.ndarray

    def __len__(self) -> int:
        return len(self.norms)


def tokenize(text: str) -> Tokens:
    """Split ``text`` into normalised word tokens with their raw spans.

    >>> len(tokenize("Ἀθῆναι, 2015: اردو زبان"))
    4
    >>> tokenize("inter\u00adnational talks").norms
    ('international', 'talks')
    """
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
