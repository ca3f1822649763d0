"""Tests for the hand-copied tradition generator (lineage.synth_tradition)."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli_quality import synth as synth_cmd
from lineage.errors import ConfigError, OutputError
from lineage.evaluate import evaluate, lineage_from_truth, load_truth, truth_forest
from lineage.synth_tradition import SLIPS, synthesize_traditions, transcribe
from tests.test_synth import write_bases


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> Path:
    return write_bases(tmp_path_factory.mktemp("bases"), n=30)


def test_same_seed_gives_byte_identical_output(bases, tmp_path) -> None:
    def files(out: Path) -> dict[str, bytes]:
        return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}

    one, two, three = tmp_path / "1", tmp_path / "2", tmp_path / "3"
    for out, seed in ((one, 5), (two, 5), (three, 6)):
        synthesize_traditions([bases], out, seed=seed, traditions=4, copies=8, min_words=100)
    assert files(one) == files(two) and files(one) != files(three)


def test_truth_is_a_forest_of_whole_copies_with_two_survivors_each(bases, tmp_path) -> None:
    summary = synthesize_traditions([bases], tmp_path, seed=2, traditions=5, copies=10, lost=0.5, min_words=100)
    truth = load_truth(tmp_path)
    forest = truth_forest(truth)
    on_disk = {p.stem for p in (tmp_path / "docs").glob("*.txt")}
    assert on_disk == set(truth["nodes"]) and len(on_disk) == summary.documents
    assert set(truth["hidden"]).isdisjoint(on_disk) and len(truth["hidden"]) == summary.lost
    assert len(truth["edges"]) == 5 * 9 and all(label == "transcription" for *_, label in truth["edges"])
    survivors = Counter(forest.root(v) for v in truth["nodes"])
    assert len(survivors) == 5 and min(survivors.values()) >= 2
    # a copy is a whole transcription: within a few percent of its exemplar's length
    words = {v: len((tmp_path / "docs" / f"{v}.txt").read_text(encoding="utf-8").split()) for v in on_disk}
    for parent, child, _ in truth["edges"]:
        if parent in words and child in words:
            assert abs(words[child] - words[parent]) < 0.2 * words[parent]


def test_the_truth_scores_itself_perfectly(bases, tmp_path) -> None:
    synthesize_traditions([bases], tmp_path, seed=3, traditions=3, copies=6, min_words=100)
    truth = load_truth(tmp_path)
    report = evaluate(lineage_from_truth(truth), truth)
    assert report.direction.accuracy_all == 1.0 and report.lineage.parent_f1 == 1.0


def test_transcribe_makes_every_kind_of_slip_at_about_the_rate() -> None:
    words = [f"w{i % 40}" for i in range(20000)]
    tally: Counter = Counter()
    copy = transcribe(words, random.Random(4), 0.05, tally)
    assert set(tally) == {name for name, _ in SLIPS}
    assert 800 < sum(tally.values()) < 1200  # 5% of 20,000 words, less what eye-skips jump over
    assert copy != words and transcribe(words, random.Random(4), 0.0) == words


def test_bad_sizes_and_foreign_folders_are_refused(bases, tmp_path) -> None:
    with pytest.raises(ConfigError, match="too few"):
        synthesize_traditions([bases], tmp_path, traditions=2, copies=1)
    with pytest.raises(ConfigError, match="base texts"):
        synthesize_traditions([bases], tmp_path, traditions=500, min_words=100)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="did not write"):
        synthesize_traditions([bases], tmp_path, traditions=2, copies=4, min_words=100)
    assert (tmp_path / "docs" / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_cli_kind_tradition(bases, tmp_path) -> None:
    result = CliRunner().invoke(synth_cmd, [str(bases), "-o", str(tmp_path), "--kind", "tradition",
                                            "--stories", "2", "--min-words", "100"])
    assert result.exit_code == 0, result.output
    assert "2 traditions" in result.output and len(load_truth(tmp_path)["edges"]) == 2 * 14
