"""The shared index store: Redis, for several writers and readers on many machines.

Every write transaction is optimistic: it WATCHes the index's generation key,
reads what it needs, and sends all its writes in one MULTI/EXEC that also
increments the generation. Redis applies a MULTI/EXEC whole or not at all, so
a writer killed mid-add leaves nothing behind; if another writer committed in
between, EXEC fails and :class:`~lineage.store.WriteConflict` tells the index
to recompute and retry. Reads in a transaction see the last commit, not the
transaction's own buffered writes, so the index writes one document per
transaction here (``read_your_writes = False``).

Keys live under ``lineage:<name>:``: documents in hashes keyed by seq,
posting lists as sets of seqs (Redis keeps small integer sets compact) named
``b:`` or ``f:`` and the band key or fingerprint as 8 little-endian bytes, and
shingle frequencies in 2**18 hash shards of 8-byte fields (small hashes stay
in Redis' compact listpack encoding).

>>> RedisStore.shard_of(np.array([2**63], dtype=np.uint64)).tolist()
[131072]
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from lineage.store import (
    Store,
    StoredDocument,
    StoredPair,
    StoreError,
    WriteConflict,
    document_from_json,
    document_to_json,
    pack_hashes,
    unpack_hashes,
)

SHARD_BITS = 18

# Per-hash work on the frequency table and the posting lists runs as Lua inside Redis: a batch of
# documents touches ~150,000 shingles, one command each would cost ~10 us apiece in redis-py. The
# scripts build their keys from the arguments (this store does not support Redis Cluster).
_READ_DF = """
local dfkey, shards, fields, out = ARGV[1], ARGV[2], ARGV[3], {}
for i = 0, #shards / 4 - 1 do
  local v = redis.call('HGET', dfkey .. struct.unpack('<I4', shards, 4 * i + 1), string.sub(fields, 8 * i + 1, 8 * i + 8))
  out[i + 1] = struct.pack('<i4', v and tonumber(v) or 0)
end
return table.concat(out)
"""
_WRITE_DF = """
local dfkey, shards, fields, counts = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
for i = 0, #shards / 4 - 1 do
  local key, field = dfkey .. struct.unpack('<I4', shards, 4 * i + 1), string.sub(fields, 8 * i + 1, 8 * i + 8)
  local n = struct.unpack('<i4', counts, 4 * i + 1)
  if n > 0 then redis.call('HSET', key, field, n) else redis.call('HDEL', key, field) end
end
return 0
"""
_MEMBERS = """
local prefix, keys, at, seqs = ARGV[1], ARGV[2], {}, {}
for i = 0, #keys / 8 - 1 do
  for _, seq in ipairs(redis.call('SMEMBERS', prefix .. string.sub(keys, 8 * i + 1, 8 * i + 8))) do
    at[#at + 1] = struct.pack('<I4', i)
    seqs[#seqs + 1] = struct.pack('<I4', tonumber(seq))
  end
end
return {table.concat(at), table.concat(seqs)}
"""
_ADD_MEMBER = """
local prefix, seq = ARGV[1], ARGV[2]
for k = 3, 4 do
  local kind, keys = k == 3 and 'b:' or 'f:', ARGV[k]
  for i = 0, #keys / 8 - 1 do redis.call('SADD', prefix .. kind .. string.sub(keys, 8 * i + 1, 8 * i + 8), seq) end
end
return 0
"""
_KINDS = {"band": "b", "fingerprint": "f"}


def _b(h: int) -> bytes:
    return int(h).to_bytes(8, "little")


def _h(field: bytes) -> int:
    return int.from_bytes(field, "little")


class RedisStore(Store):
    """An index named ``name`` in the Redis database at ``url``."""

    read_your_writes = False

    def __init__(self, url: str, name: str, *, create: bool = False) -> None:
        try:
            import redis
        except ImportError:  # pragma: no cover - redis is a dependency
            raise StoreError("the redis package is missing", fix="pip install 'lineage[redis]'") from None
        self._redis_mod = redis
        self.location = f"{url} (index {name!r})"
        self.prefix = f"lineage:{name}:"
        self._r = redis.Redis.from_url(url, socket_timeout=60)
        try:
            self._r.ping()
            exists = self._r.hexists(self.k("meta"), "format")
        except redis.RedisError as exc:
            raise StoreError(f"cannot reach Redis at {url}: {exc}", fix="start redis-server or fix --store") from None
        if not exists and not create:
            raise StoreError(f"no index {name!r} in {url}", fix="create it with `lineage index add`")
        self._ops: list[Callable[[Any], object]] | None = None
        self._pairs_written: dict[bytes, list] = {}

    def k(self, *parts: object) -> str:
        return self.prefix + ":".join(str(p) for p in parts)

    @staticmethod
    def shard_of(hashes: np.ndarray) -> np.ndarray:
        """The frequency-table shard of each hash (its top bits)."""
        return (np.asarray(hashes, dtype=np.uint64) >> np.uint64(64 - SHARD_BITS)).astype(np.int64)

    # ---- lifecycle --------------------------------------------------------------------------------
    def close(self) -> None:
        self._r.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._ops is not None:
            yield
            return
        pipe = self._r.pipeline(transaction=True)
        try:
            pipe.watch(self.k("gen"))
            self._ops, self._pairs_written = [], {}
            yield
            pipe.multi()
            for op in self._ops:
                op(pipe)
            pipe.incr(self.k("gen"))
            pipe.execute()
        except self._redis_mod.WatchError:
            raise WriteConflict("another writer changed the index") from None
        except self._redis_mod.RedisError as exc:
            raise StoreError(f"Redis failed: {exc}", fix="check the server") from None
        finally:
            self._ops = None
            pipe.reset()

    def _write(self, op: Callable[[Any], object]) -> None:
        if self._ops is None:
            raise RuntimeError("store writes must happen inside transaction()")
        self._ops.append(op)

    def get_meta(self) -> dict[str, str]:
        return {k.decode(): v.decode() for k, v in self._r.hgetall(self.k("meta")).items()}

    def put_meta(self, values: dict[str, str]) -> None:
        self._write(lambda p: p.hset(self.k("meta"), mapping=values))

    # ---- documents -----------------------------------------------------------------------------------
    def seqs_of(self, ids: Iterable[str]) -> dict[str, int]:
        ids = list(ids)
        if not ids:
            return {}
        values = self._r.hmget(self.k("ids"), ids)
        return {i: int(v) for i, v in zip(ids, values) if v is not None}

    def documents(self, seqs: Iterable[int], *, text: bool = True, shingles: bool = True) -> dict[int, StoredDocument]:
        seqs = sorted(set(int(s) for s in seqs))
        if not seqs:
            return {}
        p = self._r.pipeline(transaction=False)
        p.hmget(self.k("doc"), seqs)
        p.hmget(self.k("dmeta"), seqs)
        p.hmget(self.k("parent"), seqs)
        p.hmget(self.k("cluster"), seqs)
        if shingles:
            p.hmget(self.k("sh"), seqs)
        res = p.execute()
        out: dict[int, StoredDocument] = {}
        for n, seq in enumerate(seqs):
            body, info = res[0][n], res[1][n]
            if body is None or info is None:
                continue
            digest, words = info.decode().split("|")
            out[seq] = StoredDocument(
                seq=seq, document=document_from_json(body.decode(), text=text), digest=digest, words=int(words),
                shingles=unpack_hashes(res[4][n]) if shingles else np.zeros(0, dtype=np.uint64),
                parent=res[2][n].decode() if res[2][n] is not None else None,
                cluster=res[3][n].decode() if res[3][n] is not None else None,
            )
        return out

    def all_seqs(self) -> list[int]:
        return sorted(int(v) for v in self._r.hvals(self.k("ids")))

    def insert_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        seq, d = doc.seq, doc.document
        body, info, sh = document_to_json(d), f"{doc.digest}|{doc.words}", pack_hashes(doc.shingles)

        def op(p: Any) -> None:
            p.hset(self.k("ids"), d.id, seq)
            p.hset(self.k("doc"), seq, body)
            p.hset(self.k("dmeta"), seq, info)
            p.hset(self.k("sh"), seq, sh)
            if doc.parent is not None:
                p.hset(self.k("parent"), seq, doc.parent)
            if doc.cluster is not None:
                p.hset(self.k("cluster"), seq, doc.cluster)
                p.sadd(self.k("cl", doc.cluster), seq)
            p.eval(_ADD_MEMBER, 0, self.prefix, seq, np.asarray(bands, dtype="<u8").tobytes(),
                   np.asarray(fingerprints, dtype="<u8").tobytes())

        self._write(op)

    def delete_document(self, doc: StoredDocument, bands: np.ndarray, fingerprints: np.ndarray) -> None:
        seq = doc.seq
        partners = [int(v) for v in self._r.smembers(self.k("adj", seq))]

        def op(p: Any) -> None:
            p.hdel(self.k("ids"), doc.document.id)
            for name in ("doc", "dmeta", "sh", "parent", "cluster"):
                p.hdel(self.k(name), seq)
            for key in np.asarray(bands, dtype=np.uint64).tolist():
                p.srem(self._posting("band", key), seq)
            for h in np.asarray(fingerprints, dtype=np.uint64).tolist():
                p.srem(self._posting("fingerprint", h), seq)
            for other in partners:
                p.hdel(self.k("pair"), self._pair_key(min(seq, other), max(seq, other)))
                p.srem(self.k("adj", other), seq)
            p.delete(self.k("adj", seq))
            if doc.cluster is not None:
                p.srem(self.k("cl", doc.cluster), seq)

        self._write(op)

    # ---- candidate generation ---------------------------------------------------------------------------
    def _posting(self, kind: str, key: int) -> bytes:
        """The key of one posting list: the band key or fingerprint as 8 little-endian bytes."""
        return self.prefix.encode() + _KINDS[kind].encode() + b":" + _b(key)

    def band_members(self, keys: np.ndarray) -> set[int]:
        return set(self.postings_of("band", keys)[1].tolist())

    def fingerprint_members(self, hashes: np.ndarray) -> np.ndarray:
        return self.postings_of("fingerprint", hashes)[1]

    def postings_of(self, kind: str, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        unique = np.unique(np.asarray(keys, dtype=np.uint64))
        found_keys, found_seqs = [np.zeros(0, dtype=np.uint64)], [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(unique), 50000):
            part = unique[start : start + 50000]
            at, seqs = self._r.eval(_MEMBERS, 0, self.k(_KINDS[kind], ""), part.astype("<u8").tobytes())
            found_keys.append(part[np.frombuffer(at, dtype="<u4").astype(np.int64)])
            found_seqs.append(np.frombuffer(seqs, dtype="<u4").astype(np.int64))
        return np.concatenate(found_keys), np.concatenate(found_seqs)

    def frequencies(self, hashes: np.ndarray) -> np.ndarray:
        hashes = np.asarray(hashes, dtype=np.uint64)
        out = [np.zeros(0, dtype=np.int64)]
        for start in range(0, len(hashes), 100000):
            part = hashes[start : start + 100000]
            shards = self.shard_of(part).astype("<u4").tobytes()
            found = self._r.eval(_READ_DF, 0, self.k("df", ""), shards, part.astype("<u8").tobytes())
            out.append(np.frombuffer(found, dtype="<i4").astype(np.int64))
        return np.concatenate(out)

    def add_frequencies(self, hashes: np.ndarray, delta: int | np.ndarray, floor: int,
                        before: np.ndarray | None = None) -> None:
        # Absolute values computed from the last commit: safe because the transaction WATCHes the
        # generation, so no other writer can change them before EXEC.
        hashes = np.asarray(hashes, dtype=np.uint64)
        old = self.frequencies(hashes) if before is None else np.asarray(before, dtype=np.int64)
        new = old + np.broadcast_to(np.asarray(delta, dtype=np.int64), hashes.shape)
        appeared = int(np.sum((old <= 0) & (new > 0))) - int(np.sum((old > 0) & (new <= 0)))
        up = new > floor
        heavy = {_b(h): n for h, n in zip(hashes[up].tolist(), new[up].tolist())}
        light = [_b(h) for h in hashes[~up & (old > floor)].tolist()]
        parts = [(self.shard_of(hashes[k : k + 100000]).astype("<u4").tobytes(),
                  hashes[k : k + 100000].astype("<u8").tobytes(), new[k : k + 100000].astype("<i4").tobytes())
                 for k in range(0, len(hashes), 100000)]

        def op(p: Any) -> None:
            for shards, fields, counts in parts:
                p.eval(_WRITE_DF, 0, self.k("df", ""), shards, fields, counts)
            if heavy:
                p.hset(self.k("heavy"), mapping=heavy)
            if light:
                p.hdel(self.k("heavy"), *light)
            p.hincrby(self.k("meta"), "shingles", appeared)

        self._write(op)

    def heavy(self, above: int) -> np.ndarray:
        found = [_h(f) for f, n in self._r.hgetall(self.k("heavy")).items() if int(n) > above]
        return np.sort(np.asarray(found, dtype=np.uint64))

    # ---- pairs and lineage ---------------------------------------------------------------------------------
    @staticmethod
    def _pair_key(a: int, b: int) -> bytes:
        return f"{a}:{b}".encode()

    @staticmethod
    def _decode_pair(key: bytes, value: bytes) -> StoredPair:
        a, b = (int(x) for x in key.decode().split(":"))
        ctx, verified, relation, edge = json.loads(value)
        return StoredPair(a, b, bytes.fromhex(ctx), verified, relation, edge)

    def pairs_of(self, seqs: Iterable[int]) -> list[StoredPair]:
        seqs = sorted(set(int(s) for s in seqs))
        p = self._r.pipeline(transaction=False)
        for s in seqs:
            p.smembers(self.k("adj", s))
        keys = sorted({self._pair_key(min(s, int(o)), max(s, int(o))) for s, others in zip(seqs, p.execute())
                       for o in others})
        if not keys:
            return []
        values = self._r.hmget(self.k("pair"), keys)
        return [self._decode_pair(k, v) for k, v in zip(keys, values) if v is not None]

    def all_pairs(self) -> Iterator[StoredPair]:
        items = sorted(self._r.hgetall(self.k("pair")).items())
        return (self._decode_pair(k, v) for k, v in items)

    def put_pairs(self, pairs: Sequence[StoredPair]) -> None:
        records = {self._pair_key(x.a, x.b): [x.context.hex(), x.verified, x.relation, x.edge] for x in pairs}
        self._pairs_written.update(records)
        ends = [(x.a, x.b) for x in pairs]

        def op(p: Any) -> None:
            if records:
                p.hset(self.k("pair"), mapping={k: json.dumps(v) for k, v in records.items()})
            for a, b in ends:
                p.sadd(self.k("adj", a), b)
                p.sadd(self.k("adj", b), a)

        self._write(op)

    def set_edges(self, edges: Sequence[tuple[int, int, str | None]]) -> None:
        keys = [self._pair_key(a, b) for a, b, _ in edges]
        missing = [k for k in keys if k not in self._pairs_written]
        current = dict(zip(missing, self._r.hmget(self.k("pair"), missing))) if missing else {}
        records: dict[bytes, str] = {}
        for key, (_, _, edge) in zip(keys, edges):
            record = self._pairs_written.get(key) or (json.loads(current[key]) if current.get(key) else None)
            if record is None:
                continue
            record = [*record[:3], edge]
            self._pairs_written[key] = record
            records[key] = json.dumps(record)
        if records:
            self._write(lambda p: p.hset(self.k("pair"), mapping=records))

    def set_lineage(self, changes: Sequence[tuple[int, str | None, str | None, str | None]]) -> None:
        changes = list(changes)

        def op(p: Any) -> None:
            for seq, parent, cluster, previous in changes:
                if parent is None:
                    p.hdel(self.k("parent"), seq)
                else:
                    p.hset(self.k("parent"), seq, parent)
                if previous is not None and previous != cluster:
                    p.srem(self.k("cl", previous), seq)
                if cluster is None:
                    p.hdel(self.k("cluster"), seq)
                else:
                    p.hset(self.k("cluster"), seq, cluster)
                    p.sadd(self.k("cl", cluster), seq)

        self._write(op)

    def cluster_members(self, label: str) -> list[int]:
        return sorted(int(v) for v in self._r.smembers(self.k("cl", label)))

    def dirty(self) -> list[str]:
        return sorted(v.decode() for v in self._r.smembers(self.k("dirty")))

    def mark_dirty(self, labels: Iterable[str], dirty: bool = True) -> None:
        labels = list(labels)
        if labels:
            self._write(lambda p: (p.sadd if dirty else p.srem)(self.k("dirty"), *labels))

    def _scan_count(self, pattern: str) -> int:
        return sum(1 for _ in self._r.scan_iter(match=self.k(pattern), count=1000))

    def counts(self) -> dict[str, int]:
        return {
            "documents": self._r.hlen(self.k("ids")),
            "pairs": self._r.hlen(self.k("pair")),
            "related": sum(self.relation_counts().values()),
            "clusters": sum(1 for key in self._r.scan_iter(match=self.k("cl", "*"), count=1000)
                            if self._r.scard(key)),
            "shingles": int(self._r.hget(self.k("meta"), "shingles") or 0),
            "heavy": self._r.hlen(self.k("heavy")),
            "dirty": self._r.scard(self.k("dirty")),
        }

    def relation_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for value in self._r.hvals(self.k("pair")):
            relation = json.loads(value)[2]
            if relation is not None:
                out[relation] = out.get(relation, 0) + 1
        return out

    def size_bytes(self) -> int:
        return int(self._r.info("memory").get("used_memory", 0))

    def postings(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]], dict[int, int]]:
        def members(kind: str) -> list[tuple[int, int]]:
            out = []
            start = len(self.k(kind, "").encode())
            for key in self._r.scan_iter(match=self.k(kind, "*"), count=1000):
                h = _h(key[start:])
                out += [(h, int(s)) for s in self._r.smembers(key)]
            return sorted(out)

        df: dict[int, int] = {}
        for key in self._r.scan_iter(match=self.k("df", "*"), count=1000):
            df.update({_h(f): int(n) for f, n in self._r.hgetall(key).items()})
        return members("b"), members("f"), df

    def drop(self) -> None:
        """Delete every key of this index (tests and benchmarks)."""
        keys = list(self._r.scan_iter(match=self.prefix + "*", count=1000))
        for start in range(0, len(keys), 1000):
            self._r.delete(*keys[start : start + 1000])
