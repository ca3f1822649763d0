"""Lineage forest and clusters."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.graph import ROOT, _best_parents, clusters, hidden_children, lineage_forest, secondary_sources
from lineage.model import LineageEdge, Passage


def E(s, t, relation="derived", direction="forward", conf=0.9, sit=0.3, tis=0.9):
    return LineageEdge(s, t, relation, direction, conf, 0.2, sit, tis, (), ("x",))


def test_chain_and_no_transitive_parent():
    edges = [E("a", "b"), E("b", "c"), E("a", "c", conf=0.7)]
    parents, tree = lineage_forest(["a", "b", "c"], edges)
    assert parents == {"a": None, "b": "a", "c": "b"}
    assert tree == {("a", "b"), ("b", "c")}


def test_quote_only_stays_out_and_common_source_adopts_a_hidden_parent():
    edges = [E("a", "b", relation="quote-only"), E("c", "d", direction="common-source", conf=0.8)]
    parents, tree = lineage_forest(["a", "b", "c", "d"], edges)
    assert tree == set()
    assert parents == {"a": None, "b": None, "c": "hidden-1", "d": "hidden-1"}
    assert hidden_children(parents) == {"hidden-1": ["c", "d"]}
    assert clusters(["a", "b", "c", "d"], edges) == [["c", "d"]]


def test_hidden_source_must_pay_for_itself():
    weak = [E("c", "d", direction="common-source", conf=0.8, sit=0.1, tis=0.1)]
    assert lineage_forest(["c", "d"], weak)[0] == {"c": None, "d": None}


def test_visible_parent_beats_a_hidden_one():
    edges = [E("p", "c1", tis=0.95), E("p", "c2", tis=0.95),
             E("c1", "c2", direction="common-source", conf=0.8, sit=0.5, tis=0.5)]
    parents, _ = lineage_forest(["p", "c1", "c2"], edges)
    assert parents == {"p": None, "c1": "p", "c2": "p"}


def test_parent_explains_more_of_the_child_than_the_grandparent():
    edges = [E("g", "p", tis=0.9), E("p", "c", tis=0.95), E("g", "c", conf=0.95, tis=0.7)]
    assert lineage_forest(["g", "p", "c"], edges)[0] == {"g": None, "p": "g", "c": "p"}


def test_cycle_is_broken_by_confidence():
    edges = [E("a", "b", conf=0.9), E("b", "a", conf=0.6)]
    parents, _ = lineage_forest(["a", "b"], edges)
    assert parents == {"a": None, "b": "a"}


def test_input_order_does_not_matter():
    edges = [E("a", "b"), E("a", "c"), E("c", "d", conf=0.55, direction="unresolved")]
    first = lineage_forest(["d", "c", "b", "a"], edges)
    second = lineage_forest(["a", "b", "c", "d"], list(reversed(edges)))
    assert first == second


def test_clusters_largest_first():
    edges = [E("x", "y"), E("a", "b"), E("b", "c")]
    assert clusters(["a", "b", "c", "x", "y", "z"], edges) == [["a", "b", "c"], ["x", "y"]]


def test_exact_ties_are_broken_the_same_way_whatever_the_order():
    """Verbatim siblings give two equally good parents; the choice must not depend on iteration order."""
    import random

    ids = [f"d{n}" for n in range(12)]
    edges = [E("p", i, tis=0.9) for i in ids] + [E(a, b, tis=0.9) for a in ids for b in ids if a < b]
    expected = lineage_forest(["p", *ids], edges)
    for seed in range(5):
        shuffled = edges.copy()
        random.Random(seed).shuffle(shuffled)
        order = ["p", *ids]
        random.Random(seed + 10).shuffle(order)
        assert lineage_forest(order, shuffled) == expected


def test_parent_beats_a_sibling_that_explains_as_much_of_the_child():
    """A sibling that explains the child as well as the parent does (convergent edits, a shared
    template) still has material of its own that the child lacks: the parent wins."""
    edges = [E("p", "c", tis=0.90, sit=0.90), E("p", "s", tis=0.95, sit=0.70),
             E("s", "c", tis=0.92, sit=0.60)]
    assert lineage_forest(["p", "s", "c"], edges)[0] == {"p": None, "s": "p", "c": "p"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5), st.floats(0.01, 1.0)), max_size=14))
def test_best_parents_is_the_maximum_arborescence_whenever_it_is_acyclic(raw):
    # the shortcut must give exactly what Edmonds' algorithm gives, or decline (a cycle)
    g = nx.DiGraph()
    nodes = [f"n{i}" for i in range(6)]
    g.add_edges_from((ROOT, n, {"weight": 0.0}) for n in nodes)
    for k, (u, v, w) in enumerate(raw):
        if u != v:
            g.add_edge(nodes[u], nodes[v], weight=w + k * 1e-7)  # distinct weights: one optimum
    greedy = _best_parents(g, nodes)
    best = set(nx.maximum_spanning_arborescence(g, attr="weight").edges())
    if greedy is None:
        parents = {v: max(g.pred[v].items(), key=lambda item: item[1]["weight"])[0] for v in nodes}
        assert not nx.is_directed_acyclic_graph(nx.DiGraph((u, v) for v, u in parents.items()))
    else:
        assert set(greedy) == best


def test_story_containment_weighs_the_parent_when_the_edge_has_it():
    # Exact containment says the sibling explains more of the child (a layout shared with it);
    # the story containments, page furniture left out, say the parent does: the tree follows them.
    parent = LineageEdge("p", "c", "derived", "forward", 0.9, 0.2, 0.6, 0.7, (), ("x",),
                         story_source_in_target=0.95, story_target_in_source=0.9)
    sibling = LineageEdge("s", "c", "derived", "forward", 0.9, 0.2, 0.9, 0.9, (), ("x",),
                          story_source_in_target=0.8, story_target_in_source=0.9)
    assert lineage_forest(["c", "p", "s"], [parent, sibling])[0]["c"] == "p"
    # without story containments (an index written before them), the exact ones decide
    old = [E("p", "c", sit=0.6, tis=0.7), E("s", "c", sit=0.9, tis=0.9)]
    assert lineage_forest(["c", "p", "s"], old)[0]["c"] == "s"


def test_trace_story_containment_ignores_advertisement_lines(tmp_path):
    import lineage.pipeline as lp

    paragraphs = [
        "The central bank raised its main interest rate by half a point on Tuesday, citing inflation.",
        "Officials said the decision was taken unanimously after two days of talks in the capital.",
        "Markets had expected a smaller move, and the currency rose sharply against the dollar.",
        "Economists warned that mortgage costs would climb for millions of households this year.",
        "The bank signalled that further increases could follow if prices keep rising quickly.",
        "Opposition leaders called the move reckless and demanded a debate in parliament next week.",
    ]
    (tmp_path / "paged.txt").write_text("\n\nAdvertisement\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (tmp_path / "plain.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    result = lp.trace([tmp_path], config=lp.Config(workers=1))
    [edge] = result.edges
    assert min(edge.source_in_target, edge.target_in_source) < 0.9  # the ad lines break shingles
    assert (edge.story_source_in_target, edge.story_target_in_source) == (1.0, 1.0)
    g = result.graph
    assert g.edges[edge.source, edge.target]["story_source_in_target"] == 1.0


def P(s, t, *spans, quoted=False, conf=0.9):
    """An oriented edge whose passages cover the target's character ``spans`` (a word per 5 characters)."""
    return LineageEdge(s, t, "partial", "forward", conf, 0.2, 0.3, 0.3,
                       tuple(Passage((0, b - a), (a, b), (b - a) // 5, quoted) for a, b in spans), ("x",))


def test_a_compilation_also_uses_the_source_of_what_its_parent_lacks():
    edges = [P("p", "t", (0, 1000)), P("q", "t", (900, 2000)), P("r", "t", (0, 300), (1990, 2100))]
    also = secondary_sources({"t": "p", "p": None, "q": None, "r": None}, edges)
    assert also == {("q", "t"): 200}  # (1000, 2000) is q's; r adds 20 words beyond p and q: too few
    assert secondary_sources({"t": "p", "p": None, "q": None, "r": None}, edges, min_words=10) == {
        ("q", "t"): 200, ("r", "t"): 20}


def test_an_unresolved_tree_edge_still_explains_its_words_but_names_no_second_source():
    from dataclasses import replace

    unresolved = replace(P("p", "t", (0, 1000)), direction="unresolved", confidence=0.52)
    edges = [unresolved, P("q", "t", (900, 2000))]
    assert secondary_sources({"t": "p", "p": None, "q": None}, edges) == {("q", "t"): 200}
    edges = [P("p", "t", (0, 1000)), replace(P("q", "t", (900, 2000)), direction="unresolved")]
    assert secondary_sources({"t": "p", "p": None, "q": None}, edges) == {}


def test_no_transitive_duplicate_unless_the_grandparent_gave_more():
    """A -> B -> C: A is no source of C as well, unless C has material from A that B lacks."""
    parents = {"a": None, "b": "a", "c": "b"}
    chain = [P("a", "b", (0, 1000)), P("b", "c", (0, 1000)), P("a", "c", (0, 1000))]
    assert secondary_sources(parents, chain) == {}
    more = [P("a", "b", (0, 1000)), P("b", "c", (0, 600)), P("a", "c", (0, 1000))]
    assert secondary_sources(parents, more) == {("a", "c"): 80}


def test_quotations_sources_below_and_hidden_parents_are_left_out():
    quoted = [P("p", "t", (0, 500)), P("q", "t", (500, 1500), quoted=True)]
    assert secondary_sources({"t": "p", "p": None, "q": None}, quoted) == {}
    below = [P("p", "t", (0, 500)), P("d", "t", (500, 1500))]  # d hangs from t: a wrongly oriented pair
    assert secondary_sources({"t": "p", "p": None, "d": "t"}, below) == {}
    hidden = [P("q", "t", (500, 1500))]
    assert secondary_sources({"t": "hidden-1", "q": None}, hidden) == {}


def test_trace_marks_an_also_used_source_in_lineage_json(tmp_path):
    """A story made of two wire reports hangs from one of them; the other is "also used"."""
    import lineage.pipeline as lp
    from lineage.export import to_json
    from tests.conftest import paragraphs

    first, second = paragraphs(4, 301, size=45), paragraphs(4, 302, size=45)
    (tmp_path / "wire1.txt").write_text("\n\n".join(first) + "\n", encoding="utf-8")
    (tmp_path / "wire2.txt").write_text("\n\n".join(second) + "\n", encoding="utf-8")
    (tmp_path / "paper.txt").write_text("\n\n".join(first[:3] + second[:3]) + "\n", encoding="utf-8")
    data = to_json(lp.trace([tmp_path], config=lp.Config(workers=1)))
    parent = next(d["parent"] for d in data["documents"] if d["id"] == "paper")
    assert parent in ("wire1", "wire2")
    other = "wire2" if parent == "wire1" else "wire1"
    [edge] = [e for e in data["edges"] if {e["source"], e["target"]} == {other, "paper"}]
    assert edge["secondary"] and not edge["tree"] and edge["source"] == other
    assert edge["evidence"][-1].startswith("also used: ") and f"lineage parent {parent}" in edge["evidence"][-1]
    [tree_edge] = [e for e in data["edges"] if {e["source"], e["target"]} == {parent, "paper"}]
    assert tree_edge["tree"] and not tree_edge["secondary"]


def test_graph_layout_is_the_graphs_order_and_attributes():
    """GraphLayout gives build_graph's nodes and edges without making the graph: hidden sources
    and their children first, edges grouped by source in the order added, ends that are not
    documents added as the graph adds them; a pair listed twice (which the graph merges) is
    left to the graph."""
    from lineage.graph import GraphLayout, build_graph
    from lineage.model import Document, LineageEdge

    docs = [Document(x, f"Text {x}.", f"{x}.txt", title=x.upper()) for x in ("d", "a", "c", "b")]
    e = lambda s, t, rel="derived": LineageEdge(s, t, rel, "forward", 0.9, 0.3, 0.4, 0.9, (), ("why",))  # noqa: E731
    edges = [e("a", "b"), e("d", "b", "quote-only"), e("a", "zz"), e("b", "c"), e("a", "c")]
    parents = {"a": None, "b": "a", "c": "hidden-1", "d": "hidden-1"}
    cluster_of = {"a": "c1", "b": "c1", "c": "c2", "d": "c2"}
    layout = GraphLayout.of(docs, edges, parents, cluster_of)
    g = build_graph(docs, edges, parents, cluster_of)
    assert layout.nodes == list(g.nodes) == ["hidden-1", "c", "d", "a", "b", "zz"]
    assert list(layout.node_items()) == list(g.nodes(data=True))
    assert list(layout.edge_items()) == list(g.edges(data=True))
    assert [(u, v) for u, v, _ in layout.edge_items()][:3] == [("hidden-1", "c"), ("hidden-1", "d"), ("d", "b")]
    assert GraphLayout.of(docs, edges + [e("b", "c", "partial")], parents, cluster_of) is None


def test_node_and_edge_keys_name_every_attribute_build_graph_gives():
    """GraphML's key declaration stops once every name in NODE_KEYS / EDGE_KEYS is declared:
    they must hold every attribute name a node or an edge can have."""
    from lineage.graph import EDGE_KEYS, HIDDEN_EDGE, NODE_KEYS, doc_attrs, edge_attrs, hidden_attrs
    from lineage.model import Document, LineageEdge

    e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ("why",))
    assert set(edge_attrs(e)) | set(HIDDEN_EDGE) == EDGE_KEYS
    assert set(doc_attrs(Document("a", "t", "a.txt"), {}, {})) | set(hidden_attrs(["a"], {})) == NODE_KEYS
