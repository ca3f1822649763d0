"""lineage compare A B: same alignment as trace, readable output, --json, --plot, bad input."""

from __future__ import annotations

import json

from click.testing import CliRunner

from lineage.cli import main
from lineage.cli_view import compare_documents
from tests.conftest import SEEDS, paragraphs

A = SEEDS / "000_f6518dbf4f8562ef.txt"
B = SEEDS / "001_6e52ad6ce1578199.txt"


def run(*args: str):
    return CliRunner().invoke(main, ["compare", *args])


def test_compare_agrees_with_trace_on_the_seed_pair(seeds_result):
    traced = next(e for e in seeds_result.edges if {e.source, e.target} == {A.stem, B.stem})
    got = compare_documents(A, B).edge
    assert got is not None
    assert got.relation == traced.relation
    assert {got.source, got.target} == {traced.source, traced.target}
    flip = got.source != traced.source
    passages = [p.flipped() if flip else p for p in got.passages]
    assert passages == list(traced.passages)


def test_compare_prints_passages_with_offsets_excerpts_and_evidence():
    c = compare_documents(A, B)
    result = run(str(A), str(B))
    assert result.exit_code == 0, result.output
    out = result.output
    for n, p in enumerate(c.edge.passages, start=1):
        assert f"[{p.source[0]}, {p.source[1]})" in out and f"[{p.target[0]}, {p.target[1]})" in out
    assert "source: Russia and the US have agreed" in out or "target: Russia and the US have agreed" in out
    assert f"{c.edge.source_in_target:.0%} of {c.edge.source} is in {c.edge.target}" in out
    for sentence in c.edge.evidence:
        assert sentence in out


def test_json_is_the_lineage_json_edge():
    result = run(str(A), str(B), "--json")
    assert result.exit_code == 0, result.output
    edge = json.loads(result.output)
    c = compare_documents(A, B)
    assert edge == c.result.to_json()["edges"][0]
    assert set(edge) >= {"source", "target", "relation", "direction", "confidence", "containment", "passages",
                         "evidence", "tree"}


def test_unrelated_texts_say_so_and_exit_zero(tmp_path):
    (tmp_path / "x.txt").write_text("\n\n".join(paragraphs(4, seed=1)))
    (tmp_path / "y.txt").write_text("\n\n".join(paragraphs(4, seed=2)))
    result = run(str(tmp_path / "x.txt"), str(tmp_path / "y.txt"))
    assert result.exit_code == 0, result.output
    assert "no reuse" in result.output
    as_json = run(str(tmp_path / "x.txt"), str(tmp_path / "y.txt"), "--json")
    assert as_json.exit_code == 0 and json.loads(as_json.output) is None


def test_plot_writes_a_png_even_when_nothing_is_shared(tmp_path):
    target = tmp_path / "pair.png"
    assert run(str(A), str(B), "--plot", str(target)).exit_code == 0
    assert target.read_bytes()[:4] == b"\x89PNG"
    (tmp_path / "x.txt").write_text("\n\n".join(paragraphs(2, seed=3)))
    assert run(str(A), str(tmp_path / "x.txt"), "--plot", str(tmp_path / "none.png")).exit_code == 0
    assert (tmp_path / "none.png").exists()


def test_other_formats_and_same_stems(tmp_path):
    text = A.read_text(encoding="utf-8")
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    (tmp_path / "one" / "doc.json").write_text(json.dumps({"text": text, "title": "From JSON"}))
    (tmp_path / "two" / "doc.txt").write_text(text[:1500])
    c = compare_documents(tmp_path / "one" / "doc.json", tmp_path / "two" / "doc.txt")
    assert c.a.id != c.b.id and c.edge is not None and c.edge.relation in {"derived", "near-duplicate"}


def test_a_file_with_several_documents_is_a_clean_error(tmp_path):
    many = tmp_path / "many.jsonl"
    many.write_text('{"id": "1", "text": "one text here"}\n{"id": "2", "text": "two text here"}\n')
    result = run(str(many), str(A))
    assert result.exit_code == 1
    assert "holds 2 documents" in result.output and "Traceback" not in result.output


def test_missing_file_is_a_usage_error():
    assert run(str(A), "no/such/file.txt").exit_code == 2
