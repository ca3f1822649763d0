"""lineage.verified: verified pairs in columns give back exactly the objects alignment made."""

from __future__ import annotations

import numpy as np
import pytest

from lineage.model import Alignment, PairEvidence, Passage, SideProfile, Verified
from lineage.pipeline import Config, find_candidates, prepare, verify_pairs
from lineage.parallel import verify_batch, verify_tasks
from lineage.verified import ITER_CHUNK, VerifiedPairs
from tests.conftest import synth_corpus_from


def _pair(i: int, passages: int, relation: str = "derived") -> Verified:
    spans = tuple(Passage((10 * n, 10 * n + 9), (1000 + n, 1009 + n), 2 + n, n % 2 == 1) for n in range(passages))
    evidence = None if relation == "quote-only" else PairEvidence(SideProfile(words=50 + i), SideProfile(words=60, tail=i))
    return Verified(i, i + 1, Alignment(f"d{i}", f"d{i + 1}", spans, 0.1 + i / 1000, 0.3333, 2 / 3, 0.0, 1.0, 50 + i, 60),
                    relation, evidence)


IDS = [f"d{i}" for i in range(ITER_CHUNK * 2 + 10)]


def test_items_equal_the_objects_and_keep_their_types():
    made = [_pair(i, i % 4, "quote-only" if i % 3 else "derived") for i in range(ITER_CHUNK + 7)]  # two chunks
    table = VerifiedPairs.of(made).with_ids(IDS)
    back = list(table)
    assert back == made and table == made and made == table
    for a, b in zip(back, made):
        assert [type(getattr(a.alignment, f)) for f in ("jaccard", "a_words")] == [float, int]
        assert all(type(p.words) is int and type(p.quoted) is bool and type(p.source[0]) is int for p in a.alignment.passages)
    assert table[-1] == made[-1] and table[3] == made[3] and table[1:9:3] == made[1:9:3]
    with pytest.raises(IndexError):
        table[len(made)]
    assert table.copy_pairs().tolist() == [[v.i, v.j] for v in made if v.relation != "quote-only"]
    assert table != made[:-1] and table != list(reversed(made))


def test_take_and_concat_keep_each_pair_with_its_passages():
    made = [_pair(i, i % 5) for i in range(40)]
    table = VerifiedPairs.of(made).with_ids(IDS)
    order = np.random.default_rng(1).permutation(len(made))
    assert list(table.take(order)) == [made[k] for k in order]
    assert list(table.take(np.zeros(0, np.int64))) == []
    parts = [VerifiedPairs.of(made[a : a + 7]) for a in range(0, len(made), 7)] + [VerifiedPairs.of([])]
    assert list(VerifiedPairs.concat(parts).with_ids(IDS)) == made
    assert len(VerifiedPairs.concat([])) == 0


def test_a_table_without_ids_says_what_it_needs():
    table = VerifiedPairs.of([_pair(0, 1)])
    with pytest.raises(ValueError, match="with_ids"):
        table[0]


def test_verify_pairs_gives_what_the_batches_give_in_the_order_of_the_pairs(tmp_path_factory):
    corpus = synth_corpus_from(tmp_path_factory, "verified", stories=200, docs=240, seed=5, first_story_seed=3)
    config = Config(workers=2)
    quiet = lambda *a: None  # noqa: E731
    from lineage.corpus import load_corpus

    docs, _ = load_corpus([corpus / "docs"])
    prepared = prepare(docs, config, quiet)
    pairs, boilerplate, _ = find_candidates(prepared, config, quiet, as_array=True)
    table = verify_pairs(prepared, pairs, config, boilerplate, quiet)
    assert isinstance(table, VerifiedPairs) and len(table) > 10
    # the same pairs one batch at a time, in this process, as objects
    tasks, order = verify_tasks(docs, pairs, config, boilerplate, 1)
    found: list[Verified | None] = [None] * len(pairs)
    done = 0
    for task in tasks:
        for position, v in zip(order[done : done + len(task.pairs)].tolist(), verify_batch(task)):
            found[position] = v
        done += len(task.pairs)
    expected = [v for v in found if v is not None]
    assert table == expected
    assert all(v.alignment.a == docs[v.i].id and v.alignment.b == docs[v.j].id for v in table)
    assert verify_pairs(prepared, pairs, Config(workers=1), boilerplate, quiet) == table
