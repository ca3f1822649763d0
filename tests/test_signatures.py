"""MinHash signatures: datasketch-compatible values and a sound Jaccard estimate."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash

from lineage.normalise import tokenize
from lineage.shingles import shingle_hash, shingle_hashes
from lineage.signatures import EMPTY, permutations, signature, signatures, to_minhash

TEXT = (
    "Russia and the US have agreed on a number of critical issues, particularly with regard "
    "to Syria, the two ministers said after talks in Moscow on Tuesday, adding that more would follow."
)


def test_signature_equals_datasketch_affine64():
    tokens = tokenize(TEXT)
    hashes = shingle_hashes(tokens, k=5)
    ours = signature(np.unique(hashes), permutations(128, seed=1))
    theirs = MinHash(num_perm=128, seed=1, hashfunc=shingle_hash, scheme="affine64")
    theirs.update_batch([" ".join(tokens.norms[i : i + 5]).encode() for i in range(len(tokens) - 4)])
    assert np.array_equal(ours, theirs.hashvalues)


def test_other_seed_gives_other_signature_and_matches_datasketch():
    hashes = np.unique(shingle_hashes(tokenize(TEXT), k=3))
    s7 = signature(hashes, permutations(64, seed=7))
    assert not np.array_equal(s7, signature(hashes, permutations(64, seed=1)))
    theirs = MinHash(num_perm=64, seed=7, hashfunc=lambda b: int(b), scheme="affine64")
    theirs.update_batch([str(int(h)).encode() for h in hashes])
    assert np.array_equal(s7, theirs.hashvalues)


def test_empty_set_is_all_empty():
    sig = signature(np.zeros(0, dtype=np.uint64), permutations(16))
    assert (sig == EMPTY).all()


def test_jaccard_estimate_close_to_exact():
    rng = np.random.default_rng(0)
    base = rng.integers(0, 2**63, size=2000, dtype=np.uint64)
    a, b = base[:1500], base[500:]  # exact Jaccard 1000/2000 = 0.5
    sigs = signatures([np.unique(a), np.unique(b)], num_perm=256)
    estimate = float((sigs[0] == sigs[1]).mean())
    assert abs(estimate - 0.5) < 0.1


def test_to_minhash_roundtrip_jaccard():
    hashes = np.unique(shingle_hashes(tokenize(TEXT), k=5))
    sig = signature(hashes, permutations(128, seed=1))
    m = to_minhash(sig)
    assert m.jaccard(to_minhash(sig.copy())) == 1.0
