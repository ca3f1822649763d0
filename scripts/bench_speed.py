"""Speed and scale of ``lineage trace``, with peers measured in the same run (issue 5).

Prints five tables and writes them to BENCHMARKS.md between the
``<!-- bench_speed:start -->`` and ``<!-- bench_speed:end -->`` markers:

1. MinHash signatures: shingles per second on one core, lineage against
   rensa (RMinHash) and datasketch (MinHash.update_batch), the same shingle
   sets and 128 permutations, pre-hashed 64-bit input and shingle strings.
2. End to end: ``lineage trace`` (outputs written) on Reuters-built corpora of
   25k, 50k, 100k, 200k documents (scripts/bench_corpus.py), wall time, peak
   memory (PSS of the process and its workers) and the ``--profile`` stages;
   a linear projection to 1M documents. Each corpus is first dropped from
   the page cache and read once (the "cold read" column), so the trace reads
   it cached whatever ran before.
3. Workers: ``--workers 1`` against ``--workers N`` at ``--cores-size`` documents, in
   ``--cores-rounds`` alternating rounds (medians, and each round's speed-up).
4. Reuters-21578 (one file per story): lineage against a datasketch-only
   dedup (MinHash + MinHashLSH, no alignment) and text-dedup's MinHash, the
   files cached for all, the tools taking turns for three rounds (best kept).
5. One wire story republished 1,000 times: candidate pairs and time.

Usage::

    python scripts/bench_speed.py                       # everything (~40-60 min on 2 cores)
    python scripts/bench_speed.py --sizes 25000,50000   # smaller
    python scripts/bench_speed.py --sizes 25000 --no-write --skip peers,huge
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

from bench_corpus import REUTERS, Stories, build_corpus, huge_cluster  # noqa: E402

START, END = "<!-- bench_speed:start -->", "<!-- bench_speed:end -->"
STAGES = ("read", "normalise+shingle", "sign", "candidates", "align", "direction", "graph", "write")


# ---------------------------------------------------------------- measuring a command


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(c) for c in handle.read().split()]
    except OSError:
        pass
    return found


def _pss_kb(pid: int) -> int:
    """Proportional set size of one process (shared pages divided among their users)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_measured(cmd: list[str], *, timeout: float, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``cmd``; wall seconds, peak memory of its process tree (GB), stderr, and whether it finished."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    peak = 0
    stderr_chunks: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: stderr_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()
    finished = True
    while proc.poll() is None:
        tree, todo = [], [proc.pid]
        while todo:
            pid = todo.pop()
            tree.append(pid)
            todo += _children(pid)
        peak = max(peak, sum(_pss_kb(p) for p in tree))
        if time.perf_counter() - started > timeout:
            proc.kill()
            finished = False
            break
        time.sleep(0.2)
    proc.wait()
    reader.join(timeout=5)
    return {"wall": time.perf_counter() - started, "peak_gb": peak / 1024 / 1024, "stderr": "".join(stderr_chunks),
            "finished": finished, "returncode": proc.returncode}


def parse_profile(stderr: str) -> dict[str, float]:
    """The ``profile: STAGE SECONDS s`` lines of ``lineage trace --profile``."""
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"^profile: (\S+)\s+([\d.]+) s$", stderr, re.M)}


def trace_run(corpus: Path, out: Path, workers: int, timeout: float, extra: tuple[str, ...] = ()) -> dict[str, object]:
    """``lineage trace`` on a folder with --profile; adds the stages and the counts from lineage.json."""
    cmd = [sys.executable, "-m", "lineage.cli", "trace", str(corpus), "-o", str(out), "-q", "--profile",
           "--workers", str(workers), *extra]
    result = run_measured(cmd, timeout=timeout)
    result["stages"] = parse_profile(str(result["stderr"]))
    if result["finished"] and (out / "lineage.json").exists():
        data = json.loads((out / "lineage.json").read_text())
        result["candidates"] = data["params"].get("candidates")
        result["edges"] = len(data["edges"])
        result["copies"] = sum(1 for e in data["edges"] if e["relation"] != "quote-only")
    elif result["returncode"] not in (0, None) and result["finished"]:
        print(str(result["stderr"])[-2000:], file=sys.stderr)
    return result


_STAGES_CODE = """
import sys, time
from lineage.corpus import load_corpus
from lineage.pipeline import Config, find_candidates, prepare, verify_pairs
quiet = lambda *a: None
config = Config(workers=int(sys.argv[2]))
# the compiled kernels' one-time load (numba's import, machine code read from its cache), timed
# apart: it is the same whatever the number of workers, and a trace pays it once per process
t = time.perf_counter()
from lineage.alignment import load_kernel
from lineage.kernels import load
from lineage.parallel import shingle_batch
from lineage.quotes import load_kernel as load_quote_kernel
from lineage.shingles import COMBINE_KERNEL, TOKEN_KERNEL
load(*TOKEN_KERNEL); load(*COMBINE_KERNEL); load_kernel(); load_quote_kernel()
shingle_batch(["Warm up the kernels."], k=config.k, num_perm=config.num_perm, seed=config.seed, kernel=True)
kernels = time.perf_counter() - t
t = time.perf_counter(); docs, _ = load_corpus([sys.argv[1]]); read = time.perf_counter() - t
profile = {}
prepared = prepare(docs, config, quiet, profile=profile)
t = time.perf_counter(); pairs, boilerplate, _ = find_candidates(prepared, config, quiet); cand = time.perf_counter() - t
t = time.perf_counter(); verified = verify_pairs(prepared, pairs, config, boilerplate, quiet); align = time.perf_counter() - t
for name, value in (("kernels", kernels), ("read", read), ("normalise+shingle", profile["shingle"]), ("sign", profile["sign"]),
                    ("candidates", cand), ("align", align)):
    print(f"profile: {name} {value:.2f} s", file=sys.stderr)
print(f"count: {len(pairs)} {len(verified)}", file=sys.stderr)
"""


def stages_run(corpus: Path, workers: int, timeout: float) -> dict[str, object]:
    """The stages issue 5 owns (read, prepare, candidates, align+verify) through the library, measured."""
    result = run_measured([sys.executable, "-c", _STAGES_CODE, str(corpus), str(workers)], timeout=timeout)
    result["stages"] = parse_profile(str(result["stderr"]))
    counts = re.search(r"^count: (\d+) (\d+)$", str(result["stderr"]), re.M)
    result["candidates"], result["edges"] = (counts.group(1), counts.group(2)) if counts else ("-", "-")
    return result


# ---------------------------------------------------------------- 1. signatures


def bench_signatures(corpus: Path, docs: int) -> list[list[str]]:
    """Throughput on one core (this process pinned to one CPU), same sets for every tool."""
    from datasketch import MinHash

    from lineage.corpus import load_corpus
    from lineage.normalise import tokenize
    from lineage.representatives import pack
    from lineage.shingles import shingle_sets
    from lineage.signatures import packed_signatures

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    texts = [d.text for d in load_corpus([corpus])[0][:docs]]
    values, offsets, _ = shingle_sets(texts, k=5)
    total = int(offsets[-1])
    sets = pack([values[offsets[i] : offsets[i + 1]] for i in range(len(texts))])
    # the same shingles as strings (space-joined normalised words), for the tools that hash strings
    strings = []
    for text in texts:
        norms = tokenize(text).norms
        strings.append(sorted({" ".join(norms[i : i + 5]) for i in range(max(1, len(norms) - 4))}))
    n_strings = sum(map(len, strings))
    rows: list[list[str]] = []

    def timed(func, repeat: int = 3) -> float:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            func()
            best = min(best, time.perf_counter() - started)
        return best

    def row(tool: str, scheme: str, seconds: float, count: int, note: str) -> None:
        rows.append([tool, scheme, f"{count / seconds / 1e6:.1f}", note])
        print(f"  {tool:<44} {count / seconds / 1e6:7.1f} M shingles/s  ({note})", flush=True)

    packed_signatures(values[:20000], np.array([0, 20000]), kernel=True)  # compile / load the kernel
    row("lineage `packed_signatures` (numba kernel)", "64-bit, datasketch affine64",
        timed(lambda: packed_signatures(sets.values, sets.offsets, kernel=True)), total, "pre-hashed uint64 shingles")
    row("lineage `packed_signatures` (NumPy fallback)", "64-bit, datasketch affine64",
        timed(lambda: packed_signatures(sets.values, sets.offsets, kernel=False), 1), total, "pre-hashed uint64 shingles")
    row("lineage text → signature (tokenise+shingle+sign)", "64-bit, datasketch affine64",
        timed(lambda: packed_signatures(*shingle_sets(texts, k=5)[:2], kernel=True), 1), total,
        "raw text in: tokenising, token hashing, shingling included")
    try:
        from rensa import RMinHash

        flat_offsets = sets.offsets.astype(np.uint64)
        row("rensa `RMinHash.digest_matrix_from_flat_token_hashes`", "32-bit, rensa's own",
            timed(lambda: RMinHash.digest_matrix_from_flat_token_hashes(sets.values, flat_offsets, 128, 1)),
            total, "pre-hashed uint64 shingles")

        def rensa_objects() -> None:
            for shingles in strings:
                m = RMinHash(num_perm=128, seed=1)
                m.update(shingles)
                m.digest()

        row("rensa `RMinHash(...).update(strings)` per document", "32-bit, rensa's own", timed(rensa_objects),
            n_strings, "shingle strings in: rensa hashes them")
    except ImportError:
        rows.append(["rensa", "", "not installed", "pip install rensa"])
    subset = slice(0, max(1, len(texts) // 10))  # datasketch is slow: a tenth of the documents

    def datasketch_hashed() -> None:
        for i in range(len(texts))[subset]:
            m = MinHash(num_perm=128, seed=1, hashfunc=lambda x: x, scheme="affine64")
            m.update_batch(sets[i].tolist())

    def datasketch_strings() -> None:
        for shingles in strings[subset]:
            m = MinHash(num_perm=128, seed=1)
            m.update_batch([s.encode() for s in shingles])

    row("datasketch `MinHash.update_batch`", "64-bit affine64", timed(datasketch_hashed, 1),
        int(sets.lengths()[subset].sum()), "pre-hashed uint64 shingles (identity hashfunc)")
    row("datasketch `MinHash.update_batch`", "32-bit (default)", timed(datasketch_strings, 1),
        sum(map(len, strings[subset])), "shingle strings in: SHA-1 per shingle")
    return rows


# ---------------------------------------------------------------- 4. Reuters peers


def datasketch_dedup(folder: Path, threshold: float = 0.5) -> int:
    """A datasketch-only dedup of a folder: read, 5-word shingles, MinHash, MinHashLSH query; near-duplicate pairs."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    pairs = 0
    for path in sorted(folder.glob("*.txt")):
        words = re.findall(r"\w+", path.read_text(encoding="utf-8").lower())
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(words[i : i + 5]).encode() for i in range(max(1, len(words) - 4))])
        pairs += len(lsh.query(m))
        lsh.insert(path.stem, m)
    return pairs


def warm_folder(folder: Path) -> float:
    """Read every .txt file under ``folder`` once (into the page cache); the seconds it took."""
    started = time.perf_counter()
    for path in sorted(folder.rglob("*.txt")):
        path.read_bytes()
    return time.perf_counter() - started


def cold_read(folder: Path) -> float:
    """Seconds to read every .txt file under ``folder`` from the disk, leaving them in the page cache.

    Each file's cached pages are dropped first (``posix_fadvise`` DONTNEED, no privileges
    needed), so the read that follows is cold whatever ran before; where the call is not
    available this is :func:`warm_folder`, and may be warm.
    """
    if hasattr(os, "posix_fadvise"):
        for path in folder.rglob("*.txt"):
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
    return warm_folder(folder)


def bench_reuters(work: Path, workers: int, timeout: float, rounds: int = 3) -> tuple[list[list[str]], str]:
    """lineage, datasketch and text-dedup on the Reuters-21578 stories (one file each): table rows and a note.

    The files are read once first, so every tool reads them from the page cache (the
    first tool to run would otherwise pay the disk for all), and the tools take turns
    for ``rounds`` rounds (lineage, datasketch, text-dedup, lineage, ...): each row
    gives every round's wall seconds, and the best of them is what is compared.
    """
    from lineage.reuters import read_reuters

    folder = work / "reuters-files"
    if not folder.exists():
        folder.mkdir(parents=True)
        for story in read_reuters(REUTERS):
            (folder / f"{story.newid:05d}.txt").write_text(story.title + "\n\n" + story.body + "\n", encoding="utf-8")
    n = len(list(folder.glob("*.txt")))
    warm = warm_folder(folder)
    code = (f"import sys; sys.path.insert(0, {str(ROOT / 'scripts')!r}); from bench_speed import datasketch_dedup; "
            f"from pathlib import Path; print(datasketch_dedup(Path({str(folder)!r})))")
    tools: dict[str, tuple[str, str, object]] = {
        "lineage": ("lineage trace (candidates, exact alignment, direction, graph, 4 outputs)", "",
                    lambda: trace_run(folder, work / "reuters-out", workers, timeout)),
        "datasketch": ("datasketch MinHash + MinHashLSH (threshold 0.5, no alignment), one process",
                       "near-duplicate pairs only", lambda: run_measured([sys.executable, "-c", code], timeout=timeout)),
    }
    try:
        import text_dedup  # noqa: F401

        jsonl = work / "reuters.jsonl"
        with jsonl.open("w", encoding="utf-8") as handle:
            for path in sorted(folder.glob("*.txt")):
                handle.write(json.dumps({"id": path.stem, "text": path.read_text(encoding="utf-8")}) + "\n")
        cmd = [sys.executable, "-m", "text_dedup.minhash", "--path", "json", "--data_files", str(jsonl),
               "--split", "train", "--cache_dir", str(work / "hf-cache"), "--output", str(work / "text-dedup-out"),
               "--column", "text", "--num_proc", str(workers), "--num_perm", "128", "--ngram", "5", "--threshold",
               "0.5", "--clean_cache"]
        tools["text-dedup"] = (f"text-dedup MinHash (--num_proc {workers}, threshold 0.5, no alignment; from one JSONL)",
                               "near-duplicates removed",
                               lambda: run_measured(cmd, timeout=timeout, env={"HF_DATASETS_OFFLINE": "1",
                                                                                "HF_HUB_OFFLINE": "1"}))
    except ImportError:
        pass
    runs: dict[str, list[dict[str, object]]] = {name: [] for name in tools}
    for _ in range(rounds):
        for name, (_, _, run) in tools.items():
            result = run()  # type: ignore[operator]
            runs[name].append(result)
            print(f"  {name}: {result['wall']:.1f} s (rc {result['returncode']})", flush=True)
    rows = []
    for name, (label, finds, _) in tools.items():
        done = [r for r in runs[name] if r["returncode"] == 0 and r["finished"]]
        if not done:
            rows.append([label, "failed", "", "", str(runs[name][-1]["stderr"]).strip().splitlines()[-1][:80]])
            continue
        best = min(done, key=lambda r: r["wall"])
        if name == "lineage":
            stages = ", ".join(f"{k} {v:.1f}" for k, v in best.get("stages", {}).items() if k != "total")
            label = label[:-1] + f"; best run's seconds: {stages})"
            finds = f"{best.get('edges', '?')} related pairs"
        walls = " / ".join(f"{r['wall']:.1f}" for r in runs[name])
        rows.append([label, walls, f"{float(best['wall']):.1f}", f"{max(float(r['peak_gb']) for r in done):.2f}", finds])
    if "text-dedup" not in tools:
        rows.append(["text-dedup", "not installed", "", "", "pip install text-dedup"])
    note = (f"The {n} files were read once before the first run ({warm:.1f} s), so every tool reads them from the "
            f"page cache; the tools then took turns for {rounds} rounds. Wall seconds of each round, and the best.")
    return [[f"{n} files"] + r for r in rows], note


# ---------------------------------------------------------------- tables


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    return "\n".join(lines + ["| " + " | ".join(map(str, r)) + " |" for r in rows])


def fmt(result: dict[str, object], key: str) -> str:
    stages = result.get("stages", {})
    return f"{stages[key]:.1f}" if isinstance(stages, dict) and key in stages else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="25000,50000,100000,200000", help="corpus sizes (documents)")
    parser.add_argument("--workers", type=int, default=0, help="lineage --workers (0: all cores)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "lineage-bench-speed",
                        help="folder for the corpora (kept between runs) and outputs")
    parser.add_argument("--timeout", type=float, default=1500, help="seconds before a run is stopped")
    parser.add_argument("--budget", type=float, default=85, help="minutes for the whole benchmark; runs that "
                        "would start after it are listed as not run")
    parser.add_argument("--cores-size", type=int, default=50000, help="documents for the workers comparison")
    parser.add_argument("--cores-rounds", type=int, default=3, help="rounds of the workers comparison")
    parser.add_argument("--skip", default="", help="comma list of: signatures,stages,sizes,cores,peers,huge")
    parser.add_argument("--signature-docs", type=int, default=4000)
    parser.add_argument("--no-write", action="store_true", help="do not update BENCHMARKS.md")
    args = parser.parse_args()
    from lineage.parallel import default_workers

    workers = args.workers or default_workers()
    skip = set(filter(None, args.skip.split(",")))
    sizes = [int(s) for s in args.sizes.split(",")]
    deadline = time.perf_counter() + args.budget * 60

    def remaining() -> float:
        """Seconds a run may take: its timeout, or what is left of the budget."""
        return min(args.timeout, deadline - time.perf_counter())
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    stories = Stories(REUTERS, 0)
    corpora: dict[int, Path] = {}
    stats: dict[int, dict[str, float]] = {}
    for size in sorted(set(sizes) | ({args.cores_size} if "cores" not in skip else set())):
        folder = args.work / f"corpus-{size}"
        info = folder / ".stats.json"
        if not info.exists():
            shutil.rmtree(folder, ignore_errors=True)
            t = time.perf_counter()
            built = build_corpus(folder / "docs", size, stories=stories)
            built["build_seconds"] = time.perf_counter() - t
            info.write_text(json.dumps(built))
        corpora[size] = folder / "docs"
        stats[size] = json.loads(info.read_text())
        print(f"corpus {size}: {stats[size]}", flush=True)
    command = " ".join(["python scripts/bench_speed.py", *(a for a in sys.argv[1:] if a != "--no-write")])
    sections = [f"Command: `{command}` ({workers} workers; "
                f"machine: {os.cpu_count()} cores). Corpora: scripts/bench_corpus.py (Reuters-21578 stories "
                "concatenated to news length, 20% derived; see its docstring)."]

    if "signatures" not in skip:
        print("signatures (one core)", flush=True)
        code = (f"import sys, json; sys.path.insert(0, {str(ROOT / 'scripts')!r}); from bench_speed import bench_signatures; "
                f"from pathlib import Path; print(json.dumps(bench_signatures(Path({str(corpora[sizes[0]])!r}), "
                f"{args.signature_docs})))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        rows = json.loads(out.stdout.strip().splitlines()[-1]) if out.returncode == 0 else [["failed", "", "", out.stderr[-300:]]]
        sections.append("### MinHash signatures, one core, 128 permutations\n\n"
                        f"The shingle sets of the first {args.signature_docs} documents of the {sizes[0]}-document corpus "
                        "(datasketch: a tenth of them). lineage's values equal datasketch `affine64` "
                        "(tests/test_signatures.py); rensa computes 32-bit values of its own scheme, a cheaper "
                        "and incompatible sketch.\n\n"
                        + table(["tool", "values", "M shingles/s", "input"], rows))

    if "stages" not in skip:
        rows = []
        partial: dict[int, dict[str, object]] = {}
        for size in sizes:
            if remaining() < 60 or (partial and not list(partial.values())[-1]["finished"]):
                rows.append([f"{size:,}", "not run"] + [""] * 8)
                continue
            print(f"stages {size} documents", flush=True)
            warm_folder(corpora[size])  # read from the page cache, as the end-to-end traces are
            res = stages_run(corpora[size], workers, remaining())
            partial[size] = res
            wall = f"{res['wall']:.1f}" if res["finished"] else "(stopped)"
            rows.append([f"{size:,}", wall, f"{res['peak_gb']:.2f}"]
                        + [fmt(res, s) for s in STAGES[:5]] + [str(res["candidates"]), str(res["edges"])])
            print(f"  {rows[-1]}", flush=True)
        done = [s for s in sizes if s in partial and partial[s]["finished"]]
        fit = ""
        if len(done) >= 2:
            x = np.array(done, dtype=float)
            tp = np.polyfit(x, [partial[s]["wall"] for s in done], 1)
            mp = np.polyfit(x, [partial[s]["peak_gb"] for s in done], 1)
            fit = (f"\n\nLinear fit: {tp[0] * 1e3:.2f} s and {mp[0] * 1e3:.3f} GB per 1,000 documents; "
                   f"projected for 1,000,000 documents: {np.polyval(tp, 1e6) / 60:.0f} min, "
                   f"{np.polyval(mp, 1e6):.1f} GB.")
        sections.append("### The stages issue 5 owns (read, normalise+shingle, sign, candidates, align), "
                        "through the library\n\n`prepare`, `find_candidates`, `verify_pairs` (which includes "
                        "the pairwise direction evidence of `verify_pair`), no direction, graph or outputs.\n\n"
                        + table(["documents", "wall s", "peak GB", *STAGES[:5], "candidates", "verified"], rows)
                        + fit)

    results: dict[int, dict[str, object]] = {}
    if "sizes" not in skip:
        rows = []
        stopped = False
        for size in sizes:
            if stopped or remaining() < 60:
                rows.append([f"{size:,}", f"{stats[size]['words_per_doc']:.0f}", "not run (a smaller size was "
                             "stopped, or the time budget is spent)"] + [""] * (len(STAGES) + 5))
                continue
            print(f"trace {size} documents", flush=True)
            cold = cold_read(corpora[size])  # and leaves the files cached for the trace
            limit = remaining()
            res = trace_run(corpora[size], args.work / f"out-{size}", workers, limit)
            results[size] = res
            stopped = not res["finished"]
            wall = f"{res['wall']:.1f}" if res["finished"] else f"> {limit:.0f} (stopped)"
            rows.append([f"{size:,}", f"{stats[size]['words_per_doc']:.0f}", wall, f"{res['peak_gb']:.2f}",
                         f"{cold:.1f}"] + [fmt(res, s) for s in STAGES]
                        + [f"{res.get('candidates', '-')}", f"{res.get('edges', '-')}", f"{res.get('copies', '-')}"])
            print(f"  {rows[-1]}", flush=True)
        done = [s for s in sizes if s in results and results[s]["finished"]]
        projection = ""
        if len(done) >= 2:
            x = np.array(done, dtype=float)
            t = np.array([results[s]["wall"] for s in done], dtype=float)
            m = np.array([results[s]["peak_gb"] for s in done], dtype=float)
            tp, mp = np.polyfit(x, t, 1), np.polyfit(x, m, 1)
            projection = (f"\n\nLinear fit over {', '.join(f'{s:,}' for s in done)} documents: "
                          f"{tp[0] * 1e3:.2f} s and {mp[0] * 1e3:.3f} GB per 1,000 documents; projected for "
                          f"1,000,000 documents: **{np.polyval(tp, 1e6) / 60:.0f} min, {np.polyval(mp, 1e6):.1f} GB** "
                          "(goal: ≤ 30 min, ≤ 16 GB).")
        sections.append("### End to end: `lineage trace` on Reuters-built corpora\n\n"
                        "Whole command, outputs written (lineage.json, GraphML, PNG, report), wall seconds; peak "
                        "memory is the PSS of the process and its workers; stage seconds from `--profile`. Just "
                        "before each trace the corpus files are dropped from the page cache and read once "
                        "(*cold read*: what reading them from this machine's disk costs); the trace then reads "
                        "them from the cache, so its wall time and `read` stage do not depend on what ran before. "
                        "A trace of a folder that is not cached takes about *cold read* − *read* longer.\n\n"
                        + table(["documents", "words/doc", "wall s", "peak GB", "cold read s", *STAGES, "candidates",
                                 "edges", "copy edges"], rows) + projection)

    if "cores" not in skip and workers > 1 and remaining() > 120:
        size = args.cores_size
        print(f"cores: {size} documents, --workers 1 and {workers}", flush=True)
        warm_folder(corpora[size])  # both runs read from the page cache
        rounds = []  # alternating, so that a slow spell of this shared machine hits both
        for _ in range(args.cores_rounds):
            if rounds and remaining() < 120:
                break
            rounds.append((stages_run(corpora[size], 1, remaining()), stages_run(corpora[size], workers, remaining())))
        rows = []
        for label, keys in (("normalise+shingle+sign", ("normalise+shingle", "sign")), ("align", ("align",)),
                            ("the two parallel stages", ("normalise+shingle", "sign", "align")),
                            ("candidates (partly: LSH in a fork)", ("candidates",)), ("read (not parallel)", ("read",)),
                            ("kernel load (once per process)", ("kernels",)), ("whole run, process start to end", ())):
            seconds = [[sum(run["stages"].get(k, 0) for k in keys) if keys else run["wall"] for run in pair]
                       for pair in rounds]
            a = statistics.median(x for x, _ in seconds)
            b = statistics.median(y for _, y in seconds)
            each = " / ".join(f"{x / y:.2f}" if y else "-" for x, y in seconds)
            rows.append([label, f"{a:.1f}", f"{b:.1f}", f"{a / b:.2f}×" if b else "-", each])
        sections.append(f"### Workers: `--workers 1` against `--workers {workers}` ({size:,} documents, the "
                        "stages issue 5 owns, through the library)\n\nEach run is a new process that first "
                        "loads the compiled kernels (timed apart: the same for any number of workers), then "
                        "reads the corpus (from the page cache) and runs the stages. "
                        f"{len(rounds)} rounds, each a run with 1 worker then one with {workers}; seconds are "
                        "the medians, the speed-up theirs (and each round's).\n\n"
                        + table(["stage", "1 worker s", f"{workers} workers s", "speed-up", "each round"], rows))

    if "peers" not in skip and remaining() > 120:
        print("Reuters-21578 against peers", flush=True)
        rows, note = bench_reuters(args.work, workers, remaining() / 10)
        sections.append("### Reuters-21578, one file per story, against peers (same run)\n\n" + note + "\n\n"
                        + table(["corpus", "tool", "wall s (each round)", "best s", "peak GB", "finds"], rows))

    if "huge" not in skip and remaining() > 60:
        folder = args.work / "huge-1000"
        if not folder.exists():
            huge_cluster(folder, 1000, 1000)
        print("one story republished 1,000 times", flush=True)
        # --max-df 5000: as in a corpus of 500,000 documents, where 1,000 copies are not boilerplate
        res = trace_run(folder, args.work / "out-huge", workers, remaining(), ("--max-df", "5000"))
        sections.append("### One wire story republished 1,000 times (plus 1,000 unrelated documents)\n\n"
                        "`--max-df 5000`, as in a corpus of 500,000 documents (in a 2,000-document corpus the "
                        "story's shingles would be boilerplate). Candidate pairs are the alignments made.\n\n"
                        + table(["wall s", "align s", "direction s", "candidate pairs", "edges",
                                 "all pairs of the copies"],
                                [[f"{res['wall']:.1f}", fmt(res, "align"), fmt(res, "direction"),
                                  f"{res.get('candidates', '-')}", f"{res.get('edges', '-')}", f"{1000 * 999 // 2:,}"]]))

    sections.append(f"Benchmark run time: {(time.perf_counter() - started) / 60:.1f} min. Load average "
                    f"(1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}: other "
                    "processes on this shared machine compete for the 2 cores, so timings are noisy.")
    text = "\n\n".join(sections)
    print("\n" + text)
    if not args.no_write:
        path = ROOT / "BENCHMARKS.md"
        current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
        block = f"{START}\n## Speed and scale (scripts/bench_speed.py)\n\n{text}\n{END}"
        if START in current and END in current:
            current = current[: current.index(START)] + block + current[current.index(END) + len(END) :]
        else:
            current = current.rstrip() + "\n\n" + block + "\n"
        path.write_text(current, encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
