"""Assemble verified edges into a networkx graph, a lineage forest and clusters.

The lineage tree is a maximum spanning arborescence (Chu-Liu/Edmonds, in
networkx) over a virtual root: every document can hang from the root at
weight 0, every oriented copy edge ``s -> t`` offers ``t`` the parent ``s`` at
weight ``confidence * (0.5 + 0.5 * containment)``. Quote-only and
common-source edges never become tree edges (neither is a copy of the other).

>>> from lineage.model import LineageEdge
>>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ("x",))
>>> parents, tree = lineage_forest(["a", "b", "c"], [e])
>>> parents, sorted(tree)
({'a': None, 'b': 'a', 'c': None}, [('a', 'b')])
"""

from __future__ import annotations

from typing import Iterable, Sequence

import networkx as nx

from lineage.model import Document, LineageEdge

ROOT = "\x00root"
COPY_RELATIONS = ("near-duplicate", "derived", "partial")


def is_copy(edge: LineageEdge) -> bool:
    """True for edges that say one text reuses the other's (not quote-only)."""
    return edge.relation in COPY_RELATIONS


def lineage_forest(ids: Sequence[str], edges: Iterable[LineageEdge]) -> tuple[dict[str, str | None], set[tuple[str, str]]]:
    """Each document's parent (None for originals) and the set of tree edges."""
    g = nx.DiGraph()
    g.add_node(ROOT)
    for doc_id in sorted(ids):
        g.add_edge(ROOT, doc_id, weight=0.0)
    for e in sorted(edges, key=lambda e: (e.source, e.target)):
        if not is_copy(e) or e.direction == "common-source":
            continue
        weight = e.confidence * (0.5 + 0.5 * max(e.source_in_target, e.target_in_source))
        g.add_edge(e.source, e.target, weight=round(weight, 6) + 1e-6)
    tree = nx.maximum_spanning_arborescence(g, attr="weight", preserve_attrs=False)
    parents: dict[str, str | None] = {doc_id: None for doc_id in ids}
    chosen: set[tuple[str, str]] = set()
    for u, v in tree.edges():
        if u != ROOT:
            parents[v] = u
            chosen.add((u, v))
    return parents, chosen


def clusters(ids: Sequence[str], edges: Iterable[LineageEdge]) -> list[list[str]]:
    """Groups of documents linked by copy edges (quote-only links do not join), largest first.

    >>> from lineage.model import LineageEdge
    >>> e = LineageEdge("b", "c", "partial", "unresolved", 0.5, 0.1, 0.2, 0.2, (), ())
    >>> clusters(["a", "b", "c"], [e])
    [['b', 'c']]
    """
    g = nx.Graph()
    g.add_nodes_from(ids)
    g.add_edges_from((e.source, e.target) for e in edges if is_copy(e))
    groups = [sorted(c) for c in nx.connected_components(g) if len(c) > 1]
    return sorted(groups, key=lambda c: (-len(c), c[0]))


def build_graph(docs: Sequence[Document], edges: Iterable[LineageEdge], parents: dict[str, str | None], cluster_of: dict[str, str]) -> nx.DiGraph:
    """A DiGraph with one node per document and one edge per verified pair (all relations)."""
    g = nx.DiGraph()
    for doc in docs:
        g.add_node(
            doc.id,
            title=doc.title,
            path=doc.path,
            outlet=doc.outlet,
            published=doc.published,
            parent=parents.get(doc.id),
            cluster=cluster_of.get(doc.id),
        )
    for e in edges:
        g.add_edge(
            e.source,
            e.target,
            relation=e.relation,
            direction=e.direction,
            confidence=e.confidence,
            jaccard=e.jaccard,
            source_in_target=e.source_in_target,
            target_in_source=e.target_in_source,
            shared_words=e.shared_words,
            passages=len(e.passages),
            evidence=list(e.evidence),
            tree=e.tree,
        )
    return g
