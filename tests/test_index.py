"""The persistent index: incremental equals batch, live lineage, idempotency, crashes, concurrent readers."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import main
from lineage.corpus import load_corpus
from lineage.errors import ConfigError
from lineage.index import Index
from lineage.index_view import edge_json
from lineage.pipeline import Config, find_candidates, prepare, trace
from lineage.store import StoreError
from tests.conftest import ROOT, SEEDS, paragraphs
from tests.conftest_redis import location, redis_url, snapshot, synth_corpus  # noqa: F401  (fixtures)

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def _docs(paths, metadata=None):
    docs, skipped = load_corpus(paths, metadata=metadata)
    assert not skipped
    return docs


def _open(location, **kw) -> Index:
    return Index.open(location[0], location[1], **kw)


def _incremental_export(location, corpus: Path, settings: dict) -> tuple[Index, dict, object]:
    """Add the corpus in ten shuffled batches (late originals included), then export."""
    files = sorted((corpus / "docs").glob("*.txt"))
    random.Random(7).shuffle(files)
    index = _open(location, create=True, settings=settings)
    for k in range(10):
        index.add(_docs(files[k::10], corpus / "metadata.jsonl"), batch=3)
    result, report = index.export()
    return index, result.to_json(), report


@pytest.mark.parametrize("settings", [{}, {"max_df": 4}], ids=["default", "boilerplate-drift"])
def test_incremental_export_equals_trace(location, synth_corpus, settings):
    if settings and location[1] is not None:
        pytest.skip("the drift case runs on SQLite only (the store does not matter to it)")
    expected = trace([synth_corpus / "docs"], metadata=synth_corpus / "metadata.jsonl", config=Config(**settings))
    index, got, report = _incremental_export(location, synth_corpus, settings)
    # strict: every document, edge (passages, evidence, confidence, tree flag), cluster and param
    assert got == expected.to_json()
    assert {d["id"]: d["parent"] for d in got["documents"]} == expected.parents
    assert index.check() == []
    # the live matching verified every pair trace's candidate stage proposes (a superset) ...
    docs = expected.documents
    prepared = prepare(docs, index.config, lambda *a: None)
    pairs, boilerplate, _ = find_candidates(prepared, index.config, lambda *a: None)
    seq = index.store.seqs_of(d.id for d in docs)
    stored = {(p.a, p.b) for p in index.store.all_pairs()}
    ends = [sorted((seq[docs[i].id], seq[docs[j].id])) for i, j in pairs]
    assert all(tuple(e) in stored for e in ends)
    assert report.candidates == len(pairs) and report.reused + report.verified == len(pairs)
    # ... and export re-verified only what boilerplate that appeared later changed
    if settings:
        assert len(boilerplate) > 0 and 0 < report.verified < len(pairs)
    else:
        assert len(boilerplate) == 0 and report.verified == 0
    index.close()


@pytest.mark.parametrize("settings", [{}, {"max_df": 3}], ids=["default", "boilerplate-drift"])
def test_a_transaction_of_many_documents_stores_what_one_at_a_time_does(location, synth_corpus, settings,
                                                                         monkeypatch):
    files = sorted((synth_corpus / "docs").glob("*.txt"))
    random.Random(3).shuffle(files)
    docs = _docs(files, synth_corpus / "metadata.jsonl")
    footer = "\n\nRead more news from our newsroom every morning in the daily bulletin of the site."
    docs = [replace(d, text=d.text + footer) if k % 3 == 0 else d for k, d in enumerate(docs)]  # site boilerplate
    docs += docs[:2] + [replace(docs[3], text=docs[3].text + " Changed.")]  # repeats and a conflict, mid-batch
    built = []
    for per_transaction in (1, 7, 1000):
        monkeypatch.setattr("lineage.index.TRANSACTION_DOCS", per_transaction)
        where = (str(Path(location[0]).with_name(f"t{per_transaction}.db")), None) if location[1] is None else (
            location[0], f"{location[1]}-{per_transaction}")
        index = _open(where, create=True, settings=settings)
        outcomes = index.add(docs[:20], batch=20) + index.add(docs[20:], batch=1000)
        built.append((snapshot(index), [(o.id, o.status, o.related) for o in outcomes]))
        if location[1] is not None:
            index.store.drop()
        index.close()
    assert built[0][1][-3:] == [(docs[0].id, "unchanged", 0), (docs[1].id, "unchanged", 0), (docs[3].id, "conflict", 0)]
    assert sum(o[2] for o in built[0][1]) > 20 and len(built[0][0]["docs"]) == len(docs) - 3
    assert built[0] == built[1] == built[2]


def test_seeds_indexed_queried_then_added_equal_trace(location):
    index = _open(location, create=True)
    index.add(_docs(SEED_FILES[:2]))
    for path in SEED_FILES[2:]:
        doc = _docs([path])[0]
        view = index.query(doc)
        batch = trace(SEED_FILES[:2] + [path])
        assert sorted(json.dumps(edge_json(e)) for e in view.edges) == sorted(
            json.dumps(edge_json(e)) for e in batch.edges if doc.id in (e.source, e.target))
        assert view.parent == batch.parents[doc.id] and not view.indexed
    assert index.count() == 2  # queries add nothing
    index.add(_docs(SEED_FILES[2:]))
    result, _ = index.export()
    assert result.to_json() == trace([SEEDS]).to_json()
    index.close()


def test_late_original_reparents_its_copy(location):
    # which of the two seeds is the copy is the tracer's verdict (test_seeds), not this test's
    traced = trace(SEED_FILES[:2]).parents
    copies = [d for d, p in traced.items() if p is not None]
    assert len(copies) == 1
    docs = {d.id: d for d in _docs(SEED_FILES[:2])}
    first, second = docs[copies[0]], docs[traced[copies[0]]]  # the copy is indexed first
    index = _open(location, create=True)
    index.add([first])
    assert index.lineage(first.id).parent is None
    index.add([second])  # the original arrives after its copy
    copy, original = index.lineage(first.id, members=True), index.lineage(second.id)
    assert copy.parent == second.id and original.parent is None
    assert copy.cluster == original.cluster == first.id  # a cluster is named after its first-indexed member
    assert copy.link is not None and copy.link.source == second.id and not copy.stale
    assert dict(copy.members) == {first.id: second.id, second.id: None}
    index.close()


def test_adding_twice_is_idempotent_and_ids_are_unique(location):
    index = _open(location, create=True)
    docs = _docs([SEEDS])
    assert {o.status for o in index.add(docs)} == {"added"}
    before = snapshot(index)
    assert {o.status for o in index.add(docs + docs[:1])} == {"unchanged"}
    changed = replace(docs[0], text=docs[0].text + " An extra sentence.")
    assert [o.status for o in index.add([changed])] == ["conflict"]
    assert snapshot(index) == before
    index.close()


def test_remove_leaves_what_an_index_without_it_holds(location, tmp_path):
    index = _open(location, create=True)
    docs = _docs([SEEDS])
    index.add(docs)
    assert index.remove([docs[1].id, "no-such-id"]) == [docs[1].id]
    assert index.lineage(docs[0].id).parent is None and index.lineage(docs[1].id) is None
    fresh = Index.open(str(tmp_path / "fresh.db"), create=True)
    fresh.add([d for d in docs if d.id != docs[1].id])
    assert snapshot(index) == snapshot(fresh)
    index.close()
    fresh.close()


def test_configuration_is_fixed_per_index(tmp_path):
    db = str(tmp_path / "x.db")
    Index.open(db, create=True, settings={"k": 6}).close()
    assert Index.open(db).config.k == 6
    with pytest.raises(ConfigError, match="--k 6"):
        Index.open(db, settings={"k": 5})
    with pytest.raises(StoreError, match="no such index"):
        Index.open(str(tmp_path / "missing.db"))


# ---------------------------------------------------------------- processes: crash and concurrency


def _story_folder(folder: Path, n: int) -> list[str]:
    """``n`` documents: stories and, for every third, a copy of an earlier one with a comment."""
    folder.mkdir(parents=True, exist_ok=True)
    ids = []
    for k in range(n):
        if k % 3 == 2:
            text = "\n\n".join(paragraphs(4, seed=k - 1, size=35)[:3]) + "\n\nComment: we keep an eye on this."
        else:
            text = "\n\n".join(paragraphs(4, seed=k, size=35))
        (folder / f"doc{k:03d}.txt").write_text(text, encoding="utf-8")
        ids.append(f"doc{k:03d}")
    return ids


def _add_command(location, folder: Path, batch: int) -> list[str]:
    db, name = location
    store = ["--store", db] if name else []
    return [sys.executable, "-c", "from lineage.cli import main; main()", "index", "add", name or db, str(folder),
            *store, "--batch", str(batch), "--max-df", "1000", "-q"]


def _wait_open(location, proc: subprocess.Popen, timeout: float = 30.0) -> Index:
    end = time.monotonic() + timeout
    while True:
        try:
            return _open(location)
        except StoreError:
            if proc.poll() is not None:
                pytest.fail(f"the writer exited early: {proc.stderr.read().decode()}")
            if time.monotonic() > end:
                raise
            time.sleep(0.02)


def test_sigkill_during_add_leaves_a_consistent_index_and_rerun_completes(location, tmp_path):
    folder = tmp_path / "docs"
    ids = _story_folder(folder, 70)
    proc = subprocess.Popen(_add_command(location, folder, batch=4), cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reader = _wait_open(location, proc)
    while reader.count() < 15 and proc.poll() is None:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    crashed = reader.count()
    assert 15 <= crashed < len(ids)
    assert reader.check() == []  # no half-added document: every stored key matches a stored text
    reader.close()
    rerun = subprocess.run(_add_command(location, folder, batch=4), cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    index = _open(location)
    assert index.count() == len(ids) and index.check() == []
    clean = Index.open(str(tmp_path / "clean.db"), create=True, settings={"max_df": 1000})
    clean.add(_docs([folder]), batch=4)
    assert snapshot(index) == snapshot(clean)
    index.close()
    clean.close()


def test_a_reader_never_initialises_a_store_being_created(tmp_path):
    """A reader that opens the file an `index add` has just created, before the writer stored its
    settings, must not store its own (default) ones: the writer would then find its settings
    'differ' and stop (seen as a flaky SIGKILL test)."""
    from lineage.store import open_store

    path = str(tmp_path / "index.db")
    open_store(path, None, create=True).close()  # the file exists, no index metadata yet
    with pytest.raises(StoreError, match="no lineage index"):
        Index.open(path)
    index = Index.open(path, create=True, settings={"max_df": 1000})  # the writer, after the reader
    assert index.config.max_df == 1000
    index.close()
    Index.open(path, settings={"max_df": 1000}).close()


def test_readers_keep_working_while_a_writer_adds(tmp_path):
    folder = tmp_path / "docs"
    ids = _story_folder(folder, 120)
    db = str(tmp_path / "index.db")
    probe = _docs([folder / "doc005.txt"])[0]
    writer = subprocess.Popen(_add_command((db, None), folder, batch=2), cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    reader = _wait_open((db, None), writer)
    seen: list[int] = []
    while writer.poll() is None:
        seen.append(reader.count())
        reader.lineage("doc000")
        reader.query(probe)  # a full read path: postings, frequencies, pairs, cluster recomputation
    assert writer.returncode == 0, writer.stderr.read().decode()
    during = [n for n in seen if 0 < n < len(ids)]
    assert len(during) >= 5 and seen == sorted(seen)  # many reads mid-write, never going back
    assert reader.count() == len(ids) and reader.check() == []
    reader.close()


# ---------------------------------------------------------------- command line


def test_index_commands(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "news.db")
    out = runner.invoke(main, ["index", "add", db, *map(str, SEED_FILES[:2]), "--json"])
    assert out.exit_code == 0, out.output
    lines = [json.loads(line) for line in out.output.splitlines()]
    expected = trace(SEED_FILES[:2]).parents
    assert sum(p is not None for p in expected.values()) == 1  # one of the two copies the other
    assert [d["status"] for d in lines] == ["added", "added"]
    assert {d["id"]: d["parent"] for d in lines} == expected
    out = runner.invoke(main, ["index", "query", db, str(SEED_FILES[2]), "--json"])
    assert out.exit_code == 0 and json.loads(out.output)["indexed"] is False
    out = runner.invoke(main, ["index", "add", db, str(SEEDS)])
    assert out.exit_code == 0 and "added 3 documents (2 already indexed, 0 conflicts)" in out.output
    out = runner.invoke(main, ["index", "stats", db, "--json"])
    assert json.loads(out.output)["documents"] == 5
    out = runner.invoke(main, ["index", "export", db, "-o", str(tmp_path / "out"), "-q"])
    assert out.exit_code == 0, out.output
    assert {"lineage.json", "lineage.graphml", "lineage.png"} <= {p.name for p in (tmp_path / "out").iterdir()}
    out = runner.invoke(main, ["index", "remove", db, SEED_FILES[0].stem, "nope"])
    assert out.exit_code == 0 and "removed 1 documents; the index holds 4" in out.output
    assert "nope: not in the index" in out.output
    out = runner.invoke(main, ["index", "add", db, str(SEEDS), "--k", "4"])
    assert out.exit_code == 1 and out.output.count("\n") == 1 and "--k 5" in out.output
    out = runner.invoke(main, ["index", "stats", str(tmp_path / "missing.db")])
    assert out.exit_code == 1 and "no such index" in out.output
    out = runner.invoke(main, ["index", "stats", db, "--store", "mongodb://x"])
    assert out.exit_code == 1 and "unknown --store" in out.output
    assert os.path.exists(db)
