"""What the index tells about one document: its live lineage, as a value and as JSON.

Used by ``lineage index query``, ``lineage dedup --index`` and ``lineage
serve``; edges are written exactly like ``edges[]`` in lineage.json.

>>> from lineage.model import LineageEdge
>>> e = LineageEdge("a", "b", "near-duplicate", "forward", 0.9, 0.95, 0.97, 0.98, (), ("b repeats a",))
>>> edge_json(e)["containment"]
{'source_in_target': 0.97, 'target_in_source': 0.98}
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lineage.export import edge_json
from lineage.index_codec import loads
from lineage.model import Document, LineageEdge

if TYPE_CHECKING:
    from lineage.pipeline import TraceResult
    from lineage.store import Store, StoredDocument


@dataclass(frozen=True)
class DocumentLineage:
    """One document's place in the lineage: parent, cluster, the pairs it is in."""

    id: str
    document: Document  # metadata; the text is left out
    words: int
    parent: str | None
    cluster: str | None
    duplicate_of: str | None  # the earliest-indexed near-duplicate indexed before it
    edges: tuple[LineageEdge, ...]
    members: tuple[tuple[str, str | None], ...] = ()  # (id, parent) of its cluster, when asked for
    indexed: bool = True
    stale: bool = False  # its cluster's lineage awaits recomputation
    moved: tuple[tuple[str, str | None, str | None], ...] = field(default=())  # query: (id, parent now, would be)

    @property
    def link(self) -> LineageEdge | None:
        """The edge joining the document to its parent, else to what it duplicates."""
        other = self.parent or self.duplicate_of
        return next((e for e in self.edges if other in (e.source, e.target)), None) if other else None

    def matches(self) -> list[LineageEdge]:
        """Related pairs, copies first, strongest first."""
        return sorted(self.edges, key=lambda e: (e.relation == "quote-only", -e.shared_words, e.source, e.target))

    def to_json(self) -> dict[str, object]:
        d = self.document
        link = self.link
        out: dict[str, object] = {
            "id": self.id,
            "indexed": self.indexed,
            "title": d.title, "outlet": d.outlet, "url": d.url, "published": d.published, "path": d.path,
            "words": self.words,
            "parent": self.parent,
            "cluster": self.cluster,
            "duplicate_of": self.duplicate_of,
            "relation": link.relation if link else None,
            "confidence": round(link.confidence, 4) if link else None,
            "stale": self.stale,
            "matches": [edge_json(e) for e in self.matches()],
        }
        if self.members:
            out["members"] = [{"id": m, "parent": p} for m, p in self.members]
        if self.moved:
            out["reparented"] = [{"id": m, "parent": old, "would_be": new} for m, old, new in self.moved]
        return out

    @classmethod
    def preview(cls, doc: Document, words: int, result: "TraceResult", extra: list[LineageEdge],
                docs: dict[int, "StoredDocument"]) -> "DocumentLineage":
        """The lineage ``doc`` would have once added (seq -1 in ``docs``), from its cluster's recomputation."""
        seq_of = {s.document.id: seq for seq, s in docs.items()}
        edges = tuple(e for e in result.edges if doc.id in (e.source, e.target)) + tuple(extra)
        cluster_of = {m: group for group in result.clusters for m in group}
        group = cluster_of.get(doc.id, [])
        stored_seqs = [seq_of[m] for m in group if seq_of[m] >= 0]
        label = docs[min(stored_seqs)].document.id if stored_seqs else (doc.id if group else None)
        near = [seq_of[other] for e in edges if e.relation == "near-duplicate"
                for other in (e.source, e.target) if other != doc.id and other in seq_of]
        moved = tuple((m, docs[seq_of[m]].parent, result.parents.get(m)) for m in group
                      if m != doc.id and docs[seq_of[m]].parent != result.parents.get(m))
        return cls(id=doc.id, document=_without_text(doc), words=words, parent=result.parents.get(doc.id),
                   cluster=label, duplicate_of=docs[min(near)].document.id if near else None, edges=edges,
                   members=tuple((m, result.parents.get(m)) for m in group), indexed=False, moved=moved)


def _without_text(doc: Document) -> Document:
    return Document(doc.id, "", doc.path, doc.title, doc.outlet, doc.url, doc.published)


def document_lineage(store: "Store", doc_id: str, *, members: bool = False) -> DocumentLineage | None:
    """The stored live lineage of ``doc_id`` (None when it is not indexed)."""
    seq = store.seqs_of([doc_id]).get(doc_id)
    if seq is None:
        return None
    row = store.documents([seq], text=False, shingles=False)[seq]
    pairs = store.pairs_of([seq])
    edges = tuple(sorted((loads(LineageEdge, p.edge) for p in pairs if p.edge), key=lambda e: (e.source, e.target)))
    near = [p.a if p.b == seq else p.b for p in pairs if p.relation == "near-duplicate"]
    earlier = [s for s in near if s < seq]
    duplicate_of = store.documents([min(earlier)], text=False, shingles=False)[min(earlier)].document.id \
        if earlier else None
    stale = any(p.relation is not None and p.edge is None for p in pairs) or (
        row.cluster is not None and row.cluster in store.dirty())
    group: tuple[tuple[str, str | None], ...] = ()
    if members and row.cluster is not None:
        rows = store.documents(store.cluster_members(row.cluster), text=False, shingles=False)
        group = tuple(sorted((r.document.id, r.parent) for r in rows.values()))
    return DocumentLineage(id=doc_id, document=row.document, words=row.words, parent=row.parent,
                           cluster=row.cluster, duplicate_of=duplicate_of, edges=edges, members=group, stale=stale)


@dataclass
class ExportReport:
    """How an export was assembled: verifications reused from the index or made afresh."""

    documents: int = 0
    candidates: int = 0  # pairs trace's candidate stage proposes over the whole corpus
    indexed_pairs: int = 0  # pairs the index verified while documents were added
    reused: int = 0  # candidates whose stored verification had unchanged inputs
    verified: int = 0  # candidates verified during the export (new boilerplate, or never proposed live)

    def describe(self) -> str:
        return (f"{self.documents} documents, {self.candidates} candidate pairs: {self.reused} verifications reused "
                f"from the index, {self.verified} made now")
