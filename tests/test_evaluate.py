"""Tests for lineage.evaluate, lineage.eval_truth and lineage.plagdet: hand-worked scores and identity."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.cli_quality import eval_cmd
from lineage.errors import TruthError
from lineage.evaluate import (
    evaluate,
    format_report,
    lineage_from_truth,
    load_truth,
    truth_forest,
    truth_pairs,
)
from lineage.plagdet import Case, plagdet_scores, union_length

# Truth: a -> b -> c visible chain; hidden h -> d, h -> e; x, y unrelated; three negatives.
TRUTH = {
    "nodes": ["a", "b", "c", "d", "e", "x", "y"],
    "edges": [
        ["a", "b", "excerpt"],
        ["b", "c", "verbatim+copyedit"],
        ["h", "d", "spin"],
        ["h", "e", "verbatim"],
    ],
    "negatives": [["a", "x"], ["c", "y"], ["b", "y"]],
    "cases": [
        {"source": "a", "target": "b", "source_span": [0, 100], "target_span": [10, 110]},
        {"source": "b", "target": "c", "source_span": [0, 40], "target_span": [0, 40]},
    ],
}


def edge(
    source, target, relation="derived", direction="forward", confidence=0.5, passages=(), tree=False
):
    return {
        "source": source,
        "target": target,
        "relation": relation,
        "direction": direction,
        "confidence": confidence,
        "tree": tree,
        "passages": [
            {"source": list(s), "target": list(t), "words": 0, "quoted": False} for s, t in passages
        ],
    }


LINEAGE = {
    "documents": [
        {"id": "a", "parent": None, "cluster": 0},
        {"id": "b", "parent": "a", "cluster": 0},
        {"id": "c", "parent": "a", "cluster": 0},  # wrong: truth parent is b
        {"id": "d", "parent": None, "cluster": 1},
        {
            "id": "e",
            "parent": "d",
            "cluster": 1,
        },  # wrong: d and e are siblings under a hidden source
        {"id": "x", "parent": None, "cluster": None},
        {"id": "y", "parent": None, "cluster": None},
    ],
    "edges": [
        edge(
            "a", "b", confidence=0.9, passages=[((0, 50), (10, 60)), ((50, 100), (60, 110))]
        ),  # right, split in two
        edge("c", "b", confidence=0.8, passages=[((0, 40), (0, 20))]),  # wrong way round
        edge("a", "c", relation="partial", direction="unresolved"),  # same tree, not a true pair
        edge("a", "x", relation="partial"),  # across trees: false positive and a false copy
        edge(
            "b", "y", relation="quote-only", direction="unresolved"
        ),  # the right call on a negative
    ],
}


@pytest.fixture(scope="module")
def report():
    return evaluate(LINEAGE, TRUTH)


def test_true_pairs_cover_direct_edges_and_siblings_under_a_hidden_source() -> None:
    pairs = truth_pairs(truth_forest(TRUTH))
    assert [(p.source, p.target, p.kind) for p in pairs] == [
        ("a", "b", "direct"),
        ("b", "c", "direct"),
        ("d", "e", "sibling"),
    ]


def test_pair_precision_counts_same_tree_pairs_and_recall_true_pairs(report) -> None:
    p = report.pairs
    # Predicted (non-quote-only): ab, bc, ac, ax. Same tree: ab, bc, ac. True pairs: ab, bc, de.
    assert (p.predicted, p.same_tree, p.strict, p.found, p.true_pairs) == (4, 3, 2, 2, 3)
    assert p.precision == 3 / 4 and p.strict_precision == 2 / 4 and p.recall == 2 / 3
    assert p.f1 == pytest.approx(2 * (3 / 4) * (2 / 3) / (3 / 4 + 2 / 3))
    assert p.by_kind == (("direct", 2, 2), ("ancestor", 0, 0), ("sibling", 0, 1))
    assert dict((op, (f, t)) for op, f, t in p.by_operator) == {
        "copyedit": (1, 1),
        "excerpt": (1, 1),
        "verbatim": (1, 1),
    }


def test_false_copy_rate_on_negatives(report) -> None:
    p = report.pairs
    assert (p.negatives, p.false_copies, p.quote_only_negatives) == (3, 1, 1)
    assert p.false_copy_rate == 1 / 3


def test_direction_counts_abstentions_apart_and_as_wrong(report) -> None:
    d = report.direction
    # Oriented pairs found: ab (right), bc (stated c->b: wrong), ac (unresolved).
    assert (d.found, d.resolved, d.correct) == (3, 2, 1)
    assert d.coverage == 2 / 3 and d.accuracy_resolved == 1 / 2 and d.accuracy_all == 1 / 3
    assert (d.sibling_found, d.sibling_common_source_rate) == (0, None)


def test_calibration_brier_and_ece(report) -> None:
    c = report.calibration
    # Resolved outcomes: (0.9, right) and (0.8, wrong), in bins 9 and 8.
    assert c.n == 2
    assert c.brier == pytest.approx((0.1**2 + 0.8**2) / 2)
    assert c.ece == pytest.approx(0.5 * 0.1 + 0.5 * 0.8)
    assert [b[2] for b in c.bins] == [0] * 8 + [1, 1]


def test_parent_and_root_scores(report) -> None:
    g = report.lineage
    # Given a parent: b (right), c (wrong), e (wrong). Truth parents: b <- a, c <- b.
    assert (g.parent_predicted, g.parent_truth, g.parent_correct) == (3, 2, 1)
    assert g.parent_precision == 1 / 3 and g.parent_recall == 1 / 2
    assert g.parent_f1 == pytest.approx(0.4)
    assert g.parent_accuracy == 5 / 7  # a, b, d, x, y right (no parent counts)
    # Predicted roots: a, d. Truth roots: a, and d and e (their common source is hidden).
    assert (g.roots_predicted, g.roots_truth, g.roots_correct) == (2, 3, 2)
    assert g.root_precision == 1.0 and g.root_recall == 2 / 3


def test_passages_plagdet_with_granularity_and_a_flipped_edge(report) -> None:
    s = report.passages
    # a->b case detected by two halves (granularity 2, full coverage); b->c case by the flipped
    # c->b passage b[0:20], c[0:40]: all 60 characters right, 60 of the case's 80 covered.
    assert (s.cases, s.detections) == (2, 3)
    assert s.precision == 1.0
    assert s.recall == pytest.approx((1.0 + 0.75) / 2)
    assert s.granularity == 1.5
    f1 = 2 * 1.0 * 0.875 / 1.875
    assert s.plagdet == pytest.approx(f1 / math.log2(2.5))


def test_plagdet_granularity_two_on_one_case() -> None:
    case = Case("s", "t", (0, 100), (200, 300))
    halves = [Case("s", "t", (0, 50), (200, 250)), Case("s", "t", (50, 100), (250, 300))]
    score = plagdet_scores([case], halves)
    assert (score.precision, score.recall, score.granularity) == (1.0, 1.0, 2.0)
    assert score.plagdet == pytest.approx(1 / math.log2(3))


def test_plagdet_detection_must_overlap_in_both_documents_and_pair() -> None:
    case = Case("s", "t", (0, 100), (0, 100))
    only_source = Case("s", "t", (0, 100), (500, 600))
    other_pair = Case("s", "u", (0, 100), (0, 100))
    score = plagdet_scores([case], [only_source, other_pair])
    assert (
        score.precision == 0.0
        and score.recall == 0.0
        and score.granularity is None
        and score.plagdet == 0.0
    )


def test_plagdet_partial_overlap_precision_and_recall() -> None:
    case = Case("s", "t", (0, 100), (0, 100))
    wide = Case("s", "t", (50, 250), (50, 150))  # 300 chars, 100 of them in the case
    score = plagdet_scores([case], [wide])
    assert score.precision == pytest.approx(100 / 300)
    assert score.recall == pytest.approx(100 / 200)
    assert score.granularity == 1.0


def test_union_length_merges_overlaps() -> None:
    assert union_length([(0, 10), (5, 20), (30, 35), (34, 36)]) == 26


def test_representative_edge_prefers_the_tree_edge_when_both_orientations_exist() -> None:
    truth = {"nodes": ["a", "b"], "edges": [["a", "b", "verbatim"]], "negatives": []}
    lin = {
        "documents": [{"id": "a"}, {"id": "b"}],
        "edges": [edge("b", "a", confidence=0.9), edge("a", "b", confidence=0.6, tree=True)],
    }
    r = evaluate(lin, truth)
    assert (
        r.pairs.predicted == 1
        and r.direction.correct == 1
        and r.calibration.brier == pytest.approx(0.16)
    )


def test_hidden_middle_gives_an_ancestor_pair_and_scores_the_grandparent_as_parent() -> None:
    truth = {
        "nodes": ["a", "c"],
        "edges": [["a", "m", "excerpt"], ["m", "c", "spin"]],
        "negatives": [],
    }
    assert [(p.source, p.target, p.kind, p.label) for p in truth_pairs(truth_forest(truth))] == [
        ("a", "c", "ancestor", "excerpt>spin")
    ]
    lin = {
        "documents": [
            {"id": "a", "parent": None, "cluster": 0},
            {"id": "c", "parent": "hidden-1", "cluster": 0},
        ],
        "edges": [edge("a", "c", confidence=0.7)],
    }
    r = evaluate(lin, truth)
    assert r.pairs.recall == 1.0 and r.direction.correct == 1
    assert r.lineage.parent_recall == 0.0  # a parent that is no document counts as none
    assert r.lineage.roots_predicted == 2 and r.lineage.root_precision == 0.5


# --- identity property --------------------------------------------------------------------

forests = st.integers(min_value=1, max_value=14).flatmap(
    lambda n: st.tuples(
        st.tuples(
            *[st.integers(min_value=-1, max_value=i - 1) for i in range(n)]
        ),  # parent index or -1
        st.lists(st.booleans(), min_size=n, max_size=n),  # hidden?
    )
)


@settings(max_examples=150, deadline=None)
@given(forests)
def test_the_truth_itself_scores_perfectly(forest) -> None:
    parents, hidden = forest
    ids = [f"d{i:02d}" for i in range(len(parents))]
    truth = {
        "nodes": [v for v, h in zip(ids, hidden) if not h],
        "edges": [[ids[p], ids[i], "verbatim"] for i, p in enumerate(parents) if p >= 0],
        "negatives": [],
    }
    r = evaluate(lineage_from_truth(truth), truth)
    assert r.pairs.recall in (1.0, None) and r.pairs.precision in (1.0, None)
    assert r.pairs.strict_precision in (1.0, None)
    assert r.direction.accuracy_all in (1.0, None) and r.direction.sibling_common_source_rate in (
        1.0,
        None,
    )
    assert r.calibration.brier in (0.0, None) and r.calibration.ece in (0.0, None)
    assert r.lineage.parent_accuracy in (1.0, None)
    assert r.lineage.root_precision in (1.0, None) and r.lineage.root_recall in (1.0, None)


def test_identity_with_cases_gives_plagdet_one() -> None:
    r = evaluate(lineage_from_truth(TRUTH), TRUTH)
    assert r.passages.plagdet == 1.0 and r.passages.granularity == 1.0
    assert r.pairs.f1 == 1.0 and r.pairs.false_copy_rate == 0.0


# --- errors and the CLI -------------------------------------------------------------------


@pytest.mark.parametrize(
    "truth, message",
    [
        ({"edges": []}, "'nodes' list"),
        ({"nodes": ["a"], "edges": [["a", "b", "x"], ["c", "b", "y"]]}, "two parents"),
        ({"nodes": ["a"], "edges": [["a", "b", "x"], ["b", "a", "y"]]}, "cycle"),
        (
            {
                "nodes": ["a"],
                "edges": [],
                "cases": [
                    {"source": "a", "target": "b", "source_span": [5, 1], "target_span": [0, 1]}
                ],
            },
            "spans",
        ),
    ],
)
def test_malformed_truth_is_a_truth_error(truth, message) -> None:
    with pytest.raises(TruthError, match=message):
        evaluate({"documents": [], "edges": []}, truth)


def test_malformed_lineage_is_a_truth_error() -> None:
    bad = {"documents": [{"id": "a"}], "edges": [edge("a", "b", confidence=1.5)]}
    with pytest.raises(TruthError, match="confidence"):
        evaluate(bad, TRUTH)


def test_lineage_of_another_corpus_is_refused() -> None:
    with pytest.raises(TruthError, match="share no document id"):
        evaluate({"documents": [{"id": "zz"}], "edges": []}, TRUTH)


def test_load_truth_names_the_file(tmp_path) -> None:
    path = tmp_path / "truth.json"
    path.write_text('{"nodes": "a"}', encoding="utf-8")
    with pytest.raises(TruthError, match=str(path)):
        load_truth(path)


def test_cli_eval_prints_a_table_and_json(tmp_path) -> None:
    (tmp_path / "lineage.json").write_text(json.dumps(LINEAGE), encoding="utf-8")
    (tmp_path / "truth.json").write_text(json.dumps(TRUTH), encoding="utf-8")
    table = CliRunner().invoke(eval_cmd, [str(tmp_path / "lineage.json"), str(tmp_path)])
    assert table.exit_code == 0, table.output
    assert table.output == format_report(evaluate(LINEAGE, TRUTH)) + "\n"
    assert "precision (same tree)            0.750  3/4" in table.output
    as_json = CliRunner().invoke(eval_cmd, [str(tmp_path), str(tmp_path / "truth.json"), "--json"])
    assert json.loads(as_json.output)["pairs"]["recall"] == pytest.approx(2 / 3)


def test_hidden_source_precision_and_recall_by_hand():
    from lineage.evaluate import evaluate

    # truth: hidden H -> a, b; hidden G -> c, d; e -> f (visible parent)
    truth = {"nodes": ["a", "b", "c", "d", "e", "f"],
             "edges": [["H", "a", "verbatim"], ["H", "b", "excerpt"], ["G", "c", "verbatim"],
                       ["G", "d", "verbatim"], ["e", "f", "verbatim"]],
             "negatives": []}
    docs = [{"id": i, "parent": p, "cluster": "c1", "path": "", "title": None, "words": 1,
             "published": None, "outlet": None}
            for i, p in [("a", "hidden-1"), ("b", "hidden-1"), ("c", "hidden-2"), ("e", "hidden-2"),
                         ("d", None), ("f", "e")]]
    lineage = {"documents": docs, "edges": [], "clusters": [], "hidden_sources": [], "skipped": [],
               "params": {}, "version": "x"}
    g = evaluate(lineage, truth).lineage
    assert (g.hidden_predicted, g.hidden_correct, g.hidden_truth, g.hidden_found) == (2, 1, 2, 1)
    assert g.hidden_precision == 0.5 and g.hidden_recall == 0.5
