"""Outlet reputation: direction's second pass (lineage.outlets)."""

from __future__ import annotations

import math

from lineage.model import LineageEdge, Passage
from lineage.outlets import reputations, reweigh, term

OUTLET = {"w1": "Wire", "w2": "Wire", "w3": "Wire", "p1": "Paper", "p2": "Paper", "p3": "Paper", "x": None}


def E(s, t, conf=0.9, direction="forward", relation="derived", evidence=("x",)):
    return LineageEdge(s, t, relation, direction, conf, 0.3, 0.4, 0.8, (Passage((0, 5), (10, 15), 1, False),),
                       evidence, story_source_in_target=0.45, story_target_in_source=0.85)


def test_weight_zero_changes_nothing():
    edges = [E("w1", "p1"), E("p2", "w2", 0.6)]
    assert reweigh(edges, OUTLET, weight=0.0, threshold=0.55) == edges


def test_a_documents_own_pairs_never_vouch_for_it():
    # Wire is the source in three pairs, but all of them touch w1 or p1: for the pair (w1, p1)
    # the reputations are those of the other pairs only, here none, so the verdict stays.
    edges = [E("w1", "p1"), E("w1", "p2"), E("w2", "p1")]
    rep = reputations(edges, OUTLET, 0.55)
    f, cs, ct = term(rep, edges[0], OUTLET, 0.55)
    assert (f, cs, ct) == (0.0, (0, 0), (0, 0))
    assert reweigh(edges, OUTLET, weight=2.0, threshold=0.55)[0] == edges[0]


def test_reputation_from_other_pairs_turns_a_weak_verdict_round():
    edges = [E("w1", "p1"), E("w2", "p2"), E("p3", "w3", 0.6, evidence=("p3 is longer", "against: w3 adds a comment"))]
    rep = reputations(edges, OUTLET, 0.55)
    f, cs, ct = term(rep, edges[2], OUTLET, 0.55)
    assert cs == (0, 2) and ct == (2, 0)  # Paper: a target twice; Wire: a source twice
    assert math.isclose(f, math.log(1 / 3) - math.log(3))
    out = reweigh(edges, OUTLET, weight=1.0, threshold=0.55)
    assert out[:2] == edges[:2]  # their reputations come from the other pairs too, but agree
    e = out[2]
    assert (e.source, e.target, e.direction) == ("w3", "p3", "forward")
    assert math.isclose(e.confidence, round(1 / (1 + math.exp(math.log(0.6 / 0.4) + f)), 4))  # sigmoid(-z)
    # everything about the pair is stated the other way round
    assert (e.source_in_target, e.target_in_source) == (0.8, 0.4)
    assert (e.story_source_in_target, e.story_target_in_source) == (0.85, 0.45)
    assert e.passages == (Passage((10, 15), (0, 5), 1, False),)
    # the first pass's sentences change sides with the verdict; the outlet sentence leads the support
    assert e.evidence[0].startswith("Wire (w3's outlet) is the source in 2 of 2")
    assert e.evidence[1:] == ("w3 adds a comment", "against: p3 is longer")


def test_unknown_or_equal_outlets_quote_only_and_common_source_stay():
    edges = [E("w1", "p1"), E("w2", "p2"), E("w3", "p3"),
             E("x", "p1", 0.6), E("w1", "w2", 0.6), E("p3", "w3", 0.7, relation="quote-only"),
             E("p2", "w3", 0.95, direction="common-source")]
    assert reweigh(edges, OUTLET, weight=3.0, threshold=0.55)[3:] == edges[3:]


def test_trace_applies_the_fitted_pass_and_ablation_removes_it(tmp_path):
    import json

    import lineage.pipeline as lp
    from lineage.direction import load_model

    stories = [
        "The port authority said on Monday that container traffic rose eleven percent in the third quarter, "
        "helped by new routes to Asia and a recovery in car exports across the region.",
        "Farmers in the northern provinces expect a record wheat harvest after heavy spring rains, the "
        "agriculture ministry reported, although storage capacity remains a serious concern.",
        "The city council approved a plan to rebuild the old railway bridge, which has been closed to "
        "traffic since floods damaged its supports two winters ago, at a cost of forty million.",
    ]
    meta = []
    for n, story in enumerate(stories):
        text = (story + " ") * 3
        (tmp_path / f"w{n}.txt").write_text(text, encoding="utf-8")
        (tmp_path / f"p{n}.txt").write_text(text, encoding="utf-8")
        # publication order resolves the first pass; the pass then adds the outlets' records
        meta += [{"id": f"w{n}", "outlet": "Wire", "published": f"2024-03-0{n + 1}T08:00:00Z"},
                 {"id": f"p{n}", "outlet": "Paper", "published": f"2024-03-0{n + 1}T11:00:00Z"}]
    path = tmp_path / "meta.jsonl"
    path.write_text("".join(json.dumps(m) + "\n" for m in meta), encoding="utf-8")
    with_pass = lp.trace([tmp_path], metadata=path, config=lp.Config(workers=1))
    first = lp.trace([tmp_path], metadata=path, config=lp.Config(workers=1, ablate=("outlet",)))
    model = load_model()
    outlets = {m["id"]: m["outlet"] for m in meta}
    expected = reweigh(first.edges, outlets, weight=model["orient"]["outlet"], threshold=model["threshold"])
    assert with_pass.edges == sorted(expected, key=lambda e: (e.source, e.target))
    # each pair is backed by the two others: Wire is their source, Paper their target
    pairs = [(e.source, e.target) for e in with_pass.edges]
    assert pairs == [(f"w{n}", f"p{n}") for n in range(3)]
    assert all(a.confidence > b.confidence for a, b in zip(with_pass.edges, first.edges))
