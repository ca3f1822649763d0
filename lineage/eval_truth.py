"""Ground truth for ``lineage eval``: format checks, the copy forest, the true pairs.

The truth format and the definition of true pairs are documented in
:mod:`lineage.evaluate`. This module also builds the perfect ``lineage.json``
for a truth (:func:`lineage_from_truth`), which must score 1.0 everywhere.

>>> forest = truth_forest({"nodes": ["b", "c"], "edges": [["h", "b", "x"], ["h", "c", "y"]]})
>>> truth_pairs(forest)
[TruePair(source='b', target='c', kind='sibling', label='')]
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from lineage.errors import TruthError

__all__ = [
    "TruePair",
    "TruthForest",
    "check_lineage",
    "check_truth",
    "lineage_from_truth",
    "truth_forest",
    "truth_pairs",
]

RELATIONS = ("near-duplicate", "derived", "partial", "quote-only")
DIRECTIONS = ("forward", "unresolved", "common-source")


def _fail(where: str, what: str, fix: str) -> TruthError:
    return TruthError(f"{where}: {what}", fix=fix)


def _is_span(value: Any) -> bool:
    return (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
        and 0 <= value[0] <= value[1]
    )


def check_truth(truth: Any, where: str = "truth") -> None:
    """Raise :class:`TruthError` naming the first malformed part of a truth object.

    >>> check_truth({"nodes": ["a"], "edges": [["a", "a", "x"]]}, "t.json")
    Traceback (most recent call last):
    lineage.errors.TruthError: t.json: edges[0] is a self-loop on 'a' (a document cannot copy itself; fix the edge list)
    """
    fix = "see the truth format in the lineage.evaluate docstring (nodes, edges, negatives, cases)"
    if not isinstance(truth, Mapping) or not isinstance(truth.get("nodes"), list):
        raise _fail(where, "not a truth object with a 'nodes' list", fix)
    if not all(isinstance(n, str) for n in truth["nodes"]):
        raise _fail(where, "'nodes' must hold document ids (strings)", fix)
    parents: dict[str, str] = {}
    for i, edge in enumerate(truth.get("edges", [])):
        if not (
            isinstance(edge, (list, tuple))
            and len(edge) in (2, 3)
            and all(isinstance(x, str) for x in edge)
        ):
            raise _fail(where, f"edges[{i}] is not [parent, child, label]", fix)
        if edge[0] == edge[1]:
            raise _fail(
                where,
                f"edges[{i}] is a self-loop on {edge[0]!r}",
                "a document cannot copy itself; fix the edge list",
            )
        if edge[1] in parents:
            raise _fail(
                where,
                f"{edge[1]!r} has two parents ({parents[edge[1]]!r}, {edge[0]!r})",
                "the truth must be a forest: one parent per child",
            )
        parents[edge[1]] = edge[0]
    for start in parents:
        seen, v = {start}, parents[start]
        while v in parents:
            if v in seen:
                raise _fail(
                    where, f"edges form a cycle through {v!r}", "the truth must be a forest"
                )
            seen.add(v)
            v = parents[v]
    for i, pair in enumerate(truth.get("negatives", [])):
        if not (
            isinstance(pair, (list, tuple))
            and len(pair) == 2
            and all(isinstance(x, str) for x in pair)
        ):
            raise _fail(where, f"negatives[{i}] is not an [a, b] pair of ids", fix)
    for i, case in enumerate(truth.get("cases") or []):
        if not isinstance(case, Mapping) or not all(
            k in case for k in ("source", "target", "source_span", "target_span")
        ):
            raise _fail(where, f"cases[{i}] lacks source, target, source_span or target_span", fix)
        if not (_is_span(case["source_span"]) and _is_span(case["target_span"])):
            raise _fail(where, f"cases[{i}] spans must be [start, end] with 0 <= start <= end", fix)


def check_lineage(lineage: Any, where: str = "lineage") -> None:
    """Raise :class:`TruthError` naming the first part of a lineage.json that breaks the contract.

    >>> check_lineage({"documents": [], "edges": [{"source": "a", "target": "b", "relation": "copy"}]})
    Traceback (most recent call last):
    lineage.errors.TruthError: lineage: edges[0].relation is 'copy', not one of near-duplicate, derived, partial, quote-only (is this a lineage.json written by lineage trace?)
    """
    fix = "is this a lineage.json written by lineage trace?"
    if (
        not isinstance(lineage, Mapping)
        or not isinstance(lineage.get("documents"), list)
        or not isinstance(lineage.get("edges"), list)
    ):
        raise _fail(where, "not a lineage object with 'documents' and 'edges' lists", fix)
    for i, doc in enumerate(lineage["documents"]):
        if not isinstance(doc, Mapping) or not isinstance(doc.get("id"), str):
            raise _fail(where, f"documents[{i}] has no string 'id'", fix)
    for i, e in enumerate(lineage["edges"]):
        if (
            not isinstance(e, Mapping)
            or not isinstance(e.get("source"), str)
            or not isinstance(e.get("target"), str)
        ):
            raise _fail(where, f"edges[{i}] lacks string 'source' and 'target'", fix)
        if e.get("relation") not in RELATIONS:
            raise _fail(
                where,
                f"edges[{i}].relation is {e.get('relation')!r}, not one of {', '.join(RELATIONS)}",
                fix,
            )
        if e.get("direction", "unresolved") not in DIRECTIONS:
            raise _fail(
                where,
                f"edges[{i}].direction is {e.get('direction')!r}, not one of {', '.join(DIRECTIONS)}",
                fix,
            )
        conf = e.get("confidence")
        if e.get("direction") == "forward" and not (
            isinstance(conf, (int, float)) and 0.0 <= conf <= 1.0
        ):
            raise _fail(
                where,
                f"edges[{i}].confidence is {conf!r}; a forward edge needs a probability in [0, 1]",
                fix,
            )
        for j, p in enumerate(e.get("passages") or []):
            if not isinstance(p, Mapping) or not (
                _is_span(p.get("source")) and _is_span(p.get("target"))
            ):
                raise _fail(
                    where,
                    f"edges[{i}].passages[{j}] needs 'source' and 'target' spans [start, end]",
                    fix,
                )


@dataclass(frozen=True, slots=True)
class TruthForest:
    """The truth copy forest: visible ``nodes``, each child's ``parent`` and edge ``labels``."""

    nodes: frozenset[str]
    parent: Mapping[str, str]
    labels: Mapping[tuple[str, str], str]

    def root(self, v: str) -> str:
        """The top of ``v``'s truth tree (possibly hidden)."""
        while v in self.parent:
            v = self.parent[v]
        return v

    def is_ancestor(self, a: str, d: str) -> bool:
        """Whether ``a`` is a proper ancestor of ``d`` (through any documents)."""
        while d in self.parent:
            d = self.parent[d]
            if d == a:
                return True
        return False

    def hidden_chain(self, v: str) -> tuple[list[str], str | None]:
        """Hidden ancestors of ``v`` up to its nearest visible ancestor, and that ancestor."""
        chain, p = [], self.parent.get(v)
        while p is not None and p not in self.nodes:
            chain.append(p)
            p = self.parent.get(p)
        return chain, p

    def visible_parent(self, v: str) -> str | None:
        """The nearest visible ancestor: the parent ``v`` is scored against."""
        return self.hidden_chain(v)[1]


def truth_forest(truth: Mapping[str, Any]) -> TruthForest:
    """Build the copy forest of a (checked) truth object.

    >>> truth_forest({"nodes": ["a", "c"], "edges": [["a", "b", "x"], ["b", "c", "y"]]}).visible_parent("c")
    'a'
    """
    edges = [tuple(e) + ("",) * (3 - len(e)) for e in truth.get("edges", [])]
    return TruthForest(
        nodes=frozenset(truth["nodes"]),
        parent={c: p for p, c, _ in edges},
        labels={(p, c): label for p, c, label in edges},
    )


@dataclass(frozen=True, slots=True)
class TruePair:
    """A pair of visible documents that share copied text and must be found."""

    source: str  # the ancestor; for siblings the smaller id
    target: str
    kind: str  # "direct" | "ancestor" (through hidden documents) | "sibling" (hidden common source)
    label: str  # the edge label; labels along the path joined by ">" for ancestors; "" for siblings


def truth_pairs(forest: TruthForest) -> list[TruePair]:
    """The true pairs (definition in :mod:`lineage.evaluate`), sorted.

    >>> f = truth_forest({"nodes": ["a", "c", "d"], "edges": [["a", "b", "x"], ["b", "c", "y"], ["b", "d", "z"]]})
    >>> [(p.source, p.target, p.kind, p.label) for p in truth_pairs(f)]
    [('a', 'c', 'ancestor', 'x>y'), ('a', 'd', 'ancestor', 'x>z'), ('c', 'd', 'sibling', '')]
    """
    pairs: set[TruePair] = set()
    below: dict[str, list[str]] = defaultdict(list)
    for v in sorted(forest.nodes):
        chain, p = forest.hidden_chain(v)
        if p is not None:
            path = [p, *reversed(chain), v]
            label = ">".join(forest.labels[path[i], path[i + 1]] for i in range(len(path) - 1))
            pairs.add(TruePair(p, v, "ancestor" if chain else "direct", label))
        for h in chain:
            below[h].append(v)
    for members in below.values():
        for a, b in combinations(sorted(members), 2):
            pairs.add(TruePair(a, b, "sibling", ""))
    return sorted(pairs, key=lambda p: (p.source, p.target, p.kind))


def lineage_from_truth(truth: Mapping[str, Any]) -> dict[str, Any]:
    """The perfect ``lineage.json`` for a truth: every true pair, right direction, exact passages.

    >>> lin = lineage_from_truth({"nodes": ["a", "b"], "edges": [["a", "b", "verbatim"]]})
    >>> [(e["source"], e["target"], e["direction"]) for e in lin["edges"]], lin["documents"][1]["parent"]
    ([('a', 'b', 'forward')], 'a')
    """
    check_truth(truth)
    forest = truth_forest(truth)
    nodes = sorted(forest.nodes)
    sizes: dict[str, int] = defaultdict(int)
    for v in nodes:
        sizes[forest.root(v)] += 1
    cluster_of = {r: i for i, r in enumerate(sorted(r for r, n in sizes.items() if n >= 2))}
    cases: dict[tuple[str, str], list[Mapping[str, Any]]] = defaultdict(list)
    for c in truth.get("cases") or []:
        cases[tuple(sorted((c["source"], c["target"])))].append(c)  # type: ignore[index]
    edges = []
    for p in truth_pairs(forest):
        passages = [
            {
                "source": list(c["source_span"] if c["source"] == p.source else c["target_span"]),
                "target": list(c["target_span"] if c["source"] == p.source else c["source_span"]),
                "words": 0,
                "quoted": False,
            }
            for c in cases[tuple(sorted((p.source, p.target)))]  # type: ignore[index]
        ]
        sibling = p.kind == "sibling"
        edges.append(
            {
                "source": p.source,
                "target": p.target,
                "relation": "derived",
                "direction": "common-source" if sibling else "forward",
                "confidence": 0.5 if sibling else 1.0,
                "jaccard": None,
                "containment": {"source_in_target": None, "target_in_source": None},
                "passages": passages,
                "evidence": ["ground truth"],
                "tree": not sibling and forest.visible_parent(p.target) == p.source,
                "secondary": False,
            }
        )
    documents = [
        {
            "id": v,
            "path": f"docs/{v}.txt",
            "title": None,
            "words": None,
            "published": None,
            "outlet": None,
            "parent": forest.visible_parent(v),
            "cluster": cluster_of.get(forest.root(v)),
        }
        for v in nodes
    ]
    clusters = [
        {"id": i, "documents": [v for v in nodes if cluster_of.get(forest.root(v)) == i]}
        for i in range(len(cluster_of))
    ]
    return {
        "documents": documents,
        "edges": edges,
        "clusters": clusters,
        "hidden_sources": [],
        "skipped": [],
        "params": {"from": "ground truth"},
        "version": "truth",
    }
