"""The consistency pass: leave-one-out scores over each part of the oriented copy edges."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage import consistency
from lineage.consistency import RIDGE, loo_differences, reweigh
from lineage.model import LineageEdge
from lineage.outlets import log_odds


def edge(s, t, c=0.9, direction="forward", relation="derived"):
    return LineageEdge(s, t, relation, direction, c, 0.5, 0.5, 0.9, (), ("text evidence",))


def brute_force(edges, k):
    """score(source) - score(target) of edge k, refitted from scratch without it (0 when nothing
    else joins its two documents)."""
    others = [e for n, e in enumerate(edges) if n != k]
    reach, todo = {edges[k].source}, [edges[k].source]
    while todo:
        x = todo.pop()
        for e in others:
            for u, v in ((e.source, e.target), (e.target, e.source)):
                if u == x and v not in reach:
                    reach.add(v)
                    todo.append(v)
    if edges[k].target not in reach:
        return 0.0
    docs = sorted({x for e in edges for x in (e.source, e.target)})
    at = {d: i for i, d in enumerate(docs)}
    a = np.diag(np.full(len(docs), RIDGE))
    b = np.zeros(len(docs))
    for e in others:
        i, j, y = at[e.source], at[e.target], log_odds(e.confidence)
        a[i, i] += 1
        a[j, j] += 1
        a[i, j] -= 1
        a[j, i] -= 1
        b[i] += y
        b[j] -= y
    s = np.linalg.solve(a, b)
    return s[at[edges[k].source]] - s[at[edges[k].target]]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(0.05, 0.95)), min_size=1, max_size=12))
def test_leave_one_out_is_the_refit_without_the_edge(raw):
    edges = [edge(f"d{s}", f"d{t}", c) for s, t, c in raw if s != t]
    if not edges:
        return
    found = loo_differences(edges)
    # one part per connected group: compare each edge with a refit over its own part only
    for k, e in enumerate(edges):
        part = _part_of(edges, k)
        expected = brute_force([edges[n] for n in part], part.index(k))
        assert found[k] == pytest.approx(expected, abs=1e-9)


def _part_of(edges, k):
    linked = {edges[k].source, edges[k].target}
    changed = True
    while changed:
        changed = False
        for e in edges:
            if (e.source in linked) != (e.target in linked):
                linked |= {e.source, e.target}
                changed = True
    return [n for n, e in enumerate(edges) if e.source in linked]


def test_an_edge_alone_never_vouches_for_itself():
    assert loo_differences([edge("a", "b", 0.99)]) == [pytest.approx(0.0)]
    assert reweigh([edge("a", "b", 0.99)], weight=1.0, threshold=0.55) == [edge("a", "b", 0.99)]


def test_a_weak_edge_against_its_part_is_turned_round_with_the_reason():
    # the archetype a is the source in every strong pair; one weak pair says d copied... a
    edges = [edge("a", x, 0.95) for x in "bcd"] + [edge("b", "c", 0.8), edge("d", "a", 0.6)]
    out = reweigh(edges, weight=0.5, threshold=0.55)
    turned = out[-1]
    assert (turned.source, turned.target, turned.direction) == ("a", "d", "forward")
    assert turned.evidence[0].startswith("the 4 other copy pairs among these documents place a before d")
    assert turned.evidence[-1] == "against: text evidence"
    # pairs that agree with the rest of their part are kept, more surely (a -> d, which the weak
    # d -> a edge contradicts, keeps its orientation too)
    assert all(o.source == e.source and o.confidence > e.confidence for o, e in zip(out[:2], edges[:2]))
    assert (out[2].source, out[2].target) == ("a", "d")


def test_order_of_the_edges_does_not_matter():
    rng = random.Random(3)
    pairs = sorted({(f"d{rng.randrange(8)}", f"d{rng.randrange(8, 16)}") for _ in range(20)})
    edges = [edge(s, t, rng.uniform(0.3, 0.9)) for s, t in pairs]
    out = {frozenset((e.source, e.target)): e for e in reweigh(edges, weight=0.3, threshold=0.55)}
    shuffled = edges[:]
    rng.shuffle(shuffled)
    again = {frozenset((e.source, e.target)): e for e in reweigh(shuffled, weight=0.3, threshold=0.55)}
    assert out == again and len(out) == len(edges)


def test_only_oriented_copy_edges_take_part():
    quote = edge("a", "c", 0.5, "unresolved", "quote-only")
    common = edge("b", "c", 0.95, "common-source")
    edges = [edge("a", "b", 0.9), quote, common, edge("b", "d", 0.9), edge("d", "a", 0.7)]
    out = reweigh(edges, weight=0.5, threshold=0.55)
    assert out[1] is quote and out[2] is common
    assert reweigh(edges, weight=0.0, threshold=0.55) == edges


def test_parts_above_the_limit_are_left_as_they_are(monkeypatch):
    edges = [edge("a", "b", 0.95), edge("b", "c", 0.95), edge("c", "a", 0.6)]
    monkeypatch.setattr(consistency, "MAX_DOCUMENTS", 2)
    assert loo_differences(edges) == [0.0, 0.0, 0.0]
    assert reweigh(edges, weight=0.5, threshold=0.55) == edges
