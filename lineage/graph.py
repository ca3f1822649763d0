"""Assemble verified edges into a networkx graph, a lineage forest and clusters.

The lineage tree is a maximum spanning arborescence (Chu-Liu/Edmonds, in
networkx) over a virtual root: every document can hang from the root at
weight 0, every oriented copy edge ``s -> t`` offers ``t`` the parent ``s``
(see :func:`lineage_forest`), and documents joined by common-source edges may
hang from a hidden source instead. Quote-only edges never enter the tree.

>>> from lineage.model import LineageEdge
>>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ("x",))
>>> parents, tree = lineage_forest(["a", "b", "c"], [e])
>>> parents, sorted(tree)
({'a': None, 'b': 'a', 'c': None}, [('a', 'b')])
"""

from __future__ import annotations

import hashlib
from typing import Iterable, Iterator, Sequence

import networkx as nx
import numpy as np

from lineage.model import Document, LineageEdge
from lineage.plagdet import union_length

ROOT = "\x00root"
COPY_RELATIONS = ("near-duplicate", "derived", "partial")


def is_copy(edge: LineageEdge) -> bool:
    """True for edges that say one text reuses the other's (not quote-only)."""
    return edge.relation in COPY_RELATIONS


def containment(edge: LineageEdge) -> tuple[float, float]:
    """``(source_in_target, target_in_source)`` the tree weighs by: the story containments when
    the edge has them (page furniture and templates left out), else the exact ones.

    >>> from lineage.model import LineageEdge
    >>> containment(LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ()))
    (0.4, 0.9)
    >>> containment(LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), (), False, 0.5, 1.0))
    (0.5, 1.0)
    """
    if edge.story_source_in_target is None or edge.story_target_in_source is None:
        return edge.source_in_target, edge.target_in_source
    return edge.story_source_in_target, edge.story_target_in_source


SOURCE_POWER = 0.25  # how much the share of the parent found in the child counts (see lineage_forest)
HIDDEN_COST = 0.25  # weight a hidden source must win back before it is worth positing


def lineage_forest(
    ids: Sequence[str], edges: Iterable[LineageEdge], *, hidden_cost: float = HIDDEN_COST
) -> tuple[dict[str, str | None], set[tuple[str, str]]]:
    """Each document's parent (None for originals, ``hidden-N`` for a hidden source) and the tree edges.

    An oriented copy edge ``s -> t`` offers ``t`` the parent ``s`` at weight
    ``confidence * target_in_source * source_in_target ** SOURCE_POWER``: how
    sure the orientation is, times how much of the copy the parent explains (a
    parent explains more of its child than a grandparent does), times, damped
    hard, how much of the parent the copy carries (a sibling has changes and
    additions of its own that the child lacks; the true parent has only what
    the child cut). The damping is strong because that share cannot tell the
    two apart: a long article that a short piece quotes two paragraphs from
    keeps nine tenths of itself out of its copy, far more than a sibling piece
    adds of its own (see BENCHMARKS.md, lifted passages). The containments are
    those of the story text (:func:`containment`): a parent on a site that
    breaks paragraphs with "Advertisement" lines must not lose its child to a
    sibling laid out like the child. Documents joined by common-source
    edges may instead hang from a hidden source, which costs ``hidden_cost``
    and is kept only if it adopts at least two documents.
    """
    # only copy edges offer parents or join hidden-source groups: quote-only pairs (most edges of a
    # large corpus) are left out before sorting
    edges = sorted((e for e in edges if is_copy(e)), key=lambda e: (e.source, e.target))
    groups = _common_groups(edges)
    while True:
        parents, chosen, adopted = _arborescence(ids, edges, groups, hidden_cost)
        lonely = [h for h, members in groups.items() if len(adopted.get(h, ())) < 2]
        if not lonely:
            return parents, chosen
        for h in lonely:
            del groups[h]


def hidden_children(parents: dict[str, str | None]) -> dict[str, list[str]]:
    """Hidden sources and the documents they adopted, from a parent map.

    >>> hidden_children({"a": "hidden-1", "b": "hidden-1", "c": None})
    {'hidden-1': ['a', 'b']}
    """
    out: dict[str, list[str]] = {}
    for child, parent in sorted(parents.items()):
        if parent is not None and parent.startswith(HIDDEN_PREFIX):
            out.setdefault(parent, []).append(child)
    return out


HIDDEN_PREFIX = "hidden-"


def _common_groups(edges: list[LineageEdge]) -> dict[str, dict[str, float]]:
    """Hidden-source candidates: groups of documents joined by common-source edges (``edges``:
    the copy edges, see :func:`lineage_forest`)."""
    g = nx.Graph()
    for e in edges:
        if e.direction == "common-source":
            g.add_edge(e.source, e.target)
    groups: dict[str, dict[str, float]] = {}
    group_of: dict[str, str] = {}
    for n, members in enumerate(sorted(sorted(c) for c in nx.connected_components(g)), start=1):
        groups[f"{HIDDEN_PREFIX}{n}"] = {m: 0.0 for m in members}
        group_of.update((m, f"{HIDDEN_PREFIX}{n}") for m in members)
    for e in edges:  # one pass: each common-source edge raises its two ends' weights
        if e.direction == "common-source":
            weights = groups[group_of[e.source]]
            s_in_t, t_in_s = containment(e)
            weights[e.source] = max(weights[e.source], e.confidence * s_in_t)
            weights[e.target] = max(weights[e.target], e.confidence * t_in_s)
    return groups


def _tie_break(u: str, v: str) -> float:
    """A stable weight below 1e-9, unique per edge: exact ties between equally good parents
    (verbatim siblings) would otherwise be broken by iteration order inside networkx, which
    varies between runs."""
    digest = hashlib.blake2b(f"{u}\x00{v}".encode("utf-8"), digest_size=6).digest()
    return int.from_bytes(digest, "big") / 2**48 * 1e-9


def _best_parents(g: nx.DiGraph, part: list[str]) -> list[tuple[str, str]] | None:
    """Each node of ``part`` with its heaviest incoming edge, or None when those edges form a cycle.

    When they form none, they are the maximum spanning arborescence of the part
    (each node gets its best possible parent, and together they are a tree), so
    Edmonds' algorithm is needed only for parts with a cycle of best parents;
    most parts (a copy cluster oriented one way) have none.

    >>> g = nx.DiGraph([(ROOT, "a", {"weight": 0.0}), (ROOT, "b", {"weight": 0.0}), ("a", "b", {"weight": 0.5})])
    >>> [(u == ROOT, u, v) for u, v in _best_parents(g, ["a", "b"])][1:]
    [(False, 'a', 'b')]
    >>> g.add_edge("b", "a", weight=0.7)
    >>> _best_parents(g, ["a", "b"]) is None
    True
    """
    best = {}
    for v in part:
        best[v] = max(g.pred[v].items(), key=lambda item: item[1]["weight"])[0]
    state: dict[str, int] = {}  # 1: on the path being followed, 2: known to reach the root
    for start in part:
        path, v = [], start
        while v in best and v not in state:
            state[v] = 1
            path.append(v)
            v = best[v]
        if v in state and state[v] == 1:
            return None
        for u in path:
            state[u] = 2
    return [(best[v], v) for v in part]


def _arborescence(ids, edges, groups, hidden_cost):
    # edges: the copy edges (lineage_forest); each oriented one offers its target a parent
    offers = [e for e in edges if e.direction != "common-source"]
    # A document without copy edges or a hidden-source group is a root of its own: only the
    # others enter the graph (most documents of a large corpus have no copy at all).
    involved = {e.source for e in offers} | {e.target for e in offers}
    involved.update(m for weights in groups.values() for m in weights)
    g = nx.DiGraph()
    g.add_node(ROOT)
    for doc_id in sorted(involved):
        g.add_edge(ROOT, doc_id, weight=0.0)
    for e in offers:
        s_in_t, t_in_s = containment(e)
        strength = e.confidence * t_in_s * s_in_t ** SOURCE_POWER
        g.add_edge(e.source, e.target, weight=round(strength, 6) + 1e-6 + _tie_break(e.source, e.target))
    for h, weights in groups.items():
        # Every node, a hidden one too, must hang somewhere, so the root edge is free and the
        # cost is charged per adopted document (at least two): half the cost each.
        g.add_edge(ROOT, h, weight=0.0)
        for member, w in weights.items():
            g.add_edge(h, member, weight=round(w - hidden_cost / 2, 6) + _tie_break(h, member))
    # The virtual root reaches every node, so the best arborescence is the union of the best
    # ones of each connected part: solving the parts alone keeps Edmonds' contractions small.
    body = g.subgraph(n for n in g if n != ROOT)
    tree_edges = []
    # every part has two nodes or more: a copy edge joins two documents, a group its members
    for part in sorted((sorted(c) for c in nx.weakly_connected_components(body)), key=lambda c: c[0]):
        greedy = _best_parents(g, part)
        if greedy is not None:
            tree_edges += greedy
            continue
        # a graph of its own, not a subgraph view: a view filters all of ROOT's edges (one per
        # document of the corpus) each time the algorithm reads them, quadratic over the parts
        sub = nx.DiGraph()
        sub.add_edges_from((ROOT, v, g.adj[ROOT][v]) for v in part)
        sub.add_edges_from((u, v, data) for u in part for v, data in g.adj[u].items())
        tree_edges += list(nx.maximum_spanning_arborescence(sub, attr="weight", preserve_attrs=False).edges())
    tree = nx.DiGraph(tree_edges)
    parents: dict[str, str | None] = {doc_id: None for doc_id in ids}
    chosen: set[tuple[str, str]] = set()
    adopted: dict[str, list[str]] = {}
    for u, v in tree.edges():
        if u == ROOT or v in groups:
            continue
        parents[v] = u
        if u in groups:
            adopted.setdefault(u, []).append(v)
        else:
            chosen.add((u, v))
    return parents, chosen, adopted


SECONDARY_MIN_WORDS = 50  # words of a document's reuse its parent must lack for an "also used" source (see BENCHMARKS.md)


def secondary_sources(parents: dict[str, str | None], edges: Iterable[LineageEdge], *,
                      min_words: int = SECONDARY_MIN_WORDS) -> dict[tuple[str, str], int]:
    """The "also used" edges: ``(source, target) -> words`` for oriented copy edges off the tree
    whose source gave the target at least ``min_words`` words its tree parent does not explain.

    A compilation (a story made of two wire reports, an essay with passages from several
    pages) has one parent in the tree; its other sources are the documents that explain
    the rest of what it reuses. The words a parent explains are those of the target inside
    the tree edge's passages (quotations left out: independent reports share them); each
    other source ``s -> t`` is counted only outside them and outside the sources already
    taken, the one that explains most first. So a grandparent is no secondary source of a
    document its parent passed everything on to (A -> B -> C does not also yield A -> C),
    only when C has material from A that B lacks. Sources below ``t`` in the tree and
    documents whose parent is hidden or none are left alone.

    >>> from lineage.model import LineageEdge, Passage
    >>> def e(s, t, *spans, conf=0.9):
    ...     return LineageEdge(s, t, "partial", "forward", conf, 0.2, 0.3, 0.3,
    ...                        tuple(Passage((0, b - a), (a, b), (b - a) // 5, False) for a, b in spans), ())
    >>> edges = [e("p", "t", (0, 500)), e("q", "t", (400, 900)), e("g", "t", (0, 450)), e("g", "p", (0, 450))]
    >>> secondary_sources({"t": "p", "p": "g", "q": None, "g": None}, edges)
    {('q', 't'): 80}
    """
    incoming: dict[str, list[LineageEdge]] = {}  # the copy edges into each document, as stated
    for e in edges:
        if is_copy(e) and e.direction != "common-source":
            incoming.setdefault(e.target, []).append(e)
    found: dict[tuple[str, str], int] = {}
    for target, offers in sorted(incoming.items()):
        parent = parents.get(target)
        # the tree edge may be unresolved (the tree takes it as stated); a second source must be oriented
        tree_edge = next((e for e in offers if e.source == parent), None)
        others = [e for e in offers if e is not tree_edge and e.direction == "forward"
                  and not _below(e.source, target, parents)]
        if tree_edge is None or not others:
            continue
        covered = _spans_of(tree_edge)  # the target's spans explained so far (they may overlap)
        while others:
            gains = [(_words_outside(e, covered), e.source, e) for e in others]
            words, _, best = max(gains, key=lambda g: (g[0], g[1]))
            if words < min_words:
                break
            found[(best.source, target)] = words
            covered += _spans_of(best)
            others.remove(best)
    return found


def _spans_of(e: LineageEdge) -> list[tuple[int, int]]:
    """The target's character spans inside the edge's passages (quotations left out)."""
    return [tuple(p.target) for p in e.passages if not p.quoted]


def _words_outside(e: LineageEdge, covered: list[tuple[int, int]]) -> int:
    """The edge's passage words in its target that lie outside ``covered`` (pro rata by characters)."""
    total = 0.0
    for p in e.passages:
        a, b = p.target
        if p.quoted or b <= a:
            continue
        inside = union_length((max(a, x), min(b, y)) for x, y in covered)
        total += p.words * (1 - inside / (b - a))
    return int(round(total))


def _below(node: str, ancestor: str, parents: dict[str, str | None]) -> bool:
    """Whether ``node`` descends from ``ancestor`` in the tree (``parents``)."""
    seen = set()
    while node is not None and node not in seen:
        seen.add(node)
        node = parents.get(node)
        if node == ancestor:
            return True
    return False


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
    for hidden, children in hidden_children(parents).items():
        g.add_node(hidden, **hidden_attrs(children, cluster_of))
        for child in children:
            g.add_edge(hidden, child, **HIDDEN_EDGE)
    # in bulk (add_*_from): one call per item costs more than the attributes at 500,000 edges
    g.add_nodes_from((doc.id, doc_attrs(doc, parents, cluster_of)) for doc in docs)
    g.add_edges_from((e.source, e.target, edge_attrs(e)) for e in edges)
    return g


HIDDEN_EDGE = {"relation": "hidden-source", "tree": True}


def hidden_attrs(children: list[str], cluster_of: dict[str, str]) -> dict[str, object]:
    """A hidden source's node attributes in :func:`build_graph`."""
    return {"title": "hidden source (inferred, not in the corpus)", "hidden": True,
            "cluster": cluster_of.get(children[0])}


def doc_attrs(doc: Document, parents: dict[str, str | None], cluster_of: dict[str, str]) -> dict[str, object]:
    """A document's node attributes in :func:`build_graph`."""
    return {"title": doc.title, "path": doc.path, "outlet": doc.outlet, "published": doc.published,
            "parent": parents.get(doc.id), "cluster": cluster_of.get(doc.id)}


def edge_attrs(e: LineageEdge) -> dict[str, object]:
    """A verified pair's edge attributes in :func:`build_graph`."""
    return {
        "relation": e.relation,
        "direction": e.direction,
        "confidence": e.confidence,
        "jaccard": e.jaccard,
        "source_in_target": e.source_in_target,
        "target_in_source": e.target_in_source,
        "shared_words": e.shared_words,
        "passages": len(e.passages),
        "evidence": list(e.evidence),
        "tree": e.tree,
        "secondary": e.secondary,
        "story_source_in_target": e.story_source_in_target,  # what the tree weighed; None for
        "story_target_in_source": e.story_target_in_source,  # quote-only (left out of GraphML)
    }


# every attribute name a node or an edge of build_graph can have
NODE_KEYS = frozenset(("title", "hidden", "cluster", "path", "outlet", "published", "parent"))
EDGE_KEYS = frozenset(("relation", "direction", "confidence", "jaccard", "source_in_target", "target_in_source",
                       "shared_words", "passages", "evidence", "tree", "secondary", "story_source_in_target",
                       "story_target_in_source"))


class GraphLayout:
    """The nodes and edges :func:`build_graph` would make, in its order, without the graph.

    A networkx graph holds a dict of attributes per edge (about 1 KB: half a GB for the
    half a million edges of 100,000 news documents); this holds the order only (node ids,
    and three integers per edge) and makes each node's and edge's attributes when asked,
    so that GraphML can be written from a trace's edges directly. The order is the graph's:
    nodes in the order they would be added (hidden sources with their children first, then
    the documents, then any edge end that is neither), each node's out-edges in the order
    they would be added. :meth:`of` returns None where the edges hold a pair twice (the
    graph would merge them): build the graph then.

    >>> from lineage.model import Document
    >>> docs = [Document("a", "Text A.", "a.txt"), Document("b", "Text B.", "b.txt")]
    >>> e = LineageEdge("b", "a", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ("x",))
    >>> layout = GraphLayout.of(docs, [e], {"a": None, "b": None}, {})
    >>> layout.nodes
    ['a', 'b']
    >>> [(u, v, attrs["relation"]) for u, v, attrs in layout.edge_items()]
    [('b', 'a', 'derived')]
    >>> g = build_graph(docs, [e], {"a": None, "b": None}, {})
    >>> list(g.nodes(data=True)) == list(layout.node_items()), list(g.edges(data=True)) == list(layout.edge_items())
    (True, True)
    """

    def __init__(self, docs: Sequence[Document], edges: Sequence[LineageEdge], parents: dict[str, str | None],
                 cluster_of: dict[str, str], nodes: list[str], hidden: dict[str, list[str]],
                 hidden_pairs: list[tuple[str, str]], order: np.ndarray) -> None:
        self.edges, self.parents, self.cluster_of = edges, parents, cluster_of
        self.nodes, self.hidden, self.hidden_pairs, self.order = nodes, hidden, hidden_pairs, order
        self.doc_of = {doc.id: doc for doc in docs}  # the last of an id, as add_nodes_from keeps

    @classmethod
    def of(cls, docs: Sequence[Document], edges: Sequence[LineageEdge], parents: dict[str, str | None],
           cluster_of: dict[str, str]) -> "GraphLayout | None":
        hidden = hidden_children(parents)
        position: dict[str, int] = {}
        for name, children in hidden.items():
            position.setdefault(name, len(position))
            for child in children:
                position.setdefault(child, len(position))
        for doc in docs:
            position.setdefault(doc.id, len(position))
        hidden_pairs = [(name, child) for name, children in hidden.items() for child in children]
        ends = np.empty((len(hidden_pairs) + len(edges), 2), dtype=np.int64)
        for k, (name, child) in enumerate(hidden_pairs):
            ends[k] = position[name], position[child]
        for k, e in enumerate(edges, start=len(hidden_pairs)):
            # as add_edges_from: the source's node first, then the target's
            ends[k, 0] = position.setdefault(e.source, len(position))
            ends[k, 1] = position.setdefault(e.target, len(position))
        keys = ends[:, 0] * max(1, len(position)) + ends[:, 1]
        if len(np.unique(keys)) != len(keys):
            return None
        # a node's out-edges in the order they were added: hidden-source edges, then the list's
        order = np.argsort(ends[:, 0], kind="stable")
        return cls(docs, edges, parents, cluster_of, list(position), hidden, hidden_pairs, order)

    def node_items(self) -> Iterator[tuple[str, dict[str, object]]]:
        """``(node, attributes)`` as ``graph.nodes(data=True)`` gives them."""
        for node in self.nodes:
            attrs: dict[str, object] = {}
            if node in self.hidden:
                attrs.update(hidden_attrs(self.hidden[node], self.cluster_of))
            if node in self.doc_of:
                attrs.update(doc_attrs(self.doc_of[node], self.parents, self.cluster_of))
            yield node, attrs

    def edge_items(self) -> Iterator[tuple[str, str, dict[str, object]]]:
        """``(source, target, attributes)`` as ``graph.edges(data=True)`` gives them."""
        first = len(self.hidden_pairs)
        for k in self.order.tolist():
            if k < first:
                yield (*self.hidden_pairs[k], dict(HIDDEN_EDGE))
            else:
                e = self.edges[k - first]
                yield e.source, e.target, edge_attrs(e)
