"""``lineage dedup``: a Unix filter that marks duplicates and copies in a JSONL stream.

Each input record comes out unchanged, in order, with five fields added:
``duplicate_of`` (the first document seen that it nearly duplicates),
``parent`` (the document it most likely derives from), ``relation`` and
``confidence`` (of that link) and ``cluster`` (the id of the first document of
its copy cluster).

Two ways to match:

* **In memory** (default): only signatures and fingerprints of the last
  ``window`` documents are kept, never their texts, so memory is bounded
  (about 2 KB per remembered document). Without texts there is no alignment:
  Jaccard comes from the MinHash signatures, containment from shared
  fingerprints (1 in ``sample`` shingles), and the relation from the same
  thresholds :mod:`lineage.relation` uses. The parent is the best-matching
  earlier document, since arrival order is the only direction evidence left;
  ``confidence`` is therefore null.
* **Backed by an index** (``--index DB``): every record is added to a
  persistent :class:`~lineage.index.Index`, aligned and oriented like
  ``lineage trace``; the fields come from its live lineage.

>>> import io
>>> story = " ".join(f"word{n} follows" for n in range(120))
>>> lines = [json.dumps({"id": "a", "text": story}), json.dumps({"id": "b", "text": story + " Comment: ok."})]
>>> out = io.StringIO()
>>> DedupFilter(MemoryMatcher(Config())).run(lines, out)
2
>>> [json.loads(line)["duplicate_of"] for line in out.getvalue().splitlines()]
[None, 'a']
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import IO, Iterable, Iterator, Protocol

import numpy as np

from lineage.corpus import normalise_timestamp
from lineage.model import Document
from lineage.pipeline import Config

FIELDS = ("duplicate_of", "parent", "relation", "confidence", "cluster")


@dataclass(frozen=True, slots=True)
class Verdict:
    """The fields dedup adds to one record."""

    duplicate_of: str | None = None
    parent: str | None = None
    relation: str | None = None
    confidence: float | None = None
    cluster: str | None = None

    def fields(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in FIELDS}


class Matcher(Protocol):
    def match(self, docs: list[Document]) -> list[Verdict]:
        """Match documents, in order, against everything seen before (and each other)."""


# ---------------------------------------------------------------------------- in-memory postings


class Postings:
    """``key -> seqs`` for uint64 keys in sorted NumPy runs (12 bytes a posting), with eviction.

    New postings go to a small dict; when it fills it becomes a sorted run, and
    runs of similar size are merged (as in a log-structured merge tree), which
    also drops seqs older than ``oldest``.

    >>> p = Postings(flush_at=2)
    >>> p.add(np.array([5, 7], dtype=np.uint64), 1); p.add(np.array([7], dtype=np.uint64), 2)
    >>> [s.tolist() for s in p.lookup(np.array([7, 9], dtype=np.uint64), oldest=0)]
    [[1, 2], []]
    """

    def __init__(self, flush_at: int = 1 << 16) -> None:
        self.flush_at = flush_at
        self.recent: dict[int, list[int]] = {}
        self.pending = 0
        self.runs: list[tuple[np.ndarray, np.ndarray]] = []
        self.oldest = 0

    def add(self, keys: np.ndarray, seq: int) -> None:
        for key in keys.tolist():
            self.recent.setdefault(key, []).append(seq)
        self.pending += len(keys)
        if self.pending >= self.flush_at:
            self._flush()

    def _flush(self) -> None:
        keys = np.fromiter((k for k, seqs in self.recent.items() for _ in seqs), dtype=np.uint64, count=self.pending)
        vals = np.fromiter((s for seqs in self.recent.values() for s in seqs), dtype=np.int64, count=self.pending)
        self.recent, self.pending = {}, 0
        self.runs.append(self._compact(keys, vals))
        while len(self.runs) > 1 and len(self.runs[-2][0]) <= 2 * len(self.runs[-1][0]):
            (k1, v1), (k2, v2) = self.runs[-2], self.runs[-1]
            self.runs[-2:] = [self._compact(np.concatenate((k1, k2)), np.concatenate((v1, v2)))]

    def _compact(self, keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        alive = vals >= self.oldest
        keys, vals = keys[alive], vals[alive].astype(np.uint32)  # seqs fit: the stream restarts past 4e9
        order = np.argsort(keys, kind="stable")
        return keys[order], vals[order]

    def lookup(self, keys: np.ndarray, oldest: int) -> list[np.ndarray]:
        """For each key, the seqs at or after ``oldest`` holding it."""
        self.oldest = oldest
        found: list[list[np.ndarray]] = [[] for _ in range(len(keys))]
        for run_keys, run_vals in self.runs:
            lo = np.searchsorted(run_keys, keys, side="left")
            hi = np.searchsorted(run_keys, keys, side="right")
            for n in np.flatnonzero(hi > lo).tolist():
                found[n].append(run_vals[lo[n] : hi[n]].astype(np.int64))
        out = []
        for n, key in enumerate(keys.tolist()):
            parts = found[n] + [np.asarray(self.recent.get(key, ()), dtype=np.int64)]
            seqs = np.concatenate(parts)
            out.append(seqs[seqs >= oldest])
        return out


class MemoryMatcher:
    """Signature-only matching against the last ``window`` documents (no texts kept)."""

    def __init__(self, config: Config, window: int = 100_000) -> None:
        from lineage.index_keys import document_keys  # the same LSH bands as the index

        self._keys = document_keys
        self.config, self.window = config, window
        self.sigs = np.zeros((window, config.num_perm), dtype=np.uint32)  # low 32 bits suffice to compare
        self.nfp = np.zeros(window, dtype=np.int32)
        self.ids: list[str | None] = [None] * window
        self.canon: dict[int, tuple[int, str]] = {}  # seq -> (seq, id) of the first document it duplicates
        self.uf: dict[int, int] = {}  # union-find over seqs; a root names its cluster
        self.label: dict[int, str] = {}  # root seq -> cluster label (id of the cluster's first document)
        self.bands, self.fps = Postings(), Postings()
        self.seq = 0

    def _find(self, s: int) -> int:
        root = s
        while self.uf.get(root, root) != root:
            root = self.uf[root]
        while self.uf.get(s, s) != root:
            self.uf[s], s = root, self.uf[s]
        return root

    def _prune(self) -> None:
        """Forget union-find links of evicted documents (keeping the roots that name live clusters)."""
        oldest = self.seq - self.window
        alive = {s: self._find(s) for s in self.uf if s >= oldest}
        self.uf = {**{r: r for r in alive.values()}, **alive}
        self.label = {r: self.label[r] for r in set(alive.values()) if r in self.label}
        self.canon = {s: c for s, c in self.canon.items() if s >= oldest}

    def match(self, docs: list[Document]) -> list[Verdict]:
        return [self._one(doc) for doc in docs]

    def _one(self, doc: Document) -> Verdict:
        cfg = self.config
        keys = self._keys(doc, cfg)
        seq, oldest = self.seq, max(0, self.seq - self.window + 1)
        sig = (keys.prepared.signatures[0] if keys.prepared.signatures is not None else np.zeros(cfg.num_perm))
        sig32 = (np.asarray(sig, dtype=np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)
        max_df = cfg.effective_max_df(min(seq, self.window) + 1)
        shared: dict[int, int] = {}
        for holders in self.fps.lookup(keys.fingerprints, oldest):
            if 0 < len(holders) + 1 <= max_df:  # as in trace: boilerplate fingerprints never match
                for s in holders.tolist():
                    shared[s] = shared.get(s, 0) + 1
        lsh = {s for holders in self.bands.lookup(keys.bands, oldest) for s in holders.tolist()}
        nfp = len(keys.fingerprints)
        best: tuple[float, int, str] | None = None
        near: list[int] = []
        links: list[int] = []
        for s in sorted(lsh | {s for s, c in shared.items() if c >= cfg.min_shared}):
            slot = s % self.window
            jaccard = float(np.mean(self.sigs[slot] == sig32))
            common = shared.get(s, 0)
            mine, theirs = common / max(1, nfp), common / max(1, int(self.nfp[slot]))
            relation = _relation(jaccard, mine, theirs, common * cfg.sample, cfg.quote_words)
            if relation is None:
                continue
            links.append(s)
            if relation == "near-duplicate":
                near.append(s)
            weight = max(mine, theirs, jaccard)
            if best is None or weight > best[0]:
                best = (weight, s, relation)
        slot = seq % self.window
        self.sigs[slot], self.nfp[slot], self.ids[slot] = sig32, nfp, doc.id
        self.bands.add(keys.bands, seq)
        self.fps.add(keys.fingerprints, seq)
        self.seq += 1
        self.uf[seq] = seq
        self.canon[seq] = min((self.canon.get(s, (s, self.ids[s % self.window])) for s in near),
                              default=(seq, doc.id))  # type: ignore[arg-type]
        cluster = None
        if links:
            roots = {self._find(s) for s in links} | {seq}
            head = min(roots)
            label = self.label.get(head) or self.ids[head % self.window] or doc.id
            for r in roots:
                self.uf[r] = head
            self.label[head] = label
            cluster = label
        if self.seq % self.window == 0:
            self._prune()
        canon = self.canon[seq]
        return Verdict(
            duplicate_of=canon[1] if canon[0] != seq else None,
            parent=self.ids[best[1] % self.window] if best else None,
            relation=best[2] if best else None,
            cluster=cluster,
        )


def _relation(jaccard: float, mine: float, theirs: float, shared_words: int, quote_words: int) -> str | None:
    """The relation :func:`lineage.relation.classify` would give, from estimates instead of an alignment."""
    if jaccard >= 0.8 or min(mine, theirs) >= 0.9:
        return "near-duplicate"
    if max(mine, theirs) >= 0.5:
        return "derived"
    if shared_words >= quote_words:
        return "partial"
    return None


class IndexMatcher:
    """Matching through a persistent index: aligned, oriented, and kept."""

    def __init__(self, index) -> None:  # lineage.index.Index
        self.index = index

    def match(self, docs: list[Document]) -> list[Verdict]:
        outcomes = self.index.add(docs, batch=max(1, len(docs)))
        out = []
        for doc, outcome in zip(docs, outcomes):
            if outcome.status == "conflict":
                warn(f"{doc.id}: indexed before with other text; reporting the indexed version")
            view = self.index.lineage(doc.id)
            link = view.link if view else None
            out.append(Verdict(view.duplicate_of, view.parent, link.relation if link else None,
                               round(link.confidence, 4) if link else None, view.cluster) if view else Verdict())
        return out


def warn(message: str) -> None:
    print(f"lineage: warning: {message}", file=sys.stderr)


class DedupFilter:
    """JSONL in, JSONL out, in batches of ``batch`` records (bounded memory)."""

    def __init__(self, matcher: Matcher, batch: int = 64, source: str = "stdin") -> None:
        self.matcher, self.batch, self.source = matcher, batch, source

    def records(self, lines: Iterable[str]) -> Iterator[tuple[dict | None, Document | None]]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                warn(f"{self.source}:{number}: not JSON ({exc.msg}); line dropped")
                continue
            if not isinstance(record, dict):
                warn(f"{self.source}:{number}: not a JSON object; line dropped")
                continue
            text = record.get("text")
            if not isinstance(text, str) or not any(ch.isalnum() for ch in text):
                warn(f"{self.source}:{number}: no 'text' with words; passed through unmatched")
                yield record, None
                continue
            doc_id = str(record.get("id") or f"{self.source}:{number}")
            meta = {k: (str(record[k]) if record.get(k) is not None else None) for k in ("title", "outlet", "url")}
            yield record, Document(doc_id, text, self.source, published=normalise_timestamp(record.get("published")),
                                   **meta)

    def run(self, lines: Iterable[str], out: IO[str]) -> int:
        """Filter ``lines`` into ``out``; the number of records written."""
        written = 0
        batch: list[tuple[dict | None, Document | None]] = []
        for item in self.records(lines):
            batch.append(item)
            if len(batch) >= self.batch:
                written += self._flush(batch, out)
                batch = []
        return written + self._flush(batch, out)

    def _flush(self, batch: list[tuple[dict | None, Document | None]], out: IO[str]) -> int:
        docs = [doc for _, doc in batch if doc is not None]
        verdicts = iter(self.matcher.match(docs)) if docs else iter(())
        for record, doc in batch:
            verdict = next(verdicts) if doc is not None else Verdict()
            out.write(json.dumps({**record, **verdict.fields()}, ensure_ascii=False) + "\n")  # type: ignore[dict-item]
        out.flush()
        return len(batch)
