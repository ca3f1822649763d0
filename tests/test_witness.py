"""Witness votes: independent documents confirm the upstream text's readings."""

from __future__ import annotations

import numpy as np

from lineage.witness import MAX_WITNESSES, pick_witnesses, readings, witness_votes


def _set(*ranges):
    return np.unique(np.concatenate([np.arange(a, b, dtype=np.uint64) for a, b in ranges]))


def _votes(a, b, witnesses, **kw):
    return witness_votes(a, b, a, b, witnesses, **kw)


def test_siblings_vote_for_the_parent():
    parent = _set((0, 200))
    child = _set((0, 150), (1000, 1010))  # changed words 150-200 into its own
    siblings = [_set((0, 190), (2000 + 10 * n, 2005 + 10 * n)) for n in range(3)]
    assert _votes(parent, child, siblings) == (3, 0, 0)
    assert _votes(child, parent, siblings) == (0, 3, 0)


def test_descendant_of_the_copier_votes_for_the_copier():
    parent, child = _set((0, 200)), _set((0, 150), (1000, 1010))
    grandchild = _set((0, 140), (1000, 1010))
    assert _votes(parent, child, [grandchild]) == (0, 1, 0)


def test_unrelated_material_is_not_a_reading():
    """A compilation's other sources do not confirm it once its foreign material is left out."""
    source = _set((0, 100))
    compilation = _set((0, 100), (5000, 5100))  # the source's passage plus another source's
    other_source = _set((5000, 5100))
    story_readings = _set((0, 100))  # the compilation's readings without the foreign block
    assert witness_votes(source, story_readings, source, compilation, [other_source]) == (0, 0, 0)
    assert _votes(source, compilation, [other_source]) == (0, 1, 0)  # what whole documents would say


def test_boilerplate_and_weak_witnesses_do_not_vote():
    a, b = _set((0, 100), (500, 510)), _set((0, 100), (600, 610))
    footer_only = _set((500, 510))
    assert _votes(a, b, [footer_only], boilerplate=_set((500, 510))) == (0, 0, 0)
    assert _votes(a, b, [_set((500, 501))]) == (0, 0, 0)  # one shingle is below MIN_READINGS


def test_readings_skip_shingles_touching_foreign_tokens():
    hashes = np.arange(10, 30, dtype=np.uint64)  # 20 shingles over 24 tokens with k=5
    foreign = np.zeros(24, dtype=bool)
    assert readings(hashes, foreign, k=5).tolist() == list(range(10, 30))
    foreign[10] = True  # token 10 lies in shingles 6..10
    assert readings(hashes, foreign, k=5).tolist() == [*range(10, 16), *range(21, 30)]


def test_pick_witnesses_is_deterministic_and_bounded():
    neighbours = {0: set(range(1, 60)), 1: {0}}
    ids = [f"d{n:03d}" for n in range(60)]
    picked = pick_witnesses(0, 1, neighbours, ids)
    assert picked == sorted(picked) and len(picked) == MAX_WITNESSES and 0 not in picked and 1 not in picked


def test_a_witness_confirming_both_sides_marks_siblings():
    parent = _set((0, 300))
    first = _set((0, 100), (1000, 1010), (110, 300))  # edited words 100-110
    second = _set((0, 200), (2000, 2010), (210, 300))  # edited words 200-210
    assert _votes(first, second, [parent]) == (0, 0, 1)
    assert _votes(parent, first, [second]) == (1, 0, 0)


def test_only_readings_inside_the_shared_passages_count():
    from lineage.witness import shared_readings

    hashes = np.arange(10, dtype=np.uint64)  # one shingle per token start, k=2 over 11 tokens
    assert shared_readings(hashes, 11, [(0, 4), (6, 11)], k=2).tolist() == [0, 1, 2, 6, 7, 8, 9]
    assert shared_readings(hashes, 11, [], k=2).tolist() == []


def test_a_compilations_other_source_does_not_vote():
    """A text made of pieces of several sources: its other source shares only the other pieces,
    outside what the pair shares, so it says nothing about the pair's readings."""
    source = _set((0, 100))
    compilation = _set((0, 100), (500, 600))  # the source's passage, verbatim, plus another piece
    other_source = _set((500, 600), (700, 800))
    shared_a = shared_b = _set((0, 100))  # readings inside the shared passage: identical
    assert witness_votes(shared_a, shared_b, source, compilation, [other_source]) == (0, 0, 0)


def test_a_copy_without_the_sources_advertisement_breaks_gets_no_votes():
    """The source's page puts an 'Advertisement' line between two paragraphs; its verbatim copy,
    rendered by another outlet, has none, nor has the source's other copy. The shingles running
    across that line are layout, not wording: no witness may vote for the copy on them."""
    from lineage.alignment import align_pair
    from lineage.evidence import token_spans
    from lineage.normalise import tokenize
    from lineage.shingles import shingle_hashes, unique_sorted
    from lineage.evidence import line_marks
    from lineage.witness import shared_readings, with_layout_free

    first = "The central bank raised its main interest rate by half a point on Tuesday, the first rise in years."
    second = "Economists had expected the move after inflation climbed above the target for a third month running."
    source = tokenize(first + "\nAdvertisement\n" + second)
    copy = other_copy = tokenize(first + "\n" + second)
    al = align_pair("s", source, "c", copy, min_words=5)
    spans_s = token_spans(source, [p.source for p in al.passages])
    spans_c = token_spans(copy, [p.target for p in al.passages])
    hs, hc = shingle_hashes(source, k=5), shingle_hashes(copy, k=5)
    witness = unique_sorted(shingle_hashes(other_copy, k=5))

    def votes(layout):
        ls, lc = line_marks(source).short, line_marks(copy).short
        if not layout:
            return witness_votes(shared_readings(hs, len(source), spans_s, 5), shared_readings(hc, len(copy), spans_c, 5),
                                 unique_sorted(hs), unique_sorted(hc), [witness])
        return witness_votes(
            shared_readings(hs, len(source), spans_s, 5, ls), shared_readings(hc, len(copy), spans_c, 5, lc),
            with_layout_free(unique_sorted(hs), source, ls, 5),
            with_layout_free(unique_sorted(hc), copy, lc, 5), [witness])

    assert votes(layout=False) == (0, 1, 0)  # without the layout mask, the witness backs the copy
    assert votes(layout=True) == (0, 0, 0)


def test_layout_free_shingles_equal_the_plain_definition():
    """with_layout_free computes only the windows that straddle a left-out line; it must equal
    the union with every shingle of the text read without the layout tokens."""
    from lineage.normalise import tokenize
    from lineage.shingles import combine, norm_hashes, shingle_hashes, unique_sorted
    from lineage.witness import with_layout_free

    rng = np.random.default_rng(7)
    words = [f"w{rng.integers(40)}" for _ in range(120)]
    t = tokenize(" ".join(words))
    unique = unique_sorted(shingle_hashes(t, k=5))
    for share in (0.0, 0.02, 0.1, 0.5, 0.97, 1.0):
        for _ in range(20):
            layout = rng.random(len(t)) < share
            want = np.union1d(unique, combine(norm_hashes(t.norms)[~layout], 5)) if layout.any() else unique
            assert np.array_equal(with_layout_free(unique, t, layout, 5), want)
