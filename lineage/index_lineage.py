"""The lineage side of an index: the stages trace runs after verification, in one place.

:func:`finish` is the only code in the index that knows which stages turn
verified pairs into a lineage (today :func:`lineage.pipeline.orient` then
:func:`lineage.pipeline.assemble`, exactly as :func:`lineage.pipeline.trace`
calls them). Both the live lineage of a cluster (recomputed whenever the
cluster changes) and ``lineage index export`` go through it, so a stage added
to trace is added here once; ``tests/test_index.py`` compares an export with
trace field by field and fails on any divergence.

Verification results are reused from the index only when every input
:func:`lineage.pipeline.verify_pair` reads is unchanged: the two documents
(immutable once indexed), the configuration (fixed per index) and the
boilerplate shingles either document contains (compared by
:func:`lineage.store.context_digest`); anything else is verified again.

>>> import numpy as np
>>> from lineage.model import Document
>>> from lineage.pipeline import Config
>>> docs = [Document("a", "one two three four five six", "a"), Document("b", "seven eight nine", "b")]
>>> view = prepared_view(docs, [np.zeros(0, dtype=np.uint64)] * 2, Config())
>>> len(view.tokens[1])
3
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict
from typing import Callable, Iterator

import numpy as np

from lineage.model import Document, Skipped, Verified
from lineage.normalise import tokenize
from lineage.pipeline import RUN_SETTINGS, Config, Prepared, TraceResult, assemble, orient, prepare
from lineage.shingles import shingle_hashes

RUNTIME_ONLY = RUN_SETTINGS  # Config fields that never change a result (trace leaves them out of params)


def quiet(stage: str, done: int, total: int) -> None:
    """A progress callback that reports nothing."""


def finish(prepared: Prepared, verified: list[Verified], config: Config, boilerplate: np.ndarray, *,
           words: dict[str, int], params: dict[str, object], skipped: list[Skipped] | None = None,
           progress: Callable[[str, int, int], None] = quiet) -> TraceResult:
    """Verified pairs to a lineage with trace's own stages (orient, then assemble)."""
    edges = orient(prepared, verified, config, boilerplate, progress)
    return assemble(prepared.docs, edges, skipped=skipped or [], params=params, words=words)


def trace_params(config: Config, *, documents: int, candidates: int, max_df: int) -> dict[str, object]:
    """The ``params`` object trace writes, for the same corpus and configuration."""
    params = {name: value for name, value in asdict(config).items() if name not in RUNTIME_ONLY}
    return params | {"max_df_effective": max_df, "documents": documents, "candidates": candidates}


class _Lazy(Sequence):
    """A per-document column computed on first access (tokens of a cluster nobody re-aligns stay unread)."""

    def __init__(self, size: int, make: Callable[[int], object]) -> None:
        self._size, self._make, self._cache = size, make, {}

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._size))]
        if i < 0:
            i += self._size
        if not 0 <= i < self._size:
            raise IndexError(i)
        if i not in self._cache:
            self._cache[i] = self._make(i)
        return self._cache[i]

    def __iter__(self) -> Iterator[object]:
        return (self[i] for i in range(self._size))


class SingleCache:
    """Single-document :class:`Prepared` values by key, least recently used dropped first."""

    def __init__(self, config: Config, size: int = 2048) -> None:
        self.config, self.size = config, size
        self._items: OrderedDict[object, Prepared] = OrderedDict()

    def get(self, key: object, doc: Document, unique: np.ndarray | None = None) -> Prepared:
        """The prepared ``doc``; ``unique``, its stored shingle set, saves recomputing it (and signing)."""
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        if unique is not None and len(unique):
            tokens = tokenize(doc.text)
            value = Prepared([doc], [tokens], [shingle_hashes(tokens, k=self.config.k)], [unique])
        else:
            value = prepare([doc], self.config, quiet)
        self.put(key, value)
        return value

    def put(self, key: object, value: Prepared) -> None:
        """Keep ``value`` (what ``prepare([doc])`` gives) under ``key``."""
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self.size:
            self._items.popitem(last=False)


def combine(parts: Sequence[Prepared]) -> Prepared:
    """Several single-document :class:`Prepared` values as one (documents in the given order)."""
    return Prepared(docs=[d for p in parts for d in p.docs], tokens=[p.tokens[0] for p in parts],
                    hashes=[p.hashes[0] for p in parts], unique=[p.unique[0] for p in parts])


def prepared_view(docs: list[Document], unique: list[np.ndarray], config: Config,
                  single: Callable[[int], Prepared] | None = None) -> Prepared:
    """A :class:`Prepared` over ``docs`` whose shingle sets come from the index.

    Tokens and positional hashes are made by :func:`lineage.pipeline.prepare`
    on one document when first read (most documents of a cluster never are).
    """
    if single is None:
        cache: dict[int, Prepared] = {}

        def single(i: int) -> Prepared:
            if i not in cache:
                cache[i] = prepare([docs[i]], config, quiet)
            return cache[i]

    return Prepared(docs=docs, tokens=_Lazy(len(docs), lambda i: single(i).tokens[0]),  # type: ignore[arg-type]
                    hashes=_Lazy(len(docs), lambda i: single(i).hashes[0]), unique=unique)  # type: ignore[arg-type]

