"""Reading rarity: the side whose variant readings the corpus uses less is the copy."""

from __future__ import annotations

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.normalise import tokenize
from lineage.pipeline import Config, trace
from lineage.rarity import corpus_words, rarity, sample_of, variant_readings, word_frequencies
from lineage.shingles import token_hashes
from tests.conftest import paragraphs


def _hashes(text: str) -> np.ndarray:
    return token_hashes(tokenize(text))


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh", min_size=1, max_size=4), min_size=1, max_size=30, unique=True),
       st.integers(1, 10), st.randoms(use_true_random=False))
def test_the_sample_is_the_same_in_any_order_of_the_corpus(ids, size, rnd):
    shuffled = list(ids)
    rnd.shuffle(shuffled)
    assert sorted(ids[i] for i in sample_of(ids, size)) == sorted(shuffled[i] for i in sample_of(shuffled, size))
    assert len(sample_of(ids, size)) == min(size, len(ids))


def test_word_frequencies_count_documents_not_occurrences():
    words = word_frequencies([_hashes("rain rain rain today"), _hashes("rain tomorrow")])
    assert words.documents == 2
    assert words.of(_hashes("rain today snow")).tolist() == [2, 1, 0]


def test_variant_readings_are_the_words_inside_the_passages_only_one_side_has():
    a, b = tokenize("one two three four five"), tokenize("one two tree four six")
    only_a, only_b = variant_readings(token_hashes(a), [(0, 4)], token_hashes(b), [(0, 4)])
    assert sorted(only_a.tolist()) == sorted(_hashes("three").tolist())  # "five" is outside the passage
    assert sorted(only_b.tolist()) == sorted(_hashes("tree").tolist())


def test_the_rarer_wording_marks_the_copy_and_swapping_the_sides_flips_the_score():
    corpus = paragraphs(20, 3)
    words = corpus_words([str(i) for i in range(len(corpus))], lambda i: _hashes(corpus[i]))
    common, rare = _hashes(corpus[0])[:3], np.array([11, 12, 13], dtype=np.uint64)  # no document uses these
    r = rarity(common, rare, words)
    assert r.score > 0 and r.b_documents == 0 and r.a_documents >= 1
    assert rarity(rare, common, words).score == -r.score
    assert rarity(common, np.zeros(0, np.uint64), words) is None


def _misspelt(text: str, rng: random.Random, rate: float = 0.08) -> str:
    """A scribe's copy: two neighbouring letters swapped in some words (words nobody else writes)."""
    out = []
    for w in text.split():
        if len(w) > 4 and rng.random() < rate:
            i = rng.randrange(1, len(w) - 2)
            w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
        out.append(w)
    return " ".join(out)


def _plainer(text: str, rng: random.Random, common: list[str], rate: float = 0.08) -> str:
    """A simplifying copy: some words replaced by words every document of the corpus uses."""
    return " ".join(rng.choice(common) if len(w) > 4 and rng.random() < rate else w for w in text.split())


def _corpus(folder, change, *, rng: random.Random, resolved: int = 6) -> None:
    """``resolved`` stories copied with ``change`` and a comment paragraph (which orients them),
    one copied with ``change`` alone ("target" and "target-copy"), and documents that use the
    corpus's common words in other orders (no copies)."""
    common = " ".join(paragraphs(2, 900)).replace(".", "").lower().split()
    for i in range(resolved + 1):
        story = "\n\n".join(paragraphs(5, 41 + i))
        name = "target" if i == resolved else f"story{i}"
        comment = "" if i == resolved else "\n\nComment: " + " ".join(paragraphs(1, 700 + i))
        (folder / f"{name}.txt").write_text(story, encoding="utf-8")
        (folder / f"{name}-copy.txt").write_text(change(story, rng, common) + comment, encoding="utf-8")
        common += rng.sample(story.replace(".", "").lower().split(), 60)
    for i in range(30):
        (folder / f"other{i}.txt").write_text(" ".join(rng.sample(common, 120)) + ".", encoding="utf-8")


def _target_edge(folder, config):
    return next(e for e in trace([folder], config=config).edges if {e.source, e.target} == {"target", "target-copy"})


def test_where_copies_read_rarer_the_rarer_wording_orients_a_pair_with_no_other_evidence(tmp_path):
    """Scribes' copies: six pairs oriented by a comment show that the copy's wording is the
    rarer here (its slips are words no other document writes); the seventh pair, with nothing
    but the slips, is oriented by them."""
    _corpus(tmp_path, lambda text, rng, common: _misspelt(text, rng), rng=random.Random(5))
    edge = _target_edge(tmp_path, Config(workers=1))
    assert (edge.source, edge.target, edge.direction) == ("target", "target-copy", "forward")
    said = [s for s in edge.evidence if "rarer in the corpus" in s]
    assert said and said[0].startswith("where the shared text reads differently, target-copy's")
    assert "the rarer wording is the copy's" in said[0] and "over 6 pairs" in said[0]
    ablated = _target_edge(tmp_path, Config(workers=1, ablate=("rarity",)))
    assert not any("rarer in the corpus" in s for s in ablated.evidence)
    assert ablated.direction == "unresolved"


def test_where_copies_read_plainer_the_pass_learns_the_other_sign(tmp_path):
    """Simplifying copies (the copy swaps words for common ones, as a translation round trip or a
    summary does): the resolved pairs show the *source* has the rarer wording, and the pass
    orients the seventh pair that way, not by a fixed rule."""
    _corpus(tmp_path, _plainer, rng=random.Random(6))
    edge = _target_edge(tmp_path, Config(workers=1))
    assert (edge.source, edge.target, edge.direction) == ("target", "target-copy", "forward")
    said = [s for s in edge.evidence if "rarer in the corpus" in s]
    assert said and said[0].startswith("where the shared text reads differently, target's")
    assert "the rarer wording is the source's" in said[0]
    assert _target_edge(tmp_path, Config(workers=1, ablate=("rarity",))).direction == "unresolved"
