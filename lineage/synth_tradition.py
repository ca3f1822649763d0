"""Generate hand-copied traditions with known copy trees (``lineage synth --kind tradition``).

A second generator for the quality benchmark, independent of :mod:`lineage.synth`. That one
imitates syndicated news: outlets, timestamps, comments, excerpts, appended stories. This one
imitates a manuscript tradition as textual criticism studies it: every copy is a whole
transcription of its exemplar by a scribe who makes the slips scribes make, and the slips
accumulate down the tree. There are no timestamps, outlets, credits or added paragraphs, so
direction and the copy tree must come from the readings alone. A model that learned only
news habits shows it here: an eye-skip leaves the *source* with words the copy lacks, the
opposite of a news update.

Each tradition grows from one base text (Reuters-21578 or a folder of ``.txt`` files) as a
random recursive tree: every new copy takes an exemplar chosen uniformly among the
manuscripts made so far. Per word, with ``rate`` the chance that a scribe slips at all:

* substitution (35% of slips): another word of the same text (a misreading);
* letter slip (20%): two neighbouring letters of the word swapped;
* omission (15%) of the word;
* dittography (10%): the word written twice;
* transposition (10%) of the word and the next;
* eye-skip (10%, *saut du même au même*): the eye jumps from the word to its next occurrence
  3-40 words on, and what lies between is left out.

Every scribe lays the text out anew (8-14 words a line). ``lost`` of the copies are lost
(hidden in the truth: in ``edges``, not in ``nodes``), and so is the archetype in half of the
traditions. Ids are random hex. ``truth.json`` has the format of :mod:`lineage.evaluate`
(labels ``transcription``), without passage cases or negatives; there is no metadata file.
The same seed gives byte-identical files.

>>> import tempfile, pathlib
>>> tmp = tempfile.TemporaryDirectory()
>>> base = pathlib.Path(tmp.name)
>>> rng = random.Random(0)
>>> for i in range(4):
...     _ = (base / f"s{i}.txt").write_text("\\n\\n".join(
...         " ".join(f"w{rng.randrange(500)}" for _ in range(40)) + "." for _ in range(5)))
>>> summary = synthesize_traditions([base], base / "out", seed=1, traditions=3, copies=6, min_words=100)
>>> summary.traditions, summary.documents == len(list((base / "out" / "docs").glob("*.txt")))
(3, True)
>>> tmp.cleanup()
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lineage.errors import ConfigError
from lineage.synth_base import load_bases
from lineage.synth_write import _prepare, random_ids, write_generated

__all__ = ["TraditionSummary", "synthesize_traditions", "transcribe"]

SLIPS = (("substitution", 0.35), ("letters", 0.20), ("omission", 0.15), ("dittography", 0.10),
         ("transposition", 0.10), ("eye-skip", 0.10))


@dataclass(frozen=True, slots=True)
class TraditionSummary:
    """What :func:`synthesize_traditions` wrote."""

    out_dir: str
    documents: int
    traditions: int
    lost: int
    slips: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        """A few lines for the terminal."""
        slips = ", ".join(f"{name} {n}" for name, n in self.slips)
        return (f"wrote {self.documents} manuscripts to {self.out_dir}: {self.traditions} traditions, "
                f"{self.lost} lost manuscripts (hidden)\nscribal slips: {slips}")


def transcribe(words: list[str], rng: random.Random, rate: float, tally: Counter | None = None) -> list[str]:
    """One scribe's copy of ``words`` (see the module docstring for the slips and their shares).

    >>> transcribe("a b c d".split(), random.Random(0), 0.0)
    ['a', 'b', 'c', 'd']
    >>> len(transcribe(["word"] * 1000, random.Random(1), 0.05)) != 1000
    True
    """
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if rng.random() >= rate:
            out.append(word)
            i += 1
            continue
        roll, slip = rng.random(), SLIPS[-1][0]
        for name, share in SLIPS:
            if roll < share:
                slip = name
                break
            roll -= share
        if tally is not None:
            tally[slip] += 1
        if slip == "substitution":
            out.append(rng.choice(words))
        elif slip == "letters" and len(word) >= 3:
            at = rng.randrange(len(word) - 1)
            out.append(word[:at] + word[at + 1] + word[at] + word[at + 2:])
        elif slip == "omission":
            pass
        elif slip == "dittography":
            out += [word, word]
        elif slip == "transposition" and i + 1 < len(words):
            out += [words[i + 1], word]
            i += 1
        elif slip == "eye-skip":
            ahead = [j for j in range(i + 3, min(len(words), i + 41)) if words[j].lower() == word.lower()]
            out.append(word)
            if ahead:
                i = ahead[0]  # the eye lands on the same word further on and goes on from there
        else:
            out.append(word)
        i += 1
    return out


def _layout(words: list[str], rng: random.Random) -> str:
    width = rng.randint(8, 14)
    return "\n".join(" ".join(words[i:i + width]) for i in range(0, len(words), width)) + "\n"


def synthesize_traditions(
    base_paths: Sequence[str | Path],
    out_dir: str | Path,
    *,
    seed: int = 0,
    traditions: int = 20,
    copies: int = 15,
    lost: float = 0.25,
    rate: float = 0.02,
    min_words: int = 300,
    max_words: int = 900,
) -> TraditionSummary:
    """Write ``traditions`` hand-copied traditions of ``copies`` manuscripts each, with the truth.

    Args:
        base_paths: folders of ``.txt`` texts (recursive) or the Reuters-21578 folder.
        out_dir: output folder; ``docs/`` and ``truth.json`` are written there.
        seed: the random seed; the same seed and inputs give byte-identical output.
        traditions: number of copy trees, each from its own base text.
        copies: manuscripts per tradition, the archetype included (before losses).
        lost: share of the copies that are lost (hidden); the archetype is lost half of the time.
        rate: chance per word that a scribe slips.
        min_words, max_words: the base texts' length range, in words.

    Raises:
        InputError: no usable base text. ConfigError: bad sizes or rates, or too few bases.
        OutputError: ``out_dir`` cannot be written or holds unrelated files.
    """
    if traditions < 1 or copies < 2:
        raise ConfigError(f"{traditions} traditions of {copies} copies is too few",
                          fix="use at least 1 tradition of 2 copies")
    if not (0.0 <= lost < 1.0 and 0.0 <= rate < 1.0):
        raise ConfigError(f"lost share {lost} and slip rate {rate} must be in [0, 1)", fix="use e.g. 0.25 and 0.02")
    rng = random.Random(seed)
    bases = [b for b in load_bases(base_paths, min_words=min_words) if min_words <= b.words <= max_words]
    if len(bases) < traditions:
        raise ConfigError(f"only {len(bases)} base texts of {min_words}-{max_words} words for {traditions} traditions",
                          fix="give more base texts or ask for fewer traditions")
    out = Path(out_dir)
    stale = _prepare(out)
    ids = random_ids(rng, traditions * copies)
    texts: dict[str, str] = {}
    edges: list[list[str]] = []
    hidden: list[str] = []
    tally: Counter = Counter()
    for t, base in enumerate(rng.sample(bases, traditions)):
        members = ids[t * copies:(t + 1) * copies]
        words = {members[0]: " ".join(base.paragraphs).split()}
        for k, child in enumerate(members[1:], start=1):
            parent = members[rng.randrange(k)]
            words[child] = transcribe(words[parent], rng, rate, tally)
            edges.append([parent, child, "transcription"])
        gone = {m for m in members[1:] if rng.random() < lost}
        if rng.random() < 0.5:
            gone.add(members[0])
        while len(members) - len(gone) < 2:  # a tradition needs two surviving witnesses
            gone.discard(rng.choice(sorted(gone)))
        for m in members:
            if m in gone:
                hidden.append(m)
            else:
                texts[m] = _layout(words[m], rng)
    truth = {"version": "tradition-1", "nodes": sorted(texts), "edges": sorted(edges), "negatives": [],
             "hidden": sorted(hidden), "params": {"seed": seed, "traditions": traditions, "copies": copies,
                                                  "lost": lost, "rate": rate, "min_words": min_words,
                                                  "max_words": max_words,
                                                  "base": [str(p) for p in base_paths]}}
    write_generated(out, stale, texts, truth)
    return TraditionSummary(str(out), len(texts), traditions, len(hidden), tuple(sorted(tally.items())))
