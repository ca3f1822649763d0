#!/usr/bin/env python3
"""Quality benchmark: trace + eval on data with known truth, with the baselines, in one run.

Corpora:
  * a synth corpus (``lineage synth`` on Reuters-21578) traced with and without timestamps, and
    without them once more with every letter mapped to an Arabic one (a caseless script);
  * simulated hand-copied traditions (``lineage synth --kind tradition``), no metadata;
  * short texts lifting passages from long ones (``lineage synth --kind passages``), no metadata:
    small-in-large reuse, with the detection and direction of each revision grade;
  * the PAN 2013 text-alignment training corpus (pair detection on its ``pairs`` lists,
    direction, plagdet per subcorpus);
  * the five seed articles (no truth: the verdicts are listed).
Baselines scored in the same run: exact containment above a threshold (detection); "the longer
text is the source", "the shorter text is the source" and "the earlier timestamp is the source"
(direction, on the same found pairs as the tracer).

Usage:
  python scripts/bench_quality.py                      # everything, prints the tables
  python scripts/bench_quality.py --write BENCHMARKS.md  # and replaces its quality section
  python scripts/bench_quality.py --skip-pan --docs 2000

Reads ../shared/data (``--data``); writes scratch files under a temporary folder only.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import platform
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))  # fit_direction.py, which owns the PAN split

from fit_direction import in_fit_half  # noqa: E402
from lineage.eval_truth import truth_forest  # noqa: E402
from lineage.evaluate import evaluate  # noqa: E402
from lineage.graph import is_copy, lineage_forest  # noqa: E402
from lineage.model import LineageEdge  # noqa: E402
from lineage.normalise import tokenize  # noqa: E402
from lineage.pipeline import Config, TraceResult, trace  # noqa: E402
from lineage.plagdet import Case, plagdet_scores  # noqa: E402
from lineage.shingles import shingle_hashes  # noqa: E402
from lineage.synth import synthesize  # noqa: E402
from lineage.synth_passages import GRADES as PIECE_GRADES, synthesize_passages  # noqa: E402
from lineage.synth_tradition import synthesize_traditions  # noqa: E402

START, END = "<!-- bench_quality:start -->", "<!-- bench_quality:end -->"


# ----------------------------------------------------------------------------- baselines
def reorient(result: TraceResult, rule: str) -> dict:
    """The trace's copy edges re-oriented by a naive rule, parents recomputed, as lineage.json."""
    words = result.words
    stamp = {d.id: d.published for d in result.documents}
    edges = []
    for e in result.edges:
        if not is_copy(e):
            edges.append(e)
            continue
        s, t = e.source, e.target
        if rule == "longer":
            source = s if words[s] >= words[t] else t
        elif rule == "shorter":
            source = s if words[s] <= words[t] else t
        else:  # earlier timestamp
            if not stamp[s] or not stamp[t] or stamp[s] == stamp[t]:
                edges.append(dataclasses.replace(e, direction="unresolved", confidence=0.5))
                continue
            source = s if stamp[s] < stamp[t] else t
        # LineageEdge.flipped swaps the story containments too, which the tree weighs
        edges.append(dataclasses.replace(e if source == s else e.flipped(), direction="forward", confidence=1.0))
    parents, tree = lineage_forest([d.id for d in result.documents], edges)
    edges = [dataclasses.replace(e, tree=(e.source, e.target) in tree) for e in edges]
    # graph=None: replace() would otherwise read (and so make) the graph of the edges replaced
    return dataclasses.replace(result, edges=edges, parents=parents, graph=None).to_json()


def containment_baseline(result: TraceResult, threshold: float, max_df: int) -> dict:
    """Every pair whose exact 5-shingle containment (smaller in larger) reaches ``threshold``."""
    sets = [np.unique(shingle_hashes(tokenize(d.text))) for d in result.documents]
    ids = [d.id for d in result.documents]
    values = np.concatenate(sets)
    owners = np.concatenate([np.full(len(s), i) for i, s in enumerate(sets)])
    order = np.argsort(values, kind="stable")
    values, owners = values[order], owners[order]
    bounds = np.flatnonzero(np.diff(values)) + 1
    shared: dict[tuple[int, int], int] = defaultdict(int)
    for group in np.split(owners, bounds):
        if 2 <= len(group) <= max_df:
            g = np.sort(group)
            for x in range(len(g)):
                for y in range(x + 1, len(g)):
                    shared[(int(g[x]), int(g[y]))] += 1
    edges = []
    for (i, j), n in shared.items():
        c = n / max(1, min(len(sets[i]), len(sets[j])))
        if c >= threshold:
            edges.append({"source": ids[i], "target": ids[j], "relation": "derived", "direction": "unresolved",
                          "confidence": 0.5, "jaccard": 0.0,
                          "containment": {"source_in_target": 0.0, "target_in_source": 0.0},
                          "passages": [], "evidence": [], "tree": False})
    docs = [{"id": i, "path": "", "title": None, "words": 0, "published": None, "outlet": None,
             "parent": None, "cluster": None} for i in ids]
    return {"documents": docs, "edges": edges, "clusters": [], "hidden_sources": [], "skipped": [],
            "params": {}, "version": "baseline"}


def also_used_truth(result: TraceResult, truth: dict, corpus: str) -> dict:
    """The "also used" (secondary) edges of a corpus whose truth gives each document one parent:
    every one is a second source the truth does not have; where it points tells why it is there."""
    forest = truth_forest(truth)
    row = {"corpus": corpus, "tree": sum(e.tree for e in result.edges), "secondary": 0, "true_parent": 0,
           "ancestor": 0, "other": 0}
    for e in result.edges:
        if e.secondary:
            row["secondary"] += 1
            key = ("true_parent" if forest.visible_parent(e.target) == e.source
                   else "ancestor" if forest.is_ancestor(e.source, e.target) else "other")
            row[key] += 1
    return row


def also_used_table(rows: list[dict], pan: dict | None) -> str:
    out = ["| corpus (truth: one parent each) | tree edges | also-used edges | of which the document's true parent "
           "(the tree chose another) | another ancestor | another relative |", "|---|---|---|---|---|---|"]
    out += [f"| {r['corpus']} | {r['tree']} | {r['secondary']} | {r['true_parent']} | {r['ancestor']} | "
            f"{r['other']} |" for r in rows]
    if pan:
        out += ["", "| PAN 2013 (02-05) | suspicious documents with 2+ annotated sources found | their annotated "
                "sources (found pairs) | on the tree | on the tree or also used | also-used edges | of which "
                "annotated pairs |", "|---|---|---|---|---|---|---|",
                f"| all | {pan['docs']} | {pan['pairs']} | {pan['tree']} | {pan['either']} | {pan['secondary']} | "
                f"{pan['secondary_annotated']} |"]
    return "\n".join(out)


SIZE_RULES = (("longer", "longer text is the source"), ("shorter", "shorter text is the source"))
TIME_RULE = (("earlier", "earlier timestamp is the source"),)


def baseline_rows(result: TraceResult, truth: dict, corpus: str, rules) -> list[dict]:
    """The trace's pairs re-oriented by each naive rule (:func:`reorient`), scored."""
    return [{"corpus": corpus, "method": f"baseline: {name}", **flat(evaluate(reorient(result, rule), truth).to_dict())}
            for rule, name in rules]


# ----------------------------------------------------------------------------- synth
def bench_synth(data: Path, tmp: Path, docs: int, seed: int) -> list[dict]:
    out = tmp / "synth"
    t0 = time.perf_counter()
    summary = synthesize([data / "reuters21578"], out, seed=seed, docs=docs)
    synth_s = time.perf_counter() - t0
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    rows = []
    for label, use_ts in (("with timestamps", True), ("without timestamps", False)):
        t0 = time.perf_counter()
        result = trace([out / "docs"], metadata=out / "metadata.jsonl", config=Config(use_timestamps=use_ts))
        seconds = time.perf_counter() - t0
        rows.append({"corpus": f"synth {docs}, {label}", "method": "lineage trace", "seconds": seconds,
                     "also": also_used_truth(result, truth, f"synth {docs}, {label}"),
                     **flat(evaluate(result.to_json(), truth).to_dict())})
        rows += baseline_rows(result, truth, f"synth {docs}, {label}", SIZE_RULES + (TIME_RULE if use_ts else ()))
    # The same corpus in a caseless, non-Latin script: every letter and digit mapped to an Arabic
    # one. English cues (comment markers, datelines, credit lines) are lost with the script.
    arabic = tmp / "synth-arabic"
    transliterate(out / "docs", arabic / "docs")
    result_arabic = trace([arabic / "docs"], metadata=out / "metadata.jsonl", config=Config(use_timestamps=False))
    rows.append({"corpus": f"synth {docs}, without timestamps, Arabic letters", "method": "lineage trace",
                 **flat(evaluate(result_arabic.to_json(), truth).to_dict())})
    from lineage.direction import FAMILIES

    for family in sorted(FAMILIES):
        result_ablated = trace([out / "docs"], metadata=out / "metadata.jsonl", config=Config(ablate=(family,)))
        rows.append({"corpus": f"synth {docs}, with timestamps", "method": f"ablation: without {family}",
                     **flat(evaluate(result_ablated.to_json(), truth).to_dict())})
    for threshold in (0.5, 0.2):
        lineage = containment_baseline(result, threshold, max_df=result.params["max_df_effective"])
        rows.append({"corpus": f"synth {docs}", "method": f"baseline: exact containment >= {threshold}",
                     **flat(evaluate(lineage, truth).to_dict())})
    print(f"synth: {summary.documents if hasattr(summary, 'documents') else docs} documents in {synth_s:.1f} s",
          file=sys.stderr)
    return rows


# ----------------------------------------------------------------------------- traditions
TRADITIONS = 40  # per benchmark corpus (the fit uses 20 per seed): about 450 manuscripts


def traced(out: Path) -> tuple[dict, TraceResult, float]:
    """A generated corpus without metadata (``out/docs``, ``out/truth.json``): its truth, its
    trace and the trace's wall time."""
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    t0 = time.perf_counter()
    result = trace([out / "docs"])
    return truth, result, time.perf_counter() - t0


def bench_traditions(data: Path, tmp: Path, seed: int) -> list[dict]:
    """Simulated hand-copied traditions (lineage.synth_tradition): no metadata, readings only."""
    out = tmp / "traditions"
    summary = synthesize_traditions([data / "reuters21578"], out, seed=seed, traditions=TRADITIONS)
    truth, result, seconds = traced(out)
    corpus = f"traditions, {summary.documents} manuscripts"
    rows = [{"corpus": corpus, "method": "lineage trace", "seconds": seconds,
             "also": also_used_truth(result, truth, corpus), **flat(evaluate(result.to_json(), truth).to_dict())}]
    rows += baseline_rows(result, truth, corpus, SIZE_RULES)
    print(f"traditions: {summary.documents} manuscripts traced in {seconds:.1f} s", file=sys.stderr)
    return rows


# ----------------------------------------------------------------------------- lifted passages
PASSAGE_SOURCES = 30  # long sources per benchmark corpus: about 300 documents
GRADES = tuple(grade for grade, _ in PIECE_GRADES if grade != "independent")  # the pieces that copy


def bench_passages(data: Path, tmp: Path, seed: int) -> tuple[list[dict], list[dict], float]:
    """Short texts lifting passages from long ones (lineage.synth_passages): the overall rows
    (with the size baselines), one row per revision grade, and the trace time."""
    out = tmp / "passages"
    summary = synthesize_passages([data / "reuters21578"], out, seed=seed, sources=PASSAGE_SOURCES)
    truth, result, seconds = traced(out)
    corpus = f"passages, {summary.documents} documents"
    rows = [{"corpus": corpus, "method": "lineage trace", **flat(evaluate(result.to_json(), truth).to_dict())}]
    rows += baseline_rows(result, truth, corpus, SIZE_RULES)
    edges = {frozenset((e.source, e.target)): e for e in result.edges if is_copy(e)}
    sources = {p for p, _, _ in truth["edges"]}
    grades = []
    for grade in GRADES:
        pairs = [(p, c) for p, c, g in truth["edges"] if g == grade]
        found = [(p, c, edges[frozenset((p, c))]) for p, c in pairs if frozenset((p, c)) in edges]
        right = sum(e.direction == "forward" and e.source == p for p, _, e in found)
        grades.append({"grade": grade, "pairs": len(pairs), "found": len(found), "right": right,
                       "parent": sum(result.parents.get(c) == p for p, c in pairs)})
    grades.append({"grade": "sources kept as roots", "pairs": len(sources), "found": None, "right": None,
                   "parent": sum(result.parents.get(s) is None for s in sources)})
    print(f"passages: {summary.documents} documents traced in {seconds:.1f} s", file=sys.stderr)
    return rows, grades, seconds


def grades_table(grades: list[dict]) -> str:
    out = ["| grade | true pairs | found (copy edge) | direction right, of found | parent right, of pairs |",
           "|---|---|---|---|---|"]
    for g in grades:
        if g["found"] is None:
            out.append(f"| {g['grade']} | {g['pairs']} | | | {g['parent']} |")
            continue
        share = f" ({g['right'] / g['found']:.3f})" if g["found"] else ""
        out.append(f"| {g['grade']} | {g['pairs']} | {g['found']} | {g['right']}{share} | {g['parent']} |")
    return "\n".join(out)


_ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_TO_ARABIC = str.maketrans({**{c: _ARABIC[i] for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")},
                            **{c.upper(): _ARABIC[i] for i, c in enumerate("abcdefghijklmnopqrstuvwxyz")},
                            **{str(d): "٠١٢٣٤٥٦٧٨٩"[d] for d in range(10)}, ",": "،", "?": "؟"})


def transliterate(src: Path, dst: Path) -> None:
    """Copy every .txt of ``src`` to ``dst`` with Latin letters and digits mapped to Arabic ones."""
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.glob("*.txt")):
        (dst / path.name).write_text(path.read_text(encoding="utf-8").translate(_TO_ARABIC), encoding="utf-8")


def flat(report: dict) -> dict:
    p, d, c, l, g = (report.get(k) or {} for k in ("pairs", "direction", "calibration", "lineage", "passages"))
    return {
        "precision": p.get("precision"), "strict_precision": p.get("strict_precision"),
        "recall": p.get("recall"), "f1": p.get("f1"), "false_copy_rate": p.get("false_copy_rate"),
        "coverage": d.get("coverage"), "acc_resolved": d.get("accuracy_resolved"),
        "acc_all": d.get("accuracy_all"), "sibling_common": d.get("sibling_common_source_rate"),
        "brier": c.get("brier"), "ece": c.get("ece"),
        "parent_p": l.get("parent_precision"), "parent_r": l.get("parent_recall"), "parent_f1": l.get("parent_f1"),
        "root_p": l.get("root_precision"), "root_r": l.get("root_recall"),
        "hidden_p": l.get("hidden_precision"), "hidden_r": l.get("hidden_recall"),
        "plagdet": g.get("plagdet"),
    }


# ----------------------------------------------------------------------------- PAN 2013
def bench_pan(data: Path) -> tuple[list[dict], float, int]:
    pan = data / "pan13-train"
    t0 = time.perf_counter()
    result = trace([pan / "src", pan / "susp"])
    seconds = time.perf_counter() - t0
    words = result.words
    edges: dict[frozenset, LineageEdge] = {}
    for e in result.edges:
        if is_copy(e):
            edges[frozenset((e.source, e.target))] = e
    cases: dict[tuple[str, str], list[Case]] = defaultdict(list)
    labelled: dict[str, set[tuple[str, str]]] = defaultdict(set)
    with open(pan / "cases.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            sub, susp, src = row["subcorpus"], row["susp"][:-4], row["src"][:-4]
            if row["case_type"] == "none":
                labelled[sub].add((src, susp))
                continue
            labelled[sub].add((src, susp))
            s0, t0_ = int(row["source_offset"]), int(row["this_offset"])
            cases[(src, susp)].append(Case(src, susp, (s0, s0 + int(row["source_length"])),
                                           (t0_, t0_ + int(row["this_length"]))))
    rows = []
    all_cases: list[Case] = []
    all_detections: list[Case] = []
    for sub in sorted(labelled):
        pairs = sorted(labelled[sub])
        negative = sub.startswith("01")
        if sub.startswith("05"):
            pairs = [p for p in pairs if p in cases]  # only annotated summary pairs are positives
        found = [p for p in pairs if frozenset(p) in edges]
        row: dict = {"subcorpus": sub, "pairs": len(pairs), "found": len(found)}
        if negative:
            row["false_copy_rate"] = len(found) / len(pairs)
            rows.append(row)
            continue
        row["recall"] = len(found) / len(pairs)
        correct = resolved = longer = shorter = 0
        held = [0, 0, 0, 0]  # the half fit_direction.py leaves out: pairs, right, longer, shorter
        for src, susp in found:
            e = edges[frozenset((src, susp))]
            right = e.direction == "forward" and e.source == src
            is_longer, is_shorter = words[src] >= words[susp], words[src] <= words[susp]
            resolved += e.direction == "forward"
            correct += right
            longer += is_longer
            shorter += is_shorter
            if not in_fit_half(susp):
                for k, x in enumerate((1, right, is_longer, is_shorter)):
                    held[k] += x
        n = max(1, len(found))
        row.update(coverage=resolved / n, acc_resolved=correct / max(1, resolved), acc_all=correct / n,
                   longer=longer / n, shorter=shorter / n, held_pairs=held[0],
                   held_acc=held[1] / max(1, held[0]), held_longer=held[2] / max(1, held[0]),
                   held_shorter=held[3] / max(1, held[0]))
        sub_cases = [c for p in pairs for c in cases[p]]
        detections = []
        for src, susp in pairs:
            e = edges.get(frozenset((src, susp)))
            if e is None:
                continue
            for p in e.passages:
                span_src, span_susp = (p.source, p.target) if e.source == src else (p.target, p.source)
                detections.append(Case(src, susp, tuple(span_src), tuple(span_susp)))
        score = plagdet_scores(sub_cases, detections)
        row.update(plagdet=score.plagdet, p_prec=score.precision, p_rec=score.recall, gran=score.granularity)
        all_cases += sub_cases
        all_detections += detections
        rows.append(row)
    # "also used": a suspicious document built from several sources has one parent on the tree
    annotated = {p for p, c in cases.items() if c}  # (src, susp) pairs with passages, all subcorpora
    found_into: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for src, susp in annotated:
        if frozenset((src, susp)) in edges:
            found_into[susp].append((src, susp))
    multi = [p for pairs_ in found_into.values() if len(pairs_) >= 2 for p in pairs_]
    on_tree = {(e.source, e.target) for e in result.edges if e.tree}
    secondary = {(e.source, e.target) for e in result.edges if e.secondary}
    also = {"docs": sum(len(v) >= 2 for v in found_into.values()), "pairs": len(multi),
            "tree": sum(p in on_tree for p in multi), "either": sum(p in on_tree or p in secondary for p in multi),
            "secondary": len(secondary), "secondary_annotated": len(secondary & annotated)}
    overall = plagdet_scores(all_cases, all_detections)
    rows.append({"subcorpus": "02-05 overall", "plagdet": overall.plagdet, "p_prec": overall.precision,
                 "p_rec": overall.recall, "gran": overall.granularity})
    return rows, seconds, len(result.documents), also


# ----------------------------------------------------------------------------- seeds
def bench_seeds() -> list[str]:
    result = trace([ROOT / "seeds"])
    lines = []
    for e in result.edges:
        lines.append(f"| {e.source} | {e.target} | {e.relation} | {e.direction} | {e.confidence:.2f} | "
                     f"{e.source_in_target:.2f} / {e.target_in_source:.2f} | {len(e.passages)} | "
                     f"{'; '.join(e.evidence)} |")
    return lines


# ----------------------------------------------------------------------------- tables
def fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def synth_tables(rows: list[dict]) -> str:
    cols = [("method", "method"), ("recall", "recall"), ("precision", "precision (same tree)"),
            ("strict_precision", "precision (true pairs)"), ("f1", "F1"), ("false_copy_rate", "false-copy rate")]
    detection = [r for r in rows if "containment" in r["method"] or r["method"] == "lineage trace"]
    out = ["#### Pair detection", "", corpus_table(detection, cols)]
    out += ["", "#### Direction, calibration, lineage, passages", "",
            direction_table([r for r in rows if "containment" not in r["method"] and "ablation" not in r["method"]])]
    full = next(r for r in rows if r["method"] == "lineage trace")
    out += ["", "#### Ablation (synth with timestamps): each evidence family removed in turn", "",
            "| removed | accuracy (unresolved = wrong) | change | coverage | ECE | parent F1 | change |",
            "|---|---|---|---|---|---|---|",
            f"| nothing | {fmt(full['acc_all'])} | | {fmt(full['coverage'])} | {fmt(full['ece'])} | "
            f"{fmt(full['parent_f1'])} | |"]
    for r in rows:
        if "ablation" in r["method"]:
            d1 = (r["acc_all"] or 0) - (full["acc_all"] or 0)
            d2 = (r["parent_f1"] or 0) - (full["parent_f1"] or 0)
            out.append(f"| {r['method'].split('without ')[1]} | {fmt(r['acc_all'])} | {d1:+.3f} | "
                       f"{fmt(r['coverage'])} | {fmt(r['ece'])} | {fmt(r['parent_f1'])} | {d2:+.3f} |")
    return "\n".join(out)


DIRECTION_COLS = [
    ("method", "method"), ("coverage", "coverage"), ("acc_resolved", "accuracy (resolved)"),
    ("acc_all", "accuracy (unresolved = wrong)"), ("sibling_common", "hidden-source siblings marked common"),
    ("brier", "Brier"), ("ece", "ECE"), ("parent_p", "parent P"), ("parent_r", "parent R"),
    ("parent_f1", "parent F1"), ("root_p", "root P"), ("root_r", "root R"),
    ("hidden_p", "hidden-source P"), ("hidden_r", "hidden-source R"), ("plagdet", "plagdet")]


def corpus_table(rows: list[dict], cols: list[tuple[str, str]]) -> str:
    """A Markdown table: one row per result, its corpus first, then ``cols`` (key, heading)."""
    out = ["| corpus | " + " | ".join(c[1] for c in cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for r in rows:
        out.append(f"| {r['corpus']} | " + " | ".join(fmt(r[c]) if c != "method" else r[c] for c, _ in cols) + " |")
    return "\n".join(out)


def direction_table(rows: list[dict]) -> str:
    return corpus_table(rows, DIRECTION_COLS)


def pan_table(rows: list[dict]) -> str:
    cols = [("pairs", "pairs"), ("recall", "recall"), ("false_copy_rate", "false-copy rate"),
            ("coverage", "direction coverage"), ("acc_resolved", "accuracy (resolved)"),
            ("acc_all", "accuracy (unresolved = wrong)"), ("longer", "baseline: longer is source"),
            ("shorter", "baseline: shorter is source"), ("held_pairs", "held-out half: found pairs"),
            ("held_acc", "held-out: accuracy (unresolved = wrong)"), ("held_longer", "held-out: longer"),
            ("held_shorter", "held-out: shorter"), ("plagdet", "plagdet"), ("p_prec", "precision"),
            ("p_rec", "recall (chars)"), ("gran", "granularity")]
    out = ["| subcorpus | " + " | ".join(c[1] for c in cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for r in rows:
        out.append(f"| {r['subcorpus']} | " + " | ".join(fmt(r.get(c)) for c, _ in cols) + " |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-pan", action="store_true")
    parser.add_argument("--write", type=Path, help="replace the quality section of this Markdown file")
    args = parser.parse_args()
    if not (args.data / "reuters21578").is_dir():
        sys.exit(f"bench_quality: {args.data}/reuters21578 not found (pass --data pointing at shared/data)")
    command = "python scripts/bench_quality.py " + " ".join(sys.argv[1:])
    with tempfile.TemporaryDirectory() as tmp:
        synth_rows = bench_synth(args.data, Path(tmp), args.docs, args.seed)
        tradition_rows = bench_traditions(args.data, Path(tmp), args.seed)
        passage_rows, passage_grades, passage_s = bench_passages(args.data, Path(tmp), args.seed)
    sections = [
        "### Synth corpus (Reuters-21578 base, seed %d)" % args.seed, "",
        f"Trace time: with timestamps {synth_rows[0]['seconds']:.1f} s; see the speed benchmark for scale.", "",
        synth_tables(synth_rows),
        "", f"### Hand-copied traditions (`lineage synth --kind tradition`, Reuters-21578 base, seed {args.seed})", "",
        f"{TRADITIONS} traditions of 15 copies, a quarter lost; no metadata, so direction rests on the readings. "
        f"Traced in {tradition_rows[0]['seconds']:.1f} s.", "",
        direction_table(tradition_rows),
        "", f"### Lifted passages (`lineage synth --kind passages`, Reuters-21578 base, seed {args.seed})", "",
        f"{PASSAGE_SOURCES} long sources (600-2,000 words), each with 6-12 short pieces that lift one to three "
        "passages from it (as they are, lightly or heavily revised) or take nothing; no metadata. "
        f"Traced in {passage_s:.1f} s.", "",
        direction_table(passage_rows), "", grades_table(passage_grades),
    ]
    if not args.skip_pan:
        pan_rows, pan_seconds, pan_docs, pan_also = bench_pan(args.data)
        sections += ["", f"### PAN 2013 text-alignment training corpus ({pan_docs} documents, traced in "
                         f"{pan_seconds:.0f} s; 05: annotated pairs only)", "", pan_table(pan_rows)]
    also_rows = [r["also"] for r in synth_rows + tradition_rows if "also" in r]
    sections += ["", "### Also used: second sources (an oriented copy edge off the tree whose source gave the copy "
                     "at least 50 words its tree parent lacks)", "",
                 also_used_table(also_rows, None if args.skip_pan else pan_also)]
    sections += ["", "### Seeds (no ground truth: the verdicts)", "",
                 "| source | target | relation | direction | confidence | containment s/t | passages | evidence |",
                 "|---|---|---|---|---|---|---|---|", *bench_seeds()]
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    header = [START, "## Quality (`scripts/bench_quality.py`)", "",
              f"Command: `{command.strip()}` — commit {commit}, {time.strftime('%Y-%m-%d')}, "
              f"Python {platform.python_version()}, {platform.machine()}.", ""]
    text = "\n".join(header + sections + ["", END])
    print(text)
    if args.write:
        old = args.write.read_text(encoding="utf-8") if args.write.exists() else "# Benchmarks\n"
        if START in old and END in old:
            new = old[: old.index(START)] + text + old[old.index(END) + len(END):]
        else:
            new = old.rstrip() + "\n\n" + text + "\n"
        args.write.write_text(new, encoding="utf-8")


if __name__ == "__main__":
    main()
