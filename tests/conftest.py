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


def synth_corpus_from(tmp_path_factory, name: str, *, stories: int, docs: int, seed: int,
                      first_story_seed: int = 1) -> Path:
    """A ``lineage.synth`` corpus (docs/, metadata.jsonl, truth.json) grown from ``stories``
    pseudo-random base stories of five paragraphs."""
    from lineage.synth import synthesize

    base = tmp_path_factory.mktemp(f"{name}-base")
    for n in range(stories):
        body = "\n\n".join(paragraphs(5, seed=n + first_story_seed, size=30))
        (base / f"story{n:03d}.txt").write_text(f"Headline number {n}\n\n{body}\n", encoding="utf-8")
    out = tmp_path_factory.mktemp(f"{name}-synth") / "corpus"
    synthesize([base], out, seed=seed, docs=docs, min_words=60)
    return out
