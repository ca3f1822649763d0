"""Benchmark the persistent index: add throughput, query latency, and the HTTP API under load.

Builds a corpus of ``--docs`` news-length documents from Reuters-21578 with
``scripts/bench_corpus.py`` (20% derived; cached under ``--work``), holds out
``--queries`` documents, adds the rest to a fresh SQLite index and a fresh
Redis index (a redis-server started here on a free port unless ``--redis``
names one), timing every batch of 256 documents (the CLI's default), and times
queries of the held-out documents when a quarter and when all of the corpus is
indexed. Then it serves the SQLite index with ``lineage serve`` on 127.0.0.1
and sends a bounded load (``--requests`` requests at most, ``--seconds`` at
most, ``--concurrency`` clients): ``GET /documents/{id}`` and ``POST /query``.

Each part's results are kept in ``--work`` (``--only`` runs one part, so the
stores can be measured in separate processes); the table is made from what is
kept. Prints it and, with ``--write``, replaces the section between
``<!-- bench_index:start -->`` and ``<!-- bench_index:end -->`` in
BENCHMARKS.md, ending with the paragraph in ``--reading`` (a file) if given.

    python scripts/bench_index.py --docs 100000 --write
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lineage.corpus import load_corpus  # noqa: E402
from lineage.index import Index  # noqa: E402
from scripts.bench_corpus import build_corpus  # noqa: E402

REUTERS = ROOT.parent / "shared" / "data" / "reuters21578"
START, END = "<!-- bench_index:start -->", "<!-- bench_index:end -->"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def corpus(work: Path, docs: int) -> Path:
    out = work / f"corpus{docs}"
    if not (out / "stats.json").exists():
        if out.exists():
            shutil.rmtree(out)
        stats = build_corpus(out / "docs", docs, seed=0, base=REUTERS)
        (out / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    return out


def add_all(index: Index, docs, batch: int = 256) -> list[tuple[int, float]]:
    """Add in batches; ``(documents indexed, seconds so far)`` after each batch."""
    marks, started = [], time.perf_counter()
    for start in range(0, len(docs), batch):
        index.add(docs[start : start + batch], batch=batch)
        marks.append((start + len(docs[start : start + batch]), time.perf_counter() - started))
    return marks


def query_latencies(index: Index, docs) -> list[float]:
    out = []
    for doc in docs:
        t = time.perf_counter()
        index.query(doc)
        out.append(time.perf_counter() - t)
    return out


def bench_store(label: str, location: str, name: str | None, indexed, held, quarter_queries: int) -> dict:
    load = [_loadavg()]
    index = Index.open(location, name, create=True)
    quarter = len(indexed) // 4
    first = add_all(index, indexed[:quarter])
    early = query_latencies(index, held[:quarter_queries])
    rest = add_all(index, indexed[quarter:])
    load.append(_loadavg())
    late = query_latencies(index, held)
    load.append(_loadavg())
    stats = index.stats()
    index.close()
    t_quarter = first[-1][1]
    t_rest = rest[-1][1]
    marks = first + [(quarter + n, t_quarter + t) for n, t in rest]  # (documents indexed, seconds) overall
    return {
        "store": label, "documents": len(indexed), "add_total_s": t_quarter + t_rest,
        "add_rate": len(indexed) / (t_quarter + t_rest),
        "add_rate_first_quarter": quarter / t_quarter,
        "add_rate_last_quarter": _last_quarter_rate(marks, len(indexed)),
        "query_p50_quarter_ms": 1000 * percentile(early, 50), "query_p99_quarter_ms": 1000 * percentile(early, 99),
        "query_p50_ms": 1000 * percentile(late, 50), "query_p99_ms": 1000 * percentile(late, 99),
        "queries": len(late), "pairs": stats["pairs"], "clusters": stats["clusters"],
        "bytes": stats["bytes"], "load": load,
    }


def _loadavg() -> float:
    """The 1-minute load average (other jobs share the machine)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def _last_quarter_rate(marks: list[tuple[int, float]], total: int) -> float:
    """Documents per second over the batches after the last mark at or below 3/4 of the corpus."""
    start = max((m for m in marks if m[0] <= total * 3 / 4), default=(0, 0.0))
    (n0, t0), (n1, t1) = start, marks[-1]
    return (n1 - n0) / (t1 - t0) if t1 > t0 else float("nan")


def start_redis() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return proc, f"redis://127.0.0.1:{port}/0"


def http_load(db: str, ids: list[str], held, *, requests: int, seconds: float, concurrency: int) -> list[dict]:
    """Bounded load on a local `lineage serve`: GET lineages, then POST queries."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", "from lineage.cli import main; main()", "serve", db,
                               "--port", str(port)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                c.request("GET", "/health")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        rows = []
        bodies = [json.dumps({"text": d.text, "title": d.title}).encode() for d in held]
        for kind, make in (
            ("GET /documents/{id}", lambda rng: ("GET", "/documents/" + rng.choice(ids), None)),
            ("POST /query", lambda rng: ("POST", "/query", rng.choice(bodies))),
        ):
            rows.append(_load(port, make, requests=requests, seconds=seconds, concurrency=concurrency) | {"kind": kind})
        return rows
    finally:
        server.terminate()
        server.wait(timeout=30)


def _load(port: int, make, *, requests: int, seconds: float, concurrency: int) -> dict:
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    budget = [requests]
    deadline = time.perf_counter() + seconds

    def client(seed: int) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            method, path, body = make(rng)
            t = time.perf_counter()
            conn.request(method, path, body=body, headers={"content-type": "application/json"})
            response = conn.getresponse()
            response.read()
            with lock:
                latencies.append(time.perf_counter() - t)
                errors[0] += response.status >= 400
    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "errors": errors[0], "rate": len(latencies) / wall,
            "p50_ms": 1000 * percentile(latencies, 50), "p99_ms": 1000 * percentile(latencies, 99)}


def render(args, rows: list[dict], http_rows: list[dict], note: str, reading: str) -> str:
    lines = [f"Command: `python scripts/bench_index.py --docs {args.docs} --queries {args.queries} "
             f"--requests {args.requests} --seconds {args.seconds:g} --concurrency {args.concurrency} --write`", "",
             note, "",
             "| store | documents | add docs/s (all) | first quarter | last quarter | query p50 / p99 at 1/4 (ms) "
             "| query p50 / p99 at all (ms) | verified pairs | size | load average |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    def cell(r: dict, *keys: str, fmt: str = ".1f") -> str:
        # a run stopped early (see the note) has no value for what it did not reach
        return " / ".join(format(r[k], fmt) if r.get(k) is not None else "n/a" for k in keys)

    for r in rows:
        lines.append(f"| {r['store']} | {r['documents']} | {cell(r, 'add_rate')} | "
                     f"{cell(r, 'add_rate_first_quarter')} | {cell(r, 'add_rate_last_quarter')} | "
                     f"{cell(r, 'query_p50_quarter_ms', 'query_p99_quarter_ms', fmt='.0f')} | "
                     f"{cell(r, 'query_p50_ms', 'query_p99_ms', fmt='.0f')} | "
                     f"{r['pairs']} | {r['bytes'] / 2**20:.0f} MiB | {' / '.join(f'{x:.1f}' for x in r['load'])} |")
    if http_rows:
        lines += ["", f"`lineage serve` on the SQLite index, 127.0.0.1, {args.concurrency} concurrent clients "
                      f"(at most {args.requests} requests or {args.seconds:g} s per row):", "",
                  "| request | requests | errors | requests/s | p50 (ms) | p99 (ms) | load average |",
                  "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for h in http_rows:
            lines.append(f"| {h['kind']} | {h['requests']} | {h['errors']} | {h['rate']:.1f} | {h['p50_ms']:.1f} | "
                         f"{h['p99_ms']:.1f} | {h.get('load', float('nan')):.1f} |")
    if reading:
        lines += ["", reading.strip()]
    return "\n".join(lines)


def write_section(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    current = path.read_text(encoding="utf-8")
    block = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        before, rest = current.split(START, 1)
        after = rest.split(END, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n## Index: add, query, serve\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000, help="corpus size (scripts/bench_corpus.py)")
    parser.add_argument("--queries", type=int, default=200, help="held-out documents queried")
    parser.add_argument("--redis", default=None, help="redis:// URL (default: start redis-server here)")
    parser.add_argument("--only", choices=("sqlite", "redis", "http", "table"), default=None,
                        help="run one part (results of the others are read from --work)")
    parser.add_argument("--requests", type=int, default=3000, help="HTTP requests per row at most")
    parser.add_argument("--seconds", type=float, default=60, help="HTTP seconds per row at most")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--work", type=Path, default=Path("/tmp/lineage-bench"))
    parser.add_argument("--reading", type=Path, default=None, help="a file with the paragraph ending the section")
    parser.add_argument("--write", action="store_true", help="update BENCHMARKS.md")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    folder = corpus(args.work, args.docs)
    docs, _ = load_corpus([folder / "docs"])
    random.Random(0).shuffle(docs)  # ids are random, so this is arrival in no particular order
    held, indexed = docs[: args.queries], docs[args.queries :]
    db = args.work / f"index{args.docs}.db"
    kept = args.work / f"results{args.docs}.json"  # all parts (what earlier versions wrote)
    results = json.loads(kept.read_text()) if kept.exists() else {}
    for part in ("sqlite", "redis", "http"):  # one file per part, so parts can run at the same time
        if (args.work / f"results{args.docs}-{part}.json").exists():
            results[part] = json.loads((args.work / f"results{args.docs}-{part}.json").read_text())
    parts = [args.only] if args.only else ["sqlite", "redis", "http"]
    if "sqlite" in parts:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        results["sqlite"] = bench_store("SQLite", str(db), None, indexed, held, args.queries // 2)
        print(json.dumps(results["sqlite"]), flush=True)
    if "redis" in parts:
        proc, url = (None, args.redis) if args.redis else start_redis()
        try:
            results["redis"] = bench_store("Redis", url, f"bench{int(time.time())}", indexed, held,
                                           args.queries // 2)
            print(json.dumps(results["redis"]), flush=True)
        finally:
            if proc is not None:
                proc.terminate()
    if "http" in parts:
        results["http"] = [row | {"load": _loadavg()} for row in
                           http_load(str(db), [d.id for d in indexed], held, requests=args.requests,
                                     seconds=args.seconds, concurrency=args.concurrency)]
    for part in [p for p in parts if p != "table"]:
        (args.work / f"results{args.docs}-{part}.json").write_text(json.dumps(results[part], indent=1),
                                                                   encoding="utf-8")
    stats = json.loads((folder / "stats.json").read_text())
    note = (f"Corpus: `python scripts/bench_corpus.py OUT --docs {args.docs}` ({len(docs)} documents of "
            f"{stats['words_per_doc']:.0f} words on average built from Reuters-21578, 20% derived, largest cluster "
            f"{stats['largest_cluster']}), {args.queries} held out and queried, the rest added in a shuffled order "
            "in batches of 256. Query = match, align and preview the lineage, nothing added. Machine: 2 cores, "
            "shared with other jobs: the load average (1 minute) is given at the start of adding, after adding and "
            "after the queries.")
    rows = [results[k] for k in ("sqlite", "redis") if k in results]
    reading = args.reading.read_text(encoding="utf-8") if args.reading else ""
    text = render(args, rows, results.get("http", []), note, reading)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
