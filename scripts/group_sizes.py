"""Largest candidate groups of a corpus: does it reach the representatives cap (lineage.representatives)?

Prints the largest fingerprint group (non-boilerplate shingle shared by the most documents), the
largest LSH bucket and the largest near-identical component, against ``GROUP_CAP``.

Usage: ``python scripts/group_sizes.py FOLDER [--workers N]``
"""

from __future__ import annotations

import argparse

import numpy as np

from lineage.corpus import load_corpus
from lineage.pipeline import Config, find_candidates, prepare
from lineage.representatives import GROUP_CAP, NEAR_IDENTICAL, components
from lineage.shingles import member


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder")
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    quiet = lambda *a: None  # noqa: E731
    config = Config(workers=args.workers)
    docs, _ = load_corpus([args.folder])
    prepared = prepare(docs, config, quiet)
    pairs, boilerplate, max_df = find_candidates(prepared, config, quiet)
    values = prepared.unique.values
    fp = values[values % np.uint64(config.sample) == 0]
    if len(boilerplate):
        fp = fp[~member(fp, boilerplate)]
    _, counts = np.unique(fp, return_counts=True)
    sigs = prepared.signatures
    bucket = 0
    for band in range(config.bands):
        block = np.ascontiguousarray(sigs[:, band * config.rows : (band + 1) * config.rows])
        _, sizes = np.unique(block, axis=0, return_counts=True)
        bucket = max(bucket, int(sizes.max()))
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    near = (sigs[arr[:, 0]] == sigs[arr[:, 1]]).mean(axis=1) >= NEAR_IDENTICAL if len(arr) else np.zeros(0, bool)
    label = components(len(docs), arr[near])
    print(f"{len(docs)} documents, max_df {max_df}, cap {GROUP_CAP}: largest fingerprint group {int(counts.max())}, "
          f"largest LSH bucket {bucket}, largest near-identical component {int(np.bincount(label).max())}")


if __name__ == "__main__":
    main()
