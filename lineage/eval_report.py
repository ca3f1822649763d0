"""The scores of ``lineage eval``: typed report sections and the plain-text table.

Definitions of every score are in :mod:`lineage.evaluate`. Ratios whose
denominator is empty are ``None`` and print as ``n/a``.

>>> ratio(2, 3), ratio(1, 0)
(0.6666666666666666, None)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from lineage.plagdet import PlagdetScores

__all__ = [
    "CalibrationScores",
    "DirectionScores",
    "EvalReport",
    "LineageScores",
    "PairScores",
    "f1",
    "format_report",
    "ratio",
]


def ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def f1(p: float | None, r: float | None) -> float | None:
    if p is None or r is None:
        return None
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True, slots=True)
class PairScores:
    """Pair detection: which documents reuse text from which."""

    true_pairs: int
    predicted: int
    same_tree: int  # predicted pairs inside one truth tree (counted correct)
    strict: int  # predicted pairs that are true pairs
    found: int  # true pairs predicted
    unknown: int  # predicted pairs naming ids absent from truth nodes
    precision: float | None
    strict_precision: float | None
    recall: float | None
    f1: float | None
    by_kind: tuple[tuple[str, int, int], ...]  # (kind, found, total)
    by_operator: tuple[tuple[str, int, int], ...]  # direct pairs, per operator of the label
    negatives: int
    false_copies: int
    quote_only_negatives: int  # negatives the tracer marked quote-only (the right call)
    false_copy_rate: float | None


@dataclass(frozen=True, slots=True)
class DirectionScores:
    """Who copied whom, on found pairs with a known orientation."""

    found: int
    resolved: int
    correct: int
    coverage: float | None
    accuracy_resolved: float | None
    accuracy_all: float | None
    sibling_found: int
    sibling_common_source: int
    sibling_common_source_rate: float | None


@dataclass(frozen=True, slots=True)
class CalibrationScores:
    """Calibration of ``confidence`` on resolved pairs with a known orientation."""

    n: int
    brier: float | None
    ece: float | None
    bins: tuple[tuple[float, float, int, float | None, float | None], ...]  # lo, hi, n, conf, acc


@dataclass(frozen=True, slots=True)
class LineageScores:
    """The lineage forest: parents and roots."""

    documents: int
    parent_predicted: int
    parent_truth: int
    parent_correct: int
    parent_precision: float | None
    parent_recall: float | None
    parent_f1: float | None
    parent_accuracy: float | None  # over all truth nodes, "no parent" included
    roots_predicted: int
    roots_truth: int
    roots_correct: int
    root_precision: float | None
    root_recall: float | None
    hidden_predicted: int = 0
    hidden_truth: int = 0  # hidden documents with at least two visible documents right below them
    hidden_correct: int = 0
    hidden_found: int = 0
    hidden_precision: float | None = None
    hidden_recall: float | None = None


@dataclass(frozen=True, slots=True)
class EvalReport:
    """Every score of one evaluation; ``passages`` is None without ``cases``."""

    pairs: PairScores
    direction: DirectionScores
    calibration: CalibrationScores
    lineage: LineageScores
    passages: PlagdetScores | None

    def to_dict(self) -> dict[str, Any]:
        """The machine form printed by ``lineage eval --json``."""
        return asdict(self)


def _fmt(value: float | None) -> str:
    if value is None:
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def format_report(report: EvalReport) -> str:
    """The report as a plain-text table (section, metric, value, counts).

    >>> from lineage.evaluate import evaluate, lineage_from_truth
    >>> truth = {"nodes": ["a", "b"], "edges": [["a", "b", "verbatim"]], "negatives": []}
    >>> print(format_report(evaluate(lineage_from_truth(truth), truth)).splitlines()[1])
      precision (same tree)            1.000  1/1
    """
    rows: list[tuple[str, str, str]] = []

    def section(title: str) -> None:
        rows.append((title, "", ""))

    def add(name: str, value: float | None, detail: str = "") -> None:
        rows.append((f"  {name}", _fmt(value), detail))

    p, d, c, g = report.pairs, report.direction, report.calibration, report.lineage
    section("pairs")
    add("precision (same tree)", p.precision, f"{p.same_tree}/{p.predicted}")
    add("precision (true pairs only)", p.strict_precision, f"{p.strict}/{p.predicted}")
    add("recall", p.recall, f"{p.found}/{p.true_pairs}")
    add("F1", p.f1)
    for kind, found, total in p.by_kind:
        add(f"recall, {kind} pairs", ratio(found, total), f"{found}/{total}")
    for op, found, total in p.by_operator:
        add(f"recall, direct {op}", ratio(found, total), f"{found}/{total}")
    if p.unknown:
        add("pairs naming unknown ids", p.unknown)
    section("negatives")
    add("false-copy rate", p.false_copy_rate, f"{p.false_copies}/{p.negatives}")
    add(
        "marked quote-only",
        ratio(p.quote_only_negatives, p.negatives),
        f"{p.quote_only_negatives}/{p.negatives}",
    )
    section("direction")
    add("coverage (resolved/found)", d.coverage, f"{d.resolved}/{d.found}")
    add("accuracy of resolved", d.accuracy_resolved, f"{d.correct}/{d.resolved}")
    add("accuracy, abstention wrong", d.accuracy_all, f"{d.correct}/{d.found}")
    add(
        "siblings: common-source",
        d.sibling_common_source_rate,
        f"{d.sibling_common_source}/{d.sibling_found}",
    )
    section("calibration")
    add("Brier score (lower is better)", c.brier, f"n={c.n}")
    add("ECE, 10 bins (lower is better)", c.ece, f"n={c.n}")
    section("lineage")
    add("parent precision", g.parent_precision, f"{g.parent_correct}/{g.parent_predicted}")
    add("parent recall", g.parent_recall, f"{g.parent_correct}/{g.parent_truth}")
    add("parent F1", g.parent_f1)
    add("parent accuracy (all documents)", g.parent_accuracy, f"n={g.documents}")
    add("root precision", g.root_precision, f"{g.roots_correct}/{g.roots_predicted}")
    add("root recall", g.root_recall, f"{g.roots_correct}/{g.roots_truth}")
    add("hidden-source precision", g.hidden_precision, f"{g.hidden_correct}/{g.hidden_predicted}")
    add("hidden-source recall", g.hidden_recall, f"{g.hidden_found}/{g.hidden_truth}")
    section("passages (PAN plagdet)")
    if report.passages is None:
        rows.append(("  no cases in the truth", "", ""))
    else:
        s = report.passages
        add("plagdet", s.plagdet, f"{s.cases} cases, {s.detections} detections")
        add("precision", s.precision)
        add("recall", s.recall)
        add("granularity (1 is best)", s.granularity)
    width = max(len(r[0]) for r in rows)
    return "\n".join(f"{a:<{width}}  {b:>5}  {c}".rstrip() for a, b, c in rows)
