"""Tests for the lifted-passages generator (lineage.synth_passages)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli_quality import synth as synth_cmd
from lineage.errors import ConfigError, OutputError
from lineage.evaluate import evaluate, lineage_from_truth, load_truth
from lineage.pipeline import trace
from lineage.synth_passages import GRADES, LIGHT, revise, synthesize_passages
from tests.test_synth import write_bases


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> Path:
    return write_bases(tmp_path_factory.mktemp("bases"), n=120)


@pytest.fixture(scope="module")
def corpus(bases, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("passages")
    synthesize_passages([bases], out, seed=3, sources=4, min_words=150)
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_same_seed_gives_byte_identical_output(bases, tmp_path) -> None:
    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    one, two, three = tmp_path / "1", tmp_path / "2", tmp_path / "3"
    for out, seed in ((one, 5), (two, 5), (three, 6)):
        synthesize_passages([bases], out, seed=seed, sources=2, min_words=150)
    assert files(one) == files(two) and files(one) != files(three)


def test_truth_lists_every_file_and_gives_each_piece_one_source(corpus) -> None:
    truth = load_truth(corpus)
    on_disk = {p.stem for p in (corpus / "docs").glob("*.txt")}
    assert on_disk == set(truth["nodes"])
    sources = {p for p, _, _ in truth["edges"]}
    children = Counter(c for _, c, _ in truth["edges"])
    assert max(children.values()) == 1 and {g for *_, g in truth["edges"]} <= {g for g, _ in GRADES}
    # every independent piece is a negative with its source, and is no one's copy
    assert truth["negatives"] and all(len(pair) == 2 for pair in truth["negatives"])
    independent = {x for pair in truth["negatives"] for x in pair} - sources
    assert independent and independent.isdisjoint(children)
    assert len(sources) == 4 and len(on_disk) == 4 + len(children) + len(independent)


def test_near_pieces_carry_their_passages_word_for_word(corpus) -> None:
    truth = load_truth(corpus)
    near = [(p, c) for p, c, g in truth["edges"] if g == "near"]
    assert near
    for source, piece in near:
        source_text = _flat((corpus / "docs" / f"{source}.txt").read_text(encoding="utf-8"))
        paragraphs = (corpus / "docs" / f"{piece}.txt").read_text(encoding="utf-8").split("\n\n")
        lifted = [para for para in paragraphs if _flat(para) and _flat(para) in source_text]
        assert lifted, piece  # the opening is the piece's own writing; a passage follows it
        assert _flat(paragraphs[0]) not in source_text


def test_independent_pieces_share_no_eight_words_with_their_source(corpus) -> None:
    truth = load_truth(corpus)
    for pair in truth["negatives"]:
        a, b = ((corpus / "docs" / f"{x}.txt").read_text(encoding="utf-8").split() for x in pair)
        grams = {tuple(a[i:i + 8]) for i in range(len(a) - 7)}
        assert not any(tuple(b[i:i + 8]) in grams for i in range(len(b) - 7))


def test_the_truth_scores_itself_perfectly(corpus) -> None:
    truth = load_truth(corpus)
    report = evaluate(lineage_from_truth(truth), truth)
    assert report.direction.accuracy_all == 1.0 and report.lineage.parent_f1 == 1.0


def test_a_trace_finds_the_near_copies(corpus) -> None:
    truth = load_truth(corpus)
    found = {frozenset((e.source, e.target)) for e in trace([corpus / "docs"]).edges if e.relation != "quote-only"}
    near = [frozenset((p, c)) for p, c, g in truth["edges"] if g == "near"]
    assert sum(pair in found for pair in near) >= 0.8 * len(near)


def test_revise_changes_about_the_share_asked_for() -> None:
    text = " ".join(f"w{i}" for i in range(4000))
    assert revise(text, random.Random(1), 0.0, ["x"]) == text
    changed = sum(a != b for a, b in zip(text.split(), revise(text, random.Random(1), LIGHT, ["x"]).split()))
    assert 0.03 * 4000 < changed  # drops and swaps shift the rest, so at least the replacements differ


def test_bad_sizes_and_foreign_folders_are_refused(bases, tmp_path) -> None:
    with pytest.raises(ConfigError, match="not a corpus"):
        synthesize_passages([bases], tmp_path, sources=0)
    with pytest.raises(ConfigError, match="base texts"):
        synthesize_passages([bases], tmp_path, sources=500, min_words=150)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="did not write"):
        synthesize_passages([bases], tmp_path, sources=1, min_words=150)
    assert (tmp_path / "docs" / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_cli_kind_passages(bases, tmp_path) -> None:
    result = CliRunner().invoke(synth_cmd, [str(bases), "-o", str(tmp_path), "--kind", "passages",
                                            "--stories", "2", "--min-words", "150"])
    assert result.exit_code == 0, result.output
    assert "2 long sources" in result.output and len({p for p, _, _ in load_truth(tmp_path)["edges"]}) <= 2
