"""Candidates: an exact oracle, small-in-large reuse, and the boilerplate filter."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.candidates import candidate_pairs, document_frequency_filter, fingerprint_pairs, lsh_pairs
from lineage.signatures import signatures


def _corpus(seed: int = 0):
    """40 random documents; some copy part of another (known pairs)."""
    rng = np.random.default_rng(seed)
    sets = [rng.integers(0, 2**63, size=int(rng.integers(300, 1500)), dtype=np.uint64) for _ in range(40)]
    for child, parent, share in [(1, 0, 1.0), (3, 2, 0.3), (5, 4, 0.15), (7, 6, 0.9), (9, 8, 0.5)]:
        take = sets[parent][: int(len(sets[parent]) * share)]
        sets[child] = np.concatenate([sets[child][: len(sets[child]) // 3], take])
    return [np.unique(s) for s in sets]


def test_fingerprints_find_every_pair_above_exact_intersection():
    sets = _corpus()
    found = set(fingerprint_pairs(sets, sample=4, min_shared=2, max_df=50))
    for i, j in itertools.combinations(range(len(sets)), 2):
        shared = len(np.intersect1d(sets[i], sets[j]))
        if shared >= 40:  # expected 10 fingerprints; missing it would need 9 misses in a row
            assert (i, j) in found, (i, j, shared)
        if shared == 0:
            assert (i, j) not in found


def test_lsh_finds_near_duplicates():
    rng = np.random.default_rng(1)
    base = np.unique(rng.integers(0, 2**63, size=800, dtype=np.uint64))
    near = np.unique(np.concatenate([base[:760], rng.integers(0, 2**63, size=40, dtype=np.uint64)]))
    other = np.unique(rng.integers(0, 2**63, size=800, dtype=np.uint64))
    sigs = signatures([base, near, other], num_perm=128)
    assert lsh_pairs(sigs, bands=32, rows=4) == [(0, 1)]


def test_small_in_large_found_although_jaccard_is_low():
    rng = np.random.default_rng(2)
    large = np.unique(rng.integers(0, 2**63, size=3000, dtype=np.uint64))
    small = np.unique(np.concatenate([large[:300], rng.integers(0, 2**63, size=60, dtype=np.uint64)]))
    sigs = signatures([large, small], num_perm=128)
    jaccard = len(np.intersect1d(large, small)) / len(np.union1d(large, small))
    assert jaccard < 0.12
    assert (0, 1) in candidate_pairs([large, small], sigs)


def test_boilerplate_alone_creates_no_candidate():
    rng = np.random.default_rng(3)
    boiler = rng.integers(0, 2**63, size=40, dtype=np.uint64)  # a share bar on every page
    sets = [np.unique(np.concatenate([boiler, rng.integers(0, 2**63, size=500, dtype=np.uint64)])) for _ in range(60)]
    common = document_frequency_filter(sets, max_df=50)
    assert set(common.tolist()) == set(np.unique(boiler).tolist())
    sigs = signatures(sets, num_perm=128)
    assert candidate_pairs(sets, sigs, max_df=50, boilerplate=common) == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 30), max_size=200), st.integers(0, 6))
def test_may_reach_keeps_every_value_that_reaches(numbers, least):
    from lineage.candidates import may_reach

    # few distinct counters in both rounds (bits 0 and 32 up alike): many collisions
    values = np.array([(n << 58) | (n % 3) | ((n % 5) << 32) for n in numbers], dtype=np.uint64)
    keep = may_reach(values, least)
    assert keep.dtype == bool and len(keep) == len(values)
    counts = {v: numbers.count(v) for v in numbers}
    assert all(keep[i] for i, n in enumerate(numbers) if counts[n] >= least)


def test_pairs_are_ordered_and_unique():
    sets = _corpus(5)
    pairs = candidate_pairs(sets, signatures(sets))
    assert pairs == sorted(set(pairs))
    assert all(i < j for i, j in pairs)
    rows = candidate_pairs(sets, signatures(sets), as_array=True)  # what a trace holds while aligning
    assert rows.dtype == np.int64 and rows.shape == (len(pairs), 2) and [tuple(r) for r in rows.tolist()] == pairs


def test_verify_pairs_takes_the_pairs_as_an_array():
    from lineage.corpus import load_corpus
    from lineage.pipeline import Config, find_candidates, prepare, verify_pairs
    from tests.conftest import SEEDS

    docs, _ = load_corpus([SEEDS])
    config = Config(workers=1)
    prepared = prepare(docs, config, lambda *a: None)
    listed, boilerplate, _ = find_candidates(prepared, config, lambda *a: None)
    rows, _, _ = find_candidates(prepared, config, lambda *a: None, as_array=True)
    assert [tuple(r) for r in rows.tolist()] == listed
    as_list = verify_pairs(prepared, listed, config, boilerplate, lambda *a: None)
    assert as_list and verify_pairs(prepared, rows, config, boilerplate, lambda *a: None) == as_list


def test_forked_lsh_and_any_sample_give_the_same_pairs():
    sets = _corpus(7)
    sigs = signatures(sets)
    alone = candidate_pairs(sets, sigs)
    assert alone and candidate_pairs(sets, sigs, workers=2) == alone
    # a power of two is sampled with a mask, any other sample by division: both against an oracle
    for sample in (4, 3):
        prints = [set(s[s % np.uint64(sample) == 0].tolist()) for s in sets]
        oracle = {(i, j) for i, j in itertools.combinations(range(len(sets)), 2) if len(prints[i] & prints[j]) >= 2}
        assert set(fingerprint_pairs(sets, sample=sample, min_shared=2, max_df=50)) == oracle


def _fingerprint_oracle(sets, sample, boilerplate, least):
    """sampled_fingerprints by its definition: every (fingerprint, owner), sorted, the rare ones left out."""
    rows = sorted((int(v), d) for d, s in enumerate(sets) for v in s.tolist()
                  if v % sample == 0 and v not in set(boilerplate.tolist()))
    held = {}
    for v, _ in rows:
        held[v] = held.get(v, 0) + 1
    rows = [(v, d) for v, d in rows if held[v] >= least]
    return [v for v, _ in rows], [d for _, d in rows]


def test_fingerprints_by_slices_are_the_fingerprints_sorted(monkeypatch):
    from lineage import candidates
    from lineage.representatives import pack

    rng = np.random.default_rng(3)
    pool = rng.integers(0, 2**64, size=400, dtype=np.uint64)  # shared values: some fingerprints recur
    sets = [np.unique(rng.choice(pool, size=int(rng.integers(0, 120)))) for _ in range(60)]
    boilerplate = np.sort(pool[:10])
    for slice_size in (1 << 23, 4, 1):  # one slice; several (their hash ranges cut by the top bits)
        monkeypatch.setattr(candidates, "FINGERPRINT_SLICE", slice_size)
        for sample, least in ((4, 1), (4, 2), (3, 2), (1, 3)):
            fp, owner = candidates.sampled_fingerprints(pack(sets), sample=sample, boilerplate=boilerplate, least=least)
            want_fp, want_owner = _fingerprint_oracle(sets, sample, boilerplate, least)
            assert fp.tolist() == want_fp and owner.tolist() == want_owner and owner.dtype == np.int64
            assert len(want_fp) > 10


@given(st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=8), st.integers(1, 4),
       st.integers(1, 3))
@settings(max_examples=60, deadline=None)
def test_merged_counts_sums_every_part_by_ranges(parts, slice_size, least):
    from lineage import representatives

    keys = [np.unique(np.array(p, dtype=np.int64)) for p in parts]
    counts = [np.arange(1, len(k) + 1, dtype=np.int64) for k in keys]
    total: dict[int, int] = {}
    for k, c in zip(keys, counts):
        for key, count in zip(k.tolist(), c.tolist()):
            total[key] = total.get(key, 0) + count
    want = sorted((k, c) for k, c in total.items() if c >= least)
    old = representatives.MERGE_SLICE
    representatives.MERGE_SLICE = slice_size  # many ranges (hypothesis forbids the monkeypatch fixture)
    try:
        got_keys, got_counts = representatives.merged_counts(keys, counts, least=least)
    finally:
        representatives.MERGE_SLICE = old
    assert list(zip(got_keys.tolist(), got_counts.tolist())) == want
