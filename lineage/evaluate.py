"""Score a ``lineage.json`` against ground truth (``lineage eval``).

Truth format (``truth.json``, written by ``lineage synth``)
-----------------------------------------------------------
A JSON object:

- ``nodes``: ids of the documents present in the corpus (file stems).
- ``edges``: ``[parent, child, label]`` lists, the copy forest: the child was
  made from the parent; ``label`` names the operators applied, joined by ``+``
  (``"verbatim"``, ``"excerpt+copyedit"``, ...; ``lineage synth`` uses verbatim,
  excerpt, expansion, commentary, appended, rewrite, spin, copyedit and credit,
  see :mod:`lineage.synth`). A child has at most one
  parent. An id in ``edges`` but not in ``nodes`` is a *hidden* document
  (an original or intermediate copy that is not in the corpus).
- ``negatives``: ``[a, b]`` pairs of documents known to have no copy relation
  (independent reports sharing only quotations).
- ``cases`` (optional): passage ground truth, objects with ``source``,
  ``target``, ``source_span``, ``target_span`` (``[start, end)`` character
  offsets into the files) and optionally ``obfuscation`` (``"none"`` when both
  spans hold the same text, ``"edited"`` when small edits are bridged).
  ``lineage synth`` writes cases for every true pair (defined below), oriented
  ancestor -> descendant (smaller id first for siblings), each a run of at
  least 5 words, merged across paragraph breaks and, as ``"edited"``, across
  in-paragraph edits of up to 40 characters (synonyms, quote marks).
- Anything else is ignored here; ``lineage synth`` also writes ``version``, ``hidden`` (the
  hidden ids), ``published`` (true times of all documents), ``timestamp_noise`` (ids whose
  metadata time is ``missing`` or ``wrong``) and ``params`` (seed, sizes, counts).

Metrics and the choices behind them
-----------------------------------
*Truth trees* are the weakly connected parts of the edge forest. For each
visible document, walking up through hidden parents gives its *visible parent*
(the nearest visible ancestor, or none). The *true pairs* are unordered pairs
of visible documents that must be found:

- ``direct``: a truth edge with both ends visible;
- ``ancestor``: an ancestor and descendant joined through hidden documents only
  (a grandparent and grandchild whose middle is hidden);
- ``sibling``: two visible documents that both descend, through hidden
  documents only, from one hidden document (both copy an unseen source).

Pairs: a *predicted pair* is an unordered pair with an edge whose relation is
not ``quote-only``. Recall = found true pairs / true pairs (also reported per
kind and, for direct pairs, per operator of the label). Precision counts a
predicted pair as correct when both documents lie in the same truth tree: they
genuinely share text even when not a true pair (grandparent and grandchild
with a visible middle, siblings under a visible parent); only pairs across
trees are false positives. ``strict precision`` counts true pairs only. The
false-copy rate is the share of ``negatives`` that got a non-quote-only edge.

Direction: over predicted pairs where truth knows an orientation (one document
is an ancestor of the other, through any path), ``forward`` edges are
*resolved*; ``unresolved`` and ``common-source`` are abstentions. Reported:
coverage = resolved / found, accuracy over resolved, and accuracy over all
found (abstention counts as wrong). For ``sibling`` true pairs, the share
predicted ``common-source`` is reported apart. When several edges join one
pair, the representative is the non-quote-only one on the tree with the
highest confidence.

Calibration: on resolved pairs with a known orientation, outcome 1 when the
stated orientation is right; Brier score and expected calibration error over
10 equal-width confidence bins.

Lineage: the predicted ``parent`` of each truth node against its visible
parent (a predicted parent that is not a document, e.g. a hidden source, means
none). Parent precision is over documents given a parent, recall over
documents that have a visible parent. Roots: documents with parent null in a
cluster of two or more documents, against the visible documents without a
visible parent in truth trees of two or more visible documents.

Passages: PAN plagdet (:mod:`lineage.plagdet`) over the document pairs that
have ``cases``; detections are the passages of every edge between the two
documents, flipped when the edge runs the other way. Passages of other pairs
are not scored here (pair detection covers them).

>>> truth = {"nodes": ["a", "b", "c"], "edges": [["a", "b", "excerpt"]], "negatives": [["a", "c"]]}
>>> report = evaluate(lineage_from_truth(truth), truth)
>>> report.pairs.recall, report.direction.accuracy_all, report.pairs.false_copy_rate
(1.0, 1.0, 0.0)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lineage.errors import TruthError
from lineage.eval_report import (
    CalibrationScores,
    DirectionScores,
    EvalReport,
    LineageScores,
    PairScores,
    f1,
    format_report,
    ratio,
)
from lineage.eval_truth import (
    TruePair,
    TruthForest,
    check_lineage,
    check_truth,
    lineage_from_truth,
    truth_forest,
    truth_pairs,
)
from lineage.plagdet import Case, PlagdetScores, plagdet_scores

__all__ = [
    "CalibrationScores",
    "DirectionScores",
    "EvalReport",
    "LineageScores",
    "PairScores",
    "TruePair",
    "TruthForest",
    "ancestor_outcomes",
    "evaluate",
    "format_report",
    "lineage_from_truth",
    "load_json",
    "load_lineage",
    "load_truth",
    "truth_forest",
    "truth_pairs",
]


def load_json(path: str | Path, name: str) -> Any:
    """Read a JSON file; a folder means ``folder/name``.

    >>> load_json("/nonexistent.json", "truth.json")
    Traceback (most recent call last):
    lineage.errors.TruthError: cannot read /nonexistent.json: No such file or directory (give the path of truth.json)
    """
    path = Path(path)
    if path.is_dir():
        path = path / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise TruthError(f"cannot read {path}: {e.strerror}", fix=f"give the path of {name}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise TruthError(
            f"{path} is not valid UTF-8 JSON: {e}", fix=f"give the path of {name}"
        ) from e


def load_truth(path: str | Path) -> dict[str, Any]:
    """Read and check a truth file (or a ``lineage synth`` output folder).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "t.json")
    >>> _ = open(p, "w").write('{"nodes": ["a"], "edges": [], "negatives": []}')
    >>> load_truth(p)["nodes"]
    ['a']
    """
    truth = load_json(path, "truth.json")
    check_truth(truth, str(path))
    return truth


def load_lineage(path: str | Path) -> dict[str, Any]:
    """Read and check a ``lineage.json`` (or a ``lineage trace`` output folder).

    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "l.json")
    >>> _ = open(p, "w").write('{"documents": [{"id": "a", "parent": null}], "edges": []}')
    >>> load_lineage(p)["documents"][0]["id"]
    'a'
    """
    lineage = load_json(path, "lineage.json")
    check_lineage(lineage, str(path))
    return lineage


Groups = dict[tuple[str, str], list[Mapping[str, Any]]]  # unordered pair -> its edges


def _representatives(edges: list[Mapping[str, Any]]) -> Groups:
    """Edges grouped by unordered pair, the representative first."""
    groups: Groups = defaultdict(list)
    for e in edges:
        if e["source"] != e["target"]:
            groups[tuple(sorted((e["source"], e["target"])))].append(e)  # type: ignore[arg-type]
    for group in groups.values():
        group.sort(
            key=lambda e: (
                e["relation"] == "quote-only",
                not e.get("tree", False),
                -(e.get("confidence") or 0.0),
                e["source"],
                e["target"],
            )
        )
    return groups


def _pair_scores(
    forest: TruthForest, truth: Mapping[str, Any], groups: Groups, pairs: list[TruePair]
) -> PairScores:
    predicted = {k for k, g in groups.items() if g[0]["relation"] != "quote-only"}
    quote_only = {k for k, g in groups.items() if g[0]["relation"] == "quote-only"}
    unknown = {k for k in predicted if not (k[0] in forest.nodes and k[1] in forest.nodes)}
    same_tree = {k for k in predicted - unknown if forest.root(k[0]) == forest.root(k[1])}
    true_keys = {tuple(sorted((p.source, p.target))): p for p in pairs}
    found = {k for k in true_keys if k in predicted}
    by_kind = []
    for kind in ("direct", "ancestor", "sibling"):
        keys = [k for k, p in true_keys.items() if p.kind == kind]
        by_kind.append((kind, sum(k in found for k in keys), len(keys)))
    per_op: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for k, p in true_keys.items():
        if p.kind == "direct":
            for op in sorted(set(p.label.split("+"))):
                per_op[op][0] += k in found
                per_op[op][1] += 1
    negatives = {tuple(sorted(n)) for n in truth.get("negatives", [])}
    false_copies = sum(n in predicted for n in negatives)
    precision, recall = ratio(len(same_tree), len(predicted)), ratio(len(found), len(true_keys))
    return PairScores(
        true_pairs=len(true_keys),
        predicted=len(predicted),
        same_tree=len(same_tree),
        strict=len(predicted & set(true_keys)),
        found=len(found),
        unknown=len(unknown),
        precision=precision,
        strict_precision=ratio(len(predicted & set(true_keys)), len(predicted)),
        recall=recall,
        f1=f1(precision, recall),
        by_kind=tuple(by_kind),
        by_operator=tuple((op, n[0], n[1]) for op, n in sorted(per_op.items())),
        negatives=len(negatives),
        false_copies=false_copies,
        quote_only_negatives=sum(n in quote_only for n in negatives),
        false_copy_rate=ratio(false_copies, len(negatives)),
    )


def _ancestor_edges(forest: TruthForest, groups: Groups) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(ancestor, descendant, representative edge)`` of every found copy pair where one
    document descends from the other (what direction accuracy is scored on)."""
    for key, group in groups.items():
        rep = group[0]
        if rep["relation"] == "quote-only" or not (
            key[0] in forest.nodes and key[1] in forest.nodes
        ):
            continue
        if forest.is_ancestor(key[0], key[1]):
            yield key[0], key[1], rep
        elif forest.is_ancestor(key[1], key[0]):
            yield key[1], key[0], rep


def ancestor_outcomes(lineage: Mapping[str, Any], truth: Mapping[str, Any]) -> list[tuple[str, str, bool]]:
    """``(ancestor, descendant, right)`` for each found pair that direction accuracy counts:
    ``right`` when the pair is resolved with the ancestor as source (``lineage eval``'s
    "accuracy, abstention wrong" is the share of right ones).

    >>> truth = {"nodes": ["a", "b"], "edges": [["a", "b", "verbatim"]], "negatives": []}
    >>> lin = {"documents": [{"id": "a"}, {"id": "b"}], "edges": [{"source": "a", "target": "b",
    ...        "relation": "derived", "direction": "forward", "confidence": 0.9}]}
    >>> ancestor_outcomes(lin, truth)
    [('a', 'b', True)]
    """
    check_truth(truth, "truth")
    check_lineage(lineage, "lineage")
    groups = _representatives(list(lineage["edges"]))
    return [(a, d, rep["direction"] == "forward" and rep["source"] == a)
            for a, d, rep in _ancestor_edges(truth_forest(truth), groups)]


def _direction_scores(
    forest: TruthForest, groups: Groups, pairs: list[TruePair]
) -> tuple[DirectionScores, CalibrationScores]:
    found = resolved = correct = 0
    outcomes: list[tuple[float, int]] = []
    for ancestor, _, rep in _ancestor_edges(forest, groups):
        found += 1
        if rep["direction"] == "forward":
            resolved += 1
            right = int(rep["source"] == ancestor)
            correct += right
            outcomes.append((float(rep["confidence"]), right))
    siblings = [tuple(sorted((p.source, p.target))) for p in pairs if p.kind == "sibling"]
    sib_found = [k for k in siblings if k in groups and groups[k][0]["relation"] != "quote-only"]
    sib_common = sum(groups[k][0]["direction"] == "common-source" for k in sib_found)
    direction = DirectionScores(
        found=found,
        resolved=resolved,
        correct=correct,
        coverage=ratio(resolved, found),
        accuracy_resolved=ratio(correct, resolved),
        accuracy_all=ratio(correct, found),
        sibling_found=len(sib_found),
        sibling_common_source=sib_common,
        sibling_common_source_rate=ratio(sib_common, len(sib_found)),
    )
    return direction, _calibration(outcomes)


def _calibration(outcomes: list[tuple[float, int]], n_bins: int = 10) -> CalibrationScores:
    """Brier score and expected calibration error over equal-width bins."""
    if not outcomes:
        return CalibrationScores(0, None, None, ())
    brier = sum((c - y) ** 2 for c, y in outcomes) / len(outcomes)
    binned: list[list[tuple[float, int]]] = [[] for _ in range(n_bins)]
    for c, y in outcomes:
        binned[min(int(c * n_bins), n_bins - 1)].append((c, y))
    bins, ece = [], 0.0
    for i, members in enumerate(binned):
        conf = sum(c for c, _ in members) / len(members) if members else None
        acc = sum(y for _, y in members) / len(members) if members else None
        if members:
            ece += len(members) / len(outcomes) * abs(conf - acc)  # type: ignore[operator]
        bins.append((i / n_bins, (i + 1) / n_bins, len(members), conf, acc))
    return CalibrationScores(len(outcomes), brier, ece, tuple(bins))


def _lineage_scores(forest: TruthForest, lineage: Mapping[str, Any]) -> LineageScores:
    docs = {d["id"]: d for d in lineage.get("documents", [])}
    predicted = {i: (d.get("parent") if d.get("parent") in docs else None) for i, d in docs.items()}
    nodes = sorted(forest.nodes)
    truth_parent = {v: forest.visible_parent(v) for v in nodes}
    guessed = [v for v in nodes if predicted.get(v) is not None]
    known = [v for v in nodes if truth_parent[v] is not None]
    right = [v for v in guessed if predicted[v] == truth_parent[v]]
    p, r = ratio(len(right), len(guessed)), ratio(len(right), len(known))
    sizes: dict[Any, int] = defaultdict(int)
    for d in docs.values():
        if d.get("cluster") is not None:
            sizes[json.dumps(d["cluster"])] += 1
    pred_roots = {
        i
        for i, d in docs.items()
        if predicted[i] is None
        and d.get("cluster") is not None
        and sizes[json.dumps(d["cluster"])] >= 2
    }
    tree_sizes: dict[str, int] = defaultdict(int)
    for v in nodes:
        tree_sizes[forest.root(v)] += 1
    true_roots = {v for v in nodes if truth_parent[v] is None and tree_sizes[forest.root(v)] >= 2}
    hit = len(pred_roots & true_roots)
    hidden = _hidden_scores(forest, lineage, set(docs))
    return LineageScores(
        documents=len(nodes),
        parent_predicted=len(guessed),
        parent_truth=len(known),
        parent_correct=len(right),
        parent_precision=p,
        parent_recall=r,
        parent_f1=f1(p, r),
        parent_accuracy=ratio(sum(predicted.get(v) == truth_parent[v] for v in nodes), len(nodes)),
        roots_predicted=len(pred_roots),
        roots_truth=len(true_roots),
        roots_correct=hit,
        root_precision=ratio(hit, len(pred_roots)),
        root_recall=ratio(hit, len(true_roots)),
        **hidden,
    )


def _hidden_scores(forest: TruthForest, lineage: Mapping[str, Any], doc_ids: set[str]) -> dict[str, Any]:
    """Hidden sources: a predicted one is right when its documents' nearest common truth
    ancestor is a hidden document; a truth hidden document with at least two visible documents
    right below it (no visible document between) is found when one predicted hidden source
    adopted at least two of them."""
    predicted: dict[str, list[str]] = defaultdict(list)
    for d in lineage.get("documents", []):
        parent = d.get("parent")
        if parent is not None and parent not in doc_ids and d["id"] in forest.nodes:
            predicted[parent].append(d["id"])
    below: dict[str, set[str]] = defaultdict(set)
    for v in forest.nodes:
        for h in forest.hidden_chain(v)[0]:
            below[h].add(v)
    truth = {h: kids for h, kids in below.items() if len(kids) >= 2}

    def ancestors(v: str) -> list[str]:
        out = []
        while v in forest.parent:
            v = forest.parent[v]
            out.append(v)
        return out

    correct = 0
    for children in predicted.values():
        common = None
        for c in children:
            chain = ancestors(c)
            common = chain if common is None else [a for a in common if a in set(chain)]
        if len(children) >= 2 and common and common[0] not in forest.nodes:
            correct += 1
    found = sum(1 for kids in truth.values() if any(len(kids & set(c)) >= 2 for c in predicted.values()))
    return {
        "hidden_predicted": len(predicted),
        "hidden_truth": len(truth),
        "hidden_correct": correct,
        "hidden_found": found,
        "hidden_precision": ratio(correct, len(predicted)),
        "hidden_recall": ratio(found, len(truth)),
    }


def _passage_scores(truth: Mapping[str, Any], groups: Groups) -> PlagdetScores | None:
    raw = truth.get("cases")
    if not raw:
        return None

    def canonical(case: Case) -> Case:
        return case if case.source <= case.target else case.flipped()

    cases = [
        canonical(Case(c["source"], c["target"], tuple(c["source_span"]), tuple(c["target_span"])))
        for c in raw
    ]
    detections = []
    for key in sorted({(c.source, c.target) for c in cases}):
        for edge in groups.get(key, ()):
            for p in edge.get("passages", ()):
                detections.append(
                    canonical(
                        Case(edge["source"], edge["target"], tuple(p["source"]), tuple(p["target"]))
                    )
                )
    return plagdet_scores(cases, detections)


def evaluate(lineage: Mapping[str, Any], truth: Mapping[str, Any]) -> EvalReport:
    """Score a lineage (the parsed ``lineage.json``) against a truth (parsed ``truth.json``).

    Args:
        lineage: the tracer's output, as a dict.
        truth: the ground truth, as a dict (format in the module docstring).

    Returns:
        An :class:`EvalReport`; undefined ratios (empty denominators) are None.

    Raises:
        TruthError: either input is malformed, or they share no document id.

    >>> truth = {"nodes": ["a", "b", "c"], "edges": [["a", "b", "verbatim"]], "negatives": []}
    >>> lin = {"documents": [{"id": i, "parent": None} for i in "abc"],
    ...        "edges": [{"source": "b", "target": "a", "relation": "derived", "direction": "forward",
    ...                   "confidence": 0.8}]}
    >>> r = evaluate(lin, truth)
    >>> r.pairs.precision, r.direction.accuracy_resolved, round(r.calibration.brier, 2)
    (1.0, 0.0, 0.64)
    """
    check_truth(truth, "truth")
    check_lineage(lineage, "lineage")
    forest = truth_forest(truth)
    ids = {d["id"] for d in lineage["documents"]} | {
        e[k] for e in lineage["edges"] for k in ("source", "target")
    }
    if forest.nodes and ids and not ids & forest.nodes:
        raise TruthError(
            "the lineage and the truth share no document id",
            fix="trace the docs/ folder of the synth output whose truth.json you give",
        )
    groups = _representatives(list(lineage["edges"]))
    pairs = truth_pairs(forest)
    direction, calibration = _direction_scores(forest, groups, pairs)
    return EvalReport(
        pairs=_pair_scores(forest, truth, groups, pairs),
        direction=direction,
        calibration=calibration,
        lineage=_lineage_scores(forest, lineage),
        passages=_passage_scores(truth, groups),
    )
