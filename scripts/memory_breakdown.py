"""Where a trace's memory sits: what each structure the stages keep costs per document.

Runs the stages of ``lineage trace`` in this process (workers forked as usual) and prints,
after each, the main process's resident memory and the size of what the stage made: texts,
packed shingle sets, signatures, candidate pairs, verified pairs, edges, the lineage forest
(and, apart, the networkx graph a trace no longer makes). Sizes of object structures are deep
sizes (every object reached) averaged over a sample of 2,000 items and scaled to all; objects
two structures share count in both, objects the items of one structure share once. The
verified pairs, held in columns (:mod:`lineage.verified`), are measured whole. Issue 5's memory goal (16 GB at 1,000,000 documents) is
16 KB per document for everything, workers included.

Usage: ``python scripts/memory_breakdown.py FOLDER [--workers N]``
"""

from __future__ import annotations

import argparse
import gc
import random
import sys

import numpy as np

from lineage.corpus import load_corpus
from lineage.pipeline import Config, assemble, find_candidates, orient, prepare, result_params, verify_pairs


def resident_mb() -> float:
    """This process's resident memory (VmRSS), MB; 0.0 where /proc is not there."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def deep_size(value: object, seen: set[int] | None = None) -> int:
    """Bytes of ``value`` and of everything it reaches, each object once.

    >>> deep_size([1, 1]) == sys.getsizeof([1, 1]) + sys.getsizeof(1)
    True
    """
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, (str, bytes, int, float, bool, type(None))):
        return size
    if isinstance(value, np.ndarray):  # owning its data, getsizeof counts it; a view keeps its base alive
        return size if value.base is None else size + deep_size(value.base, seen)
    if isinstance(value, dict):
        return size + sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return size + sum(deep_size(item, seen) for item in value)
    slots = [name for cls in type(value).__mro__ for name in getattr(cls, "__slots__", ())]
    if slots:
        return size + sum(deep_size(getattr(value, name), seen) for name in slots if hasattr(value, name))
    if hasattr(value, "__dict__"):
        return size + deep_size(vars(value), seen)
    return size


def sampled_mb(items, sample: int = 2000) -> float:
    """Deep size of ``items`` (a list), MB, from a sample of its items. An object the sampled
    items share (a quote-only edge's evidence) counts once in the sample, so the estimate
    scales it up with the rest: a slight overcount of what is shared, none of what is not."""
    if not items:
        return 0.0
    picked = random.Random(0).sample(range(len(items)), min(sample, len(items)))
    seen: set[int] = set()
    return sum(deep_size(items[i], seen) for i in picked) / len(picked) * len(items) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    gc.disable()  # as trace does
    config = Config(workers=args.workers)
    quiet = lambda *a: None  # noqa: E731
    rows: list[tuple[str, float, str, float]] = []

    def row(stage: str, what: str, mb: float) -> None:
        rows.append((stage, resident_mb(), what, mb))

    docs, skipped = load_corpus([args.folder])
    row("read", "documents (texts, ids, paths)", sampled_mb(docs))
    prepared = prepare(docs, config, quiet)
    row("prepare", "packed shingle sets", prepared.unique.values.nbytes / 1e6 + prepared.unique.offsets.nbytes / 1e6)
    row("prepare", "signatures", prepared.signatures.nbytes / 1e6)
    pairs, boilerplate, max_df = find_candidates(prepared, config, quiet, as_array=True)  # as trace holds them
    prepared.signatures = None  # as trace does
    row("candidates", f"candidate pairs ({len(pairs):,}, an array)", pairs.nbytes / 1e6)
    verified = verify_pairs(prepared, pairs, config, boilerplate, quiet)
    quote_only = sum(v.evidence is None for v in verified)
    # in columns (lineage.verified): the table itself, without the documents' ids it reads
    row("align", f"verified pairs ({len(verified):,}; {quote_only:,} quote-only)",
        deep_size(verified.with_ids([])) / 1e6)
    n_pairs = len(pairs)
    del pairs
    edges = orient(prepared, verified, config, boilerplate, quiet)
    row("direction", f"edges ({len(edges):,})", sampled_mb(edges))
    params = result_params(config, max_df=max_df, documents=len(docs), candidates=n_pairs)
    result = assemble(docs, edges, skipped=skipped, params=params,
                      words={d.id: int(w) for d, w in zip(docs, prepared.words)})
    row("graph", "lineage forest, clusters, word counts",
        deep_size((result.parents, result.clusters, result.words)) / 1e6)
    # not made by a trace (GraphML is written from the edges); made here only to say what it costs
    graph_mb = deep_size(result.graph) / 1e6
    n = max(1, len(docs))
    print(f"{len(docs):,} documents, {args.folder}\n")
    print("| after | main process resident MB | structure | MB | KB per document |")
    print("| --- | --- | --- | --- | --- |")
    for stage, rss, what, mb in rows:
        print(f"| {stage} | {rss:,.0f} | {what} | {mb:,.1f} | {mb * 1000 / n:.2f} |")
    total = sum(mb for *_, mb in rows)
    print(f"| | | all of the above | {total:,.1f} | {total * 1000 / n:.2f} |")
    print(f"\nNot in the table: the networkx graph (``TraceResult.graph``), made only when a caller reads "
          f"it (a trace writes GraphML without it), would take {graph_mb:,.1f} MB ({graph_mb * 1000 / n:.2f} KB "
          "per document).")


if __name__ == "__main__":
    main()
