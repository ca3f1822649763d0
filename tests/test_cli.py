"""The command line through click's CliRunner: exit codes, messages, outputs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
from click.testing import CliRunner

from lineage.cli import main
from tests.conftest import SEEDS

CONTRACT_DOC = {"id", "path", "title", "words", "published", "outlet", "parent", "cluster"}
CONTRACT_EDGE = {"source", "target", "relation", "direction", "confidence", "jaccard", "containment",
                 "passages", "evidence", "tree", "secondary"}  # secondary: schema 1.1


def _tree_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(str(p.relative_to(folder)).encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


def test_trace_seeds_writes_all_outputs(tmp_path):
    before = _tree_hash(SEEDS)
    result = CliRunner().invoke(main, ["trace", str(SEEDS), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    assert {p.name for p in out.iterdir()} == {"lineage.json", "lineage.graphml", "lineage.png", "report.html"}
    data = json.loads((out / "lineage.json").read_text(encoding="utf-8"))
    assert set(data) >= {"documents", "edges", "clusters", "hidden_sources", "skipped", "params", "version"}
    assert all(set(d) == CONTRACT_DOC for d in data["documents"])
    assert all(set(e) == CONTRACT_EDGE for e in data["edges"])
    assert all(set(e["containment"]) == {"source_in_target", "target_in_source"} for e in data["edges"])
    assert all(set(p) == {"source", "target", "words", "quoted"} for e in data["edges"] for p in e["passages"])
    g = nx.read_graphml(out / "lineage.graphml")
    assert g.number_of_nodes() == 5 and g.number_of_edges() == len(data["edges"])
    assert (out / "lineage.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "derived" in result.output  # the summary table
    assert _tree_hash(SEEDS) == before  # the input is untouched
    assert not list(out.glob(".*tmp"))  # no temporary files left behind


def test_missing_path_is_one_line_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["trace", str(tmp_path / "nope"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines == [f"lineage: error: {tmp_path / 'nope'}: no such file or folder (check the path)"]
    assert "Traceback" not in result.output


def test_empty_folder_exit_1(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(main, ["trace", str(tmp_path / "empty"), "-q"])
    assert result.exit_code == 1
    assert "no readable files found" in result.output and "Traceback" not in result.output


def test_nothing_readable_exit_1(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "a.txt").write_bytes(b"\x00\x01\x02binary")
    (d / "b.txt").write_text("")
    result = CliRunner().invoke(main, ["trace", str(d), "-o", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "nothing readable" in result.output


def test_usage_errors_exit_2():
    runner = CliRunner()
    assert runner.invoke(main, ["trace"]).exit_code == 2
    assert runner.invoke(main, ["trace", str(SEEDS), "--k", "abc"]).exit_code == 2
    assert runner.invoke(main, ["nosuchcommand"]).exit_code == 2


def test_bad_parameter_combination_exit_1(tmp_path):
    result = CliRunner().invoke(main, ["trace", str(SEEDS), "--bands", "64", "--rows", "4", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "bands * rows = 256 exceeds num_perm = 128" in result.output


def test_bad_files_are_skipped_with_a_warning(tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    for p in SEEDS.glob("*.txt"):
        (d / p.name).write_bytes(p.read_bytes())
    (d / "broken.jsonl").write_text('{"id": "r1", "text": "fine record with words"}\n{oops\n', encoding="utf-8")
    (d / "blob.txt").write_bytes(b"\x89PNG\x00\x00\x00binary")
    result = CliRunner().invoke(main, ["trace", str(d), "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0
    data = json.loads((tmp_path / "o" / "lineage.json").read_text(encoding="utf-8"))
    reasons = {(Path(s["path"]).name, s["line"]) for s in data["skipped"]}
    assert reasons == {("broken.jsonl", 2), ("blob.txt", None)}
    assert "skipped" in result.stderr and "broken.jsonl:2" in result.stderr


def test_stdin_jsonl(tmp_path):
    records = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}) for p in sorted(SEEDS.glob("*.txt"))]
    result = CliRunner().invoke(main, ["trace", "-", "-o", str(tmp_path / "o"), "-q"], input="\n".join(records))
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "o" / "lineage.json").read_text(encoding="utf-8"))
    assert len(data["documents"]) == 5


def test_quiet_prints_nothing(tmp_path):
    result = CliRunner().invoke(main, ["trace", str(SEEDS), "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0 and result.output == ""


def test_every_command_has_help():
    runner = CliRunner()
    for name in main.commands:
        result = runner.invoke(main, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output


def test_control_characters_do_not_break_graphml(tmp_path):
    d = tmp_path / "ctl"
    d.mkdir()
    body = (SEEDS / "000_f6518dbf4f8562ef.txt").read_text(encoding="utf-8")
    (d / "a.txt").write_text("Title with a \x07bell and \x1bescape here\n\n" + body, encoding="utf-8")
    (d / "b.txt").write_text(body, encoding="utf-8")
    result = CliRunner().invoke(main, ["trace", str(d), "-o", str(tmp_path / "o"), "-q"])
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(tmp_path / "o" / "lineage.graphml")
    assert g.nodes["a"]["title"] == "Title with a bell and escape here"


def test_progress_reports_every_stage_in_order(tmp_path):
    from lineage.pipeline import trace

    seen: list[str] = []
    trace([SEEDS], progress=lambda stage, done, total: seen.append(stage) if not seen or seen[-1] != stage else None)
    assert seen == ["read", "shingle", "sign", "candidates", "align", "direction", "graph"]
