"""Verify a candidate pair exactly and align its shared passages.

Seed and extend: every shingle the two texts share is a seed ``(i, j)``;
seeds on the same diagonal with consecutive positions form a run (an exact
common word sequence). Runs are chosen longest first, one-to-one in both
texts, then neighbours separated by at most ``max_gap`` words on both sides
and in the same order are merged, so a changed word or a short insertion does
not split a passage. Passages shorter than ``min_words`` are dropped.

>>> from lineage.normalise import tokenize
>>> a = "Kerry said the two nations agreed on a number of critical issues in Moscow today."
>>> b = "In brief: Kerry said the two nations agreed on a number of critical issues in Moscow."
>>> al = align_pair("a", tokenize(a), "b", tokenize(b), k=3, min_words=5)
>>> [(a[p.source[0]:p.source[1]], p.words) for p in al.passages]
[('Kerry said the two nations agreed on a number of critical issues in Moscow', 14)]
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from lineage.model import Alignment, Passage
from lineage.normalise import Tokens
from lineage.quotes import quoted_mask, token_quoted
from lineage.shingles import shingle_hashes

# A shingle repeated more often than this inside one document is a refrain,
# not evidence of alignment; skipping it keeps the seed count linear.
MAX_REPEATS = 4


def align_pair(
    a_id: str,
    a: Tokens,
    b_id: str,
    b: Tokens,
    *,
    k: int = 5,
    max_gap: int = 8,
    min_words: int = 8,
    quoted_share: float = 0.5,
    a_hashes: np.ndarray | None = None,
    b_hashes: np.ndarray | None = None,
    ignore: np.ndarray | None = None,
    a_quoted: np.ndarray | None = None,
    b_quoted: np.ndarray | None = None,
    a_unique: np.ndarray | None = None,
    b_unique: np.ndarray | None = None,
) -> Alignment:
    """Align two tokenised texts; passages are oriented ``a -> b``.

    ``ignore`` holds shingle hashes (boilerplate) that may not seed a passage.
    ``a_quoted``/``b_quoted`` (one bool per token, see :func:`quoted_tokens`)
    may be passed in when the caller already has them, and so may the sorted
    unique shingle hashes ``a_unique``/``b_unique``.
    A passage is ``quoted`` when at least ``quoted_share`` of its words lie
    inside quotation marks in either text.
    """
    ha = shingle_hashes(a, k=k) if a_hashes is None else a_hashes
    hb = shingle_hashes(b, k=k) if b_hashes is None else b_hashes
    ua = np.unique(ha) if a_unique is None else a_unique
    ub = np.unique(hb) if b_unique is None else b_unique
    common = np.intersect1d(ua, ub, assume_unique=True)
    union = len(ua) + len(ub) - len(common)
    jaccard = len(common) / union if union else 0.0
    a_in_b = len(common) / len(ua) if len(ua) else 0.0
    b_in_a = len(common) / len(ub) if len(ub) else 0.0
    if ignore is not None and len(ignore) and len(common):
        common = common[~np.isin(common, ignore, assume_unique=True)]
    spans = _spans(ha, hb, common, k=k, len_a=len(a), len_b=len(b), max_gap=max_gap, min_words=min_words)
    qa = (quoted_tokens(a) if a_quoted is None else a_quoted) if spans else None
    qb = (quoted_tokens(b) if b_quoted is None else b_quoted) if spans else None
    passages = []
    covered_a = covered_b = 0
    for a0, a1, b0, b1 in spans:
        quoted = bool(qa[a0:a1].mean() >= quoted_share or qb[b0:b1].mean() >= quoted_share)
        passages.append(
            Passage(
                source=(int(a.starts[a0]), int(a.ends[a1 - 1])),
                target=(int(b.starts[b0]), int(b.ends[b1 - 1])),
                words=min(a1 - a0, b1 - b0),
                quoted=quoted,
            )
        )
        covered_a += a1 - a0
        covered_b += b1 - b0
    return Alignment(
        a=a_id,
        b=b_id,
        passages=tuple(passages),
        jaccard=round(jaccard, 4),
        a_in_b=round(a_in_b, 4),
        b_in_a=round(b_in_a, 4),
        a_coverage=round(covered_a / len(a), 4) if len(a) else 0.0,
        b_coverage=round(covered_b / len(b), 4) if len(b) else 0.0,
        a_words=len(a),
        b_words=len(b),
    )


def quoted_tokens(tokens: Tokens) -> np.ndarray:
    """One bool per token: does it lie inside quotation marks?"""
    return token_quoted(quoted_mask(tokens.text), tokens.starts, tokens.ends)


def _spans(
    ha: np.ndarray,
    hb: np.ndarray,
    common: np.ndarray,
    *,
    k: int,
    len_a: int,
    len_b: int,
    max_gap: int,
    min_words: int,
) -> list[tuple[int, int, int, int]]:
    """Token spans ``(a0, a1, b0, b1)`` (end exclusive) of the aligned passages, by ``a0``."""
    if len(common) == 0:
        return []
    where_b: dict[int, list[int]] = defaultdict(list)
    for j in np.flatnonzero(np.isin(hb, common)).tolist():
        where_b[int(hb[j])].append(j)
    where_a: dict[int, list[int]] = defaultdict(list)
    for i in np.flatnonzero(np.isin(ha, common)).tolist():
        where_a[int(ha[i])].append(i)
    seeds: list[tuple[int, int]] = []
    for value, positions in where_a.items():
        others = where_b[value]
        if len(positions) > MAX_REPEATS or len(others) > MAX_REPEATS:
            continue
        seeds += [(i, j) for i in positions for j in others]
    if not seeds:
        return []
    seeds.sort(key=lambda s: (s[1] - s[0], s[0]))
    width_a, width_b = min(k, len_a), min(k, len_b)
    runs: list[tuple[int, int, int, int]] = []
    start_i, start_j = seeds[0]
    prev_i, prev_j = seeds[0]
    for i, j in seeds[1:] + [(-10, 10**9)]:
        if j - i == prev_j - prev_i and i == prev_i + 1:
            prev_i, prev_j = i, j
            continue
        runs.append((start_i, prev_i + width_a, start_j, prev_j + width_b))
        start_i, start_j, prev_i, prev_j = i, j, i, j
    # Longest runs first, each word of either text used by at most one run.
    runs.sort(key=lambda r: (-(r[1] - r[0]), r[0], r[2]))
    used_a = np.zeros(len_a, dtype=bool)
    used_b = np.zeros(len_b, dtype=bool)
    chosen: list[tuple[int, int, int, int]] = []
    for a0, a1, b0, b1 in runs:
        if used_a[a0:a1].any() or used_b[b0:b1].any():
            continue
        used_a[a0:a1] = True
        used_b[b0:b1] = True
        chosen.append((a0, a1, b0, b1))
    chosen.sort()
    merged: list[tuple[int, int, int, int]] = []
    for span in chosen:
        if merged:
            a0, a1, b0, b1 = merged[-1]
            if 0 <= span[0] - a1 <= max_gap and 0 <= span[2] - b1 <= max_gap:
                merged[-1] = (a0, span[1], b0, span[3])
                continue
        merged.append(span)
    return [s for s in merged if min(s[1] - s[0], s[3] - s[2]) >= min_words]
