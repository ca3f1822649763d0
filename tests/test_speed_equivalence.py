"""The optimised stages against straightforward reference implementations, on random inputs.

Each reference below is the plain version of the algorithm (loops, ``np.unique``,
``np.isin``, one regular expression), kept here as the oracle: the fast paths
must give exactly the same tokens, hashes, signatures, boilerplate, candidate
pairs and alignment spans.
"""

from __future__ import annotations

import itertools
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage import alignment, candidates, normalise, shingles
from lineage.normalise import ascii_words, tokenize
from lineage.representatives import REPRESENTATIVES, group_pair_keys, pack
from lineage.shingles import combine, shingle_hashes, shingle_sets, text_token_hashes, token_hash
from lineage.signatures import EMPTY, packed_signatures, permutations, signature, signatures

# ---------------------------------------------------------------- references


def ref_token_hashes(text: str) -> list[int]:
    return [token_hash(w) for w in normalise._tokenize_unicode(text).norms]


def ref_df_filter(sets, max_df):
    values, counts = np.unique(np.concatenate(sets), return_counts=True)
    return values[counts > max_df]


def ref_fingerprint_pairs(sets, sample, min_shared, max_df, boilerplate):
    owners = defaultdict(list)
    for index, hashes in enumerate(sets):
        for h in hashes.tolist():
            if h % sample == 0 and h not in boilerplate:
                owners[h].append(index)
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for members in owners.values():
        if 2 <= len(members) <= max_df:
            for pair in itertools.combinations(sorted(members), 2):
                counts[pair] += 1
    return sorted(p for p, c in counts.items() if c >= min_shared)


def ref_lsh_pairs(sigs, bands, rows):
    found = set()
    for band in range(bands):
        buckets = defaultdict(list)
        for i, row in enumerate(sigs):
            if not (row == EMPTY).all():
                buckets[tuple(row[band * rows : (band + 1) * rows].tolist())].append(i)
        for members in buckets.values():
            found.update(itertools.combinations(sorted(members), 2))
    return sorted(found)


def ref_spans(ha, hb, common, *, k, len_a, len_b, max_gap, min_words):
    where_a, where_b = defaultdict(list), defaultdict(list)
    for i, h in enumerate(ha.tolist()):
        if h in common:
            where_a[h].append(i)
    for j, h in enumerate(hb.tolist()):
        if h in common:
            where_b[h].append(j)
    seeds = [(i, j) for h, pa in where_a.items() for i in pa for j in where_b[h]
             if len(pa) <= alignment.MAX_REPEATS and len(where_b[h]) <= alignment.MAX_REPEATS]
    if not seeds:
        return []
    seeds.sort(key=lambda s: (s[1] - s[0], s[0]))
    runs = []
    start, prev = seeds[0], seeds[0]
    for i, j in seeds[1:] + [(-10, 10**9)]:
        if j - i == prev[1] - prev[0] and i == prev[0] + 1:
            prev = (i, j)
            continue
        runs.append((start[0], prev[0] + min(k, len_a), start[1], prev[1] + min(k, len_b)))
        start = prev = (i, j)
    runs.sort(key=lambda r: (-(r[1] - r[0]), r[0], r[2]))
    used_a, used_b, chosen = set(), set(), []
    for a0, a1, b0, b1 in runs:
        if used_a & set(range(a0, a1)) or used_b & set(range(b0, b1)):
            continue
        used_a |= set(range(a0, a1))
        used_b |= set(range(b0, b1))
        chosen.append((a0, a1, b0, b1))
    merged = []
    for span in sorted(chosen):
        if merged and 0 <= span[0] - merged[-1][1] <= max_gap and 0 <= span[2] - merged[-1][3] <= max_gap:
            merged[-1] = (merged[-1][0], span[1], merged[-1][2], span[3])
        else:
            merged.append(span)
    return [s for s in merged if min(s[1] - s[0], s[3] - s[2]) >= min_words]


# ---------------------------------------------------------------- tokens and hashes

_NEWS_CHARS = st.sampled_from(list("abcXYZ019 ,.;:'\"-\n") + ["“", "”", "’", "—", "«", "\u00a0", "…"])
_ANY_CHARS = st.one_of(_NEWS_CHARS, st.sampled_from(["é", "ß", "ﬁ", "Ж", "中", "\u00ad", "\u0301", "²", "٣", "ـ"]))


@settings(max_examples=300, deadline=None)
@given(st.text(_NEWS_CHARS, max_size=80))
def test_ascii_tokenizer_equals_unicode_tokenizer(text):
    assert ascii_words(text)
    fast, slow = normalise._tokenize_ascii(text), normalise._tokenize_unicode(text)
    assert fast.norms == slow.norms
    assert fast.starts.tolist() == slow.starts.tolist() and fast.ends.tolist() == slow.ends.tolist()


@settings(max_examples=300, deadline=None)
@given(st.text(_ANY_CHARS, max_size=80))
def test_tokenize_and_token_hashes_equal_the_reference(text):
    slow = normalise._tokenize_unicode(text)
    assert tokenize(text).norms == slow.norms
    assert text_token_hashes(text).tolist() == ref_token_hashes(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(_ANY_CHARS, max_size=60), max_size=6), st.integers(1, 6))
def test_shingle_sets_equal_unique_positional_hashes(texts, k):
    values, offsets, words = shingle_sets(texts, k=k)
    for i, text in enumerate(texts):
        t = tokenize(text)
        assert words[i] == len(t)
        assert values[offsets[i] : offsets[i + 1]].tolist() == np.unique(shingle_hashes(t, k=k)).tolist()


def test_byte_cache_restarts_when_full(monkeypatch):
    monkeypatch.setattr(shingles, "_BYTE_HASHES_MAX", 3)
    text = "one two three four five six seven"
    assert text_token_hashes(text).tolist() == ref_token_hashes(text)
    assert text_token_hashes(text + " eight").tolist() == ref_token_hashes(text + " eight")


# ---------------------------------------------------------------- signatures


@pytest.mark.parametrize("kernel", [False, True])
def test_packed_signatures_equal_per_document_signatures(kernel):
    pytest.importorskip("numba") if kernel else None
    rng = np.random.default_rng(7)
    lengths = [0, 1, 7, 8, 9, 300, 9000, 0, 15]
    sets = [np.unique(rng.integers(0, 2**64, n, dtype=np.uint64)) for n in lengths]
    values, offsets = pack(sets).values, pack(sets).offsets
    perms = permutations(64, seed=3)
    expected = np.stack([signature(s, perms) for s in sets])
    assert np.array_equal(packed_signatures(values, offsets, num_perm=64, seed=3, kernel=kernel), expected)


def test_signatures_of_lists_equal_packed():
    rng = np.random.default_rng(8)
    sets = [np.unique(rng.integers(0, 2**64, n, dtype=np.uint64)) for n in (3, 0, 50)]
    assert np.array_equal(signatures(sets, num_perm=16), np.stack([signature(s, permutations(16)) for s in sets]))


# ---------------------------------------------------------------- candidates


def _random_corpus(seed: int, n: int):
    rng = np.random.default_rng(seed)
    pool = rng.integers(0, 2**63, 2000, dtype=np.uint64)  # small pool: many shared values
    return [np.unique(rng.choice(pool, int(rng.integers(0, 200)))) for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_candidates_equal_reference(seed):
    sets = _random_corpus(seed, 40 + 10 * seed)
    max_df = 3 + 4 * seed
    boiler = candidates.document_frequency_filter(sets, max_df)
    assert boiler.tolist() == ref_df_filter(sets, max_df).tolist()
    for min_shared in (1, 2, 3):
        assert candidates.fingerprint_pairs(sets, sample=3, min_shared=min_shared, max_df=max_df,
                                            boilerplate=boiler) == \
            ref_fingerprint_pairs(sets, 3, min_shared, max_df, set(boiler.tolist()))
    sigs = signatures(sets, num_perm=16)
    for bands, rows in ((8, 2), (4, 4), (16, 1)):
        assert candidates.lsh_pairs(sigs, bands=bands, rows=rows) == ref_lsh_pairs(sigs, bands, rows)


def test_groups_above_the_cap_pair_through_representatives():
    n, size = 1000, 1000
    members = np.arange(n, dtype=np.int64)
    priority = np.arange(n)[::-1].copy()  # the highest indices are preferred
    keys, counts = group_pair_keys(members, np.array([0]), np.array([size]), n, priority, cap=256)
    reps = set(range(n - REPRESENTATIVES, n))
    pairs = {(int(k // n), int(k % n)) for k in keys}
    assert len(pairs) == REPRESENTATIVES * (size - REPRESENTATIVES) + REPRESENTATIVES * (REPRESENTATIVES - 1) // 2
    assert all(i in reps or j in reps for i, j in pairs)
    assert (counts == 1).all()


def test_a_large_group_of_unrelated_documents_keeps_all_its_pairs():
    """A stock phrase shared by 600 unrelated documents is not a copy cluster: no representatives."""
    n = 600
    members = np.arange(n, dtype=np.int64)
    keys, _ = group_pair_keys(members, np.array([0]), np.array([n]), n, np.arange(n), cap=500,
                              huge=np.full(n, -1, dtype=np.int64))
    assert len(keys) == n * (n - 1) // 2


def test_a_thousand_copies_give_linear_candidates():
    rng = np.random.default_rng(9)
    story = rng.integers(0, 2**63, 600, dtype=np.uint64)
    sets = [np.unique(np.concatenate([story[: 560 + i % 40], rng.integers(0, 2**63, 5, dtype=np.uint64)]))
            for i in range(1000)]
    sets += [np.unique(rng.integers(0, 2**63, 500, dtype=np.uint64)) for _ in range(50)]
    sigs = signatures(sets, num_perm=128)
    pairs = candidates.candidate_pairs(sets, sigs, max_df=5000)
    assert len(pairs) <= REPRESENTATIVES * 1000  # not 499,500
    copies = {i for p in pairs for i in p}
    assert copies == set(range(1000))  # every copy is still compared with a representative


# ---------------------------------------------------------------- alignment


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=60), st.lists(st.integers(0, 12), max_size=60),
       st.integers(1, 4), st.integers(0, 4), st.integers(1, 6))
def test_spans_equal_reference(a, b, k, max_gap, min_words):
    ha = combine(np.array(a, dtype=np.uint64), k) if a else np.zeros(0, dtype=np.uint64)
    hb = combine(np.array(b, dtype=np.uint64), k) if b else np.zeros(0, dtype=np.uint64)
    common = np.intersect1d(ha, hb)
    kw = dict(k=k, len_a=len(a), len_b=len(b), max_gap=max_gap, min_words=min_words)
    assert alignment._spans(ha, hb, common, **kw) == ref_spans(ha, hb, set(common.tolist()), **kw)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3000), st.integers(0, 700))
def test_member_of_equals_isin_with_the_compiled_table(seed, size, queries):
    from lineage.kernels import load

    assert load(*shingles.SET_KERNEL) is not None  # numba is an install requirement
    rng = np.random.default_rng(seed)
    # small values collide in the table's slots; the extremes (0, 2**64 - 1) are values too
    pool = np.concatenate([rng.integers(0, 64, size, dtype=np.uint64),
                           rng.integers(0, 2**63, size, dtype=np.uint64) * np.uint64(2),
                           np.array([0, 2**64 - 1], dtype=np.uint64)])
    sorted_set = np.unique(pool[rng.random(len(pool)) < 0.5])
    values = np.concatenate([rng.choice(pool, queries), rng.integers(0, 2**63, queries, dtype=np.uint64)])
    expected = np.isin(values, sorted_set)
    large, shingles.LARGE_SET = shingles.LARGE_SET, 1  # every set through the table
    try:
        assert shingles.member_of(values, sorted_set).tolist() == expected.tolist()
    finally:
        shingles.LARGE_SET = large
    assert shingles.member(values, sorted_set).tolist() == expected.tolist()


def test_member_of_builds_a_table_per_set_object(monkeypatch):
    from lineage.kernels import load

    assert load(*shingles.SET_KERNEL) is not None
    monkeypatch.setattr(shingles, "LARGE_SET", 2)
    first = np.array([1, 5, 9], dtype=np.uint64)
    second = np.array([2, 5, 8], dtype=np.uint64)
    values = np.array([1, 2, 5, 8, 9], dtype=np.uint64)
    assert shingles.member_of(values, first).tolist() == [True, False, True, False, True]
    assert shingles._TABLE_FOR[0] is first
    assert shingles.member_of(values, second).tolist() == [False, True, True, True, False]
    assert shingles._TABLE_FOR[0] is second
