"""Adding many documents in one transaction, exactly as if they were added one at a time.

:meth:`lineage.index.Index.add` hands each transaction's documents to
:func:`add_batch`. It reads the store once for the whole batch (postings,
document frequencies, heavy shingles, candidate documents) and keeps what the
earlier documents of the batch changed in memory, so document ``i`` is matched
against exactly what a one-at-a-time add would see: the indexed documents and
the ones before it in the batch, with the document frequencies and
boilerplate as of its arrival. Clusters are merged in the same order with the
same rule (:meth:`Batch.merge`), and everything is written at the end: one
round of writes per batch instead of one per document and per shingle. So
what is stored never depends on how the documents were split into
transactions (``tests/test_index.py`` compares batch sizes).

>>> import numpy as np
>>> before_in_batch([np.array([1, 5], dtype=np.uint64), np.array([5, 9], dtype=np.uint64)],
...                 np.array([1, 5, 9], dtype=np.uint64))[1].tolist()
[1, 0]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

import numpy as np

from lineage.graph import COPY_RELATIONS
from lineage.index_keys import DocumentKeys
from lineage.model import Document
from lineage.store import StoredDocument, StoredPair

if TYPE_CHECKING:  # pragma: no cover
    from lineage.index import AddOutcome, Index

_EMPTY = np.zeros(0, dtype=np.uint64)


def before_in_batch(sets: Sequence[np.ndarray], union: np.ndarray) -> list[np.ndarray]:
    """For each set, how many earlier sets hold each of its hashes (``union``: all hashes, sorted)."""
    counts = np.zeros(len(union), dtype=np.int64)
    out = []
    for values in sets:
        at = np.searchsorted(union, values)
        out.append(counts[at].copy())
        counts[at] += 1
    return out


@dataclass
class Batch:
    """What the documents added so far in this transaction changed: seqs, clusters, dirty marks."""

    index: "Index"
    ids: dict[str, tuple[int, str]] = field(default_factory=dict)  # id -> (seq, digest), added in this batch
    docs: dict[int, StoredDocument] = field(default_factory=dict)  # every document read or added
    cluster: dict[int, str | None] = field(default_factory=dict)  # current cluster of docs whose cluster is known
    members: dict[str, set[int]] = field(default_factory=dict)  # cluster label -> seqs, once read
    label_seqs: dict[str, int] = field(default_factory=dict)
    dirty: dict[str, bool] = field(default_factory=dict)  # last mark per label

    def cluster_of(self, seq: int) -> str | None:
        return self.cluster[seq] if seq in self.cluster else self.docs[seq].cluster

    def members_of(self, label: str) -> set[int]:
        if label not in self.members:
            # read before any document of this batch joined or left the cluster, so the store is current
            self.members[label] = set(self.index.store.cluster_members(label))
            for seq in self.members[label]:
                self.cluster.setdefault(seq, label)
        return self.members[label]

    def seq_of_label(self, label: str) -> int:
        if label not in self.label_seqs:
            found = self.index.store.seqs_of([label]).get(label)
            self.label_seqs[label] = self.ids[label][0] if label in self.ids else (found if found is not None else 0)
        return self.label_seqs[label]

    def move(self, seq: int, label: str) -> None:
        old = self.cluster_of(seq)
        if old is not None:
            self.members_of(old).discard(seq)
        self.cluster[seq] = label
        self.members_of(label).add(seq)

    def merge(self, partners: list[int]) -> str:
        """Join the clusters of a new document's copy partners (as :meth:`Index._merge_clusters`)."""
        groups: dict[str | None, list[int]] = {}
        for seq in partners:
            groups.setdefault(self.cluster_of(seq), []).append(seq)
        labels = sorted(label for label in groups if label is not None)
        # a label is its cluster's earliest member, so the earliest label or loner wins
        heads = [(self.seq_of_label(label), label) for label in labels]
        heads += [(s, None) for s in groups.get(None, [])]
        first_seq, first_label = min(heads, key=lambda h: h[0])
        keep = first_label if first_label is not None else self.docs[first_seq].document.id
        moved = [s for label in labels if label != keep for s in sorted(self.members_of(label))]
        moved += groups.get(None, [])
        for s in moved:
            if self.cluster_of(s) != keep:
                self.move(s, keep)
        for label in labels:
            if label != keep:
                self.dirty[label] = False
        self.dirty[keep] = True
        return keep


def add_batch(index: "Index", part: list[tuple[Document, DocumentKeys]]) -> list["AddOutcome"]:
    """Add ``part`` inside the caller's write transaction; one outcome per document, in order."""
    from lineage.index import AddOutcome

    store, cfg = index.store, index.config
    known = store.seqs_of([d.id for d, _ in part])
    old = store.documents(known.values(), text=False, shingles=False) if known else {}
    meta = store.get_meta()
    n0, next_seq = int(meta["count"]), int(meta["next_seq"])
    batch = Batch(index)
    outcomes: list[AddOutcome | None] = []
    fresh: list[tuple[int, Document, DocumentKeys]] = []  # (seq, doc, keys) of documents to add
    at: list[int] = []  # where each fresh document's outcome goes
    for doc, keys in part:
        if doc.id in known or doc.id in batch.ids:
            digest = old[known[doc.id]].digest if doc.id in known else batch.ids[doc.id][1]
            outcomes.append(AddOutcome(doc.id, "unchanged" if digest == keys.digest else "conflict"))
            continue
        batch.ids[doc.id] = (next_seq, keys.digest)
        fresh.append((next_seq, doc, keys))
        at.append(len(outcomes))
        outcomes.append(None)
        next_seq += 1
    if not fresh:
        return outcomes  # type: ignore[return-value]

    # ---- one read of the store for the whole batch ------------------------------------------------
    uniques = [k.unique for _, _, k in fresh]
    union = np.unique(np.concatenate(uniques)) if uniques else _EMPTY
    stored_df = store.frequencies(union)
    earlier = before_in_batch(uniques, union)
    total = np.zeros(len(union), dtype=np.int64)
    for values in uniques:
        total[np.searchsorted(union, values)] += 1
    max_dfs = [cfg.effective_max_df(n0 + k + 1) for k in range(len(fresh))]
    # only these hashes can be boilerplate for some document of the batch (besides the stored heavy ones)
    rising = union[stored_df + total > min(max_dfs)]
    rising_df = stored_df[np.searchsorted(union, rising)]
    heavy = {m: np.setdiff1d(store.heavy(m), union, assume_unique=True) for m in sorted(set(max_dfs))}
    all_fps = np.unique(np.concatenate([k.fingerprints for _, _, k in fresh]))
    # a fingerprint already in more than max_df documents can never be usable
    all_fps = all_fps[stored_df[np.searchsorted(union, all_fps)] + 1 <= max(max_dfs)]
    fp_keys, fp_seqs = store.postings_of("fingerprint", all_fps)
    band_keys, band_seqs = store.postings_of("band", np.concatenate([k.bands for _, _, k in fresh]))
    fp_posts = _group(fp_keys, fp_seqs)
    band_posts = _group(band_keys, band_seqs)

    # ---- candidates of each document, as a one-at-a-time add would find them -----------------------------
    rising_seen = np.zeros(len(rising), dtype=np.int64)
    plans: list[tuple[np.ndarray, set[int]]] = []
    for (seq, doc, keys), before, max_df in zip(fresh, earlier, max_dfs):
        unique = keys.unique
        df = stored_df[np.searchsorted(union, unique)] + before + 1  # counting the new document itself
        mine = np.isin(rising, unique, assume_unique=True)
        over = rising[rising_df + rising_seen + mine > max_df]
        boilerplate = np.union1d(heavy[max_df], over)
        rising_seen += mine
        usable = keys.fingerprints[df[np.searchsorted(unique, keys.fingerprints)] <= max_df]
        shared: list[int] = []
        for h in usable.tolist():
            shared += fp_posts.get(h, ())
        seqs, counts = np.unique(np.asarray(shared, dtype=np.int64), return_counts=True)
        found = set(seqs[counts >= cfg.min_shared].tolist())
        for key in keys.bands.tolist():
            found.update(band_posts.get(key, ()))
        found.discard(seq)
        plans.append((boilerplate, found))
        for h in keys.fingerprints.tolist():
            fp_posts.setdefault(h, []).append(seq)
        for key in keys.bands.tolist():
            band_posts.setdefault(key, []).append(seq)
    first_new = fresh[0][0]
    batch.docs.update(store.documents({s for _, found in plans for s in found if s < first_new}))

    # ---- verification and clusters, document by document --------------------------------------------------
    pairs: list[StoredPair] = []
    for (seq, doc, keys), (boilerplate, found), position in zip(fresh, plans, at):
        candidates = {s: _now(batch, s) for s in found if s in batch.docs}
        candidates = {s: d for s, d in candidates.items() if d.document.id != doc.id}
        mine = index._verify(keys, seq, candidates, boilerplate)
        partners = [p.a if p.b == seq else p.b for p in mine if p.relation in COPY_RELATIONS]
        cluster = batch.merge(partners) if partners else None
        batch.docs[seq] = StoredDocument(seq, doc, keys.digest, keys.words, keys.unique, None, None)
        if cluster is not None:
            batch.cluster[seq] = cluster
            batch.members_of(cluster).add(seq)
        index._singles.put((seq, keys.digest), keys.prepared)
        pairs += mine
        outcomes[position] = AddOutcome(doc.id, "added", sum(p.relation is not None for p in mine))

    # ---- one round of writes ----------------------------------------------------------------------------------
    for seq, doc, keys in fresh:
        store.insert_document(StoredDocument(seq, doc, keys.digest, keys.words, keys.unique, None,
                                             batch.cluster_of(seq)), keys.bands, keys.fingerprints)
    changed = sorted(s for s in batch.cluster if s < first_new)
    rows = store.documents(changed, text=False, shingles=False)
    store.set_lineage([(s, r.parent, batch.cluster[s], r.cluster) for s, r in rows.items()
                       if r.cluster != batch.cluster[s]])
    store.add_frequencies(union, total, index.floor, before=stored_df)
    store.put_pairs(pairs)
    store.mark_dirty(sorted(label for label, mark in batch.dirty.items() if not mark), dirty=False)
    store.mark_dirty(sorted(label for label, mark in batch.dirty.items() if mark))
    store.put_meta({"count": str(n0 + len(fresh)), "next_seq": str(next_seq)})
    return outcomes  # type: ignore[return-value]


def _now(batch: Batch, seq: int) -> StoredDocument:
    doc = batch.docs[seq]
    cluster = batch.cluster_of(seq)
    if cluster == doc.cluster:
        return doc
    return StoredDocument(doc.seq, doc.document, doc.digest, doc.words, doc.shingles, doc.parent, cluster)


def _group(keys: np.ndarray, seqs: np.ndarray) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for key, seq in zip(keys.tolist(), seqs.tolist()):
        out.setdefault(key, []).append(seq)
    return out
