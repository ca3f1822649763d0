"""``lineage dedup``: records pass through in order with their fields; memory stays bounded."""

from __future__ import annotations

import io
import json

import numpy as np
from click.testing import CliRunner

from lineage.cli import main
from lineage.dedup import DedupFilter, MemoryMatcher, Postings
from lineage.index import Index
from lineage.pipeline import Config, trace
from tests.conftest import SEEDS, paragraphs

STORY = "\n\n".join(paragraphs(6, seed=11, size=40))
OTHER = "\n\n".join(paragraphs(6, seed=12, size=40))
THIRD = "\n\n".join(paragraphs(6, seed=13, size=40))
EXCERPT = "\n\n".join(STORY.split("\n\n")[:3])


def _lines(*records) -> list[str]:
    return [r if isinstance(r, str) else json.dumps(r) for r in records]


def _run(matcher, lines, batch=2) -> list[dict]:
    out = io.StringIO()
    DedupFilter(matcher, batch=batch).run(lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_memory_mode_marks_duplicates_copies_and_clusters(capsys):
    lines = _lines(
        {"id": "a", "text": STORY, "extra": [1, 2]},
        {"id": "b", "text": OTHER},
        "{not json",
        {"id": "c", "text": STORY + "\n\nComment: we saw this coming."},
        {"id": "d", "text": EXCERPT},
        {"id": "e", "title": "no text here"},
        {"id": "f", "text": STORY},
    )
    out = _run(MemoryMatcher(Config()), lines)
    assert [r["id"] for r in out] == ["a", "b", "c", "d", "e", "f"]  # in order; the bad line dropped
    assert out[0]["extra"] == [1, 2]  # records pass through unchanged
    by = {r["id"]: r for r in out}
    assert by["a"]["duplicate_of"] is None and by["a"]["cluster"] is None
    assert by["c"]["duplicate_of"] == "a" and by["c"]["relation"] == "near-duplicate"
    assert by["d"]["parent"] in ("a", "c") and by["d"]["relation"] == "derived" and by["d"]["duplicate_of"] is None
    assert by["f"]["duplicate_of"] == "a"
    # a stream cannot revise what it wrote: "a" was alone when it passed, its copies name its cluster
    assert {by[k]["cluster"] for k in "cdf"} == {"a"} and by["b"]["cluster"] is None
    assert all(by[k]["confidence"] is None for k in "acdf")  # no text kept, so no direction evidence
    assert by["e"]["parent"] is None and set(by["e"]) >= {"duplicate_of", "parent", "relation", "cluster"}
    err = capsys.readouterr().err
    assert "stdin:3: not JSON" in err and "stdin:6: no 'text'" in err


def test_memory_mode_forgets_beyond_its_window():
    lines = _lines({"id": "a", "text": STORY}, {"id": "b", "text": OTHER}, {"id": "c", "text": THIRD},
                   {"id": "d", "text": STORY})
    assert _run(MemoryMatcher(Config(), window=3), lines)[-1]["duplicate_of"] is None
    assert _run(MemoryMatcher(Config(), window=4), lines)[-1]["duplicate_of"] == "a"


def test_postings_merge_runs_and_drop_evicted_seqs():
    p = Postings(flush_at=3)
    for seq in range(10):
        p.add(np.array([seq % 2, 100 + seq], dtype=np.uint64), seq)
    assert p.lookup(np.array([0], dtype=np.uint64), oldest=0)[0].tolist() == [0, 2, 4, 6, 8]
    assert p.lookup(np.array([1, 105, 7], dtype=np.uint64), oldest=5)[0].tolist() == [5, 7, 9]
    for seq in range(10, 40):  # later merges drop postings older than the window
        p.add(np.array([seq % 2, 100 + seq], dtype=np.uint64), seq)
    p.lookup(np.array([0], dtype=np.uint64), oldest=30)
    for seq in range(40, 60):
        p.add(np.array([seq % 2, 100 + seq], dtype=np.uint64), seq)
    kept = sum(len(k) for k, _ in p.runs) + p.pending
    assert kept < 2 * 60 - 40 and len(p.runs) <= 6
    assert p.lookup(np.array([1], dtype=np.uint64), oldest=55)[0].tolist() == [55, 57, 59]


def test_index_mode_is_the_live_lineage_and_rerunning_changes_nothing(tmp_path):
    db = str(tmp_path / "feed.db")
    lines = _lines(*({"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))))
    runner = CliRunner()
    first = runner.invoke(main, ["dedup", "--index", db], input="\n".join(lines) + "\n")
    assert first.exit_code == 0, first.output
    out = [json.loads(line) for line in first.output.splitlines()]
    index = Index.open(db)
    for record in out:
        view = index.lineage(record["id"])
        assert (record["parent"], record["cluster"], record["duplicate_of"]) == (
            view.parent, view.cluster, view.duplicate_of)
    traced = trace([SEEDS]).parents  # which seed copies which is the tracer's verdict (test_seeds)
    copies = [r for r in out if traced[r["id"]] is not None]
    assert len(copies) == 1
    copy = copies[0]
    assert copy["parent"] == traced[copy["id"]] and copy["relation"] == "derived" and 0.5 < copy["confidence"] <= 1
    index.close()
    again = runner.invoke(main, ["dedup", "--index", db], input="\n".join(lines) + "\n")
    assert again.output == first.output and Index.open(db).count() == 5


def test_dedup_command_reads_files_and_stdin(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(_lines({"id": "a", "text": STORY}, {"id": "b", "text": STORY})) + "\n")
    out = CliRunner().invoke(main, ["dedup", str(feed), "-"], input=json.dumps({"text": STORY}) + "\n")
    assert out.exit_code == 0, out.output
    records = [json.loads(line) for line in out.output.splitlines()]
    assert [r.get("id") for r in records] == ["a", "b", None]
    assert [r["duplicate_of"] for r in records] == [None, "a", "a"]
