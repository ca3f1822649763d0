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

import os
from dataclasses import asdict, dataclass, field, fields
from typing import IO, Callable, Iterable

import networkx as nx
import numpy as np

from lineage.alignment import align_pair, quoted_tokens
from lineage.candidates import candidate_pairs, document_frequency_filter
from lineage.corpus import load_corpus
from lineage.direction import infer_direction
from lineage.errors import ConfigError
from lineage.graph import build_graph, clusters, lineage_forest
from lineage.model import Document, LineageEdge, Skipped
from lineage.normalise import Tokens, tokenize
from lineage.relation import classify
from lineage.shingles import shingle_hashes
from lineage.signatures import signatures

Progress = Callable[[str, int, int], None]


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
    threshold: float = 0.6  # below this confidence a direction is "unresolved"
    use_timestamps: bool = True
    seed: int = 1

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ConfigError(f"k must be at least 1, got {self.k}", fix="use --k 5 for news text")
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"bands * rows = {self.bands * self.rows} exceeds num_perm = {self.num_perm}",
                fix="lower --bands or --rows, or raise --num-perm",
            )
        if self.sample < 1 or self.min_shared < 1:
            raise ConfigError("sample and min-shared must be at least 1", fix="use --sample 4 --min-shared 2")
        if not 0.5 <= self.threshold <= 1.0:
            raise ConfigError(f"threshold must be in [0.5, 1], got {self.threshold}", fix="use --threshold 0.6")

    def effective_max_df(self, n_docs: int) -> int:
        return self.max_df if self.max_df > 0 else max(50, n_docs // 100)


@dataclass
class TraceResult:
    """What a trace found: documents, verified edges, the lineage and the graph."""

    documents: list[Document]
    edges: list[LineageEdge]
    parents: dict[str, str | None]
    clusters: list[list[str]]
    graph: nx.DiGraph
    skipped: list[Skipped]
    params: dict[str, object]
    words: dict[str, int] = field(default_factory=dict)

    def cluster_of(self) -> dict[str, str]:
        return {doc_id: f"c{n}" for n, members in enumerate(self.clusters, start=1) for doc_id in members}

    def to_json(self) -> dict[str, object]:
        """The ``lineage.json`` document (see DESIGN.md's output contract)."""
        from lineage.export import to_json

        return to_json(self)


@dataclass
class Prepared:
    """Per-document arrays the pairwise stages need: tokens, positional and unique shingles."""

    docs: list[Document]
    tokens: list[Tokens]
    hashes: list[np.ndarray]  # positional shingle hashes
    unique: list[np.ndarray]  # sorted unique shingle hashes
    _quoted: dict[int, np.ndarray] = field(default_factory=dict)

    def quoted(self, index: int) -> np.ndarray:
        """Per-token quotation flags of one document, computed once when first needed."""
        if index not in self._quoted:
            self._quoted[index] = quoted_tokens(self.tokens[index])
        return self._quoted[index]


def trace(
    paths: Iterable[str | os.PathLike[str]],
    *,
    metadata: str | os.PathLike[str] | None = None,
    config: Config | None = None,
    progress: Progress | None = None,
    stdin: IO[str] | None = None,
) -> TraceResult:
    """Read a corpus, find and align reused passages, infer direction, build the lineage."""
    config = config or Config()
    report = progress or (lambda stage, done, total: None)
    docs, skipped = load_corpus(paths, metadata=metadata, stdin=stdin, progress=report)
    prepared = prepare(docs, config, report)
    pairs, boilerplate, max_df = find_candidates(prepared, config, report)
    edges = verify_pairs(prepared, pairs, config, boilerplate, report)
    params = asdict(config) | {"max_df_effective": max_df, "documents": len(docs), "candidates": len(pairs)}
    result = assemble(docs, edges, skipped=skipped, params=params,
                      words={d.id: len(t) for d, t in zip(docs, prepared.tokens)})
    report("graph", 1, 1)
    return result


def prepare(docs: list[Document], config: Config, report: Progress) -> Prepared:
    """Tokenise and shingle every document."""
    tokens: list[Tokens] = []
    hashes: list[np.ndarray] = []
    for i, doc in enumerate(docs):
        t = tokenize(doc.text)
        tokens.append(t)
        hashes.append(shingle_hashes(t, k=config.k))
        report("shingle", i + 1, len(docs))
    return Prepared(docs, tokens, hashes, [np.unique(h) for h in hashes])


def find_candidates(prepared: Prepared, config: Config, report: Progress) -> tuple[list[tuple[int, int]], np.ndarray, int]:
    """Sign, find boilerplate, propose pairs: ``(pairs, boilerplate hashes, max_df used)``."""
    n = len(prepared.docs)
    sigs = signatures(prepared.unique, num_perm=config.num_perm, seed=config.seed)
    report("sign", n, n)
    max_df = config.effective_max_df(n)
    boilerplate = document_frequency_filter(prepared.unique, max_df)
    pairs = candidate_pairs(
        prepared.unique, sigs, bands=config.bands, rows=config.rows, sample=config.sample,
        min_shared=config.min_shared, max_df=max_df, boilerplate=boilerplate,
    )
    report("candidates", 1, 1)
    return pairs, boilerplate, max_df


def verify_pairs(prepared: Prepared, pairs: list[tuple[int, int]], config: Config, boilerplate: np.ndarray,
                 report: Progress) -> list[LineageEdge]:
    """Align, classify and orient every candidate pair; pairs sharing no passage are dropped."""
    edges: list[LineageEdge] = []
    for done, (i, j) in enumerate(pairs, start=1):
        edge = verify_pair(prepared, i, j, config, boilerplate)
        if edge is not None:
            edges.append(edge)
        report("align", done, len(pairs))
    return edges


def assemble(docs: list[Document], edges: list[LineageEdge], *, skipped: list[Skipped],
             params: dict[str, object], words: dict[str, int]) -> TraceResult:
    """Lineage forest, tree flags, clusters and the graph from verified edges."""
    ids = [d.id for d in docs]
    parents, tree = lineage_forest(ids, edges)
    edges = sorted(
        (_with_tree(e, (e.source, e.target) in tree) for e in edges), key=lambda e: (e.source, e.target)
    )
    groups = clusters(ids, edges)
    result = TraceResult(docs, edges, parents, groups, nx.DiGraph(), skipped, params, words)
    result.graph = build_graph(docs, edges, parents, result.cluster_of())
    return result


def verify_pair(prepared: Prepared, i: int, j: int, config: Config, boilerplate: np.ndarray) -> LineageEdge | None:
    """Align documents ``i`` and ``j`` exactly; the edge with relation and direction, or None."""
    if prepared.docs[i].id > prepared.docs[j].id:
        i, j = j, i
    a, ta, b, tb = prepared.docs[i], prepared.tokens[i], prepared.docs[j], prepared.tokens[j]
    al = align_pair(a.id, ta, b.id, tb, k=config.k, max_gap=config.max_gap, min_words=config.min_words,
                    a_hashes=prepared.hashes[i], b_hashes=prepared.hashes[j], ignore=boilerplate,
                    a_quoted=prepared.quoted(i), b_quoted=prepared.quoted(j),
                    a_unique=prepared.unique[i], b_unique=prepared.unique[j])
    relation = classify(al, quote_words=config.quote_words)
    if relation is None:
        return None
    if relation == "quote-only":
        verdict_source, verdict_target = a.id, b.id
        direction, confidence = "unresolved", 0.5
        evidence: tuple[str, ...] = (
            f"shares only quotations and {al.unquoted_words} other words: independent reports, not a copy",
        )
    else:
        v = infer_direction(a, ta, b, tb, al, threshold=config.threshold, use_timestamps=config.use_timestamps)
        verdict_source, verdict_target, direction, confidence, evidence = v.source, v.target, v.direction, v.confidence, v.evidence
    forward = verdict_source == a.id
    return LineageEdge(
        source=verdict_source,
        target=verdict_target,
        relation=relation,
        direction=direction,
        confidence=confidence,
        jaccard=al.jaccard,
        source_in_target=al.a_in_b if forward else al.b_in_a,
        target_in_source=al.b_in_a if forward else al.a_in_b,
        passages=al.passages if forward else tuple(p.flipped() for p in al.passages),
        evidence=evidence,
    )


def _with_tree(e: LineageEdge, on_tree: bool) -> LineageEdge:
    from dataclasses import replace

    return replace(e, tree=on_tree)


CONFIG_FIELDS = tuple(f.name for f in fields(Config))
