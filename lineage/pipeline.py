"""The one place that knows the stage order and reads the configuration.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> story = " ".join(f"Sentence {n} of the wire story says the talks went on." for n in range(40))
>>> _ = (d / "a.txt").write_text(story)
>>> _ = (d / "b.txt").write_text(story[:300])
>>> result = trace([d])
>>> [(e.source, e.target, e.relation) for e in result.edges]
[('a', 'b', 'derived')]
"""

from __future__ import annotations

import functools
import os
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, fields, replace
from typing import IO, Callable, Iterable, Sequence

import networkx as nx
import numpy as np

from lineage.alignment import align_pair, hash_index, load_kernel, quoted_tokens
from lineage.candidates import candidate_pairs, document_frequency_filter
from lineage.parallel import (
    cyclic_gc_paused,
    default_workers,
    orient_batch,
    orient_tasks,
    run_batches,
    run_forked,
    shared_with_workers,
    shingle_all,
    verify_batch_columns,
    verify_tasks,
)
from lineage.representatives import PackedSets, components, pack
from lineage.corpus import load_corpus
from lineage.direction import FAMILIES, decide, load_model, orientation_threshold
from lineage.errors import ConfigError
from lineage.graph import build_graph, clusters, lineage_forest, secondary_sources
from lineage.kernels import load
from lineage.evidence import (
    LineMarks,
    boilerplate_mask,
    context_relatedness,
    line_marks,
    pair_evidence,
    side_blocks,
    template_shingles,
    token_spans,
)
from lineage.model import Alignment, Document, LineageEdge, PairEvidence, Rarity, Skipped, Verified
from lineage.normalise import Tokens
from lineage import consistency
from lineage.outlets import reweigh
from lineage.quotes import load_kernel as load_quote_kernel
from lineage.relation import classify
from lineage.rarity import WordFrequencies, corpus_words, rarity, variant_readings
from lineage.rarity import reweigh as rarity_pass
from lineage.shingles import SET_KERNEL, member, member_of, shingle_hashes, token_hashes, tokenize_hashed
from lineage.signatures import packed_signatures
from lineage.verified import VerifiedPairs
from lineage.witness import pick_witnesses, readings, shared_readings, with_layout_free, witness_votes

Progress = Callable[[str, int, int], None]


ENGINES = ("local", "spark")
# settings that choose how a trace runs, never what it finds: left out of lineage.json's params
RUN_SETTINGS = ("workers", "engine", "spark_master")


@dataclass(frozen=True)
class Config:
    """Every parameter of a trace; CLI option names equal these field names."""

    k: int = 5  # words per shingle
    num_perm: int = 128  # MinHash permutations
    bands: int = 32  # LSH bands (bands * rows <= num_perm)
    rows: int = 4
    sample: int = 4  # 1 in `sample` shingles is a containment fingerprint
    min_shared: int = 2  # fingerprints two documents must share to be compared
    max_df: int = 0  # shingles in more documents are boilerplate; 0 = max(50, 1% of documents)
    max_gap: int = 8  # words of difference merged inside one passage
    min_words: int = 8  # shortest passage reported
    quote_words: int = 50  # fewer unquoted shared words than this (and no containment) = quote-only
    threshold: float | None = None  # below this confidence a direction is "unresolved"; None = fitted
    use_timestamps: bool = True
    ablate: tuple[str, ...] = ()  # evidence families left out (experiments): see direction.FAMILIES
    seed: int = 1
    workers: int = 0  # processes for the parallel stages; 0 = all cores (never changes the result)
    engine: str = "local"  # "local" (processes on this machine) or "spark"; never changes the result
    spark_master: str | None = None  # for engine "spark": a master URL; None = spark-submit's, else local[*]

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine {self.engine!r}", fix=f"choose from {', '.join(ENGINES)}")
        if self.workers < 0:
            raise ConfigError(f"workers must be 0 (all cores) or more, got {self.workers}", fix="use --workers 2")
        if self.k < 1:
            raise ConfigError(f"k must be at least 1, got {self.k}", fix="use --k 5 for news text")
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"bands * rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}",
                fix="lower --bands or --rows, or raise --num-perm",
            )
        if self.sample < 1 or self.min_shared < 1:
            raise ConfigError("sample and min-shared must be at least 1", fix="use --sample 4 --min-shared 2")
        if self.threshold is not None and not 0.0 <= self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in [0, 1], got {self.threshold}", fix="leave --threshold out")
        unknown = set(self.ablate) - set(FAMILIES)
        if unknown:
            raise ConfigError(f"unknown evidence family {sorted(unknown)[0]!r}",
                              fix=f"choose from {', '.join(FAMILIES)}")

    def dropped_families(self) -> tuple[str, ...]:
        """Families left out, counting --no-timestamps as leaving out 'time'."""
        return tuple(sorted(set(self.ablate) | (set() if self.use_timestamps else {"time"})))

    def effective_max_df(self, n_docs: int) -> int:
        return self.max_df if self.max_df > 0 else max(50, n_docs // 100)


@dataclass
class TraceResult:
    """What a trace found: documents, verified edges, the lineage and the graph.

    ``graph`` (a networkx DiGraph: one node per document and hidden source, one edge per
    verified pair) is made from the rest the first time it is read, unless one was given
    (``None``: made when read). A trace does not need it: the GraphML is written from the
    edges directly, so a trace of 100,000 documents does not hold half a million attribute
    dicts (half a GB) that nobody reads. Made or given, it is kept; changes to it are what
    the GraphML shows. ``dataclasses.replace`` reads it, so making it: pass ``graph=None``
    when replacing edges or parents (it is then made from the new ones if read).

    >>> from lineage.model import Document
    >>> result = TraceResult([Document("a", "Text.", "a.txt")], [], {"a": None}, [], None, [], {})
    >>> result.graph_made, list(result.graph.nodes), result.graph_made
    (False, ['a'], True)
    """

    documents: list[Document]
    edges: list[LineageEdge]
    parents: dict[str, str | None]
    clusters: list[list[str]]
    graph: nx.DiGraph | None = field(repr=False, compare=False)  # a property: see below the class
    skipped: list[Skipped]
    params: dict[str, object]
    words: dict[str, int] = field(default_factory=dict)

    @property
    def graph_made(self) -> bool:
        """True once :attr:`graph` exists (given, or read once)."""
        return self.__dict__.get("_graph") is not None

    def cluster_of(self) -> dict[str, str]:
        return {doc_id: f"c{n}" for n, members in enumerate(self.clusters, start=1) for doc_id in members}

    def to_json(self) -> dict[str, object]:
        """The ``lineage.json`` document (see DESIGN.md's output contract)."""
        from lineage.export import to_json

        return to_json(self)


def _graph_of(result: TraceResult) -> nx.DiGraph:
    graph = result.__dict__.get("_graph")
    if graph is None:
        with cyclic_gc_paused():  # the graph's node and edge dicts live as long as the result
            graph = build_graph(result.documents, result.edges, result.parents, result.cluster_of())
        result.__dict__["_graph"] = graph
    return graph


def _set_graph(result: TraceResult, graph: nx.DiGraph | None) -> None:
    result.__dict__["_graph"] = graph


# after the dataclass is made, so that its __init__ (self.graph = graph) goes through the setter
TraceResult.graph = property(_graph_of, _set_graph, doc="The lineage graph (networkx DiGraph), made when first read.")


class _OnDemand:
    """``tokens[i]`` / ``hashes[i]`` computed when asked, the most recent ones kept (bounded memory).

    The bulk stages never hold tokens for the whole corpus (spans and
    normalised words are ~15 KB per 600-word document); the stages that need
    them for some documents (alignment in workers, direction) get them here.
    """

    def __init__(self, make: Callable[[int], object], size: int, keep: int = 16384) -> None:
        self.make, self.size, self.keep = make, size, keep
        self.cache: OrderedDict[int, object] = OrderedDict()

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int):
        if index in self.cache:
            self.cache.move_to_end(index)
            return self.cache[index]
        value = self.make(index)
        self.cache[index] = value
        if len(self.cache) > self.keep:
            self.cache.popitem(last=False)
        return value

    def __iter__(self):
        return (self[i] for i in range(self.size))


@dataclass
class Prepared:
    """Per-document data the pairwise stages need: unique shingle sets, signatures, tokens on demand.

    ``unique[i]`` (sorted unique shingle hashes, packed for the whole corpus),
    ``words[i]`` and ``signatures[i]`` are computed once by :func:`prepare`;
    ``tokens[i]`` and ``hashes[i]`` (positional shingle hashes) are computed
    when first asked for and only the most recent are kept. Any object
    indexable by document index works in their place (a batch of
    :func:`lineage.parallel.verify_batch` uses dicts).
    """

    docs: list[Document]
    tokens: "list[Tokens] | _OnDemand"
    hashes: "list[np.ndarray] | _OnDemand"  # positional shingle hashes
    unique: "list[np.ndarray] | PackedSets"  # sorted unique shingle hashes
    _quoted: dict[int, np.ndarray] = field(default_factory=dict)
    _index: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    _marks: dict[int, LineMarks] = field(default_factory=dict)
    _layout_free: dict[int, np.ndarray] = field(default_factory=dict)
    _neutral: dict[int, np.ndarray] = field(default_factory=dict)
    _story: dict[int, np.ndarray] = field(default_factory=dict)
    _neutral_of: np.ndarray | None = None  # the neutral set the masks in _neutral were made for
    words: np.ndarray | None = None  # tokens per document
    signatures: np.ndarray | None = None  # (documents, num_perm) MinHash signatures

    def quoted(self, index: int) -> np.ndarray:
        """Per-token quotation flags of one document, computed once when first needed."""
        if index not in self._quoted:
            self._quoted[index] = quoted_tokens(self.tokens[index])
        return self._quoted[index]

    def line_marks(self, index: int) -> LineMarks:
        """One document's :func:`lineage.evidence.line_marks`, computed once when first needed
        (a document sits in several pairs of an orientation batch)."""
        if index not in self._marks:
            self._marks[index] = line_marks(self.tokens[index])
        return self._marks[index]

    def layout_free(self, index: int, k: int) -> np.ndarray:
        """One document's shingle set plus its shingles read without page furniture
        (:func:`lineage.witness.with_layout_free`), computed once when first needed."""
        if index not in self._layout_free:
            self._layout_free[index] = with_layout_free(
                self.unique[index], self.tokens[index], self.line_marks(index).short, k)
        return self._layout_free[index]

    def neutral_mask(self, index: int, neutral: np.ndarray, k: int) -> np.ndarray:
        """One document's :func:`lineage.evidence.boilerplate_mask` for the sorted set ``neutral``,
        computed once per document while ``neutral`` stays the same object."""
        self._for_neutral(neutral)
        if index not in self._neutral:
            self._neutral[index] = boilerplate_mask(self.hashes[index], len(self.tokens[index]), k, neutral)
        return self._neutral[index]

    def story(self, index: int, neutral: np.ndarray, k: int) -> np.ndarray:
        """One document's story shingles, sorted: those of the text read without its one-line
        page furniture ("Advertisement": no shingle touches it, and the shingles that run across
        it are added), less the sorted set ``neutral`` (boilerplate, site templates). Computed once
        per document while ``neutral`` stays the same object."""
        self._for_neutral(neutral)
        if index not in self._story:
            layout = self.line_marks(index).short
            if layout.any():
                text = with_layout_free(readings(self.hashes[index], layout, k), self.tokens[index], layout, k)
            else:
                text = self.unique[index]
            self._story[index] = text[~member_of(text, neutral)]
        return self._story[index]

    def _for_neutral(self, neutral: np.ndarray) -> None:
        # the per-document caches made for another neutral set are stale
        if neutral is not self._neutral_of:
            self._neutral, self._story, self._neutral_of = {}, {}, neutral

    def hash_index(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """One document's :func:`lineage.alignment.hash_index`, computed once when first needed."""
        if index not in self._index:
            self._index[index] = hash_index(self.hashes[index])
        return self._index[index]


class StageClock:
    """Adds the wall time since the previous call to ``timings[stage]`` (a stage profile).

    >>> timings = {}
    >>> lap = StageClock(timings)
    >>> lap("read"); sorted(timings)
    ['read']
    """

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.restart()

    def restart(self) -> None:
        self.clock = time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.timings[stage] = self.timings.get(stage, 0.0) + now - self.clock
        self.clock = now


def trace(
    paths: Iterable[str | os.PathLike[str]],
    *,
    metadata: str | os.PathLike[str] | None = None,
    config: Config | None = None,
    progress: Progress | None = None,
    stdin: IO[str] | None = None,
    profile: dict[str, float] | None = None,
) -> TraceResult:
    """Read a corpus, find and align reused passages, infer direction, build the lineage.

    ``profile``, when given, receives the wall-clock seconds of each stage
    (``read``, ``shingle``, ``sign``, ``candidates``, ``align``,
    ``direction``, ``graph``).

    The cyclic garbage collector is paused while the trace runs (and in the
    workers it forks; :func:`find_candidates`, :func:`verify_pairs` and
    :func:`orient` pause it on their own too): the stages build millions of
    long-lived, acyclic objects (candidate pairs, verified pairs, edges), and
    each full collection walked all of them; at 100,000 documents the main
    process spent 16 s in 53 of them. Reference counting frees what the
    stages drop.
    """
    config = config or Config()
    if config.engine == "spark":
        from lineage.spark_engine import trace_spark

        return trace_spark(paths, metadata=metadata, config=config, progress=progress, stdin=stdin,
                           profile=profile)
    with cyclic_gc_paused():
        return _trace(paths, metadata, config, progress, stdin, profile)


def _trace(paths: Iterable[str | os.PathLike[str]], metadata: str | os.PathLike[str] | None, config: Config,
           progress: Progress | None, stdin: IO[str] | None, profile: dict[str, float] | None) -> TraceResult:
    """:func:`trace` with the local engine."""
    report = progress or (lambda stage, done, total: None)
    timings: dict[str, float] = {} if profile is None else profile
    lap = StageClock(timings)
    docs, skipped = load_corpus(paths, metadata=metadata, stdin=stdin, progress=report)
    lap("read")
    prepared = prepare(docs, config, report, profile=timings)
    lap.restart()  # prepare books its own time (shingle and sign)
    pairs, boilerplate, max_df = find_candidates(prepared, config, report, as_array=True)
    prepared.signatures = None  # the candidates were their only use (1 KB per document)
    lap("candidates")
    # each stage's input is let go once the next stage has made its own: at 100,000 documents the
    # candidate pairs (now an array: 16 MB), the verified pairs (0.6 GB), the shingle sets and signatures
    # (0.6 GB) were otherwise held through the graph stage (main process 1.87 GB after it, not 2.04)
    verified = verify_pairs(prepared, pairs, config, boilerplate, report)
    candidates = len(pairs)
    del pairs
    lap("align")
    edges = orient(prepared, verified, config, boilerplate, report)
    del verified
    lap("direction")
    assert prepared.words is not None
    words = {d.id: int(w) for d, w in zip(docs, prepared.words)}
    del prepared
    params = result_params(config, max_df=max_df, documents=len(docs), candidates=candidates)
    result = assemble(docs, edges, skipped=skipped, params=params, words=words)
    report("graph", 1, 1)
    lap("graph")
    return result


def result_params(config: Config, *, max_df: int, documents: int, candidates: int) -> dict[str, object]:
    """The ``params`` of lineage.json: the configuration that shapes the result, and corpus counts."""
    params = {name: value for name, value in asdict(config).items() if name not in RUN_SETTINGS}
    return params | {"max_df_effective": max_df, "documents": documents, "candidates": candidates}


def _workers(config: Config) -> int:
    return config.workers or default_workers()


def prepare(docs: list[Document], config: Config, report: Progress,
            profile: dict[str, float] | None = None) -> Prepared:
    """Tokenise, shingle and sign every document, in batches on ``config.workers`` processes.

    Keeps per document only its sorted unique shingle hashes (packed), its
    word count and its signature; tokens are recomputed on demand.
    ``profile`` receives the wall time split into ``shingle`` and ``sign`` in
    proportion to the workers' CPU time in each (they run fused, per batch).
    """
    started = time.perf_counter()
    chars = np.cumsum([len(d.text) for d in docs], dtype=np.int64)
    values = _Grown(np.uint64, int(chars[-1]) // 5 if len(docs) else 0)  # about a shingle per word of English
    lengths: list[np.ndarray] = []
    words: list[np.ndarray] = []
    signatures: np.ndarray | None = None
    done = 0
    cpu = [0.0, 0.0]
    report("shingle", 0, len(docs))
    for batch in shingle_all([d.text for d in docs], k=config.k, num_perm=config.num_perm, seed=config.seed,
                             workers=_workers(config), progress=lambda done: report("shingle", done, len(docs))):
        # each batch is copied into the corpus-wide arrays as it comes: the batches and their
        # concatenation never exist at once (at 200,000 documents the concatenation doubled
        # 1 GB of shingle sets, the peak of the whole trace)
        after = done + len(batch.signatures)
        values.extend(batch.values, share=float(chars[after - 1] / max(int(chars[-1]), 1)))
        lengths.append(np.diff(batch.offsets))
        words.append(batch.words)
        if signatures is None:
            signatures = np.empty((len(docs), batch.signatures.shape[1]), dtype=batch.signatures.dtype)
        signatures[done:after] = batch.signatures
        done = after
        cpu[0] += batch.shingle_seconds
        cpu[1] += batch.sign_seconds
    offsets = np.concatenate(([0], np.cumsum(np.concatenate(lengths)))) if lengths else np.zeros(1, np.int64)
    unique = PackedSets(values.array(), offsets.astype(np.int64))
    if signatures is None:
        signatures = np.zeros((0, config.num_perm), dtype=np.uint64)
    tokens = _OnDemand(lambda i: tokenize_hashed(docs[i].text), len(docs))
    hashes = _OnDemand(lambda i: shingle_hashes(tokens[i], k=config.k), len(docs))
    report("sign", len(docs), len(docs))
    if profile is not None:
        wall = time.perf_counter() - started
        share = cpu[0] / sum(cpu) if sum(cpu) > 0 else 1.0
        profile["shingle"] = profile.get("shingle", 0.0) + wall * share
        profile["sign"] = profile.get("sign", 0.0) + wall * (1 - share)
    return Prepared(docs, tokens, hashes, unique,
                    words=np.concatenate(words) if words else np.zeros(0, np.int64), signatures=signatures)


class _Grown:
    """One array that batches are appended to, in place: a capacity given at the start (its pages
    are touched only as they are filled), grown when it is full (NumPy then copies it, so a good
    first capacity matters), and trimmed at the end (in place).

    >>> g = _Grown(np.int64, 2); g.extend(np.arange(3)); g.extend(np.arange(2), share=0.5); g.array().tolist()
    [0, 1, 2, 0, 1]
    """

    def __init__(self, dtype: type, capacity: int) -> None:
        self._array = np.empty(max(capacity, 1), dtype=dtype)
        self.size = 0

    def extend(self, part: np.ndarray, share: float = 1.0) -> None:
        """Append ``part``, which brings the input read so far to ``share`` of all of it; when
        full, grow to what that share says the whole needs (10% more, at least a quarter more)."""
        need = self.size + len(part)
        if need > len(self._array):
            expected = int(need / max(share, 1e-9) * 1.1)
            self._array.resize(max(need, expected, len(self._array) + len(self._array) // 4), refcheck=False)
        self._array[self.size : need] = part
        self.size = need

    def array(self) -> np.ndarray:
        """The values appended, in order (the spare capacity given back); call once, at the end."""
        self._array.resize(self.size, refcheck=False)
        return self._array


@cyclic_gc_paused()  # makes up to millions of long-lived objects (see trace)
def find_candidates(prepared: Prepared, config: Config, report: Progress, *,
                    as_array: bool = False) -> tuple[list[tuple[int, int]] | np.ndarray, np.ndarray, int]:
    """Sign, find boilerplate, propose pairs: ``(pairs, boilerplate hashes, max_df used)``;
    ``as_array``: the pairs as the rows of an ``(n, 2)`` int64 array (see
    :func:`lineage.candidates.candidate_pairs`)."""
    n = len(prepared.docs)
    sigs = prepared.signatures
    if sigs is None:  # a Prepared built by hand
        sets = pack(prepared.unique)
        sigs = packed_signatures(sets.values, sets.offsets, num_perm=config.num_perm, seed=config.seed)
    report("sign", n, n)
    max_df = config.effective_max_df(n)
    boilerplate = document_frequency_filter(prepared.unique, max_df)
    pairs = candidate_pairs(
        prepared.unique, sigs, bands=config.bands, rows=config.rows, sample=config.sample,
        min_shared=config.min_shared, max_df=max_df, boilerplate=boilerplate, workers=_workers(config),
        as_array=as_array,
    )
    report("candidates", 1, 1)
    return pairs, boilerplate, max_df


# From about this many candidate pairs the alignment kernel's first compilation (~10 s once per
# installation; ~0.3 s to load afterwards) pays for itself (~100 us saved per pair).
ALIGN_KERNEL_MIN_PAIRS = 20_000


@cyclic_gc_paused()  # makes up to millions of long-lived objects (see trace)
def verify_pairs(prepared: Prepared, pairs: list[tuple[int, int]] | np.ndarray, config: Config, boilerplate: np.ndarray,
                 report: Progress) -> VerifiedPairs:
    """Align and classify every candidate pair; pairs sharing no passage are dropped.

    The verified pairs come as a :class:`lineage.verified.VerifiedPairs`, a read-only
    sequence of :class:`~lineage.model.Verified` held in columns (a third of the memory).

    Runs :func:`verify_pair` in batches on ``config.workers`` processes (see
    :func:`lineage.parallel.verify_batch_columns`); the results come back in the
    order of ``pairs`` (tuples, or the rows of an array) whatever the number of workers. From
    :data:`ALIGN_KERNEL_MIN_PAIRS` pairs the compiled alignment kernel is
    loaded first, so the workers inherit it (same results, several times
    faster; its one-time compilation takes seconds).
    """
    if len(pairs) >= ALIGN_KERNEL_MIN_PAIRS:
        load_kernel()
        load_quote_kernel()
    workers = _workers(config)
    parts, positions = [], []
    done = 0
    report("align", 0, len(pairs))
    # forked workers read the documents from what they inherit: the tasks carry their indices
    with shared_with_workers("docs", prepared.docs, workers) as shared:
        tasks, order = verify_tasks(prepared.docs, pairs, config, boilerplate, workers, shared=shared)
        for task, (kept, found) in zip(tasks, run_batches(verify_batch_columns, tasks, workers)):
            parts.append(found)
            positions.append(order[done + kept])
            done += len(task.pairs)
            report("align", done, len(pairs))
    table = VerifiedPairs.concat(parts)
    if parts:  # back in the order of ``pairs``
        table = table.take(np.argsort(np.concatenate(positions), kind="stable"))
    return table.with_ids([d.id for d in prepared.docs])


@cyclic_gc_paused()  # makes up to millions of long-lived objects (see trace)
def orient(prepared: Prepared, verified: Sequence[Verified], config: Config, boilerplate: np.ndarray,
           report: Progress) -> list[LineageEdge]:
    """Decide the direction of every verified pair, using what the other verified pairs show.

    Runs after all pairs are aligned because two kinds of evidence need the
    whole picture: site templates (shingles recurring across unrelated copy
    clusters, neutral like boilerplate) and witnesses (documents with a copy
    relation to either side, see :mod:`lineage.witness`).

    The per-pair work (:func:`orient_pair`) runs in batches on
    ``config.workers`` processes (:func:`lineage.parallel.orient_batch`),
    the pairs of one copy cluster together; quote-only pairs, which need no
    text, are decided here. Same edges, in the order of ``verified``,
    whatever the number of workers. From :data:`ALIGN_KERNEL_MIN_PAIRS`
    verified pairs the compiled set kernel (:func:`lineage.shingles.member_of`)
    is loaded first, so the workers inherit it (same edges).
    """
    if len(verified) >= ALIGN_KERNEL_MIN_PAIRS:
        load(*SET_KERNEL)
    ids = [d.id for d in prepared.docs]
    table = verified if isinstance(verified, VerifiedPairs) else VerifiedPairs.of(verified).with_ids(ids)
    neighbours, component = copy_graph(len(prepared.docs), table)
    # site templates: half of them in a forked process, half here once the witnesses are picked
    theirs = run_forked(lambda unique: template_shingles(unique, component, share=(1, 2)), prepared.unique,
                        enabled=_workers(config) > 1)
    # the pairs that need their texts (quote-only pairs do not), each with its witnesses
    copies = np.flatnonzero(np.fromiter((e is not None for e in table.evidence), dtype=bool, count=len(table)))
    pairs = table.take(copies)
    witnesses = pack([pick_witnesses(i, j, neighbours, ids) for i, j in pairs.pairs.tolist()], dtype=np.int64)
    ours = template_shingles(prepared.unique, component, share=(0, 2))
    words = rarity_table(ids, lambda i: token_hashes(prepared.tokens[i]), config, len(pairs))
    neutral = np.union1d(boilerplate, np.concatenate([ours, theirs.result()]))
    workers = _workers(config)
    edges: list[LineageEdge | None] = [None] * len(table)
    report("direction", 0, len(table))
    batched = 0
    with shared_with_workers("docs", prepared.docs, workers) as with_docs, \
            shared_with_workers("sets", prepared.unique, workers) as with_sets:
        tasks, order = orient_tasks(prepared.docs, prepared.unique, pairs, witnesses, config, neutral, words,
                                    workers, shared=with_docs and with_sets)
        for found in run_batches(orient_batch, tasks, workers):
            for item, edge in zip(order[batched : batched + len(found)].tolist(), found):
                edges[int(copies[item])] = edge  # type: ignore[assignment]
            batched += len(found)
            report("direction", batched, len(table))
    # the quote-only edges last, once the workers have ended: made before, while the site
    # templates' process ran, they were 0.6 GB more through the batches at 200,000 documents
    # (nine pairs in ten are quote-only)
    for position, v in enumerate(table):
        if v.evidence is None:
            edges[position] = quote_only_edge(v.alignment, v.relation)
    report("direction", len(table), len(table))
    return corpus_passes(prepared.docs, edges, config)  # type: ignore[arg-type]


def rarity_table(ids: Sequence[str], hashes_of: Callable[[int], np.ndarray], config: Config,
                 pairs: int) -> WordFrequencies | None:
    """Reading rarity's word table (:func:`lineage.rarity.corpus_words`; ``hashes_of(i)`` gives
    document ``i``'s token hashes), or None when no pair needs it: ``pairs`` copy pairs to orient,
    none, or the family left out (:func:`orient_pair` then computes no rarity)."""
    if not pairs or "rarity" in config.dropped_families():
        return None
    return corpus_words(ids, hashes_of)


def corpus_passes(docs: list[Document], edges: list[LineageEdge], config: Config) -> list[LineageEdge]:
    """Direction's passes over all the edges at once: reading rarity, outlet reputation, then
    consistency."""
    return weigh_consistency(weigh_outlets(docs, weigh_rarity(edges, config), config), config)


def weigh_rarity(edges: list[LineageEdge], config: Config) -> list[LineageEdge]:
    """Direction's first corpus pass: reading rarity (:mod:`lineage.rarity`) over all the edges."""
    model = load_model()
    weight = 0.0 if "rarity" in config.dropped_families() else model["orient"].get("rarity", 0.0)
    return rarity_pass(edges, weight=weight, threshold=orientation_threshold(model, config.threshold))


def weigh_outlets(docs: list[Document], edges: list[LineageEdge], config: Config) -> list[LineageEdge]:
    """Direction's second pass: outlet reputation (:mod:`lineage.outlets`) over all the edges."""
    model = load_model()
    weight = 0.0 if "outlet" in config.dropped_families() else model["orient"].get("outlet", 0.0)
    return reweigh(edges, {d.id: d.outlet for d in docs}, weight=weight,
                   threshold=orientation_threshold(model, config.threshold))


def weigh_consistency(edges: list[LineageEdge], config: Config) -> list[LineageEdge]:
    """Direction's last pass: each pair against the other pairs of its part (:mod:`lineage.consistency`)."""
    model = load_model()
    weight = 0.0 if "consistency" in config.dropped_families() else model["orient"].get("consistency", 0.0)
    return consistency.reweigh(edges, weight=weight, threshold=orientation_threshold(model, config.threshold))


def orient_pair(prepared: Prepared, v: Verified, config: Config, neutral: np.ndarray,
                witnesses: list[int], words: WordFrequencies | None = None) -> LineageEdge:
    """The oriented edge of one verified pair (the per-pair part of :func:`orient`).

    Needs, of the corpus, only ``neutral`` (boilerplate and template shingle
    hashes, sorted), the ``witnesses`` (document indices related to either
    side, see :func:`lineage.witness.pick_witnesses`) and ``words``, the
    corpus's word frequencies (:func:`lineage.rarity.corpus_words`; None: no
    rarity evidence); ``prepared`` must hold documents ``v.i``, ``v.j`` and the
    witnesses. A distributed engine calls this with a ``Prepared`` of just those
    documents.
    """
    a, b = prepared.docs[v.i], prepared.docs[v.j]
    al = v.alignment
    if v.evidence is None:
        return quote_only_edge(al, v.relation)
    dropped = config.dropped_families()
    ta, tb = prepared.tokens[v.i], prepared.tokens[v.j]
    na, nb = prepared.neutral_mask(v.i, neutral, config.k), prepared.neutral_mask(v.j, neutral, config.k)
    # one passage-to-token conversion per side serves the blocks, the context and the witness readings
    spans_a = token_spans(ta, [p.source for p in al.passages])
    spans_b = token_spans(tb, [p.target for p in al.passages])
    ma, mb = prepared.line_marks(v.i), prepared.line_marks(v.j)  # serve the blocks and the witnesses
    blocks_a, blocks_b = side_blocks(ta, spans_a, na, ma), side_blocks(tb, spans_b, nb, mb)
    ev = pair_evidence(a, ta, b, tb, al, a_neutral=na, b_neutral=nb, a_blocks=blocks_a, b_blocks=blocks_b,
                       a_marks=ma, b_marks=mb)
    context = (context_relatedness(ta, spans_a, na), context_relatedness(tb, spans_b, nb))
    if words is not None:
        ev = replace(ev, rarity=rarity(*variant_readings(token_hashes(ta), spans_a, token_hashes(tb), spans_b), words))
    votes = (0, 0, 0)
    if "witness" not in dropped:
        # one-line page furniture ("Advertisement") is no reading: shingles touching it are left
        # out, and the other side is also compared with each text read without it
        votes = witness_votes(
            shared_readings(prepared.hashes[v.i], len(ta), spans_a, config.k, ma.short),
            shared_readings(prepared.hashes[v.j], len(tb), spans_b, config.k, mb.short),
            prepared.layout_free(v.i, config.k),
            prepared.layout_free(v.j, config.k),
            [prepared.unique[w] for w in witnesses], neutral,
        )
    verdict = decide(a.id, b.id, ev, votes, context=context, threshold=config.threshold, ablate=dropped)
    story = story_containment(prepared.story(v.i, neutral, config.k), prepared.story(v.j, neutral, config.k))
    return _edge(al, v.relation, verdict.source, verdict.direction, verdict.confidence, verdict.evidence, story,
                 ev.rarity)


def quote_only_edge(al: Alignment, relation: str) -> LineageEdge:
    """The edge of a pair that shares only quotations: unresolved, no direction evidence to weigh."""
    return _edge(al, relation, al.a, "unresolved", 0.5, _quote_only_evidence(al.unquoted_words))


@functools.lru_cache(maxsize=1024)
def _quote_only_evidence(unquoted_words: int) -> tuple[str]:
    """The evidence of :func:`quote_only_edge`, one tuple per word count shared by all the edges
    that have it: 89% of the 530,000 edges of 100,000 news documents are quote-only, and their
    sentence (about 170 bytes with its tuple) takes some 50 values.

    >>> _quote_only_evidence(8) is _quote_only_evidence(8)
    True
    """
    return (f"shares only quotations and {unquoted_words} other words: independent reports, not a copy",)


def story_containment(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """``(a in b, b in a)``: the share of each sorted unique story-shingle set found in the other.

    Exact containment counts what a page adds around the story: a site's
    template, and the shingles an "Advertisement" line breaks. A copy on
    another site has neither, so a verbatim sibling with the copy's layout
    can explain it better than its true parent. The lineage tree weighs
    parents by these instead (see :meth:`Prepared.story`).

    >>> import numpy as np
    >>> story_containment(np.array([1, 2, 3, 4], dtype=np.uint64), np.array([3, 4], dtype=np.uint64))
    (0.5, 1.0)
    """
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    shared = int(np.count_nonzero(member(small, large)))  # both sorted unique: binary search, no sort
    return round(shared / len(a), 4) if len(a) else 0.0, round(shared / len(b), 4) if len(b) else 0.0


def copy_graph(n: int, verified: Sequence[Verified]) -> tuple[dict[int, set[int]], np.ndarray]:
    """The copy relations (quote-only pairs left out) among ``n`` documents: neighbours and components.

    Returns each document's copy neighbours (witness candidates) and the
    label of its copy cluster (its smallest member; see
    :func:`lineage.representatives.components`).
    """
    if isinstance(verified, VerifiedPairs):
        copies = verified.copy_pairs().tolist()
    else:
        copies = [(v.i, v.j) for v in verified if v.relation != "quote-only"]
    neighbours: dict[int, set[int]] = {}
    for i, j in copies:
        neighbours.setdefault(i, set()).add(j)
        neighbours.setdefault(j, set()).add(i)
    return neighbours, components(n, np.asarray(copies, dtype=np.int64).reshape(-1, 2))


def assemble(docs: list[Document], edges: list[LineageEdge], *, skipped: list[Skipped],
             params: dict[str, object], words: dict[str, int]) -> TraceResult:
    """Lineage forest, tree flags and clusters from verified edges (the graph is made when read)."""
    ids = [d.id for d in docs]
    with cyclic_gc_paused():  # the edges made anew (tree flags) live as long as the result
        parents, tree = lineage_forest(ids, edges)
        also = secondary_sources(parents, edges)
        edges = sorted(
            (_marked(e, (e.source, e.target) in tree, also.get((e.source, e.target)), parents) for e in edges),
            key=lambda e: (e.source, e.target),
        )
        groups = clusters(ids, edges)
    return TraceResult(docs, edges, parents, groups, None, skipped, params, words)


def verify_pair(prepared: Prepared, i: int, j: int, config: Config, boilerplate: np.ndarray) -> Verified | None:
    """Align documents ``i`` and ``j`` exactly and classify the pair; None when nothing is shared."""
    if prepared.docs[i].id > prepared.docs[j].id:
        i, j = j, i
    a, ta, b, tb = prepared.docs[i], prepared.tokens[i], prepared.docs[j], prepared.tokens[j]
    al = align_pair(a.id, ta, b.id, tb, k=config.k, max_gap=config.max_gap, min_words=config.min_words,
                    a_hashes=prepared.hashes[i], b_hashes=prepared.hashes[j], ignore=boilerplate,
                    a_quoted=lambda: prepared.quoted(i), b_quoted=lambda: prepared.quoted(j),
                    a_unique=prepared.unique[i], b_unique=prepared.unique[j],
                    a_index=prepared.hash_index(i), b_index=prepared.hash_index(j))
    if not al.passages:
        return None
    relation = classify(al, quote_words=config.quote_words)
    if relation is None:
        return None
    if relation == "quote-only":
        # most verified pairs of a large corpus share only quotations (stock phrases, the same
        # statement quoted by independent reports); their evidence would go unused
        return Verified(i, j, al, relation, None)
    ev = pair_evidence(a, ta, b, tb, al,
                       a_neutral=prepared.neutral_mask(i, boilerplate, config.k),
                       b_neutral=prepared.neutral_mask(j, boilerplate, config.k),
                       a_marks=prepared.line_marks(i), b_marks=prepared.line_marks(j))
    # an appended unrelated story may hide that the rest is a copy; it never makes quotations one
    relation = classify(_without_unrelated(al, ev), quote_words=config.quote_words) or relation
    return Verified(i, j, al, relation, ev)


def _without_unrelated(al: Alignment, ev: PairEvidence, least: float = 0.2) -> Alignment:
    """The alignment with coverage computed as if unrelated blocks (an appended story) were not there.

    Only for a document whose shared text is substantial (coverage ≥ ``least``):
    next to a few shared quotations everything else looks "unrelated", and
    leaving it out would make two independent reports look like duplicates.
    """

    def adjusted(coverage: float, words: int, unrelated: int) -> float:
        return coverage * words / max(1, words - unrelated) if coverage >= least else coverage

    return replace(
        al,
        a_coverage=adjusted(al.a_coverage, al.a_words, ev.a.unrelated),
        b_coverage=adjusted(al.b_coverage, al.b_words, ev.b.unrelated),
    )


def _edge(al: Alignment, relation: str, source: str, direction: str, confidence: float,
          evidence: tuple[str, ...], story: tuple[float, float] | None = None,
          rarity: Rarity | None = None) -> LineageEdge:
    """A LineageEdge from an (a, b) alignment, oriented with ``source`` first; ``story`` is
    :func:`story_containment` of (a, b), None for quote-only pairs; ``rarity`` is stated for
    (a, b)."""
    a_in_b, b_in_a = story if story is not None else (None, None)
    edge = LineageEdge(
        source=al.a,
        target=al.b,
        relation=relation,
        direction=direction,
        confidence=confidence,
        jaccard=al.jaccard,
        source_in_target=al.a_in_b,
        target_in_source=al.b_in_a,
        passages=al.passages,
        evidence=evidence,
        story_source_in_target=a_in_b,
        story_target_in_source=b_in_a,
        rarity=rarity,
    )
    return edge if source == al.a else edge.flipped()


def _marked(e: LineageEdge, on_tree: bool, also_used: int | None, parents: dict[str, str | None]) -> LineageEdge:
    """The edge with its tree flag, and, for an "also used" source (``also_used`` words the
    target's parent does not explain), its secondary flag and the sentence that says so."""
    if also_used is not None:
        return replace(e, tree=on_tree, secondary=True, evidence=(
            *e.evidence, f"also used: {also_used} words of {e.target} come from {e.source} and are not in "
                         f"its lineage parent {parents.get(e.target)}"))
    # most edges are off the tree and already say so: only the others are copied
    return e if e.tree == on_tree and not e.secondary else replace(e, tree=on_tree, secondary=False)


CONFIG_FIELDS = tuple(f.name for f in fields(Config))
