"""The Spark engine gives the local engine's lineage.json, on Spark local[2].

Skipped when PySpark or Java is missing, except in CI (environment variable
CI set), where it fails: .ci/run installs both.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import numpy as np
import pytest

from lineage.errors import InputError
from lineage.export import to_json
from lineage.pipeline import Config, trace
from lineage.representatives import group_pair_keys
from tests.conftest import paragraphs, synth_corpus_from


def _missing(why: str):
    if os.environ.get("CI"):
        pytest.fail(f"{why} in CI: .ci/run installs it")
    pytest.skip(why)


@pytest.fixture(scope="module")
def spark():
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _missing("pyspark is missing")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        _missing("java is missing")
    from lineage.spark_engine import session

    spark = session("local[2]")
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    yield spark
    spark.stop()


def _both(paths, metadata=None, **settings):
    local = trace(paths, metadata=metadata, config=Config(workers=1, **settings))
    distributed = trace(paths, metadata=metadata, config=Config(engine="spark", **settings))
    return local, distributed


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A 240-document syndication corpus from lineage.synth, with timestamps."""
    return synth_corpus_from(tmp_path_factory, "spark", stories=200, docs=240, seed=3, first_story_seed=7)


def test_seeds_give_the_same_lineage_json(spark, seeds_dir):
    local, distributed = _both([seeds_dir])
    assert local.edges, "the seeds have reuse; an empty result would make this test vacuous"
    assert to_json(distributed) == to_json(local)


def test_synth_corpus_gives_the_same_lineage_json(spark, corpus):
    local, distributed = _both([corpus / "docs"], metadata=corpus / "metadata.jsonl")
    assert len(local.edges) > 50 and sum(p is not None for p in local.parents.values()) > 20
    assert {e.direction for e in local.edges} >= {"forward"}
    assert to_json(distributed) == to_json(local)


def test_boilerplate_filter_and_fingerprints_match(spark, corpus):
    # a tiny max_df makes many shingles boilerplate, and sample=2 doubles the fingerprints
    local, distributed = _both([corpus / "docs"], metadata=corpus / "metadata.jsonl",
                               max_df=3, sample=2, use_timestamps=False)
    default = trace([corpus / "docs"], config=Config(workers=1, use_timestamps=False))
    assert local.params["candidates"] != default.params["candidates"]  # the settings took effect
    assert to_json(distributed) == to_json(local)


def _copies(n: int, seed: int) -> list[dict[str, str]]:
    """``n`` lightly edited republications of one wire story, plus unrelated stories."""
    rng = random.Random(seed)
    story = "\n\n".join(paragraphs(8, seed=seed, size=30))
    records = []
    for c in range(n):
        text = story + f"\n\nPublished by outlet {c} ({rng.randint(0, 10**6)})."
        records.append({"id": f"copy{c:04d}", "text": text})
    for u in range(40):
        records.append({"id": f"other{u:03d}", "text": "\n\n".join(paragraphs(3, seed=1000 + u, size=30))})
    return records


def test_a_story_republished_600_times_pairs_through_representatives(spark, tmp_path):
    records = _copies(600, seed=5)
    path = tmp_path / "wire.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    # a story in 600 documents is over the default boilerplate threshold (max(50, 1% of documents))
    local, distributed = _both([path], max_df=1000)
    all_pairs = 600 * 599 // 2
    assert local.params["candidates"] < all_pairs // 10  # the skew guard is on, not all-against-all
    assert to_json(distributed) == to_json(local)
    # every copy is still linked to the story's cluster (through the representatives)
    assert max(len(c) for c in local.clusters) == 600


def test_parquet_and_hadoop_uris_read_like_jsonl(spark, corpus, tmp_path):
    docs = sorted((corpus / "docs").glob("*.txt"))[:120]
    records = [{"id": f.stem, "text": f.read_text(encoding="utf-8")} for f in docs]
    folder = tmp_path / "jsonl"
    folder.mkdir()
    (folder / "part.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    local = trace([folder], config=Config(workers=1))
    parquet = tmp_path / "docs.parquet"
    spark.createDataFrame(records).coalesce(1).write.parquet(str(parquet))
    for source in (parquet, folder.absolute().as_uri()):
        got = trace([str(source)], config=Config(engine="spark"))
        assert [d.id for d in got.documents] == [d.id for d in local.documents]
        assert to_json(got)["edges"] == to_json(local)["edges"]
        assert got.parents == local.parents
    assert local.edges


def test_unreadable_spark_inputs_are_one_line_errors(spark, tmp_path):
    with pytest.raises(InputError, match="missing.parquet"):
        trace([str(tmp_path / "missing.parquet")], config=Config(engine="spark"))
    frame = spark.createDataFrame([{"id": "a", "body": "no text column here"}])
    frame.write.parquet(str(tmp_path / "bad.parquet"))
    with pytest.raises(InputError, match="no 'text' column") as caught:
        trace([str(tmp_path / "bad.parquet")], config=Config(engine="spark"))
    assert "\n" not in str(caught.value)


def test_representatives_of_a_subset_match_the_global_ranking():
    """The executors' renumbered groups pick the pairs the corpus-wide call picks."""
    from lineage.spark_engine import _local_pairs

    rng = np.random.default_rng(3)
    n = 5000
    lengths = rng.integers(10, 400, size=n)
    order = np.lexsort((np.arange(n), -lengths))
    priority = np.empty(n, dtype=np.int64)
    priority[order] = np.arange(n)
    groups = [np.sort(rng.choice(n, size=s, replace=False)) for s in (2, 3, 40, 700, 2)]
    members = np.concatenate(groups)
    sizes = np.array([len(g) for g in groups])
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    expected, expected_counts = group_pair_keys(members, starts, sizes, n, priority, cap=500)
    uniq = np.unique(members)
    got, counts = _local_pairs(members, starts, sizes, lengths[uniq], n, 500, None)
    assert len(expected) < sum(s * (s - 1) // 2 for s in sizes)  # the 700-member group used representatives
    assert got.tolist() == expected.tolist() and counts.tolist() == expected_counts.tolist()


def test_cli_engine_spark_writes_the_local_engines_files(spark, seeds_dir, tmp_path):
    from click.testing import CliRunner

    from lineage.cli import main

    runner = CliRunner()
    for engine in ("local", "spark"):
        got = runner.invoke(main, ["trace", str(seeds_dir), "-o", str(tmp_path / engine), "-q", "--engine", engine,
                                   "--spark-master", "local[2]"])
        assert got.exit_code == 0, got.output
    local, distributed = ((tmp_path / e / "lineage.json").read_text(encoding="utf-8") for e in ("local", "spark"))
    assert json.loads(distributed) == json.loads(local)
    assert (tmp_path / "spark" / "lineage.graphml").read_bytes() == (tmp_path / "local" / "lineage.graphml").read_bytes()


def test_an_unknown_engine_is_a_config_error():
    from lineage.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown engine 'dask'"):
        Config(engine="dask")
