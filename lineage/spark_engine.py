"""The trace on Apache Spark: the local engine's stages on executors, the same result.

``lineage trace --engine spark`` (or ``Config(engine="spark")``) runs the
stages of :mod:`lineage.pipeline` as Spark jobs. Every stage calls the same
pure functions as the local engine, on batches, so the output is the local
engine's, edge for edge (a parity test checks it on Spark ``local[2]``):

=================  ======================================================  ==========
stage              how it runs here                                        where
=================  ======================================================  ==========
read               decode and parse each file (:func:`corpus.read_file`);  executors
                   Parquet and Hadoop URIs read by Spark; then ids,
                   duplicates and order exactly as the local engine
                   (:func:`corpus.finish_corpus`)                          driver
shingle, sign      :func:`parallel.shingle_batch` per partition            executors
boilerplate        exact document frequencies, hash-partitioned            executors
LSH, fingerprints  band and fingerprint groups hash-partitioned; pairs     executors
                   from groups by :func:`representatives.group_pair_keys`
                   (representatives for huge groups: the skew guard)
near-identical     signatures of candidate pairs compared                  executors
                   components of the near-identical links                  driver
align, verify      :func:`parallel.verify_batch` per batch of pairs        executors
templates          shingles across copy clusters, hash-partitioned         executors
direction          :func:`parallel.orient_batch` per batch of pairs        executors
lineage            :func:`pipeline.assemble` over verified edges           driver
=================  ======================================================  ==========

Bulk data moves between stages as NumPy arrays in a few records per
partition (array shuffles), not one Python record per shingle. Documents are
sent only to the batches that need them (each batch of pairs gets the texts
of its documents once). The driver holds what the outputs need (documents,
edges) and the candidate pair keys; BENCHMARKS.md's scaling plan says what
moves off the driver beyond a single machine's memory.

Needs PySpark (``pip install 'lineage[spark]'``) and Java 17 or newer.
Without ``spark_master`` the session is the one ``spark-submit`` configured,
or ``local[*]``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator
from urllib.request import urlopen

import numpy as np

from lineage import formats
from lineage.candidates import EMPTY
from lineage.corpus import finish_corpus, list_files, read_file
from lineage.errors import ConfigError, InputError
from lineage.evidence import TEMPLATE_CLUSTERS, distinct_pairs
from lineage.model import Document, LineageEdge, Skipped, Verified
from lineage.parallel import OrientTask, VerifyTask, locality_order, orient_batch, shingle_batch, verify_batch
from lineage.pipeline import (
    Config,
    StageClock,
    TraceResult,
    assemble,
    copy_graph,
    corpus_passes,
    rarity_table,
    result_params,
)
from lineage.representatives import (
    GROUP_CAP,
    collapse_near_identical,
    group_pair_keys,
    huge_components,
    near_identical,
    priority_ranks,
)
from lineage.shingles import member, token_hashes, tokenize_hashed
from lineage.verified import VerifiedPairs
from lineage.witness import pick_witnesses

Progress = Callable[[str, int, int], None]

DOCS_PER_PARTITION = 2000  # documents per partition of the per-document stages
PAIRS_PER_BATCH = 4000  # candidate pairs per verification or direction batch
DRIVER_MEMORY = "4g"  # unless spark-submit or the Spark configuration sets spark.driver.memory


def session(master: str | None = None):
    """A SparkSession: ``master`` if given, else what ``spark-submit`` configured, else ``local[*]``.

    Raises :class:`ConfigError` when PySpark or Java is missing.
    """
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("the spark engine needs PySpark", fix="pip install 'lineage[spark]'") from None
    # executors in local mode run this interpreter, where lineage is installed
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("lineage").config("spark.ui.showConsoleProgress", "false")
    conf = SparkConf()
    if master:
        builder = builder.master(master)
    elif not conf.contains("spark.master"):
        builder = builder.master("local[*]")
    if not conf.contains("spark.driver.memory"):
        # in local mode the driver's JVM is the executor too: Spark's 1 GB default stalled a
        # 50,000-document trace with its cached partitions; takes effect only when this starts the JVM
        builder = builder.config("spark.driver.memory", DRIVER_MEMORY)
    try:
        spark = builder.getOrCreate()
    except Exception as exc:  # py4j raises plain exceptions when the JVM cannot start
        if "JAVA_HOME" in str(exc) or "Java gateway" in str(exc):
            raise ConfigError("the spark engine could not start Java",
                              fix="install Java 17 or newer (Debian: openjdk-17-jre-headless)") from None
        raise ConfigError(f"Spark did not start: {str(exc).splitlines()[0]}",
                          fix="check --spark-master and the Spark configuration") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def trace_spark(
    paths: Iterable[str | os.PathLike[str]],
    *,
    metadata: str | os.PathLike[str] | None = None,
    config: Config,
    progress: Progress | None = None,
    stdin: IO[str] | None = None,
    profile: dict[str, float] | None = None,
    spark=None,
) -> TraceResult:
    """:func:`lineage.pipeline.trace` on Spark; the same result. ``spark``: a session to use."""
    report = progress or (lambda stage, done, total: None)
    lap = StageClock({} if profile is None else profile)
    spark = spark or session(config.spark_master)
    from pyspark import StorageLevel

    sc = spark.sparkContext
    shuffle = _ShuffleMeter(sc) if profile is not None else None

    def done(stage: str, following: str | None) -> None:
        lap(stage)
        if shuffle is not None:
            written = shuffle.take()
            if written is not None:
                lap.timings[f"shuffle:{stage}"] = written
        if following:
            sc.setJobDescription(f"lineage: {following}")  # names the jobs in Spark's UI

    sc.setJobDescription("lineage: read")
    docs, skipped = read_corpus(spark, [str(p) for p in paths], metadata=metadata, stdin=stdin)
    report("read", len(docs), len(docs))
    done("read", "shingle")
    n = len(docs)
    parts = max(sc.defaultParallelism, -(-n // DOCS_PER_PARTITION))
    # kept for the later stages; spilled to disk, not dropped and recomputed, when memory is short
    doc_rdd = sc.parallelize(list(enumerate(docs)), parts).persist(StorageLevel.MEMORY_AND_DISK)
    shingled = doc_rdd.mapPartitions(_shingle_partition(config)).persist(StorageLevel.MEMORY_AND_DISK)
    meta = np.array(shingled.map(lambda r: (r[0], r[2], len(r[1]))).collect(), dtype=np.int64).reshape(-1, 3)
    words = np.zeros(n, dtype=np.int64)
    lengths = np.zeros(n, dtype=np.int64)
    words[meta[:, 0]], lengths[meta[:, 0]] = meta[:, 1], meta[:, 2]
    report("sign", n, n)
    done("shingle", "candidates")

    max_df = config.effective_max_df(n)
    boilerplate = _frequent(shingled, max_df, parts)
    pairs = _candidates(sc, shingled, n, lengths, config, max_df, boilerplate, parts)
    report("candidates", 1, 1)
    done("candidates", "align")

    verified = _verify(sc, doc_rdd, pairs, n, config, boilerplate)
    report("align", len(pairs), len(pairs))
    done("align", "direction")

    edges = _orient(sc, doc_rdd, shingled, docs, verified, config, boilerplate, parts)
    report("direction", len(verified), len(verified))
    done("direction", None)
    params = result_params(config, max_df=max_df, documents=n, candidates=len(pairs))
    result = assemble(docs, edges, skipped=skipped, params=params,
                      words={d.id: int(w) for d, w in zip(docs, words)})
    doc_rdd.unpersist()
    shingled.unpersist()
    report("graph", 1, 1)
    lap("graph")
    return result


class _ShuffleMeter:
    """Shuffle bytes written since the last call, from Spark's monitoring REST API.

    None when the UI (and with it the API) is off. Stages are attributed to
    the pipeline stage during which Spark reported them complete.
    """

    def __init__(self, sc) -> None:
        self.url = sc.uiWebUrl
        self.app = sc.applicationId
        self.seen: set[tuple[int, int]] = set()

    def take(self) -> int | None:
        if not self.url:
            return None
        try:
            with urlopen(f"{self.url}/api/v1/applications/{self.app}/stages", timeout=10) as answer:
                stages = json.load(answer)
        except (OSError, ValueError):
            return None
        new = [st for st in stages if st.get("status") == "COMPLETE"
               and (st["stageId"], st.get("attemptId", 0)) not in self.seen]
        self.seen |= {(st["stageId"], st.get("attemptId", 0)) for st in new}
        return sum(int(st.get("shuffleWriteBytes", 0)) for st in new)


# ---------------------------------------------------------------- read


def _scheme(path: str) -> bool:
    """A Hadoop URI (hdfs://, s3a://, file://...) rather than a path on this machine."""
    return "://" in path


def read_corpus(spark, paths: list[str], *, metadata=None, stdin: IO[str] | None = None
                ) -> tuple[list[Document], list[Skipped]]:
    """Documents sorted by id and skipped inputs, as :func:`lineage.corpus.load_corpus` gives them.

    Local paths are listed here and their files decoded and parsed on
    executors (on a cluster, give paths every executor can read). A path
    ending in ``.parquet`` is read by Spark (columns ``id``, ``text`` and
    optional metadata). Any other URI (``hdfs://``, ``s3a://``, ``file://``)
    is read with ``binaryFiles``, recursively, and parsed by suffix.
    """
    if not paths:
        raise InputError("no input given", fix="pass a folder or files, or - for JSONL on stdin")
    sc = spark.sparkContext
    raw, skipped = [], []
    for path in paths:
        if path == "-":
            continue
        if path.rstrip("/").endswith(".parquet"):
            records, bad = _read_parquet(spark, path)
        elif _scheme(path):
            records, bad = _read_uri(sc, path)
        else:
            files = [(str(f), str(r)) for f, r in list_files([path])]
            found = sc.parallelize(files, max(1, min(len(files), sc.defaultParallelism * 4))) \
                .map(lambda fr: read_file(Path(fr[0]), Path(fr[1]))).collect()
            records = [r for recs, _ in found for r in recs]
            bad = [item for _, found_bad in found for item in found_bad]
        raw += records
        skipped += bad
    return finish_corpus(raw, skipped, paths, metadata=metadata, stdin=stdin)


def _read_uri(sc, uri: str):
    """Text, HTML, JSON(L) and CSV files under a Hadoop URI, in path order."""
    sc._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
    root = uri.rstrip("/")

    def usable(name: str) -> bool:
        rest = name[len(root):] if name.startswith(root) else name.rsplit("/", 1)[-1]
        return (Path(name).suffix.lower() in formats.SUFFIXES
                and not any(part.startswith(".") for part in rest.split("/") if part))

    try:
        found = sc.binaryFiles(uri).filter(lambda kv: usable(kv[0])) \
            .map(lambda kv: (kv[0], read_file(Path(kv[0]), Path(root), kv[1]))).collect()
    except Exception as exc:  # the JVM's error for a missing path or unknown file system
        raise InputError(f"{uri}: cannot read ({str(exc).splitlines()[0][:200]})",
                         fix="check the URI and that Spark has the file system's connector") from None
    if not found:
        raise InputError(f"{uri}: no readable files found",
                         fix="put .txt, .md, .html, .json, .jsonl or .csv files there")
    found.sort(key=lambda item: item[0])
    return [r for _, (recs, _) in found for r in recs], [s for _, (_, bad) in found for s in bad]


def _read_parquet(spark, path: str):
    """Records from a Parquet file or folder: ``text`` required, ``id`` and metadata columns optional."""
    try:
        frame = spark.read.parquet(path)
    except Exception as exc:
        raise InputError(f"{path}: cannot read as Parquet ({str(exc).splitlines()[0][:200]})",
                         fix="check the path, or give JSONL instead") from None
    columns = [c for c in formats.FIELDS if c in frame.columns]
    if "text" not in columns:
        raise InputError(f"{path}: no 'text' column (columns: {', '.join(frame.columns)})",
                         fix="name the article text column 'text'")
    name = path.rstrip("/")
    rows = frame.select(*columns).rdd.zipWithIndex() \
        .map(lambda ri: formats._check_record(ri[0].asDict(), name, ri[1] + 1)).collect()
    file = Path(name)
    return ([(fields, file, file.parent, line) for recs, _ in rows for fields, line in recs],
            [s for _, bad in rows for s in bad])


# ---------------------------------------------------------------- shingle and sign


def _shingle_partition(config: Config):
    """Per partition: ``(index, unique shingle hashes, words, signature)`` of each document."""

    def run(rows: Iterator[tuple[int, Document]]):
        rows = list(rows)
        if not rows:
            return
        batch = shingle_batch([d.text for _, d in rows], k=config.k, num_perm=config.num_perm, seed=config.seed)
        for n, (index, _) in enumerate(rows):
            values = batch.values[batch.offsets[n] : batch.offsets[n + 1]].copy()
            yield index, values, int(batch.words[n]), batch.signatures[n].copy()

    return run


# ---------------------------------------------------------------- array shuffles


def _spread(columns: tuple[np.ndarray, ...], key: np.ndarray, parts: int):
    """``columns`` cut by ``key % parts``: ``(part, columns restricted to it)`` for each non-empty part."""
    if len(key) == 0:
        return
    dest = (key % np.uint64(parts)).astype(np.int64)
    order = np.argsort(dest, kind="stable")
    dest = dest[order]
    bounds = np.flatnonzero(np.concatenate(([True], dest[1:] != dest[:-1], [True])))
    for start, end in zip(bounds[:-1], bounds[1:]):
        yield int(dest[start]), tuple(c[order[start:end]] for c in columns)


def _gathered(chunks: Iterable[tuple[np.ndarray, ...]], width: int) -> tuple[np.ndarray, ...] | None:
    chunks = list(chunks)
    if not chunks:
        return None
    return tuple(np.concatenate([c[col] for c in chunks]) for col in range(width))


def _sum_by_key(columns: tuple[np.ndarray, ...] | None) -> tuple[np.ndarray, np.ndarray]:
    """``(keys, counts)`` columns reduced to each distinct key (sorted) and the sum of its counts."""
    if columns is None or len(columns[0]) == 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    keys, counts = columns
    order = np.argsort(keys, kind="stable")
    keys, counts = keys[order], counts[order]
    starts, _ = _runs(keys)
    return keys[starts], np.add.reduceat(counts, starts)


def _frequent(shingled, max_df: int, parts: int) -> np.ndarray:
    """Shingle hashes in more than ``max_df`` documents (exact), sorted: the boilerplate."""

    def local(rows):
        rows = list(rows)
        if not rows:
            return
        values, counts = np.unique(np.concatenate([r[1] for r in rows]), return_counts=True)
        yield from _spread((values, counts), values, parts)

    def total(chunks):
        values, sums = _sum_by_key(_gathered(chunks, 2))
        yield values[sums > max_df]

    found = shingled.mapPartitions(local).partitionBy(parts).values().mapPartitions(total).collect()
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)


# ---------------------------------------------------------------- candidates


def _local_pairs(groups_members: np.ndarray, starts: np.ndarray, sizes: np.ndarray, lengths: np.ndarray,
                 n: int, cap: int, huge: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_pair_keys` over groups of global document indices, as global keys ``i * n + j``.

    The groups' members are renumbered (order kept) so the work is in their
    number, not the corpus's; the representatives' priority (most distinct
    shingles, then lowest index) restricted to them orders them as the
    global priority does.
    """
    uniq, local = np.unique(groups_members, return_inverse=True)
    m = len(uniq)
    keys, counts = group_pair_keys(local.astype(np.int64), starts, sizes, m, priority_ranks(lengths, uniq),
                                   cap=cap, huge=huge)
    return uniq[keys // m] * n + uniq[keys % m], counts


def _runs(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and sizes of the runs of equal rows in sorted key columns."""
    total = len(keys[0])
    change = np.zeros(total, dtype=bool)
    if total:
        change[0] = True
        for key in keys:
            change[1:] |= key[1:] != key[:-1]
    starts = np.flatnonzero(change)
    return starts, np.diff(np.concatenate((starts, [total])))


def _candidates(sc, shingled, n: int, lengths: np.ndarray, config: Config, max_df: int,
                boilerplate: np.ndarray, parts: int) -> list[tuple[int, int]]:
    """:func:`lineage.candidates.candidate_pairs` computed on executors; the same sorted pairs."""
    bands, rows, cap = config.bands, config.rows, GROUP_CAP  # Config checked bands * rows <= num_perm

    def band_rows(records):
        records = [r for r in records if not np.all(r[3] == EMPTY)]  # empty documents are never paired
        if not records:
            return
        index = np.array([r[0] for r in records], dtype=np.int64)
        sigs = np.stack([r[3] for r in records])
        size = np.array([len(r[1]) for r in records], dtype=np.int64)
        for band in range(bands):
            block = sigs[:, band * rows : (band + 1) * rows]
            band_id = np.full(len(index), band, dtype=np.int64)
            spread_key = block[:, 0] ^ np.uint64(band * 0x9E3779B97F4A7C15 % (1 << 64))
            yield from _spread((band_id, block, index, size), spread_key, parts)

    def band_pairs(chunks):
        got = _gathered(chunks, 4)
        if got is None:
            return
        band_id, block, index, size = got
        order = np.lexsort((index,) + tuple(block[:, c] for c in range(rows - 1, -1, -1)) + (band_id,))
        band_id, block, index, size = band_id[order], block[order], index[order], size[order]
        starts, sizes = _runs(band_id, *(block[:, c] for c in range(rows)))
        many = sizes >= 2
        if many.any():
            keys, _ = _local_pairs(index, starts[many], sizes[many], _len_of(index, size), n, cap, None)
            yield keys

    near = _collect_keys(shingled.mapPartitions(band_rows).partitionBy(parts).values().mapPartitions(band_pairs))
    near_flags = _near_flags(sc, shingled, near, n, parts)
    huge = huge_components(near, n, None, cap=cap, near=near_flags)
    in_huge = {int(d): int(huge[d]) for d in np.flatnonzero(huge >= 0)}
    sample, min_shared = np.uint64(config.sample), config.min_shared

    def fingerprints(records):
        records = list(records)
        if not records:
            return
        fps, owners, sizes = [], [], []
        for index, values, _, _ in records:
            picked = values[values % sample == 0]
            if len(boilerplate) and len(picked):
                picked = picked[~member(picked, boilerplate)]
            fps.append(picked)
            owners.append(np.full(len(picked), index, dtype=np.int64))
            sizes.append(np.full(len(picked), len(values), dtype=np.int64))
        fp = np.concatenate(fps)
        yield from _spread((fp, np.concatenate(owners), np.concatenate(sizes)), fp, parts)

    def fingerprint_pairs(chunks):
        got = _gathered(chunks, 3)
        if got is None:
            return
        fp, owner, size = got
        order = np.lexsort((owner, fp))
        fp, owner, size = fp[order], owner[order], size[order]
        starts, sizes = _runs(fp)
        usable = (sizes >= 2) & (sizes <= max_df)
        if usable.any():
            uniq = np.unique(owner)
            local_huge = np.array([in_huge.get(int(d), -1) for d in uniq], dtype=np.int64)
            keys, counts = _local_pairs(owner, starts[usable], sizes[usable], _len_of(owner, size), n, cap,
                                        local_huge)
            yield from _spread((keys, counts), keys.astype(np.uint64), parts)

    def shared_enough(chunks):
        keys, sums = _sum_by_key(_gathered(chunks, 2))
        yield keys[sums >= min_shared]

    contained = _collect_keys(shingled.mapPartitions(fingerprints).partitionBy(parts).values()
                              .mapPartitions(fingerprint_pairs).partitionBy(parts).values()
                              .mapPartitions(shared_enough))
    union = np.union1d(near, contained)
    flags = np.zeros(len(union), dtype=bool)
    known = np.searchsorted(union, near)
    flags[known] = near_flags
    rest = np.setdiff1d(np.arange(len(union)), known)
    flags[rest] = _near_flags(sc, shingled, union[rest], n, parts)
    keys, _ = collapse_near_identical(union, n, None, priority_ranks(lengths), cap=cap, near=flags)
    if n == 0 or len(keys) == 0:
        return []
    return list(zip((keys // n).tolist(), (keys % n).tolist()))


def _len_of(index: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Per distinct index (sorted), its size: what :func:`_local_pairs` ranks representatives by."""
    _, first = np.unique(index, return_index=True)
    return size[first]


def _collect_keys(rdd) -> np.ndarray:
    chunks = [c for c in rdd.collect() if len(c)]
    return np.unique(np.concatenate(chunks)).astype(np.int64) if chunks else np.zeros(0, dtype=np.int64)


def _near_flags(sc, shingled, keys: np.ndarray, n: int, parts: int) -> np.ndarray:
    """For each pair key, whether the two signatures are near-identical (compared on executors)."""
    if len(keys) == 0:
        return np.zeros(0, dtype=bool)
    i, j = keys // n, keys % n
    position = np.arange(len(keys), dtype=np.int64)
    pair_parts = max(1, min(parts, -(-len(keys) // 50_000)))
    # each pair goes to the batch of its first document; each signature to the batches that need it
    batch = i % pair_parts
    tasks = sc.parallelize([(int(b), (position[batch == b], i[batch == b], j[batch == b]))
                            for b in np.unique(batch).tolist()], pair_parts)
    needs = np.unique(np.concatenate([np.stack([i, batch], 1), np.stack([j, batch], 1)]), axis=0)
    wanted = sc.parallelize([(int(d), int(b)) for d, b in needs.tolist()], parts)
    sigs = shingled.map(lambda r: (r[0], r[3])).join(wanted).map(lambda kv: (kv[1][1], (kv[0], kv[1][0])))

    def compare(item):
        _, (task_list, rows) = item
        table = dict(rows)
        for pos, a, b in task_list:
            sig_a = np.stack([table[x] for x in a.tolist()])
            sig_b = np.stack([table[x] for x in b.tolist()])
            yield pos, near_identical(a, b, sig_a, sig_b)

    flags = np.zeros(len(keys), dtype=bool)
    for pos, near in tasks.cogroup(sigs, pair_parts).flatMap(compare).collect():
        flags[pos] = near
    return flags


# ---------------------------------------------------------------- verify and orient


def _gather(sc, doc_rdd, tasks: list[tuple[int, object]], needs: list[tuple[int, int]], run, batches: int):
    """``run(task list, {doc index: Document})`` per batch, documents sent once per batch that needs them.

    ``tasks`` are ``(batch, task)``; ``needs`` the ``(document, batch)`` pairs.
    Returns the collected outputs, ``(batch, output)`` in batch order.
    """
    task_rdd = sc.parallelize(tasks, batches)
    wanted = sc.parallelize(needs, batches)
    texts = doc_rdd.join(wanted).map(lambda kv: (kv[1][1], (kv[0], kv[1][0])))

    def each(item):
        batch, (task_list, rows) = item
        return batch, run(list(task_list)[0] if task_list else [], dict(rows))

    got = task_rdd.cogroup(texts, batches).filter(lambda kv: len(kv[1][0]) > 0).map(each).collect()
    return sorted(got, key=lambda x: x[0])


def _verify(sc, doc_rdd, pairs: list[tuple[int, int]], n: int, config: Config,
            boilerplate: np.ndarray) -> list[Verified]:
    """:func:`lineage.pipeline.verify_pairs` with its batches on executors; same order, same results."""
    if not pairs:
        return []
    arr = np.asarray(pairs, dtype=np.int64)
    order = locality_order(n, arr)
    shared = sc.broadcast(boilerplate)
    tasks, needs = [], []
    for b, start in enumerate(range(0, len(order), PAIRS_PER_BATCH)):
        part = order[start : start + PAIRS_PER_BATCH]
        tasks.append((b, [(int(p), int(arr[p, 0]), int(arr[p, 1])) for p in part]))
        needs += [(int(d), b) for d in np.unique(arr[part]).tolist()]

    def run(task_list, docs):
        found = verify_batch(VerifyTask(docs, np.array([(i, j) for _, i, j in task_list], dtype=np.int64),
                                        config, shared.value))
        return [(p, v) for (p, _, _), v in zip(task_list, found)]

    results: list[Verified | None] = [None] * len(pairs)
    for _, found in _gather(sc, doc_rdd, tasks, needs, run, len(tasks)):
        for position, v in found:
            results[position] = v
    return [v for v in results if v is not None]


def _templates(shingled, component: np.ndarray, parts: int, sc) -> np.ndarray:
    """:func:`lineage.evidence.template_shingles` on executors: shingles in ≥ TEMPLATE_CLUSTERS copy clusters."""
    labels = sc.broadcast(component)

    def local(rows):
        rows = list(rows)
        if not rows:
            return
        unique = [r[1] for r in rows]
        owners = np.concatenate([np.full(len(r[1]), labels.value[r[0]], dtype=np.uint64) for r in rows])
        values, owners = distinct_pairs(np.concatenate(unique), owners)
        yield from _spread((values, owners), values, parts)

    def count(chunks):
        got = _gathered(chunks, 2)
        if got is None:
            return
        values, _ = distinct_pairs(*got)
        found, counts = np.unique(values, return_counts=True)
        yield found[counts >= TEMPLATE_CLUSTERS]

    found = shingled.mapPartitions(local).partitionBy(parts).values().mapPartitions(count).collect()
    return np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.uint64)


def _orient(sc, doc_rdd, shingled, docs: list[Document], verified: list[Verified], config: Config,
            boilerplate: np.ndarray, parts: int) -> list[LineageEdge]:
    """:func:`lineage.pipeline.orient` with the per-pair work on executors."""
    neighbours, component = copy_graph(len(docs), verified)
    neutral = sc.broadcast(np.union1d(boilerplate, _templates(shingled, component, parts, sc)))
    ids = [d.id for d in docs]
    # reading rarity's table, from the same sample of documents the local engine reads
    words = sc.broadcast(rarity_table(ids, lambda i: token_hashes(tokenize_hashed(docs[i].text)), config,
                                      sum(v.evidence is not None for v in verified)))
    tasks, needs = [], []
    for b, start in enumerate(range(0, len(verified), PAIRS_PER_BATCH)):
        chunk = []
        wanted: set[int] = set()
        for position in range(start, min(start + PAIRS_PER_BATCH, len(verified))):
            v = verified[position]
            witnesses = pick_witnesses(v.i, v.j, neighbours, ids) if v.evidence is not None else []
            chunk.append((position, v, witnesses))
            wanted |= {v.i, v.j, *witnesses}
        tasks.append((b, chunk))
        needs += [(d, b) for d in sorted(wanted)]

    def run(task_list, docs_by_index):
        found = orient_batch(OrientTask(docs_by_index, {}, VerifiedPairs.of([v for _, v, _ in task_list]),
                                        [w for _, _, w in task_list], config, neutral.value, words.value))
        return [(p, edge) for (p, _, _), edge in zip(task_list, found)]

    edges: list[LineageEdge | None] = [None] * len(verified)
    if tasks:
        for _, found in _gather(sc, doc_rdd, tasks, needs, run, len(tasks)):
            for position, edge in found:
                edges[position] = edge
    return corpus_passes(docs, [e for e in edges if e is not None], config)
