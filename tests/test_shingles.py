"""Shingle hashes: positional, order-sensitive, reproducible from text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.normalise import tokenize
from lineage.shingles import combine, shingle_hash, shingle_hashes


def test_count_and_short_texts():
    assert len(shingle_hashes(tokenize("one two three four five six"), k=5)) == 2
    assert len(shingle_hashes(tokenize("one two"), k=5)) == 1
    assert len(shingle_hashes(tokenize("   "), k=5)) == 0


def test_order_matters():
    a = shingle_hashes(tokenize("a b c d e"), k=5)
    b = shingle_hashes(tokenize("e d c b a"), k=5)
    assert a[0] != b[0]


def test_normalisation_makes_variants_equal():
    a = shingle_hashes(tokenize("“The US stands READY,” Kerry said"), k=5)
    b = shingle_hashes(tokenize("'the us stands ready' kerry said"), k=5)
    assert np.array_equal(a, b)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["alpha", "beta", "gamma", "delta", "эпсилон", "زيتا"]), min_size=5, max_size=30))
def test_positional_hash_equals_text_hash(tokens):
    text = " ".join(tokens)
    hashes = shingle_hashes(tokenize(text), k=5)
    for i, value in enumerate(hashes):
        assert int(value) == shingle_hash(" ".join(tokens[i : i + 5]).encode())


def test_combine_width():
    h = np.arange(1, 8, dtype=np.uint64)
    assert len(combine(h, 3)) == 5
    assert combine(h, 3)[1] == combine(h[1:4], 3)[0]
