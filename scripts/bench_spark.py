"""The Spark engine (``local[N]``) against the local engine on the same corpus, in one run.

For each corpus size: ``lineage trace --profile`` with ``--engine local``
and with ``--engine spark --spark-master local[N]`` (the same cores), each
in its own process. Measured: wall time, peak memory of the whole process
tree (PSS: Python driver, JVM, Python workers), seconds per stage, the
bytes each stage shuffled (Spark's monitoring API), and whether the two
lineage.json files have the same edges and parents (they must).

Corpora: scripts/bench_corpus.py (Reuters-21578 stories concatenated to news
length, 20% derived), built once under ``--work``.

Usage: ``python scripts/bench_spark.py --sizes 25000,100000 --write``
(rewrites the section between ``<!-- bench_spark:start -->`` and
``<!-- bench_spark:end -->`` in BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_corpus import build_corpus  # noqa: E402
from bench_speed import table, trace_run  # noqa: E402

START, END = "<!-- bench_spark:start -->", "<!-- bench_spark:end -->"
STAGES = ("read", "normalise+shingle", "candidates", "align", "direction", "graph", "write", "total")
SHUFFLED = ("candidates", "align", "direction")


def _parity(a: Path, b: Path) -> str:
    """'same' when the two lineage.json files have the same edges and parents, else what differs."""
    if not (a / "lineage.json").exists() or not (b / "lineage.json").exists():
        return "–"
    x, y = (json.loads((d / "lineage.json").read_text(encoding="utf-8")) for d in (a, b))
    differ = [key for key in ("edges", "documents", "params") if x.get(key) != y.get(key)]
    return "same lineage.json" if not differ else "differ: " + ", ".join(differ)


def _shuffle(stderr: str) -> dict[str, float]:
    """The ``profile: shuffle STAGE MB`` lines."""
    found = {}
    for line in stderr.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[:2] == ["profile:", "shuffle"] and parts[4] == "MB":
            found[parts[2]] = float(parts[3])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="25000,100000", help="corpus sizes (documents)")
    parser.add_argument("--cores", type=int, default=2, help="local[N] for Spark and --workers for local")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lineage-bench-speed")
    parser.add_argument("--timeout", type=float, default=5400, help="seconds before a run is stopped")
    parser.add_argument("--engines", default="local,spark",
                        help="engines to run; the others' results are read from an earlier run under --work")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    rows: list[list[str]] = []
    notes: list[str] = []
    for size in [int(s) for s in args.sizes.split(",")]:
        corpus = args.work / f"corpus-{size}"
        if not (corpus / ".complete").exists():
            print(f"building {size} documents in {corpus}", file=sys.stderr)
            build_corpus(corpus, size)
            (corpus / ".complete").write_text("ok")
        runs = {}
        for engine, extra in (("local", ()), ("spark", ("--engine", "spark", "--spark-master", f"local[{args.cores}]"))):
            out = args.work / f"out-{engine}-{size}"
            saved = args.work / f"result-{engine}-{size}.json"
            if engine not in args.engines.split(","):  # an earlier run's result, kept by this script
                runs[engine] = json.loads(saved.read_text(encoding="utf-8"))
                runs[engine]["out"] = out
                notes.append(f"{size:,} documents, {engine} engine: from an earlier run ({saved.name})")
                continue
            print(f"{size}: {engine} engine", file=sys.stderr, flush=True)
            runs[engine] = trace_run(corpus, out, args.cores, args.timeout, extra)
            runs[engine]["shuffle"] = _shuffle(str(runs[engine]["stderr"]))
            kept = {k: v for k, v in runs[engine].items() if k != "stderr"}
            saved.write_text(json.dumps(kept, default=str), encoding="utf-8")
            print(json.dumps(kept, default=str), file=sys.stderr, flush=True)
            runs[engine]["out"] = out
        for engine, run in runs.items():
            stages = run["stages"]
            rows.append([f"{size:,}", engine, f"{run['wall']:.0f}" if run["finished"] else "stopped",
                         f"{run['peak_gb']:.2f}"] + [f"{stages[s]:.0f}" if s in stages else "–" for s in STAGES]
                        + [f"{run['shuffle'].get(s, 0):.0f}" if engine == "spark" else "–" for s in SHUFFLED]
                        + [str(run.get("candidates", "–")), str(run.get("edges", "–"))])
        notes.append(f"{size:,} documents: {_parity(runs['local']['out'], runs['spark']['out'])}")
    notes = [n for n in notes if "earlier run" in n] + [n for n in notes if "earlier run" not in n]
    header = (["documents", "engine", "wall s", "peak GB"] + [f"{s} s" for s in STAGES]
              + [f"shuffle {s} MB" for s in SHUFFLED] + ["candidates", "edges"])
    load = open("/proc/loadavg").read().split()[:3] if os.path.exists("/proc/loadavg") else ["?"]
    text = "\n".join([
        f"Command: `python scripts/bench_spark.py --sizes {args.sizes} --cores {args.cores} --write` "
        f"(machine: {os.cpu_count()} cores; load average at the end {' '.join(load)}).",
        "",
        table(header, rows),
        "",
        "Parity and provenance: " + "; ".join(notes) + ".",
    ])
    print(text)
    if args.write:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8")
        if START in current:
            head, rest = current.split(START, 1)
            _, tail = rest.split(END, 1)
            current = head + START + "\n" + text + "\n" + END + tail
        else:
            current = current.rstrip("\n") + "\n\n" + START + "\n" + text + "\n" + END + "\n"
        path.write_text(current, encoding="utf-8")


if __name__ == "__main__":
    main()
