"""PAN plagdet: character-level precision, recall and granularity of detected passages.

Written from the definitions of Potthast, Stein, Barrón-Cedeño and Rosso, "An
Evaluation Framework for Plagiarism Detection" (COLING 2010). A *case* ``s``
is a reused passage: a span of the source document and a span of the target
document; a *detection* ``r`` has the same shape. Both are read as sets of
characters of the two documents. ``r`` *detects* ``s`` when they concern the
same document pair and their spans overlap in the source and in the target.
``s ⊓ r`` is ``s ∩ r`` when ``r`` detects ``s``, otherwise empty. Then

- precision = mean over detections r of  |⋃_s (s ⊓ r)| / |r|
- recall    = mean over cases s of       |⋃_r (s ⊓ r)| / |s|
- granularity = mean, over the cases detected at least once, of the number of
  detections that detect them (1 is ideal)
- plagdet = F1(precision, recall) / log2(1 + granularity)

Spans are half-open ``[start, end)`` character offsets; empty spans are ignored.

>>> s = Case("a", "b", (0, 100), (0, 100))
>>> halves = [Case("a", "b", (0, 50), (0, 50)), Case("a", "b", (50, 100), (50, 100))]
>>> score = plagdet_scores([s], halves)
>>> score.precision, score.recall, score.granularity, round(score.plagdet, 3)
(1.0, 1.0, 2.0, 0.631)
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Case", "PlagdetScores", "plagdet_scores", "union_length"]


@dataclass(frozen=True, slots=True)
class Case:
    """A reused (or detected) passage: ``source_span`` of ``source``, ``target_span`` of ``target``."""

    source: str
    target: str
    source_span: tuple[int, int]
    target_span: tuple[int, int]

    def flipped(self) -> Case:
        return Case(self.target, self.source, self.target_span, self.source_span)

    @property
    def size(self) -> int:
        return (self.source_span[1] - self.source_span[0]) + (
            self.target_span[1] - self.target_span[0]
        )


@dataclass(frozen=True, slots=True)
class PlagdetScores:
    """Macro precision and recall over characters, granularity and plagdet."""

    cases: int
    detections: int
    precision: float | None  # None when there are no detections
    recall: float
    granularity: float | None  # None when no case is detected
    plagdet: float


def union_length(intervals: Iterable[tuple[int, int]]) -> int:
    """Number of positions covered by half-open intervals.

    >>> union_length([(0, 10), (5, 15), (20, 21), (3, 3)])
    16
    """
    total, end = 0, None
    for lo, hi in sorted(i for i in intervals if i[1] > i[0]):
        if end is None or lo >= end:
            total += hi - lo
            end = hi
        elif hi > end:
            total += hi - end
            end = hi
    return total


def _overlap(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return max(x[0], y[0]), min(x[1], y[1])


def _detects(r: Case, s: Case) -> bool:
    src, tgt = _overlap(r.source_span, s.source_span), _overlap(r.target_span, s.target_span)
    return src[0] < src[1] and tgt[0] < tgt[1]


def _covered(x: Case, others: Sequence[Case]) -> int:
    """|⋃_o (x ∩ o)| over the ``others`` that overlap ``x`` in both documents."""
    hits = [o for o in others if _detects(o, x)]
    return union_length(_overlap(x.source_span, o.source_span) for o in hits) + union_length(
        _overlap(x.target_span, o.target_span) for o in hits
    )


def plagdet_scores(cases: Sequence[Case], detections: Sequence[Case]) -> PlagdetScores:
    """Score detections against cases; both must use the same orientation per document pair.

    Args:
        cases: the true reused passages.
        detections: the passages a system reported.

    Returns:
        Precision (``None`` without detections), recall, granularity (``None``
        when nothing is detected) and plagdet (0 when precision or recall is 0).

    >>> s = Case("a", "b", (0, 10), (0, 10))
    >>> plagdet_scores([s], [Case("a", "b", (0, 20), (0, 10))]).precision  # 20 of 30 chars right
    0.6666666666666666
    >>> plagdet_scores([s], []).plagdet
    0.0
    """
    cases = [s for s in cases if s.size > 0]
    detections = [r for r in detections if r.size > 0]
    by_pair_s: dict[tuple[str, str], list[Case]] = defaultdict(list)
    by_pair_r: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for s in cases:
        by_pair_s[s.source, s.target].append(s)
    for r in detections:
        by_pair_r[r.source, r.target].append(r)
    precision = (
        sum(_covered(r, by_pair_s[r.source, r.target]) / r.size for r in detections)
        / len(detections)
        if detections
        else None
    )
    recall = (
        sum(_covered(s, by_pair_r[s.source, s.target]) / s.size for s in cases) / len(cases)
        if cases
        else 0.0
    )
    counts = [sum(_detects(r, s) for r in by_pair_r[s.source, s.target]) for s in cases]
    detected = [c for c in counts if c]
    granularity = sum(detected) / len(detected) if detected else None
    if not precision or not recall or granularity is None:
        return PlagdetScores(len(cases), len(detections), precision, recall, granularity, 0.0)
    f1 = 2 * precision * recall / (precision + recall)
    return PlagdetScores(
        len(cases), len(detections), precision, recall, granularity, f1 / math.log2(1 + granularity)
    )
