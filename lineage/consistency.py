"""Consistency: a pair's orientation should agree with what the other pairs say about its documents.

Direction's last pass, over each connected part of the oriented copy edges. Copying
orders the documents of a story: a source comes before its copies, their copies after
them. Each oriented edge ``s -> t`` is one noisy comparison, its log-odds ``y`` saying by
how much ``s`` comes first. A score per document that agrees best with all of them (least
squares over the part, as in HodgeRank) puts the pair's two documents in an order that the
*other* edges imply: the archetype of a tradition that every copy's evidence places first
is not turned into the copy of one of them by a single weak or wrong edge.

    logit P(s -> t) = y + w * d'(s, t)

``d'`` is the difference of the two scores fitted without the edge itself (exactly, by the
Sherman-Morrison formula), so a pair's own evidence never vouches for it twice. An edge that
no other path joins (a bridge: a part of two documents, every edge of a part that is a tree)
gets ``d' = 0`` and is left as it is: without it, the other edges say nothing of its two
documents' order, only where each sits on its own side. Scores are ridge-regularised
(``RIDGE``) and solved exactly for parts of up to ``MAX_DOCUMENTS`` documents; larger parts
are left as they are. ``w`` is fitted with the rest
of the model (``orient.consistency`` in ``direction_model.json``); ``--ablate consistency``
turns the pass off. Quote-only and common-source edges take no part.

>>> from lineage.model import LineageEdge
>>> def e(s, t, c):
...     return LineageEdge(s, t, "derived", "forward", c, 0.5, 0.5, 0.9, (), ("x",))
>>> # a before b and b before c, surely; the weak c -> a edge disagrees with both
>>> edges = [e("a", "b", 0.95), e("b", "c", 0.95), e("c", "a", 0.6)]
>>> [round(d, 2) for d in loo_differences(edges)]  # what the other two edges say of each pair
[-3.05, -3.05, -5.35]
>>> kept, _, turned = reweigh(edges, weight=0.5, threshold=0.55)
>>> (kept.source, kept.target, kept.confidence), (turned.source, turned.target, turned.confidence)
(('a', 'b', 0.8056), ('a', 'c', 0.9065))
>>> turned.evidence[0]
'the 2 other copy pairs among these documents place a before c in the copying order'
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

import numpy as np

from lineage.graph import is_copy
from lineage.model import LineageEdge
from lineage.outlets import log_odds, shifted

RIDGE = 0.1  # added to every document's diagonal: scores of weakly tied documents stay near 0
MAX_DOCUMENTS = 1500  # larger parts are left as they are (a dense solve grows with the cube)


def _oriented(e: LineageEdge) -> bool:
    return is_copy(e) and e.direction != "common-source"


def _parts(edges: Sequence[LineageEdge]) -> list[list[int]]:
    """The indices of the oriented copy edges, grouped by connected part (in a stable order)."""
    taking = [k for k, e in enumerate(edges) if _oriented(e)]
    root: dict[str, str] = {}

    def find(x: str) -> str:
        while root.setdefault(x, x) != x:
            root[x] = root[root[x]]
            x = root[x]
        return x

    for k in taking:
        a, b = find(edges[k].source), find(edges[k].target)
        if a != b:
            root[max(a, b)] = min(a, b)
    parts: dict[str, list[int]] = defaultdict(list)
    for k in taking:
        parts[find(edges[k].source)].append(k)
    return [parts[r] for r in sorted(parts)]


def loo_differences(edges: Sequence[LineageEdge], parts: list[list[int]] | None = None) -> list[float]:
    """For each edge, ``score(source) - score(target)`` fitted on the *other* edges of its part.

    0 for edges that are not oriented copy edges, for bridges (without the edge, nothing joins
    its two documents any more, so the others say nothing of their order; a part that is a tree
    has nothing but bridges) and in a part above ``MAX_DOCUMENTS`` documents.
    """
    out = [0.0] * len(edges)
    for part in _parts(edges) if parts is None else parts:
        docs = sorted({edges[k].source for k in part} | {edges[k].target for k in part})
        if len(part) < len(docs) or len(docs) > MAX_DOCUMENTS:
            continue  # a tree (all bridges), or too large
        part = sorted(part, key=lambda k: (edges[k].source, edges[k].target))  # sums in one order, whatever the input's
        bridges = _bridges([(edges[k].source, edges[k].target) for k in part])
        at = {d: i for i, d in enumerate(docs)}
        i = np.array([at[edges[k].source] for k in part])
        j = np.array([at[edges[k].target] for k in part])
        y = np.array([log_odds(edges[k].confidence) for k in part])
        laplacian = np.diag(np.full(len(docs), RIDGE))
        np.add.at(laplacian, (i, i), 1.0)
        np.add.at(laplacian, (j, j), 1.0)
        np.add.at(laplacian, (i, j), -1.0)
        np.add.at(laplacian, (j, i), -1.0)
        b = np.zeros(len(docs))
        np.add.at(b, i, y)
        np.add.at(b, j, -y)
        inverse = np.linalg.inv(laplacian)
        scores = inverse @ b
        d = scores[i] - scores[j]
        h = inverse[i, i] + inverse[j, j] - 2 * inverse[i, j]  # the edge's own leverage, < 1
        loo = (d - y * h) / (1 - h)  # Sherman-Morrison: the same fit without this edge
        for n, (k, value) in enumerate(zip(part, loo.tolist())):
            if n not in bridges:
                out[k] = value
    return out


def _bridges(pairs: list[tuple[str, str]]) -> set[int]:
    """Positions of the pairs whose removal disconnects their two documents (a pair given twice,
    either way round, is no bridge): Tarjan's low-link search, iteratively.

    >>> sorted(_bridges([("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "d")]))
    [3]
    """
    links: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for n, (s, t) in enumerate(pairs):
        links[s].append((t, n))
        links[t].append((s, n))
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    found = set()
    for start in sorted(links):
        if start in order:
            continue
        order[start] = low[start] = len(order)
        stack = [(start, -1, iter(links[start]))]
        while stack:
            node, via, rest = stack[-1]
            for nxt, n in rest:
                if n == via:
                    continue  # the edge we came by (its parallel twin has another position)
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = len(order)
                    stack.append((nxt, n, iter(links[nxt])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.add(via)
    return found


def reweigh(edges: Sequence[LineageEdge], *, weight: float, threshold: float) -> list[LineageEdge]:
    """The edges with the consistency term added to each orientation (see the module docstring);
    the same edges, in order, when ``weight`` is 0."""
    if not weight:
        return list(edges)
    parts = _parts(edges)
    differences = loo_differences(edges, parts)
    sizes = {k: len(part) for part in parts for k in part}
    out = []
    for k, e in enumerate(edges):
        term = weight * differences[k]
        if not _oriented(e) or term == 0:
            out.append(e)
            continue

        def sentence(new: LineageEdge, flip: bool, e=e, term=term, others=sizes[k] - 1) -> str:
            first, second = (e.source, e.target) if term > 0 else (e.target, e.source)
            return (f"the {others} other copy pair{'s' if others > 1 else ''} among these documents "
                    f"place {first} before {second} in the copying order")

        out.append(shifted(e, term, threshold, sentence))
    return out
