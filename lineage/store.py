"""Storage behind a persistent index: one small interface, two backends.

An index keeps, per document, what candidate generation needs (LSH band keys
and sampled shingle fingerprints, as posting lists), what verification needs
(the text and metadata, plus the sorted unique shingle hashes for witnesses
and boilerplate checks), the corpus-wide document frequency of every shingle,
every verified pair, and the live lineage (parent and cluster per document).
:class:`Store` is the set of operations :mod:`lineage.index` needs; it knows
nothing about alignment or direction.

Backends: :class:`~lineage.store_sqlite.SqliteStore` (an embedded file, WAL
mode: readers never wait for the writer) and
:class:`~lineage.store_redis.RedisStore` (a shared server; every write is one
MULTI/EXEC transaction). :func:`open_store` picks one from a location.

Writes happen only inside :meth:`Store.transaction`: all of them become
visible together or, after a crash, not at all.

>>> s = open_store(":memory:", create=True)
>>> with s.transaction():
...     s.put_meta({"format": "1"})
>>> s.get_meta()["format"]
'1'
>>> to_signed(np.array([2**64 - 1], dtype=np.uint64)).tolist(), to_unsigned([-1]).tolist()
([-1], [18446744073709551615])
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Iterable, Iterator, Sequence

import numpy as np

from lineage.errors import LineageError
from lineage.model import Document

FORMAT = "2"  # bump when the stored layout changes; an index of another format is refused (2: binary Redis postings)


class StoreError(LineageError):
    """The index store cannot be opened or used (missing file, unreachable server, wrong format)."""


class WriteConflict(Exception):
    """Another writer committed first; the caller recomputes and retries (Redis optimistic locking)."""


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """One indexed document as kept by a store.

    ``seq`` is the store's own number for the document (posting lists hold it),
    given in the order documents were added. ``shingles`` holds the sorted
    unique shingle hashes (empty when they were not asked for).
    """

    seq: int
    document: Document
    digest: str
    words: int
    shingles: np.ndarray
    parent: str | None = None
    cluster: str | None = None


@dataclass(frozen=True, slots=True)
class StoredPair:
    """A candidate pair that was verified, keyed by the seqs of its two documents.

    ``a`` is the smaller seq, ``b`` the larger. ``context`` fingerprints the
    boilerplate shingles of the two documents when the pair was verified (see
    :func:`context_digest`); ``verified`` is the JSON of the
    :class:`~lineage.model.Verified` result (None when the pair shares
    nothing); ``edge`` is the JSON of the oriented edge on the live lineage.
    """

    a: int
    b: int
    context: bytes
    verified: str | None
    relation: str | None
    edge: str | None = None


class Store(ABC):
    """The operations an index needs from its storage."""

    location: str = ""
    read_your_writes: bool = True  # reads inside a transaction see its own writes

    # ---- lifecycle and metadata -------------------------------------------------
    @abstractmethod
    def close(self) -> None:
        """Release connections; the store is unusable afterwards."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: every write inside commits together, or none does.

        May raise :class:`WriteConflict` on exit when a concurrent writer won.
        """

    def snapshot(self) -> AbstractContextManager[None]:
        """Reads inside see one consistent state (SQLite: one WAL snapshot; Redis: best effort)."""
        return nullcontext()

    @abstractmethod
    def get_meta(self) -> dict[str, str]:
        """The index's key/value metadata (format, config, counters)."""

    @abstractmethod
    def put_meta(self, values: dict[str, str]) -> None:
        """Set metadata keys (inside a transaction)."""

    # ---- documents ----------------------------------------------------------------
    @abstractmethod
    def seqs_of(self, ids: Iterable[str]) -> dict[str, int]:
        """The seq of each given id that is indexed."""

    @abstractmethod
    def documents(self, seqs: Iterable[int], *, text: bool = True, shingles: bool = True) -> dict[int, StoredDocument]:
        """Stored documents by seq; ``text=False`` leaves the text empty, ``shingles=False`` the hashes."""

    @abstractmethod
    def all_seqs(self) -> list[int]:
        """Every indexed seq, ascending."""

    @abstractmethod
    def insert_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        """Add a document with its band keys and fingerprints (uint64 arrays)."""

    @abstractmethod
    def delete_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        """Remove a document, its postings and every pair touching it."""

    # ---- candidate generation -----------------------------------------------------------
    @abstractmethod
    def band_members(self, keys: np.ndarray) -> set[int]:
        """Seqs of the documents sharing at least one of these LSH band keys."""

    @abstractmethod
    def fingerprint_members(self, hashes: np.ndarray) -> np.ndarray:
        """Seqs holding each fingerprint, concatenated (a seq repeats once per shared fingerprint)."""

    @abstractmethod
    def postings_of(self, kind: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every ``(key, seq)`` posting of these keys, as a uint64 and an int64 array.

        ``kind`` is ``"band"`` (LSH band keys) or ``"fingerprint"``; one call
        serves a whole batch of new documents (one round trip, not one per key).
        """

    @abstractmethod
    def frequencies(self, hashes: np.ndarray) -> np.ndarray:
        """Document frequency (int64) of each shingle hash, 0 for unseen ones."""

    @abstractmethod
    def add_frequencies(self, hashes: np.ndarray, delta: int | np.ndarray, floor: int,
                        before: np.ndarray | None = None) -> None:
        """Add ``delta`` to the frequency of each hash (unique); keep the heavy list above ``floor``.

        ``delta`` is one number for every hash (+1 or -1 per document) or one
        per hash (a batch of documents). ``before``, when the caller already
        read the current frequencies inside this transaction, saves reading
        them again.
        """

    @abstractmethod
    def heavy(self, above: int) -> np.ndarray:
        """Sorted hashes whose frequency exceeds ``above`` (``above`` is at least the floor)."""

    # ---- pairs and lineage ------------------------------------------------------------------
    @abstractmethod
    def pairs_of(self, seqs: Iterable[int]) -> list[StoredPair]:
        """Every stored pair with at least one end in ``seqs``."""

    @abstractmethod
    def all_pairs(self) -> Iterator[StoredPair]:
        """Every stored pair."""

    @abstractmethod
    def put_pairs(self, pairs: Sequence[StoredPair]) -> None:
        """Insert or replace pairs (verification and edge)."""

    @abstractmethod
    def set_edges(self, edges: Sequence[tuple[int, int, str | None]]) -> None:
        """Replace the oriented edge JSON of existing pairs ``(a, b, edge)``."""

    @abstractmethod
    def set_lineage(self, changes: Sequence[tuple[int, str | None, str | None, str | None]]) -> None:
        """Set ``(seq, parent, cluster, previous cluster)`` for documents."""

    @abstractmethod
    def cluster_members(self, label: str) -> list[int]:
        """Seqs of the documents whose cluster is ``label``."""

    @abstractmethod
    def dirty(self) -> list[str]:
        """Cluster labels whose lineage awaits recomputation."""

    @abstractmethod
    def mark_dirty(self, labels: Iterable[str], dirty: bool = True) -> None:
        """Mark (or unmark) clusters as awaiting recomputation."""

    @abstractmethod
    def counts(self) -> dict[str, int]:
        """Sizes for ``lineage index stats``: documents, pairs, shingles, heavy, dirty."""

    @abstractmethod
    def relation_counts(self) -> dict[str, int]:
        """Verified related pairs by relation (``near-duplicate``, ``derived``, ...)."""

    def size_bytes(self) -> int:
        """Bytes the index occupies (file or server memory), 0 when unknown."""
        return 0

    @abstractmethod
    def postings(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[int, int]]:
        """Every ``(band key, seq)``, ``(fingerprint, seq)`` and the frequency table (for checks)."""


def open_store(location: str, name: str | None = None, *, create: bool = False) -> Store:
    """Open the store at ``location``: a SQLite file path, or a ``redis://`` URL with index ``name``.

    Raises :class:`StoreError` when a SQLite file is missing and ``create`` is
    false, or the Redis server cannot be reached.
    """
    if location.startswith(("redis://", "rediss://", "unix://")):
        from lineage.store_redis import RedisStore

        return RedisStore(location, name or "lineage", create=create)
    from lineage.store_sqlite import SqliteStore

    return SqliteStore(location, create=create)


def to_signed(values: np.ndarray) -> np.ndarray:
    """uint64 hashes as int64 (the same bits), for databases that store signed integers."""
    return np.asarray(values, dtype=np.uint64).view(np.int64)


def to_unsigned(values: Sequence[int] | np.ndarray) -> np.ndarray:
    """int64 values read back from a database as the uint64 hashes they encode."""
    return np.asarray(values, dtype=np.int64).view(np.uint64)


def pack_hashes(values: np.ndarray) -> bytes:
    """A sorted uint64 array as little-endian bytes."""
    return np.asarray(values, dtype="<u8").tobytes()


def unpack_hashes(data: bytes | None) -> np.ndarray:
    """The inverse of :func:`pack_hashes`."""
    if not data:
        return np.zeros(0, dtype=np.uint64)
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)


def context_digest(boilerplate: np.ndarray, a: np.ndarray, b: np.ndarray) -> bytes:
    """A 16-byte digest of the boilerplate shingles found in either of two documents.

    Verification and orientation see the corpus only through this intersection,
    so a stored verification stays valid exactly while its digest is unchanged.

    >>> h = lambda *v: np.array(v, dtype=np.uint64)
    >>> context_digest(h(5, 9), h(1, 5), h(2)) == context_digest(h(5), h(5), h())
    True
    """
    boilerplate = np.asarray(boilerplate, dtype=np.uint64)
    if len(boilerplate) == 0:
        return _NOTHING
    # boilerplate is short and a, b are sorted: look each boilerplate hash up instead of merging a and b
    seen = boilerplate[_contains(a, boilerplate) | _contains(b, boilerplate)]
    return hashlib.blake2b(pack_hashes(np.unique(seen)), digest_size=16).digest()


def _contains(values: np.ndarray, probes: np.ndarray) -> np.ndarray:
    """Whether each probe occurs in the sorted array ``values``."""
    values = np.asarray(values, dtype=np.uint64)
    if len(values) == 0:
        return np.zeros(len(probes), dtype=bool)
    at = np.minimum(np.searchsorted(values, probes), len(values) - 1)
    return values[at] == probes


_NOTHING = hashlib.blake2b(b"", digest_size=16).digest()


def document_digest(doc: Document) -> str:
    """Identity of a document's content: text and metadata (not the path it was read from).

    >>> document_digest(Document("a", "x", "p1")) == document_digest(Document("a", "x", "p2"))
    True
    """
    body = json.dumps([doc.text, doc.title, doc.outlet, doc.url, doc.published], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def document_to_json(doc: Document) -> str:
    """The document's fields as JSON (stores keep documents this way)."""
    return json.dumps(
        {"id": doc.id, "text": doc.text, "path": doc.path, "title": doc.title, "outlet": doc.outlet,
         "url": doc.url, "published": doc.published},
        ensure_ascii=False,
    )


def document_from_json(data: str, *, text: bool = True) -> Document:
    """The inverse of :func:`document_to_json` (``text=False`` drops the text)."""
    f = json.loads(data)
    return Document(id=f["id"], text=f["text"] if text else "", path=f["path"], title=f["title"],
                    outlet=f["outlet"], url=f["url"], published=f["published"])
