"""The embedded index store: one SQLite file in WAL mode.

WAL lets any number of readers (other processes, other threads) read a
consistent snapshot while one writer adds documents; a write transaction is
``BEGIN IMMEDIATE`` so two writers queue instead of failing half-way, and a
process killed mid-transaction leaves nothing behind (SQLite rolls the WAL
back on the next open). ``synchronous=NORMAL`` keeps that guarantee against
process crashes; only a power cut can lose the last committed transactions,
never consistency.

Hashes are stored as signed 64-bit integers (the same bits as the uint64
values); posting lists are ``WITHOUT ROWID`` tables keyed on
``(key, seq)`` so a lookup is one index range.

>>> import tempfile, os, numpy as np
>>> path = os.path.join(tempfile.mkdtemp(), "x.db")
>>> s = SqliteStore(path, create=True)
>>> with s.transaction():
...     s.add_frequencies(np.array([1, 2], dtype=np.uint64), +1, floor=50)
>>> s.frequencies(np.array([2, 3], dtype=np.uint64)).tolist()
[1, 0]
>>> s.close()
"""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterable, Iterator, Sequence

import numpy as np

from lineage.store import (
    Store,
    StoredDocument,
    StoredPair,
    StoreError,
    document_from_json,
    document_to_json,
    pack_hashes,
    to_signed,
    to_unsigned,
    unpack_hashes,
)

# Recent writes to the three big hash-keyed tables go to small twins first. Their keys are random
# hashes, so a batch of documents (~150,000 shingles) lands on nearly every page of a table that
# holds millions of rows, and each commit would copy all those pages to the WAL: commits would
# grow with the index. The twins stay small, so a commit copies few pages; once they pass
# `merge_rows` rows they are merged into the big tables in key order, one pass, in the same
# transaction. Reads look in both (frequencies add up: df_new holds increments).
RECENT = """
CREATE TABLE IF NOT EXISTS band_new(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(key, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprint_new(h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(h, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS df_new(h INTEGER PRIMARY KEY, n INTEGER NOT NULL);
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS doc(
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, digest TEXT NOT NULL, body TEXT NOT NULL,
    words INTEGER NOT NULL, shingles BLOB NOT NULL, parent TEXT, cluster TEXT);
CREATE INDEX IF NOT EXISTS doc_cluster ON doc(cluster) WHERE cluster IS NOT NULL;
CREATE TABLE IF NOT EXISTS band(key INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(key, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprint(h INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY(h, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS df(h INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS heavy(h INTEGER PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS pair(
    a INTEGER NOT NULL, b INTEGER NOT NULL, context BLOB NOT NULL, verified TEXT, relation TEXT, edge TEXT,
    PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pair_b ON pair(b);
CREATE TABLE IF NOT EXISTS dirty(cluster TEXT PRIMARY KEY);
""" + RECENT


_CHUNK = 900  # host parameters per statement, well under SQLite's limit
CACHE_KIB = 512 * 1024  # page cache per connection, an upper bound (pages are allocated as used)


def _chunks(values: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqliteStore(Store):
    """An index in one SQLite file (``:memory:`` for a private, unshared one)."""

    merge_rows = 1_500_000  # recent frequency rows (about 2,500 news stories) before a merge

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False) -> None:
        self.location = str(path)
        if self.location != ":memory:":
            if not create and not os.path.exists(self.location):
                raise StoreError(f"{self.location}: no such index",
                                 fix="create it with `lineage index add DB PATH...`, or check the path")
            parent = os.path.dirname(os.path.abspath(self.location))
            if create and not os.path.isdir(parent):
                raise StoreError(f"{parent}: no such folder for the index", fix="create the folder first")
        try:
            # isolation_level=None: we issue BEGIN/COMMIT ourselves, so a transaction spans exactly
            # the `with transaction()` block and reads outside one see the latest commit.
            self._db = sqlite3.connect(self.location, timeout=60, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=60000")
            # The frequency table holds every shingle ever seen (~600 per news story), keyed by a
            # hash, so a batch's writes land all over it: a large page cache keeps them in memory.
            self._db.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            if create:
                self._db.executescript(SCHEMA)
            elif not self._db.execute("SELECT 1 FROM sqlite_master WHERE name='doc'").fetchone():
                raise StoreError(f"{self.location}: not a lineage index", fix="give the path of an index file")
            elif not self._db.execute("SELECT 1 FROM sqlite_master WHERE name='df_new'").fetchone():
                self._db.executescript(RECENT)  # an index made before the twins: empty twins change nothing
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.location}: cannot open as an index ({exc})", fix="check the path") from None
        self._lock = threading.RLock()  # one connection, used by one thread at a time
        self._in_txn = False
        self._reading = False

    # ---- lifecycle ------------------------------------------------------------------------------
    def close(self) -> None:
        self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._in_txn:  # nested: part of the enclosing transaction
                yield
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise StoreError(f"{self.location}: cannot start writing ({exc})",
                                 fix="another process has been writing for over a minute; retry later") from None
            self._in_txn = True
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")
            finally:
                self._in_txn = False

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # Several SELECTs that must agree (e.g. documents and their pairs) run inside one read
        # transaction: a WAL snapshot that a concurrent writer cannot change underneath.
        with self._lock:
            if self._in_txn or self._reading:
                yield self._db
                return
            self._db.execute("BEGIN")
            self._reading = True
            try:
                yield self._db
            finally:
                self._reading = False
                self._db.execute("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        with self._read():
            yield

    def get_meta(self) -> dict[str, str]:
        with self._read() as db:
            return dict(db.execute("SELECT key, value FROM meta"))

    def put_meta(self, values: dict[str, str]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(values.items()))

    # ---- documents -------------------------------------------------------------------------------
    def seqs_of(self, ids: Iterable[str]) -> dict[str, int]:
        ids = list(ids)
        out: dict[str, int] = {}
        with self._read() as db:
            for part in _chunks(ids):
                marks = ",".join("?" * len(part))
                out.update(db.execute(f"SELECT id, seq FROM doc WHERE id IN ({marks})", list(part)))
        return out

    def documents(self, seqs: Iterable[int], *, text: bool = True, shingles: bool = True) -> dict[int, StoredDocument]:
        seqs = sorted(set(int(s) for s in seqs))
        out: dict[int, StoredDocument] = {}
        cols = "seq, body, digest, words, parent, cluster" + (", shingles" if shingles else "")
        with self._read() as db:
            for part in _chunks(seqs):
                marks = ",".join("?" * len(part))
                for row in db.execute(f"SELECT {cols} FROM doc WHERE seq IN ({marks})", list(part)):
                    out[row[0]] = StoredDocument(
                        seq=row[0], document=document_from_json(row[1], text=text), digest=row[2], words=row[3],
                        shingles=unpack_hashes(row[6]) if shingles else np.zeros(0, dtype=np.uint64),
                        parent=row[4], cluster=row[5],
                    )
        return out

    def all_seqs(self) -> list[int]:
        with self._read() as db:
            return [r[0] for r in db.execute("SELECT seq FROM doc ORDER BY seq")]

    def insert_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        d = doc.document
        self._db.execute(
            "INSERT INTO doc(seq, id, digest, body, words, shingles, parent, cluster) VALUES (?,?,?,?,?,?,?,?)",
            (doc.seq, d.id, doc.digest, document_to_json(d), doc.words, pack_hashes(doc.shingles), doc.parent,
             doc.cluster),
        )
        self._db.executemany("INSERT OR IGNORE INTO band_new(key, seq) VALUES (?, ?)",
                             [(k, doc.seq) for k in to_signed(bands).tolist()])
        self._db.executemany("INSERT OR IGNORE INTO fingerprint_new(h, seq) VALUES (?, ?)",
                             [(h, doc.seq) for h in to_signed(fingerprints).tolist()])

    def delete_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        self._db.execute("DELETE FROM doc WHERE seq = ?", (doc.seq,))
        for table in ("band", "band_new"):
            self._db.executemany(f"DELETE FROM {table} WHERE key = ? AND seq = ?",
                                 [(k, doc.seq) for k in to_signed(bands).tolist()])
        for table in ("fingerprint", "fingerprint_new"):
            self._db.executemany(f"DELETE FROM {table} WHERE h = ? AND seq = ?",
                                 [(h, doc.seq) for h in to_signed(fingerprints).tolist()])
        self._db.execute("DELETE FROM pair WHERE a = ? OR b = ?", (doc.seq, doc.seq))

    # ---- candidate generation ----------------------------------------------------------------------
    def band_members(self, keys: np.ndarray) -> set[int]:
        keys = to_signed(keys).tolist()
        found: set[int] = set()
        with self._read() as db:
            for part in _chunks(keys):
                marks = ",".join("?" * len(part))
                found.update(r[0] for r in db.execute(
                    f"SELECT seq FROM band WHERE key IN ({marks}) UNION ALL "
                    f"SELECT seq FROM band_new WHERE key IN ({marks})", [*part, *part]))
        return found

    def fingerprint_members(self, hashes: np.ndarray) -> np.ndarray:
        values = to_signed(hashes).tolist()
        out: list[int] = []
        with self._read() as db:
            for part in _chunks(values):
                marks = ",".join("?" * len(part))
                out += [r[0] for r in db.execute(
                    f"SELECT seq FROM fingerprint WHERE h IN ({marks}) UNION ALL "
                    f"SELECT seq FROM fingerprint_new WHERE h IN ({marks})", [*part, *part])]
        return np.asarray(out, dtype=np.int64)

    def postings_of(self, kind: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        table, column = {"band": ("band", "key"), "fingerprint": ("fingerprint", "h")}[kind]
        rows: list[tuple[int, int]] = []
        with self._read() as db:
            for part in _chunks(np.unique(to_signed(keys)).tolist()):
                marks = ",".join("?" * len(part))
                rows += db.execute(f"SELECT {column}, seq FROM {table} WHERE {column} IN ({marks}) UNION ALL "
                                   f"SELECT {column}, seq FROM {table}_new WHERE {column} IN ({marks})",
                                   [*part, *part])
        if not rows:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        found = np.array(rows, dtype=np.int64)
        return to_unsigned(found[:, 0]), found[:, 1].copy()

    def frequencies(self, hashes: np.ndarray) -> np.ndarray:
        signed = to_signed(hashes)
        found: dict[int, int] = {}
        with self._read() as db:
            for part in _chunks(signed.tolist()):
                marks = ",".join("?" * len(part))
                found.update(db.execute(f"SELECT h, n FROM df WHERE h IN ({marks})", list(part)))
                for h, n in db.execute(f"SELECT h, n FROM df_new WHERE h IN ({marks})", list(part)):
                    found[h] = found.get(h, 0) + n
        return np.array([found.get(h, 0) for h in signed.tolist()], dtype=np.int64)

    def add_frequencies(self, hashes: np.ndarray, delta: int | np.ndarray, floor: int,
                        before: np.ndarray | None = None) -> None:
        hashes = np.asarray(hashes, dtype=np.uint64)
        old = self.frequencies(hashes) if before is None else np.asarray(before, dtype=np.int64)
        new = old + np.broadcast_to(np.asarray(delta, dtype=np.int64), hashes.shape)
        # Written in key order: neighbouring keys share B-tree pages, so a batch touches fewer of them.
        signed = to_signed(hashes)
        order = np.argsort(signed, kind="stable")
        signed, old, new = signed[order], old[order], new[order]
        change = new != old
        self._db.executemany("INSERT INTO df_new(h, n) VALUES (?, ?) ON CONFLICT(h) DO UPDATE SET n = n + excluded.n",
                             zip(signed[change].tolist(), (new - old)[change].tolist()))
        # The heavy list (frequency above the floor) is small; it answers "which shingles are
        # boilerplate now" without scanning the whole frequency table.
        up = new > floor
        self._db.executemany("INSERT OR REPLACE INTO heavy(h, n) VALUES (?, ?)",
                             zip(signed[up].tolist(), new[up].tolist()))
        self._db.executemany("DELETE FROM heavy WHERE h = ?", ((h,) for h in signed[~up & (old > floor)].tolist()))
        if self._db.execute("SELECT count(*) FROM df_new").fetchone()[0] > self.merge_rows:
            self.merge_recent()

    def merge_recent(self) -> None:
        """Move the recent twins' rows into the big tables, in key order (inside a transaction)."""
        db = self._db
        db.execute("INSERT INTO df(h, n) SELECT h, n FROM df_new WHERE true ON CONFLICT(h) DO UPDATE SET n = n + excluded.n")
        db.execute("DELETE FROM df WHERE h IN (SELECT h FROM df_new WHERE n <= 0) AND n <= 0")
        db.execute("INSERT OR IGNORE INTO band(key, seq) SELECT key, seq FROM band_new")
        db.execute("INSERT OR IGNORE INTO fingerprint(h, seq) SELECT h, seq FROM fingerprint_new")
        for table in ("df_new", "band_new", "fingerprint_new"):
            db.execute(f"DELETE FROM {table}")

    def heavy(self, above: int) -> np.ndarray:
        with self._read() as db:
            rows = [r[0] for r in db.execute("SELECT h FROM heavy WHERE n > ?", (above,))]
        return np.sort(to_unsigned(rows))

    # ---- pairs and lineage -----------------------------------------------------------------------------
    def pairs_of(self, seqs: Iterable[int]) -> list[StoredPair]:
        seqs = sorted(set(int(s) for s in seqs))
        found: dict[tuple[int, int], StoredPair] = {}
        with self._read() as db:
            for part in _chunks(seqs, _CHUNK // 2):
                marks = ",".join("?" * len(part))
                for r in db.execute(
                    f"SELECT a, b, context, verified, relation, edge FROM pair WHERE a IN ({marks}) "
                    f"UNION SELECT a, b, context, verified, relation, edge FROM pair WHERE b IN ({marks})",
                    [*part, *part],
                ):
                    found[(r[0], r[1])] = StoredPair(*r)
        return [found[k] for k in sorted(found)]

    def all_pairs(self) -> Iterator[StoredPair]:
        with self._read() as db:
            rows = db.execute("SELECT a, b, context, verified, relation, edge FROM pair ORDER BY a, b").fetchall()
        return (StoredPair(*r) for r in rows)

    def put_pairs(self, pairs: Sequence[StoredPair]) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO pair(a, b, context, verified, relation, edge) VALUES (?,?,?,?,?,?)",
            [(p.a, p.b, p.context, p.verified, p.relation, p.edge) for p in pairs],
        )

    def set_edges(self, edges: Sequence[tuple[int, int, str | None]]) -> None:
        self._db.executemany("UPDATE pair SET edge = ? WHERE a = ? AND b = ?", [(e, a, b) for a, b, e in edges])

    def set_lineage(self, changes: Sequence[tuple[int, str | None, str | None, str | None]]) -> None:
        self._db.executemany("UPDATE doc SET parent = ?, cluster = ? WHERE seq = ?",
                             [(parent, cluster, seq) for seq, parent, cluster, _ in changes])

    def cluster_members(self, label: str) -> list[int]:
        with self._read() as db:
            return [r[0] for r in db.execute("SELECT seq FROM doc WHERE cluster = ? ORDER BY seq", (label,))]

    def dirty(self) -> list[str]:
        with self._read() as db:
            return [r[0] for r in db.execute("SELECT cluster FROM dirty ORDER BY cluster")]

    def mark_dirty(self, labels: Iterable[str], dirty: bool = True) -> None:
        sql = "INSERT OR IGNORE INTO dirty(cluster) VALUES (?)" if dirty else "DELETE FROM dirty WHERE cluster = ?"
        self._db.executemany(sql, [(label,) for label in labels])

    def counts(self) -> dict[str, int]:
        with self._read() as db:
            one = lambda sql: db.execute(sql).fetchone()[0]  # noqa: E731
            return {
                "documents": one("SELECT count(*) FROM doc"),
                "pairs": one("SELECT count(*) FROM pair"),
                "related": one("SELECT count(*) FROM pair WHERE relation IS NOT NULL"),
                "clusters": one("SELECT count(DISTINCT cluster) FROM doc WHERE cluster IS NOT NULL"),
                "shingles": one("SELECT count(*) FROM df")
                + one("SELECT count(*) FROM df_new r WHERE r.n > 0 AND NOT EXISTS (SELECT 1 FROM df WHERE df.h = r.h)")
                - one("SELECT count(*) FROM df_new r JOIN df ON df.h = r.h WHERE df.n + r.n <= 0"),
                "heavy": one("SELECT count(*) FROM heavy"),
                "dirty": one("SELECT count(*) FROM dirty"),
            }

    def postings(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[int, int]]:
        with self._read() as db:
            bands = [(int(to_unsigned([k])[0]), s)
                     for k, s in db.execute("SELECT key, seq FROM band UNION ALL SELECT key, seq FROM band_new")]
            fps = [(int(to_unsigned([h])[0]), s)
                   for h, s in db.execute("SELECT h, seq FROM fingerprint UNION ALL SELECT h, seq FROM fingerprint_new")]
            df = {int(to_unsigned([h])[0]): n for h, n in db.execute(
                "SELECT h, sum(n) FROM (SELECT h, n FROM df UNION ALL SELECT h, n FROM df_new) GROUP BY h "
                "HAVING sum(n) > 0")}
        return sorted(bands), sorted(fps), df

    def relation_counts(self) -> dict[str, int]:
        with self._read() as db:
            return dict(db.execute("SELECT relation, count(*) FROM pair WHERE relation IS NOT NULL GROUP BY relation"))

    def size_bytes(self) -> int:
        if self.location == ":memory:":
            return 0
        return sum(os.path.getsize(p) for p in (self.location, self.location + "-wal") if os.path.exists(p))

