"""A persistent index: add documents one at a time, match each against everything indexed.

Adding a document runs trace's own stages on it: :func:`lineage.pipeline.prepare`
(tokens, shingles), the same MinHash signature and the same two candidate
rules as :func:`lineage.candidates.candidate_pairs` (an LSH band in common, or
at least ``min_shared`` shared fingerprints that are not boilerplate), then
:func:`lineage.pipeline.verify_pair` on every candidate. The verified pairs are
stored; the lineage of the cluster the document joins (merging clusters it
links) is then recomputed with :func:`lineage.index_lineage.finish`, the stages
trace runs after verification, so a late-arriving original re-parents its
copies.

What is guaranteed (``tests/test_index.py`` checks each):

* ``export`` equals :func:`lineage.pipeline.trace` on the indexed documents with
  the index's configuration: the same lineage.json, edges, relations,
  confidences, parents and params, whatever the order and batching of adds.
  Export runs trace's own candidate stage on the whole corpus (document
  frequencies, and so boilerplate and ``max_df``, can only be known then) and
  reuses a stored verification only when all of its inputs are unchanged
  (:mod:`lineage.index_lineage`); the rest is verified afresh.
* When a document is added (or queried), its candidates and verifications are
  exactly those trace would make for it over the documents indexed at that
  moment (plus it): document frequencies are kept for every shingle.
* The live lineage of a cluster is what trace's post-verification stages give
  over that cluster alone, as of the last time the cluster changed (its pairs
  re-verified where boilerplate moved). It can differ from ``export`` where
  direction uses evidence from the rest of the corpus (site templates: text in
  three or more unrelated clusters), or where later documents moved
  boilerplate (a shingle crossing ``max_df``, or ``max_df`` growing with the
  corpus) in a cluster that has not changed since.
* Adding a document already indexed (same id and content) changes nothing; the
  same id with other content is refused. Every document is added in one
  transaction (with up to 255 others, :data:`TRANSACTION_DOCS`): a crash
  leaves it entirely in or entirely out.

>>> import tempfile, os
>>> from lineage.model import Document
>>> story = " ".join(f"Sentence {n} of the wire story says the talks went on." for n in range(40))
>>> index = Index.open(os.path.join(tempfile.mkdtemp(), "x.db"), create=True)
>>> [o.status for o in index.add([Document("a", story, "a.txt"), Document("b", story[:300], "b.txt")])]
['added', 'added']
>>> view = index.lineage("b")
>>> view.parent, view.edges[0].relation
('a', 'derived')
>>> index.close()
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence, TypeVar

import numpy as np

from lineage.errors import ConfigError
from lineage.graph import COPY_RELATIONS
from lineage.index_codec import dumps, encode, loads
from lineage.index_batch import add_batch
from lineage.index_export import check_index, export_index
from lineage.index_keys import DocumentKeys, document_keys
from lineage.index_lineage import (
    RUNTIME_ONLY,
    SingleCache,
    combine,
    finish,
    prepared_view,
    quiet,
)
from lineage.index_view import DocumentLineage, ExportReport, document_lineage
from lineage.model import Document, LineageEdge, Verified
from lineage.pipeline import (
    Config,
    Prepared,
    TraceResult,
    orient,
    verify_pair,
)
from lineage.store import (
    FORMAT,
    Store,
    StoredDocument,
    StoredPair,
    StoreError,
    WriteConflict,
    context_digest,
    open_store,
)

T = TypeVar("T")
# Documents per write transaction: large enough that a batch's reads and writes are a few round trips,
# small enough that the write lock is held for seconds, not minutes (readers never wait on it).
TRANSACTION_DOCS = 256
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class AddOutcome:
    """What became of one document given to :meth:`Index.add`."""

    id: str
    status: str  # added | unchanged (already indexed, same content) | conflict (same id, other content)
    related: int = 0  # verified related pairs found when it was added


@dataclass
class _Match:
    boilerplate: np.ndarray
    candidates: dict[int, StoredDocument]
    pairs: list[StoredPair]


class Index:
    """Documents, their verified pairs and their live lineage, in a :class:`~lineage.store.Store`."""

    def __init__(self, store: Store, config: Config, *, cache: int = 8192) -> None:
        self.store, self.config = store, config
        # effective_max_df never goes below its value for an empty corpus: shingles at or under
        # it can never be boilerplate, so only those above it are kept in the store's heavy list.
        self.floor = config.effective_max_df(0)
        self._singles = SingleCache(config, cache)  # prepared candidates, reused across adds
        # live matching orients one cluster at a time, in this process: no worker pool per cluster
        # (and no fork inside a threaded server); export orients the whole corpus on config.workers
        self._inline = replace(config, workers=1)

    # ---- opening --------------------------------------------------------------------------------
    @classmethod
    def open(cls, location: str, name: str | None = None, *, create: bool = False,
             settings: dict[str, object] | None = None, cache: int = 8192) -> "Index":
        """Open (or with ``create``, make) the index at ``location``.

        ``settings`` are :class:`Config` fields: a new index is built with them;
        for an existing one they must equal what it was built with.
        """
        import os

        initialise = create  # a store without index metadata is made an index only when asked to
        if create and not location.startswith(("redis://", "rediss://", "unix://")):
            create = not os.path.exists(location)
        store = open_store(location, name, create=create)
        meta = store.get_meta()
        settings = dict(settings or {})
        if "format" not in meta and not initialise:
            # e.g. a reader opening a file that an `index add` has just created: writing the
            # reader's (default) settings here would make the writer's own settings "differ"
            store.close()
            raise StoreError(f"{store.location} holds no lineage index (yet)",
                             fix="wait for the command creating it to finish, or create it with `lineage index add`")
        if "format" not in meta:
            config = Config(**settings)  # type: ignore[arg-type]
            with store.transaction():
                store.put_meta({"format": FORMAT, "config": dumps(config), "count": "0", "next_seq": "1"})
            return cls(store, config, cache=cache)
        if meta["format"] != FORMAT:
            store.close()
            raise StoreError(f"{store.location} has index format {meta['format']}, this version reads {FORMAT}",
                             fix="rebuild the index with this version")
        config = loads(Config, meta["config"])
        runtime = {k: settings.pop(k) for k in RUNTIME_ONLY if k in settings}
        config = replace(config, **runtime)  # e.g. workers: how to run, not what the index holds
        differ = [f"--{k.replace('_', '-')} {getattr(config, k)!r} (not {v!r})" for k, v in settings.items()
                  if getattr(config, k) != v]
        if differ:
            store.close()
            raise ConfigError(f"{store.location} was built with {', '.join(differ)}",
                              fix="leave those options out, or build a new index")
        return cls(store, config, cache=cache)

    def close(self) -> None:
        self.store.close()

    def _write(self, work: Callable[[], T]) -> T:
        """Run ``work`` in a write transaction, again from scratch if another writer won (Redis)."""
        for attempt in range(100):
            try:
                with self.store.transaction():
                    return work()
            except WriteConflict:
                time.sleep(random.uniform(0, 0.01 * min(attempt + 1, 20)))
        raise StoreError("gave up after 100 write conflicts", fix="fewer concurrent writers")

    def count(self) -> int:
        return int(self.store.get_meta().get("count", 0))

    # ---- matching --------------------------------------------------------------------------------
    def _single(self, stored: StoredDocument) -> Prepared:
        return self._singles.get((stored.seq, stored.digest), stored.document, stored.shingles)

    def _match(self, doc: Document, keys: DocumentKeys, own: int, n_after: int) -> _Match:
        """Candidates and verified pairs of ``doc`` (seq ``own``) in a corpus of ``n_after`` documents."""
        cfg, store, unique = self.config, self.store, keys.unique
        max_df = cfg.effective_max_df(n_after)
        df = store.frequencies(unique) + 1  # counting the new document itself
        boilerplate = np.union1d(np.setdiff1d(store.heavy(max_df), unique, assume_unique=True), unique[df > max_df])
        usable = keys.fingerprints[df[np.searchsorted(unique, keys.fingerprints)] <= max_df]
        seqs, shared = np.unique(store.fingerprint_members(usable), return_counts=True)
        found = set(seqs[shared >= cfg.min_shared].tolist()) | store.band_members(keys.bands)
        found.discard(own)
        candidates = {s: d for s, d in store.documents(found).items() if d.document.id != doc.id}
        return _Match(boilerplate, candidates, self._verify(keys, own, candidates, boilerplate))

    def _verify(self, keys: DocumentKeys, own: int, candidates: dict[int, StoredDocument],
                boilerplate: np.ndarray) -> list[StoredPair]:
        """Verify a new document (seq ``own``) against its candidates; the pairs to store, by seq."""
        cfg, unique = self.config, keys.unique
        pairs: list[StoredPair] = []
        apart: list[tuple[int, Verified, Prepared]] = []  # pairs that are not copies
        for seq in sorted(candidates):
            other = candidates[seq]
            single = self._single(other)
            v = verify_pair(combine([keys.prepared, single]), 0, 1, cfg, boilerplate)
            if v is not None and v.relation not in COPY_RELATIONS:
                apart.append((len(pairs), v, single))
            pairs.append(StoredPair(min(own, seq), max(own, seq), context_digest(boilerplate, unique, other.shingles),
                                    dumps(v) if v else None, v.relation if v else None, None))
        if apart:
            # Not copies, so never on a cluster's tree: oriented here, once, all in one call.
            group = combine([keys.prepared] + [single for _, _, single in apart])
            listed = [replace(v, i=0, j=k) if v.i == 0 else replace(v, i=k, j=0)
                      for k, (_, v, _) in enumerate(apart, start=1)]
            for (at, _, _), edge in zip(apart, orient(group, listed, self._inline, boilerplate, quiet)):
                pairs[at] = replace(pairs[at], edge=dumps(edge))
        return pairs

    def _recompute(self, docs: dict[int, StoredDocument], pairs: Sequence[StoredPair], boilerplate: np.ndarray,
                   n_docs: int) -> tuple[TraceResult, list[StoredPair]]:
        """The lineage of ``docs`` from their pairs, re-verifying pairs whose boilerplate changed."""
        order = sorted(docs.values(), key=lambda s: s.document.id)
        pos = {s.seq: k for k, s in enumerate(order)}
        view = prepared_view([s.document for s in order], [s.shingles for s in order], self.config,
                             single=lambda i: self._single(order[i]))
        verified: list[Verified] = []
        updated: list[StoredPair] = []
        for p in pairs:
            if p.a not in pos or p.b not in pos:
                continue
            i, j = sorted((pos[p.a], pos[p.b]))
            ctx = context_digest(boilerplate, docs[p.a].shingles, docs[p.b].shingles)
            if ctx != p.context:
                v = verify_pair(view, i, j, self.config, boilerplate)
                updated.append(StoredPair(p.a, p.b, ctx, dumps(v) if v else None, v.relation if v else None, None))
            else:
                v = replace(loads(Verified, p.verified), i=i, j=j) if p.verified else None
            if v is not None:
                verified.append(v)
        verified.sort(key=lambda v: (v.i, v.j))
        words = {s.document.id: s.words for s in order}
        return finish(view, verified, self._inline, boilerplate, words=words, params={"documents": n_docs}), updated

    # ---- writing -------------------------------------------------------------------------------------
    def add(self, docs: Iterable[Document], *, batch: int = 64, progress: Progress = quiet) -> list[AddOutcome]:
        """Add documents (idempotent per id and content); lineage is recomputed after every ``batch``.

        Each transaction adds up to :data:`TRANSACTION_DOCS` documents with
        :func:`lineage.index_batch.add_batch`, which matches every document
        exactly as a one-at-a-time add would; only the lineage recomputation
        waits for the end of the batch.
        """
        docs = list(docs)
        outcomes: list[AddOutcome] = []
        per_txn = min(batch, TRANSACTION_DOCS)
        for start in range(0, len(docs), batch):
            chunk = docs[start : start + batch]
            keys = [document_keys(d, self.config) for d in chunk]
            for k in range(0, len(chunk), per_txn):
                part = list(zip(chunk[k : k + per_txn], keys[k : k + per_txn]))
                outcomes += self._write(lambda part=part: add_batch(self, part))
                progress("index", len(outcomes), len(docs))
            self.refresh()
        return outcomes

    def refresh(self) -> int:
        """Recompute the lineage of every cluster that changed; the number recomputed."""
        done = 0
        for label in self.store.dirty():
            done += self._write(lambda label=label: self._refresh_one(label))
        return done

    def _refresh_one(self, label: str) -> int:
        store = self.store
        if label not in store.dirty():  # another writer got there first
            return 0
        docs = store.documents(store.cluster_members(label))
        pairs = [p for p in store.pairs_of(docs) if p.a in docs and p.b in docs]
        n = self.count()
        result, updated = self._recompute(docs, pairs, store.heavy(self.config.effective_max_df(n)), n)
        store.put_pairs(updated)
        seq_of = {d.document.id: s for s, d in docs.items()}
        new_label: dict[str, str] = {}
        for group in result.clusters:
            head = min(group, key=seq_of.__getitem__)
            new_label.update((m, head) for m in group)
        now = {s: (result.parents.get(d.document.id), new_label.get(d.document.id)) for s, d in docs.items()}
        store.set_lineage([(s, *now[s], d.cluster) for s, d in docs.items() if (d.parent, d.cluster) != now[s]])
        edges: dict[tuple[int, int], str] = {}
        for e in result.edges:
            a, b = seq_of[e.source], seq_of[e.target]
            edges[(min(a, b), max(a, b))] = dumps(e)
        current = {(p.a, p.b): p.edge for p in pairs} | {(p.a, p.b): None for p in updated}
        store.set_edges([(a, b, edges.get((a, b))) for (a, b), old in current.items() if edges.get((a, b)) != old])
        store.mark_dirty([label], dirty=False)
        store.mark_dirty(sorted(set(new_label.values()) & set(store.dirty())), dirty=False)
        return 1

    def remove(self, ids: Iterable[str]) -> list[str]:
        """Remove documents by id; the ids that were indexed. Their clusters' lineage is recomputed."""
        removed = [doc_id for doc_id in ids if self._write(lambda doc_id=doc_id: self._remove_one(doc_id))]
        self.refresh()
        return removed

    def _remove_one(self, doc_id: str) -> bool:
        store = self.store
        seq = store.seqs_of([doc_id]).get(doc_id)
        if seq is None:
            return False
        row = store.documents([seq])[seq]
        keys = document_keys(row.document, self.config)
        store.delete_document(row, keys.bands, keys.fingerprints)
        store.add_frequencies(row.shingles, -1, self.floor)
        if row.cluster is not None:
            store.mark_dirty([row.cluster])
        store.put_meta({"count": str(self.count() - 1)})
        return True

    # ---- reading -----------------------------------------------------------------------------------------
    def lineage(self, doc_id: str, *, members: bool = False) -> DocumentLineage | None:
        """The live lineage of an indexed document, or None when ``doc_id`` is not indexed."""
        with self.store.snapshot():
            return document_lineage(self.store, doc_id, members=members)

    def query(self, doc: Document) -> DocumentLineage:
        """Match ``doc`` against the index and preview its lineage, without adding it."""
        keys = document_keys(doc, self.config)
        with self.store.snapshot():
            seq = self.store.seqs_of([doc.id]).get(doc.id)
            if seq is not None and self.store.documents([seq], text=False, shingles=False)[seq].digest == keys.digest:
                return document_lineage(self.store, doc.id, members=True)  # type: ignore[return-value]
            n = self.count()
            match = self._match(doc, keys, -1, n + 1)
            partners = {p.b: match.candidates[p.b] for p in match.pairs if p.relation in COPY_RELATIONS}
            docs = dict(partners)
            for label in {p.cluster for p in partners.values() if p.cluster is not None}:
                docs.update(self.store.documents(self.store.cluster_members(label)))
            docs[-1] = StoredDocument(-1, doc, keys.digest, keys.words, keys.unique)
            pairs = [p for p in self.store.pairs_of(docs) if p.a in docs and p.b in docs] + match.pairs
            result, _ = self._recompute(docs, pairs, match.boilerplate, n + 1)
            extra = [loads(LineageEdge, p.edge) for p in match.pairs if p.edge and p.b not in docs]
        return DocumentLineage.preview(doc, keys.words, result, extra, docs)

    def stats(self) -> dict[str, object]:
        """Sizes, relations and configuration of the index."""
        counts = self.store.counts()
        return {
            "store": self.store.location,
            **counts,
            "relations": self.store.relation_counts(),
            "max_df_effective": self.config.effective_max_df(counts["documents"]),
            "bytes": self.store.size_bytes(),
            "config": encode(self.config),
        }

    def check(self) -> list[str]:
        """Problems found by recomputing every stored key from the stored texts (empty: consistent)."""
        return check_index(self)

    def export(self, progress: Progress = quiet) -> tuple[TraceResult, ExportReport]:
        """The lineage of every indexed document, equal to trace's on the same documents."""
        return export_index(self, progress)
