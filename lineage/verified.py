"""Verified pairs in columns: the alignment stage's output without an object per pair and passage.

Alignment verifies about ten candidate pairs per document of a large corpus, nine of them
sharing only quotations. Held as :class:`lineage.model.Verified` objects, each pair took
about 470 bytes at 100,000 documents (an ``Alignment`` with six boxed numbers, and per
passage a ``Passage`` with two tuples and four integers): 0.5 GB, most of the alignment
stage's growth, and pickled object by object on its way back from a worker.
:class:`VerifiedPairs` holds the same values in NumPy columns, about 150 bytes a pair, and
behaves as a read-only sequence of ``Verified``: an item is made when it is read, equal to
the one alignment made (the numbers go through float64 and int64 arrays, which keep them
exactly). The pairwise evidence of copy pairs (about one pair in ten) stays as objects.

>>> from lineage.model import Alignment, Passage, Verified
>>> al = Alignment("a", "b", (Passage((0, 9), (4, 13), 2, False),), 0.5, 0.6, 0.7, 0.8, 0.9, 10, 12)
>>> table = VerifiedPairs.of([Verified(0, 1, al, "quote-only", None)]).with_ids(["a", "b"])
>>> len(table), table[0] == Verified(0, 1, al, "quote-only", None), table.pairs.tolist()
(1, True, [[0, 1]])
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from lineage.model import Alignment, PairEvidence, Passage, Verified

_FLOATS = ("jaccard", "a_in_b", "b_in_a", "a_coverage", "b_coverage")


@dataclass(frozen=True, eq=False)
class VerifiedPairs(Sequence[Verified]):
    """Verified pairs as columns; item ``k`` is a :class:`~lineage.model.Verified` made on reading.

    ``pairs`` the documents' indices (``i``, ``j``; a row a pair), ``floats`` the alignment's five ratios
    (``_FLOATS``), ``words`` its ``a_words``/``b_words``, ``starts`` where each pair's rows of
    ``spans`` (source start, end, target start, end, words) and ``quoted`` begin. ``ids``
    are the documents' ids by index (the alignment's ``a`` and ``b``); a table a worker
    made has none until :meth:`with_ids` (so that they are not pickled with it).
    """

    pairs: np.ndarray  # (n, 2) int64
    relations: list[str]
    floats: np.ndarray  # (n, 5) float64
    words: np.ndarray  # (n, 2) int64
    starts: np.ndarray  # (n + 1,) int64
    spans: np.ndarray  # (m, 5) int64
    quoted: np.ndarray  # (m,) bool
    evidence: list[PairEvidence | None]
    ids: Sequence[str] | None = None

    @classmethod
    def of(cls, verified: Iterable[Verified]) -> "VerifiedPairs":
        """The columns of ``verified`` (without ids: see :meth:`with_ids`)."""
        pairs, relations, floats, words, counts, spans, quoted, evidence = [], [], [], [], [0], [], [], []
        for v in verified:
            al = v.alignment
            pairs.append((v.i, v.j))
            relations.append(v.relation)
            floats.append((al.jaccard, al.a_in_b, al.b_in_a, al.a_coverage, al.b_coverage))
            words.append((al.a_words, al.b_words))
            counts.append(len(al.passages))
            for p in al.passages:
                spans.append((*p.source, *p.target, p.words))
                quoted.append(p.quoted)
            evidence.append(v.evidence)
        return cls(
            np.array(pairs, dtype=np.int64).reshape(-1, 2),
            relations,
            np.array(floats, dtype=np.float64).reshape(-1, len(_FLOATS)),
            np.array(words, dtype=np.int64).reshape(-1, 2),
            np.cumsum(counts, dtype=np.int64),
            np.array(spans, dtype=np.int64).reshape(-1, 5),
            np.array(quoted, dtype=bool),
            evidence,
        )

    @classmethod
    def concat(cls, parts: Sequence["VerifiedPairs"]) -> "VerifiedPairs":
        """One table of ``parts`` in order (the ids of the first, if any)."""
        if not parts:
            return cls.of([])
        offsets = np.cumsum([0] + [len(p.spans) for p in parts[:-1]], dtype=np.int64)
        return cls(
            np.concatenate([p.pairs for p in parts]),
            [r for p in parts for r in p.relations],
            np.concatenate([p.floats for p in parts]),
            np.concatenate([p.words for p in parts]),
            np.concatenate([[0]] + [p.starts[1:] + offset for p, offset in zip(parts, offsets)]).astype(np.int64),
            np.concatenate([p.spans for p in parts]),
            np.concatenate([p.quoted for p in parts]),
            [e for p in parts for e in p.evidence],
            parts[0].ids,
        )

    def take(self, index: np.ndarray) -> "VerifiedPairs":
        """The pairs at positions ``index``, in that order.

        >>> from lineage.model import Alignment, Passage, Verified
        >>> def v(i, n):
        ...     p = (Passage((0, 9), (0, 9), 2, False),) * n
        ...     return Verified(i, i + 1, Alignment(str(i), str(i + 1), p, 0.5, 0.5, 0.5, 0.5, 0.5, 9, 9), "derived", None)
        >>> t = VerifiedPairs.of([v(0, 1), v(1, 3), v(2, 0)]).take(np.array([2, 1]))
        >>> t.pairs.tolist(), t.starts.tolist(), len(t.spans)
        ([[2, 3], [1, 2]], [0, 0, 3], 3)
        """
        index = np.asarray(index, dtype=np.int64)
        counts = np.diff(self.starts)[index]
        first = self.starts[:-1][index]
        rows = (np.repeat(first - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
                + np.arange(int(counts.sum()), dtype=np.int64)) if len(index) else np.zeros(0, np.int64)
        listed = index.tolist()
        return replace(
            self,
            pairs=self.pairs[index],
            relations=[self.relations[k] for k in listed],
            floats=self.floats[index],
            words=self.words[index],
            starts=np.concatenate(([0], np.cumsum(counts))).astype(np.int64),
            spans=self.spans[rows],
            quoted=self.quoted[rows],
            evidence=[self.evidence[k] for k in listed],
        )

    def with_ids(self, ids: Sequence[str]) -> "VerifiedPairs":
        """The same table, reading the alignments' ``a`` and ``b`` from ``ids`` (by document index)."""
        return replace(self, ids=ids)

    def copy_pairs(self) -> np.ndarray:
        """The document indices of the pairs that are not ``quote-only``."""
        keep = np.fromiter((r != "quote-only" for r in self.relations), dtype=bool, count=len(self.relations))
        return self.pairs[keep]

    def __eq__(self, other: object) -> bool:
        """Equal to any list, tuple or table of the same verified pairs in the same order."""
        if not isinstance(other, (VerifiedPairs, list, tuple)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __len__(self) -> int:
        return len(self.relations)

    def __getitem__(self, k):  # type: ignore[override]
        if isinstance(k, slice):
            return [self[x] for x in range(len(self))[k]]
        k = range(len(self))[k]  # negative positions count from the end; IndexError past it
        return next(self._items(range(k, k + 1)))

    def __iter__(self) -> Iterator[Verified]:
        for start in range(0, len(self), ITER_CHUNK):
            yield from self._items(range(start, min(start + ITER_CHUNK, len(self))))

    def _items(self, positions: range) -> Iterator[Verified]:
        """The items at ``positions`` (consecutive), each column read into Python once for all of them."""
        if self.ids is None:
            raise ValueError("a VerifiedPairs table needs the documents' ids to make its items: use with_ids")
        if not len(positions):
            return
        lo, hi = positions.start, positions.stop
        ids, relations, evidence = self.ids, self.relations, self.evidence
        first, last = self.starts[lo], self.starts[hi]
        starts = (self.starts[lo : hi + 1] - first).tolist()
        made = [Passage((s0, s1), (t0, t1), w, q) for (s0, s1, t0, t1, w), q in
                zip(self.spans[first:last].tolist(), self.quoted[first:last].tolist())]
        for k, (i, j), floats, (a_words, b_words), start, end in zip(
                positions, self.pairs[lo:hi].tolist(), self.floats[lo:hi].tolist(), self.words[lo:hi].tolist(),
                starts, starts[1:]):
            alignment = Alignment(ids[i], ids[j], tuple(made[start:end]), *floats, a_words, b_words)
            yield Verified(i, j, alignment, relations[k], evidence[k])


ITER_CHUNK = 4096  # pairs whose columns are read into Python at a time while iterating
