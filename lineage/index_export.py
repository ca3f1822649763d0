"""Whole-index operations: the export that equals trace, and the consistency check.

``export_index`` runs trace's own stages over every indexed text
(:func:`lineage.pipeline.prepare`, :func:`~lineage.pipeline.find_candidates`,
:func:`~lineage.pipeline.verify_pairs` for what the index cannot answer, then
:func:`lineage.index_lineage.finish`), taking a pair's verification from the
index when every input of it is unchanged (:func:`lineage.store.context_digest`).
Document frequencies, so boilerplate and ``max_df``, are those of the whole
corpus, exactly as in trace.

>>> import tempfile, os
>>> from lineage.index import Index
>>> from lineage.model import Document
>>> index = Index.open(os.path.join(tempfile.mkdtemp(), "x.db"), create=True)
>>> _ = index.add([Document("a", "Talks in Moscow went on late into the night.", "a.txt")])
>>> check_index(index), export_index(index)[1].documents
([], 1)
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

import numpy as np

from lineage.index_codec import loads
from lineage.index_keys import document_keys
from lineage.index_lineage import finish, quiet, trace_params
from lineage.index_view import ExportReport
from lineage.model import Verified
from lineage.pipeline import TraceResult, find_candidates, prepare, verify_pairs
from lineage.store import context_digest

if TYPE_CHECKING:
    from lineage.index import Index

Progress = Callable[[str, int, int], None]


def export_index(index: "Index", progress: Progress = quiet) -> tuple[TraceResult, ExportReport]:
    """The lineage of every indexed document, equal to trace's on the same documents."""
    with index.store.snapshot():
        stored = index.store.documents(index.store.all_seqs())
        cache = {(p.a, p.b): p for p in index.store.all_pairs()}
    order = sorted(stored.values(), key=lambda s: s.document.id)
    docs = [s.document for s in order]
    prepared = prepare(docs, index.config, progress)
    pairs, boilerplate, max_df = find_candidates(prepared, index.config, progress)
    report = ExportReport(documents=len(docs), candidates=len(pairs), indexed_pairs=len(cache))
    reused: list[Verified] = []
    missing: list[tuple[int, int]] = []
    for i, j in pairs:
        a, b = order[i].seq, order[j].seq
        hit = cache.get((min(a, b), max(a, b)))
        if hit is not None and hit.context == context_digest(boilerplate, prepared.unique[i], prepared.unique[j]):
            if hit.verified:
                reused.append(replace(loads(Verified, hit.verified), i=i, j=j))
        else:
            missing.append((i, j))
    report.reused, report.verified = len(pairs) - len(missing), len(missing)
    # trace's own verification stage (in parallel) for what the index could not answer
    fresh = verify_pairs(prepared, missing, index.config, boilerplate, progress)
    verified = sorted(reused + list(fresh), key=lambda v: (v.i, v.j))
    params = trace_params(index.config, documents=len(docs), candidates=len(pairs), max_df=max_df)
    counts = prepared.words if prepared.words is not None else [len(t) for t in prepared.tokens]
    words = {d.id: int(w) for d, w in zip(docs, counts)}
    result = finish(prepared, verified, index.config, boilerplate, words=words, params=params, progress=progress)
    return result, report


def check_index(index: "Index") -> list[str]:
    """Problems found by recomputing every stored key from the stored texts (empty: consistent).

    Checks that each document has all its postings and no posting or pair
    points to a missing document, that shingle frequencies equal a recount,
    and that the document count is right: what a crash must never break.
    """
    with index.store.snapshot():
        docs = index.store.documents(index.store.all_seqs())
        bands, fps, df = index.store.postings()
        pairs = list(index.store.all_pairs())
        count = index.count()
    problems = []
    want_bands, want_fps, want_df = set(), set(), {}
    for seq, d in docs.items():
        keys = document_keys(d.document, index.config)
        if keys.digest != d.digest or not np.array_equal(keys.unique, d.shingles):
            problems.append(f"{d.document.id}: stored shingles or digest differ from its text")
        want_bands |= {(k, seq) for k in keys.bands.tolist()}
        want_fps |= {(h, seq) for h in keys.fingerprints.tolist()}
        for h in d.shingles.tolist():
            want_df[h] = want_df.get(h, 0) + 1
    if set(bands) != want_bands:
        problems.append(f"band postings: {len(set(bands) ^ want_bands)} differ from a recount")
    if set(fps) != want_fps:
        problems.append(f"fingerprint postings: {len(set(fps) ^ want_fps)} differ from a recount")
    if df != want_df:
        problems.append(f"shingle frequencies: {len(set(df.items()) ^ set(want_df.items()))} differ from a recount")
    if count != len(docs):
        problems.append(f"document count {count} but {len(docs)} documents stored")
    problems += [f"pair {p.a}-{p.b} names a missing document" for p in pairs if p.a not in docs or p.b not in docs]
    return problems
