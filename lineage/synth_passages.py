"""Generate short texts that lift passages from long ones (``lineage synth --kind passages``).

A third generator for the quality benchmark, beside syndicated news (:mod:`lineage.synth`)
and hand-copied traditions (:mod:`lineage.synth_tradition`). It imitates *small-in-large*
reuse, as in graded rewrites of encyclopedia articles, a blog quoting a long feature, or
an essay built on a reference text: each *source* is a long article (600-2,000 words) and each
of its *pieces* is a short text of its own that takes one to three passages of two to four
consecutive sentences from it, revised to one of three grades:

* ``near``: the passages as they are (cut and paste);
* ``light``: a few words replaced, dropped or swapped (8% of the words);
* ``heavy``: the passage's sentences in another order and a third of the words changed
  (exact word shingles rarely survive: such pieces are mostly missed, as the benchmark says);
* ``independent`` pieces (a quarter) take nothing: they are written on the same topic from
  other articles, and each is a negative pair with the source.

A piece's own writing (an opening of one or two sentences, without a wire dateline, and half
of the time a closing one) comes from another article on the same topic (Reuters-21578 topic codes; any other
article for a folder of ``.txt`` files), so the text around a lifted passage is about the
same subject, as in a real answer or commentary, and nothing but the passage is shared with
the source. So the source has most of its words outside the shared text, before and after
it, and the copy is the shorter text: the situation where a news-trained direction model
reads the source's own story as material added by a copier.

Output: ``OUT/docs/<id>.txt`` (random ids) and ``OUT/truth.json`` (the format of
:mod:`lineage.evaluate`: ``edges`` ``[source, piece, grade]``, ``negatives`` the independent
pieces with their source); no metadata. The same seed gives byte-identical files.

>>> import tempfile, pathlib
>>> tmp = tempfile.TemporaryDirectory()
>>> base = pathlib.Path(tmp.name)
>>> rng = random.Random(0)
>>> for i in range(12):
...     _ = (base / f"s{i}.txt").write_text(f"Story {i}\\n\\n" + "\\n\\n".join(
...         " ".join(f"w{rng.randrange(3000)}" for _ in range(12)) + "." for _ in range(60)))
>>> summary = synthesize_passages([base], base / "out", seed=1, sources=2, pieces=(2, 4), min_words=600)
>>> summary.sources, summary.documents == len(list((base / "out" / "docs").glob("*.txt")))
(2, True)
>>> tmp.cleanup()
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lineage.errors import ConfigError
from lineage.synth_base import Base, load_bases
from lineage.synth_ops import without_dateline
from lineage.synth_write import _prepare, random_ids, write_generated

__all__ = ["PassagesSummary", "revise", "synthesize_passages"]

GRADES = (("near", 0.25), ("light", 0.25), ("heavy", 0.25), ("independent", 0.25))
LIGHT, HEAVY = 0.08, 0.33  # share of a passage's words a light or heavy revision changes
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(0-9])")


@dataclass(frozen=True, slots=True)
class PassagesSummary:
    """What :func:`synthesize_passages` wrote."""

    out_dir: str
    documents: int
    sources: int
    grades: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        """A few lines for the terminal."""
        grades = ", ".join(f"{name} {n}" for name, n in self.grades)
        return (f"wrote {self.documents} documents to {self.out_dir}: {self.sources} long sources and "
                f"{self.documents - self.sources} short pieces\npieces by grade: {grades}")


def sentences(base: Base) -> list[str]:
    """The base's body cut into sentences (at a full stop, question or exclamation mark
    followed by a capital, a digit or a quote mark); fragments under five words are dropped."""
    out = []
    for paragraph in base.paragraphs:
        out += [s.strip() for s in _SENTENCE.split(paragraph) if len(s.split()) >= 5]
    return out


def revise(text: str, rng: random.Random, rate: float, vocabulary: Sequence[str]) -> str:
    """``text`` with a share ``rate`` of its words changed: half replaced by a word of
    ``vocabulary`` (the source's own words: a rewrite stays on topic), a quarter dropped, a
    quarter swapped with the next word.

    >>> revise("one two three four", random.Random(0), 0.0, ["x"])
    'one two three four'
    >>> revise("one two three four five six", random.Random(3), 1.0, ["x"]) != "one two three four five six"
    True
    """
    words, out, i = text.split(), [], 0
    while i < len(words):
        roll = rng.random()
        if roll >= rate:
            out.append(words[i])
        elif roll < rate * 0.5:
            out.append(rng.choice(vocabulary))
        elif roll < rate * 0.75:
            pass
        elif i + 1 < len(words):
            out += [words[i + 1], words[i]]
            i += 1
        else:
            out.append(words[i])
        i += 1
    return " ".join(out)


def _lifted(source: list[str], rng: random.Random, grade: str, vocabulary: list[str]) -> list[str]:
    """One to three passages of two to four consecutive sentences of ``source``, in its order,
    revised to ``grade``; each is one paragraph."""
    # windows five sentences apart never overlap (a passage has at most four)
    windows = range(0, len(source) - 3, 5)
    starts = sorted(rng.sample(windows, k=min(rng.randint(1, 3), len(windows))))
    out = []
    for start in starts:
        chunk = source[start:start + rng.randint(2, 4)]
        if grade == "heavy":
            chunk = rng.sample(chunk, len(chunk))
        text = " ".join(chunk)
        if grade != "near":
            text = revise(text, rng, LIGHT if grade == "light" else HEAVY, vocabulary)
        out.append(text)
    return out


def _own_writer(bases: list[Base], used: set[str], like: Base, rng: random.Random) -> list[str]:
    """Sentences of an unused article on ``like``'s topic (any unused article when none shares
    a topic): a piece's own writing."""
    topical = [b for b in bases if b.key not in used and set(b.topics) & set(like.topics)]
    pool = topical or [b for b in bases if b.key not in used]
    if not pool:
        raise ConfigError("too few base texts for the pieces' own writing",
                          fix="give more base texts or ask for fewer sources")
    pick = rng.choice(pool)
    used.add(pick.key)
    own = sentences(pick) or [" ".join(pick.paragraphs)]
    return [without_dateline(own[0]), *own[1:]]  # an essay or answer does not open on a wire dateline


def synthesize_passages(
    base_paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    seed: int = 0,
    sources: int = 20,
    pieces: tuple[int, int] = (6, 12),
    min_words: int = 600,
    max_words: int = 2000,
) -> PassagesSummary:
    """Write ``sources`` long texts, each with ``pieces`` (a range) short texts built on it.

    Args:
        base_paths: folders of ``.txt`` texts (recursive) or the Reuters-21578 folder.
        out_dir: output folder; ``docs/`` and ``truth.json`` are written there.
        seed: the random seed; the same seed and inputs give byte-identical output.
        sources: number of long source texts.
        pieces: fewest and most pieces per source.
        min_words, max_words: the sources' length range, in words.

    Raises:
        InputError: no usable base text. ConfigError: bad sizes, or too few bases.
        OutputError: ``out_dir`` cannot be written or holds unrelated files.
    """
    lo, hi = pieces
    if sources < 1 or not 1 <= lo <= hi:
        raise ConfigError(f"{sources} sources with {lo}-{hi} pieces each is not a corpus",
                          fix="use at least 1 source and a piece range like 6-12")
    rng = random.Random(seed)
    bases = load_bases(base_paths, min_words=40)
    long = [b for b in bases if min_words <= b.words <= max_words and len(sentences(b)) >= 10]
    if len(long) < sources:
        raise ConfigError(f"only {len(long)} base texts of {min_words}-{max_words} words for {sources} sources",
                          fix="give more base texts or ask for fewer sources")
    chosen = rng.sample(long, sources)
    used = {b.key for b in chosen}
    writers = [b for b in bases if b.key not in used]
    counts = [rng.randint(lo, hi) for _ in chosen]
    ids = random_ids(rng, sources + sum(counts))
    texts: dict[str, str] = {}
    edges: list[list[str]] = []
    negatives: list[list[str]] = []
    tally: Counter = Counter()
    out = Path(out_dir)
    stale = _prepare(out)
    at = 0
    for source, count in zip(chosen, counts):
        source_id = ids[at]
        texts[source_id] = source.title + "\n\n" + "\n\n".join(source.paragraphs) + "\n"
        body = sentences(source)
        vocabulary = [w for s in body for w in s.split() if w.isalpha() and len(w) >= 4] or ["said"]
        for piece_id in ids[at + 1:at + 1 + count]:
            roll, grade = rng.random(), GRADES[-1][0]
            for name, share in GRADES:
                if roll < share:
                    grade = name
                    break
                roll -= share
            tally[grade] += 1
            own = _own_writer(writers, used, source, rng)
            if grade == "independent":
                paragraphs = [" ".join(own[:rng.randint(3, 6)])]
                negatives.append(sorted([source_id, piece_id]))
            else:
                paragraphs = [" ".join(own[:rng.randint(1, 2)]), *_lifted(body, rng, grade, vocabulary)]
                if rng.random() < 0.5 and len(own) > 2:
                    paragraphs.append(own[-1])
                edges.append([source_id, piece_id, grade])
            texts[piece_id] = "\n\n".join(paragraphs) + "\n"
        at += 1 + count
    truth = {"version": "passages-1", "nodes": sorted(texts), "edges": sorted(edges),
             "negatives": sorted(negatives), "hidden": [],
             "params": {"seed": seed, "sources": sources, "pieces": [lo, hi], "min_words": min_words,
                        "max_words": max_words, "base": [str(p) for p in base_paths]}}
    write_generated(out, stale, texts, truth)
    return PassagesSummary(str(out), len(texts), sources, tuple(sorted(tally.items())))
