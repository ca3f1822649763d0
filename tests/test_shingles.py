"""Shingle hashes: positional, order-sensitive, reproducible from text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.normalise import tokenize
from lineage.shingles import combine, shingle_hash, shingle_hashes, text_token_hashes, token_hash


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


# --- the compiled tokeniser gives the Python path's tokens and hashes ---------------------------

_ascii_words_text = st.text(
    alphabet=st.sampled_from("aBcdEfghIJklmnopqrsTuvwxyZ0123456789 \n\t.,;'\"-“”’—é"), max_size=300
) | st.lists(st.sampled_from(["internationalisation", "x", "Rates", "rose", "2026", "a1b2c3d4e5f6g7", "abcdefghijkl",
                              "abcdefghijklm", "ZZZZZZZZZZZZ", "9" * 13]), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_ascii_words_text)
def test_compiled_tokeniser_gives_the_same_tokens_and_hashes(text):
    from lineage.kernels import load
    from lineage.shingles import TOKEN_KERNEL, token_hashes, tokenize_hashed

    assert load(*TOKEN_KERNEL) is not None  # numba is an install requirement
    plain = tokenize(text)
    want = [token_hash(w) for w in plain.norms]
    got = tokenize_hashed(text)
    assert got.starts.tolist() == plain.starts.tolist() and got.ends.tolist() == plain.ends.tolist()
    assert got.norms == plain.norms
    assert token_hashes(got).tolist() == want
    assert text_token_hashes(text).tolist() == want
    again = tokenize_hashed(text)  # now every packed word is in the table
    assert token_hashes(again).tolist() == want


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2**64 - 1), max_size=40), st.integers(min_value=1, max_value=7))
def test_compiled_shingler_equals_the_numpy_fold(values, k):
    from numpy.lib.stride_tricks import sliding_window_view

    from lineage._token_kernel import combine_windows
    from lineage.shingles import combine_rows

    h = np.array(values, dtype=np.uint64)
    want = combine_rows(sliding_window_view(h, min(k, len(h)))) if len(h) else np.zeros(0, np.uint64)
    assert combine_windows(h, k).tolist() == want.tolist()


def test_the_tokenisers_table_grows_and_restarts_without_changing_a_hash(monkeypatch):
    from lineage import shingles
    from lineage._token_kernel import new_table
    from lineage.kernels import load

    assert load(*shingles.TOKEN_KERNEL) is not None
    monkeypatch.setattr(shingles, "_TABLE", [*new_table(8), 0])  # 8 slots: grows many times
    monkeypatch.setattr(shingles, "_BYTE_HASHES_MAX", 300)  # and restarts past 300 words
    words = [f"w{i}x" for i in range(1000)]
    sizes = []
    for start in range(0, 1000, 100):
        text = " ".join(words[start : start + 100] + words[:50])  # new words and known ones
        got = shingles.tokenize_hashed(text)
        assert shingles.token_hashes(got).tolist() == [token_hash(w) for w in text.split()]
        sizes.append(len(shingles._TABLE[0]))
        assert 2 * shingles._TABLE[2] <= len(shingles._TABLE[0])  # at most half full
    assert max(sizes) > 8 and shingles._TABLE[2] <= 300 + 150  # grew, and restarted
