"""Shared fixtures: the project's seed articles and small corpus builders."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seeds_result():
    """One trace of the seeds, shared by the tests that only read it."""
    from lineage.pipeline import trace

    return trace([SEEDS])


def words(n: int, seed: int) -> list[str]:
    """``n`` pseudo-random distinct-looking words (deterministic), for synthetic texts."""
    import random

    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ter", "su", "van", "dor", "pel", "ri", "gos", "na", "bel", "ut", "zen"]
    return ["".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(n)]


def paragraphs(n_paragraphs: int, seed: int, size: int = 40) -> list[str]:
    """Paragraphs of pseudo-random words ending in periods."""
    out = []
    for p in range(n_paragraphs):
        w = words(size, seed * 1000 + p)
        out.append(" ".join(w).capitalize() + ".")
    return out
