"""Relation classes from literal alignments."""

from __future__ import annotations

import pytest

from lineage.model import Alignment, Passage
from lineage.relation import classify


def _al(passages, jaccard=0.1, a_cov=0.1, b_cov=0.1):
    return Alignment("a", "b", tuple(passages), jaccard, a_cov, b_cov, a_cov, b_cov, 500, 500)


def P(words, quoted=False):
    return Passage((0, words * 6), (0, words * 6), words, quoted)


@pytest.mark.parametrize(
    "passages, jaccard, a_cov, b_cov, expected",
    [
        ([], 0.0, 0.0, 0.0, None),
        ([P(400)], 0.85, 0.9, 0.88, "near-duplicate"),
        ([P(450)], 0.6, 0.95, 0.92, "near-duplicate"),
        ([P(20, True), P(15, True), P(30)], 0.02, 0.1, 0.1, "quote-only"),
        ([P(20, True), P(60)], 0.05, 0.16, 0.16, "partial"),
        ([P(300)], 0.3, 0.6, 0.3, "derived"),
        ([P(40)], 0.1, 1.0, 0.1, "derived"),  # a short text entirely inside a long one
        ([P(200, True)], 0.2, 0.7, 0.3, "derived"),  # mostly made of the other's (quoted) text
    ],
)
def test_classify(passages, jaccard, a_cov, b_cov, expected):
    assert classify(_al(passages, jaccard, a_cov, b_cov)) == expected


def test_quote_words_threshold_is_a_parameter():
    al = _al([P(45)], 0.05, 0.1, 0.1)
    assert classify(al) == "quote-only"
    assert classify(al, quote_words=30) == "partial"
