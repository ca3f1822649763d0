#!/usr/bin/env python3
"""Where direction goes wrong on a generated corpus: by the pair's timestamps and by the kind of reuse.

Reads a ``lineage synth`` corpus (``docs/``, ``metadata.jsonl``, ``truth.json``), or makes one
(``--seed``, ``--docs``; the benchmark's held-out seed is 0 and the fit's are 11-13, so study
errors on others). Traces it as ``lineage trace`` does, and scores it as ``lineage eval`` does:
every found pair where one document descends from the other, an unresolved or common-source
verdict counted wrong (:func:`lineage.evaluate.ancestor_outcomes`). Prints three tables:

1. accuracy by the two documents' timestamps (right, missing, or wrong: the generator dates a
   wrong copy before its parent and a wrong original after its copies);
2. accuracy by the kind of reuse (the truth's label of a direct pair; ``indirect``: two or more
   generations apart), with the metadata's timestamps and with none;
3. what the timestamps are worth, each row a trace of its own with the metadata changed from the
   truth: as given, none, the wrong ones left out, every given one true (missing ones stay missing).

Usage: python scripts/direction_errors.py CORPUS [--workers N]
       python scripts/direction_errors.py --seed 14 [--docs 2000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage.evaluate import ancestor_outcomes  # noqa: E402
from lineage.export import to_json  # noqa: E402
from lineage.pipeline import Config, trace  # noqa: E402


def traced(corpus: Path, metadata: Path, workers: int) -> dict:
    """The corpus's lineage (as lineage.json holds it) traced with ``metadata``."""
    return to_json(trace([corpus / "docs"], metadata=metadata, config=Config(workers=workers)))


def altered_metadata(corpus: Path, out: Path, stamp: Callable[[str, str | None], str | None]) -> Path:
    """A copy of the corpus's metadata.jsonl with each ``published`` replaced by ``stamp(id, published)``
    (None: no timestamp)."""
    lines = []
    for line in (corpus / "metadata.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        value = stamp(record["id"], record.pop("published", None))
        if value is not None:
            record["published"] = value
        lines.append(json.dumps(record))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def stamp_status(source: str, copy: str, noise: dict[str, str]) -> str:
    wrong = [name for name, d in (("source", source), ("copy", copy)) if noise.get(d) == "wrong"]
    missing = "missing" in (noise.get(source), noise.get(copy))
    if len(wrong) == 2:
        return "both stamps wrong"
    if wrong:
        return f"the {wrong[0]}'s stamp wrong" + (", the other's missing" if missing else "")
    return "a stamp missing" if missing else "both stamps right"


def rows(groups: list[str], *results: list[bool], least: int = 1) -> list[list[str]]:
    """One row per group (largest first), then all: ``right/pairs (accuracy)`` for each result;
    groups of fewer than ``least`` pairs are pooled as "other"."""
    sizes = Counter(groups)
    groups = [g if sizes[g] >= least else "other" for g in groups]
    order = [g for g, _ in Counter(groups).most_common() if g != "other"] + (["other"] if "other" in groups else [])
    return [[g, *(score([r for grp, r in zip(groups, result) if g in ("all", grp)]) for result in results)]
            for g in order + ["all"]]


def score(right: list[bool]) -> str:
    """``right/pairs (accuracy)``."""
    return f"{sum(right)}/{len(right)} ({sum(right) / len(right):.3f})"


def table(header: list[str], body: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in body])


def report(corpus: Path, workers: int = 0) -> str:
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    noise = truth.get("timestamp_noise", {})
    published = truth.get("published", {})
    labels = {(s, t): kind for s, t, kind in truth["edges"]}
    variants = {
        "as given": lambda d, p: p,
        "none": lambda d, p: None,
        "the wrong ones left out": lambda d, p: None if noise.get(d) == "wrong" else p,
        "every given one true": lambda d, p: published.get(d) if p is not None else None,
    }
    outcomes: dict[str, list[tuple[str, str, bool]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (name, stamp) in enumerate(variants.items()):
            metadata = altered_metadata(corpus, Path(tmp) / f"metadata{n}.jsonl", stamp)
            outcomes[name] = ancestor_outcomes(traced(corpus, metadata, workers), truth)
    pairs = sorted((a, d) for a, d, _ in outcomes["as given"])
    right = {}
    for name, found in outcomes.items():
        by_pair = {(a, d): r for a, d, r in found}
        if sorted(by_pair) != pairs:  # timestamps never change which pairs are found
            raise SystemExit(f"{corpus}: the trace with timestamps {name!r} found other pairs")
        right[name] = [by_pair[p] for p in pairs]
    status = [stamp_status(a, d, noise) for a, d in pairs]
    kinds = [labels.get((a, d), "indirect") for a, d in pairs]
    return "\n".join([
        f"Corpus: {corpus} ({len(pairs)} found ancestor pairs; right/pairs (accuracy), unresolved counted wrong).",
        "",
        "1. With the metadata's timestamps, by the pair's stamps",
        "",
        table(["stamps", "accuracy"], rows(status, right["as given"])),
        "",
        "2. By the kind of reuse (the truth's label of a direct pair; indirect: two or more generations apart;",
        "   other: the kinds with fewer than 10 pairs)",
        "",
        table(["kind of reuse", "with timestamps", "without"],
              rows(kinds, right["as given"], right["none"], least=10)),
        "",
        "3. What the timestamps are worth (each row a trace with the metadata changed from the truth)",
        "",
        table(["timestamps", "accuracy"], [[name, score(r)] for name, r in right.items()]),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="a lineage synth folder (docs/, metadata.jsonl, truth.json)")
    parser.add_argument("--seed", type=int, help="make a synth corpus with this seed instead")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--workers", type=int, default=0, help="lineage --workers (0: all cores)")
    args = parser.parse_args()
    if (args.corpus is None) == (args.seed is None):
        parser.error("give a corpus folder or --seed")
    if args.corpus is not None:
        if not (args.corpus / "truth.json").is_file() or not (args.corpus / "metadata.jsonl").is_file():
            parser.error(f"{args.corpus}: no truth.json or metadata.jsonl; give a folder `lineage synth` wrote")
        print(report(args.corpus, args.workers))
        return
    from lineage.synth import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"synth{args.seed}"
        synthesize([args.data / "reuters21578"], out, seed=args.seed, docs=args.docs)
        print(report(out, args.workers))


if __name__ == "__main__":
    main()
