"""Benchmark corpora for scripts/bench_speed.py: news-length documents built from Reuters-21578.

Reuters-21578 holds 19,043 stories of 134 words on average (2.5 M words),
too short and too few for 100,000 documents of ~600 words, and
``lineage synth`` uses each story once (its 2,000-document corpora average
~290 words). So originals here are made by concatenating consecutive stories
of a shuffled list (``lineage synth``'s base pool: tables and re-runs left out) until a length drawn from 330-630 words is passed. When
the stories run out the list starts again, and each such pass ("epoch")
rewrites the words through its own permutation of the vocabulary (within
bands of 64 words of similar frequency and the same capitalisation):
epoch 0 is verbatim Reuters text, later epochs keep its sentence shapes,
punctuation, word-length and frequency distribution but share no phrases
with other epochs, so reusing a story does not create copies the corpus
does not intend. Derived documents (20% by default) are made from an
original or an earlier derived one with the operators lineage is built for:
verbatim republication, excerpt, inserted commentary, appended story, light
copy-editing. Cluster sizes follow a heavy tail capped at 60 documents. No
outlet boilerplate is added (see BENCHMARKS.md: it is the next scaling risk).

``huge_cluster`` writes the other case: one wire story republished
``copies`` times (light edits), among unrelated documents.

Usage (also called by bench_speed.py): ``python scripts/bench_corpus.py OUT --docs 25000``
"""

from __future__ import annotations

import argparse
import os
import random
import re
from collections import Counter
from pathlib import Path

from lineage.errors import ConfigError
from lineage.synth_base import BasePool, load_bases

REUTERS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "reuters21578"
_PIECES = re.compile(r"([A-Za-z]+)")
_COMMENTS = ("Comment:", "Editor's note:", "Our take:", "Analysis:")


class Stories:
    """Reuters story bodies as word ids, rewritten per epoch through a vocabulary permutation."""

    def __init__(self, folder: Path, seed: int) -> None:
        # lineage synth's pool: each story once, skipping re-runs (stories sharing 8-word phrases)
        pool = BasePool(load_bases([folder], min_words=40), random.Random(seed), min_words=40)
        stories = []
        while True:
            try:
                stories.append(pool.take())
            except ConfigError:
                break
        counts: Counter[str] = Counter()
        split = []
        for story in stories:
            paragraphs = [_PIECES.split(p) for p in story.paragraphs]
            for pieces in paragraphs:
                counts.update(pieces[1::2])
            split.append(paragraphs)
        self.vocab = [w for w, _ in counts.most_common()]
        index = {w: i for i, w in enumerate(self.vocab)}
        # paragraphs as (separators, word ids)
        self.stories = [[(pieces[0::2], [index[w] for w in pieces[1::2]]) for pieces in story] for story in split]
        self.words = [sum(len(ids) for _, ids in story) for story in self.stories]
        self.seed = seed
        self.maps: dict[int, list[str]] = {}

    def _mapping(self, epoch: int) -> list[str]:
        if epoch not in self.maps:
            if epoch == 0:
                self.maps[0] = self.vocab
            else:
                rng = random.Random(self.seed * 1000 + epoch)
                out = list(self.vocab)
                by_case: dict[str, list[int]] = {}
                for i, w in enumerate(self.vocab):
                    by_case.setdefault("U" if w.isupper() else "T" if w.istitle() else "l", []).append(i)
                for ids in by_case.values():
                    for start in range(0, len(ids), 64):
                        band = ids[start : start + 64]
                        shuffled = band[:]
                        rng.shuffle(shuffled)
                        for src, dst in zip(band, shuffled):
                            out[src] = self.vocab[dst]
                self.maps[epoch] = out
        return self.maps[epoch]

    def paragraphs(self, number: int) -> list[str]:
        """Story ``number`` (any integer: it wraps around, one epoch per pass) as paragraphs."""
        epoch, index = divmod(number, len(self.stories))
        words = self._mapping(epoch)
        out = []
        for seps, ids in self.stories[index]:
            parts = [seps[0]]
            for sep, i in zip(seps[1:], ids):
                parts.append(words[i])
                parts.append(sep)
            out.append("".join(parts))
        return out

    def length(self, number: int) -> int:
        return self.words[number % len(self.stories)]


def _write(out: Path, docs: list[tuple[str, str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for doc_id, text in docs:
        fd = os.open(out / f"{doc_id}.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.write(fd, text.encode("utf-8"))
        os.close(fd)


def _derive(parent: list[str], rng: random.Random, stories: Stories, next_story: int) -> tuple[list[str], int]:
    """One derived version of ``parent`` (paragraphs) and the next unused story number."""
    op = rng.choices(("verbatim", "excerpt", "commentary", "appended", "copyedit"), (25, 25, 20, 15, 15))[0]
    paras = list(parent)
    if op == "excerpt" and len(paras) > 2:
        paras = paras[: max(1, int(len(paras) * rng.uniform(0.3, 0.7)))]
    elif op == "commentary":
        aside = stories.paragraphs(next_story)
        next_story += 1
        paras.insert(rng.randint(1, len(paras)), f"{rng.choice(_COMMENTS)} " + " ".join(aside[:2]))
    elif op == "appended":
        paras += stories.paragraphs(next_story)
        next_story += 1
    elif op == "copyedit":
        edited = []
        for p in paras:
            words = p.split(" ")
            for _ in range(max(1, len(words) // 60)):
                words[rng.randrange(len(words))] = rng.choice(("the", "a", "its", "new", "major"))
            edited.append(" ".join(words))
        paras = edited
    return paras, next_story


def build_corpus(out: Path, docs: int, *, derived: float = 0.2, seed: int = 0, base: Path = REUTERS,
                 stories: Stories | None = None) -> dict[str, float]:
    """Write ``docs`` documents to ``out`` (one .txt each); return their statistics."""
    rng = random.Random(seed)
    stories = stories or Stories(base, seed)
    n_derived = int(docs * derived)
    originals: list[list[str]] = []
    next_story = 0
    written: list[tuple[str, str]] = []
    total_words = 0
    for _ in range(docs - n_derived):
        target = rng.randint(330, 630)
        paras: list[str] = []
        words = 0
        while words < target:
            paras += stories.paragraphs(next_story)
            words += stories.length(next_story)
            next_story += 1
        originals.append(paras)
    pool = [(p, 1) for p in originals]  # (paragraphs, cluster size so far) of possible parents
    sizes = [1] * len(originals)
    cluster = list(range(len(originals)))
    derived_docs: list[list[str]] = []
    for _ in range(n_derived):
        # heavy tail: a parent already copied is likelier to be copied again, up to 60 per cluster
        while True:
            pick = rng.randrange(len(pool)) if rng.random() < 0.5 else rng.randrange(max(1, len(pool) - 5000), len(pool))
            if sizes[cluster[pick]] < 60:
                break
        paras, next_story = _derive(pool[pick][0], rng, stories, next_story)
        sizes[cluster[pick]] += 1
        cluster.append(cluster[pick])
        pool.append((paras, 1))
        derived_docs.append(paras)
    for paras in originals + derived_docs:
        text = "\n\n".join(paras) + "\n"
        total_words += len(text.split())
        written.append((f"{rng.getrandbits(48):012x}", text))
    _write(out, written)
    return {"documents": len(written), "words_per_doc": total_words / max(1, len(written)),
            "epochs": next_story / len(stories.stories), "largest_cluster": max(sizes)}


def huge_cluster(out: Path, copies: int, others: int, *, seed: int = 0, base: Path = REUTERS) -> None:
    """One ~600-word story republished ``copies`` times (light edits) among ``others`` unrelated documents."""
    rng = random.Random(seed)
    stories = Stories(base, seed)
    story: list[str] = []
    number = 0
    while sum(len(p.split()) for p in story) < 600:
        story += stories.paragraphs(number)
        number += 1
    docs = []
    for c in range(copies):
        paras = list(story)
        if c % 3 == 1:
            paras = paras[: max(1, len(paras) - 1)]
        if c % 3 == 2:
            paras.append(f"Source: wire service, copy {c}.")
        docs.append((f"copy{c:05d}", "\n\n".join(paras)))
    for o in range(others):
        paras = []
        while sum(len(p.split()) for p in paras) < 500:
            paras += stories.paragraphs(number)
            number += 1
        docs.append((f"other{o:05d}", "\n\n".join(paras)))
    _write(out, docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=25_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print(build_corpus(args.out, args.docs, seed=args.seed))


if __name__ == "__main__":
    main()
