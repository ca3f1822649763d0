"""Alignment: exact offsets, gap merging, quotations, and the slicing property."""

from __future__ import annotations

from difflib import SequenceMatcher

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.alignment import align_pair
from lineage.normalise import tokenize
from tests.conftest import paragraphs


def _align(a: str, b: str, **kw):
    return align_pair("a", tokenize(a), "b", tokenize(b), **kw)


def test_offsets_slice_the_same_words():
    shared = " ".join(paragraphs(2, 1))
    a = "Intro words here for the first text only. " + shared + " And a tail."
    b = "A completely different opening paragraph. " + shared
    al = _align(a, b)
    assert len(al.passages) == 1
    p = al.passages[0]
    assert tokenize(a[p.source[0] : p.source[1]]).norms == tokenize(b[p.target[0] : p.target[1]]).norms
    assert p.words == len(tokenize(shared))


def test_small_edit_is_merged_into_one_passage():
    words = " ".join(paragraphs(1, 2, size=60)).split()
    a = " ".join(words)
    edited = words.copy()
    edited[30] = "CHANGED"
    al = _align(a, " ".join(edited))
    assert len(al.passages) == 1
    assert al.passages[0].words == 60


def test_large_gap_splits_passages():
    first, second, insert = (" ".join(p) for p in (paragraphs(1, 3), paragraphs(1, 4), paragraphs(1, 5)))
    al = _align(first + " " + second, first + " " + insert + " " + second)
    assert len(al.passages) == 2
    assert al.b_coverage < 0.7 and al.a_coverage == 1.0


def test_containment_and_jaccard_are_exact():
    text = " ".join(paragraphs(3, 6))
    half = text[: text.rfind(" ", 0, len(text) // 2)]
    al = _align(half, text)
    assert al.a_in_b == 1.0
    assert 0.4 < al.b_in_a < 0.6
    assert abs(al.jaccard - al.b_in_a) < 1e-3


def test_quoted_passage_marked():
    quote = "we see the situation in the region fundamentally very similarly and will keep working"
    a = f"Reporter one wrote at length. The minister said: “{quote},” before leaving the hall."
    b = f"Another outlet had different words entirely, and then: '{quote}', he told journalists."
    al = _align(a, b)
    assert [p.quoted for p in al.passages] == [True]
    plain = _align(f"Reporter one wrote: {quote} today.", f"Another said {quote} again.")
    assert [p.quoted for p in plain.passages] == [False]


def test_no_shared_text_no_passage():
    al = _align(" ".join(paragraphs(2, 7)), " ".join(paragraphs(2, 8)))
    assert al.passages == () and al.jaccard == 0.0


def test_ignored_shingles_do_not_seed():
    from lineage.shingles import shingle_hashes
    import numpy as np

    shared = " ".join(paragraphs(1, 9))
    ta, tb = tokenize(shared + " alpha"), tokenize("beta " + shared)
    ignore = np.unique(shingle_hashes(tokenize(shared), k=5))
    assert align_pair("a", ta, "b", tb, ignore=ignore).passages == ()


_word = st.sampled_from(
    ["talks", "Moscow", "“said”", "Kerry’s", "the", "of", "Сирия", "Лавров", "2015", "café", "ISIS/ISIL", "U.S.", "peace"]
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(_word, min_size=0, max_size=30),
    st.lists(_word, min_size=12, max_size=60),
    st.lists(_word, min_size=0, max_size=30),
    st.lists(_word, min_size=0, max_size=30),
    st.integers(min_value=0, max_value=3),
)
def test_every_passage_slices_near_identical_tokens(pre_a, shared, pre_b, post_b, edits):
    """The raw text at a passage's offsets normalises to near-identical tokens in both documents."""
    copied = list(shared)
    for n in range(edits):
        copied[(n * 7) % len(copied)] = "edited"
    a = " ".join(pre_a + shared)
    b = " ".join(pre_b + copied + post_b)
    al = _align(a, b, min_words=5)
    for p in al.passages:
        ta = tokenize(a[p.source[0] : p.source[1]]).norms
        tb = tokenize(b[p.target[0] : p.target[1]]).norms
        assert ta and tb
        # only merged gaps (at most max_gap words each) may differ
        assert abs(len(ta) - len(tb)) <= 8
        assert SequenceMatcher(None, ta, tb, autojunk=False).ratio() >= 0.75
        assert ta[:1] == tb[:1] and ta[-1:] == tb[-1:]


def test_swap_gives_mirrored_alignment():
    shared = " ".join(paragraphs(2, 11))
    a, b = "Lead one. " + shared, shared + " Tail two words here."
    ab, ba = _align(a, b), align_pair("b", tokenize(b), "a", tokenize(a))
    assert [p.flipped() for p in ab.passages] == list(ba.passages)
    assert (ab.a_in_b, ab.b_in_a, ab.jaccard) == (ba.b_in_a, ba.a_in_b, ba.jaccard)


# --- the compiled kernel gives the NumPy path's alignments --------------------------------------

_small_vocabulary = st.sampled_from(["a", "b", "c", "d", "e", "f", "rates", "rose", "banks", "fell"])


def _mutated(draw, words: list[str]) -> list[str]:
    """A copy of ``words`` with some words replaced, deleted, duplicated or moved (draws from ``draw``)."""
    out = list(words)
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        if not out:
            break
        at = draw(st.integers(min_value=0, max_value=len(out) - 1))
        edit = draw(st.sampled_from(["replace", "delete", "repeat", "move"]))
        if edit == "replace":
            out[at] = draw(_small_vocabulary)
        elif edit == "delete":
            del out[at]
        elif edit == "repeat":
            out[at:at] = out[at : at + draw(st.integers(min_value=1, max_value=12))]
        else:
            piece = out[at : at + 10]
            del out[at : at + 10]
            out.insert(draw(st.integers(min_value=0, max_value=len(out))), " ".join(piece))
    return out


@st.composite
def _text_pairs(draw):
    """Two texts sharing mutated material over a tiny vocabulary: repeated shingles (refrains),
    many diagonals, overlapping runs; plus alignment settings and a boilerplate set."""
    base = draw(st.lists(_small_vocabulary, min_size=0, max_size=80))
    a = draw(st.lists(_small_vocabulary, max_size=15)) + base + draw(st.lists(_small_vocabulary, max_size=15))
    b = _mutated(draw, base) + draw(st.lists(_small_vocabulary, max_size=15))
    k = draw(st.integers(min_value=1, max_value=6))
    return " ".join(a), " ".join(b), k, draw(st.integers(0, 8)), draw(st.integers(1, 12)), draw(st.integers(0, 3))


@settings(max_examples=300, deadline=None)
@given(_text_pairs())
def test_kernel_and_numpy_paths_give_the_same_alignment(case):
    import numpy as np

    from lineage.alignment import load_kernel
    from lineage.shingles import shingle_hashes

    a, b, k, max_gap, min_words, ignored = case
    assert load_kernel() is not None  # numba is an install requirement
    ta, tb = tokenize(a), tokenize(b)
    # boilerplate: every shingle of a's first `ignored` words (possibly none)
    ignore = np.unique(shingle_hashes(tokenize(" ".join(a.split()[: ignored * 4])), k=k))
    kw = dict(k=k, max_gap=max_gap, min_words=min_words, ignore=ignore if ignored else None)
    numpy_path = align_pair("a", ta, "b", tb, kernel=False, **kw)
    assert align_pair("a", ta, "b", tb, kernel=True, **kw) == numpy_path


def test_kernel_and_numpy_paths_agree_on_the_seeds():
    from pathlib import Path

    from lineage.alignment import load_kernel

    assert load_kernel() is not None  # numba is an install requirement
    seeds = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))
    texts = [tokenize(p.read_text(encoding="utf-8")) for p in seeds]
    assert len(texts) >= 2
    found = 0
    for x in range(len(texts)):
        for y in range(len(texts)):
            numpy_path = align_pair("a", texts[x], "b", texts[y], kernel=False)
            assert align_pair("a", texts[x], "b", texts[y], kernel=True) == numpy_path
            found += len(numpy_path.passages)
    assert found > len(texts)  # more than each text with itself: the seeds share passages


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([0, 1, 2**8, 2**40 + 3, 2**63, 2**64 - 1]),
                          st.integers(0, 2**64 - 1)), max_size=700))
def test_compiled_hash_index_is_numpys_stable_argsort(values):
    import numpy as np

    from lineage.alignment import _ORDER_KERNEL
    from lineage.kernels import load

    hashes = np.array(values, dtype=np.uint64)
    order, ordered = load(*_ORDER_KERNEL)(hashes)  # repeated values: positions stay ascending
    expected = np.argsort(hashes, kind="stable")
    assert order.dtype == expected.dtype and order.tolist() == expected.tolist()
    assert ordered.tolist() == hashes[expected].tolist()
