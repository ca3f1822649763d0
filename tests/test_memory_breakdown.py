"""scripts/memory_breakdown.py: deep sizes count each object once, and the table has every structure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.conftest import SEEDS

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "memory_breakdown.py"


def _module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("memory_breakdown", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_deep_size_counts_shared_objects_once_and_array_data():
    deep_size = _module().deep_size
    text = "x" * 1000
    assert deep_size([text, text]) == sys.getsizeof([text, text]) + sys.getsizeof(text)
    array = np.zeros(1000, dtype=np.uint64)
    assert deep_size(array) >= 8000 and deep_size(array[:10]) >= 8000  # a view keeps all its base alive
    assert deep_size([array, array[:10]]) < 2 * 8000  # the base once
    from lineage.model import Passage

    p = Passage((0, 5), (10, 15), 1, False)
    assert deep_size(p) > sys.getsizeof(p) + 2 * sys.getsizeof((0, 5))  # slots followed


def test_the_table_lists_every_structure_for_the_seeds():
    out = subprocess.run([sys.executable, str(SCRIPT), str(SEEDS), "--workers", "1"], capture_output=True,
                         text=True, check=True).stdout
    for what in ("documents", "packed shingle sets", "signatures", "candidate pairs", "verified pairs", "edges",
                 "lineage forest", "all of the above"):
        assert f"| {what}" in out
    assert "Not in the table: the networkx graph" in out
    assert "5 documents" in out
