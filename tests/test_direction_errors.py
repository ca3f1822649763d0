"""scripts/direction_errors.py: its breakdown counts what `lineage eval` counts on the same corpus."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage.cli import main
from tests.conftest import synth_corpus_from

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "direction_errors.py"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return synth_corpus_from(tmp_path_factory, "errors", stories=200, docs=240, seed=3, first_story_seed=7)


def _all_row(section: str) -> list[tuple[int, int]]:
    row = next(line for line in section.splitlines() if line.startswith("| all |"))
    return [(int(a), int(b)) for a, b in re.findall(r"(\d+)/(\d+) \(", row)]


def test_the_totals_match_lineage_eval_and_the_ceilings_are_ordered(corpus, tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), str(corpus)], capture_output=True, text=True, check=True).stdout
    sections = re.split(r"^\d\. ", out, flags=re.M)
    assert len(sections) == 4, out
    by_stamps, by_kind = _all_row(sections[1]), _all_row(sections[2])

    traced = tmp_path / "out"
    result = CliRunner().invoke(main, ["trace", str(corpus / "docs"), "--metadata", str(corpus / "metadata.jsonl"),
                                       "-o", str(traced), "--workers", "1"])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(main, ["eval", "--json", str(traced), str(corpus / "truth.json")])
    direction = json.loads(result.output)["direction"]
    assert direction["found"] > 0
    assert by_stamps == [(direction["correct"], direction["found"])]
    assert by_kind[0] == by_stamps[0]

    ceilings = [tuple(map(int, m)) for m in re.findall(r"\| (\d+)/(\d+) \(", sections[3])]
    given, none, left_out, true = ceilings
    assert all(n == direction["found"] for _, n in ceilings)
    assert none == (by_kind[1][0], by_kind[1][1])  # table 2's "without" column
    assert given == by_stamps[0]


def test_a_folder_without_truth_is_a_one_line_error(tmp_path):
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2 and "no truth.json or metadata.jsonl" in done.stderr and "Traceback" not in done.stderr
