"""scripts/fit_direction.py's one-weight fits and scripts/bench_quality.py's also-used counts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from lineage.model import LineageEdge

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def _script(name: str):
    spec = importlib.util.spec_from_file_location(f"script_{name}", SCRIPTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fit = _script("fit_direction")
bench = _script("bench_quality")


def test_each_synth_seed_is_a_source_and_the_traditions_are_one():
    assert [fit.source_of(c) for c in ("synth11", "pan", "tradition12", "tradition13")] == [
        "synth11", "pan", "tradition", "tradition"]


def _samples(rng, n, slope):
    """n samples whose labels follow logit = offset + slope * term."""
    terms, offsets = rng.normal(size=n), rng.normal(size=n)
    labels = (rng.random(n) < 1 / (1 + np.exp(-(offsets + slope * terms)))).astype(float)
    return list(terms), list(offsets), list(labels)


def test_a_one_weight_fit_weighs_each_source_the_same_whatever_its_size():
    rng = np.random.default_rng(0)
    a, b = _samples(rng, 400, 0.2), _samples(rng, 400, 2.0)

    def fitted(copies_of_a: int) -> float:
        terms = a[0] * copies_of_a + b[0]
        offsets = a[1] * copies_of_a + b[1]
        labels = a[2] * copies_of_a + b[2]
        sources = ["a"] * (400 * copies_of_a) + ["b"] * 400
        return fit.fit_offset_weight("test", terms, offsets, labels, sources)

    once, thrice = fitted(1), fitted(3)
    assert abs(once - thrice) < 1e-3  # pooled, three copies of a would pull the weight toward a's 0.2
    assert 0.5 < once < 1.6


def test_also_used_truth_says_where_each_second_source_points():
    truth = {"nodes": ["a", "b", "c", "d"], "edges": [["a", "b", "verbatim"], ["b", "c", "excerpt"],
                                                       ["a", "d", "spin"]]}

    def edge(s, t, *, tree=False, secondary=False):
        return LineageEdge(s, t, "derived", "forward", 0.9, 0.5, 0.5, 0.5, (), (), tree, None, None, secondary)

    result = SimpleNamespace(edges=[edge("a", "b", tree=True), edge("d", "c", tree=True),
                                    edge("b", "c", secondary=True), edge("a", "c", secondary=True),
                                    edge("b", "d", secondary=True)])
    row = bench.also_used_truth(result, truth, "toy")
    assert row == {"corpus": "toy", "tree": 2, "secondary": 3, "true_parent": 1, "ancestor": 1, "other": 1}
