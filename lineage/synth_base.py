"""Base articles for the synthetic corpus: loading them, and handing each out once.

Bases come from folders of ``.txt`` files (read recursively) or from the
Reuters-21578 folder (:mod:`lineage.reuters`). The :class:`BasePool` deals
them in a seeded random order, never twice, and skips any base that shares
8-word phrases with one already dealt (a sample of 1 in 8 phrase hashes, two
hits with one earlier base): Reuters-21578 holds real re-runs and updates,
and two trees built on related bases would carry copy relations the truth
does not know.

>>> text = " ".join(f"word{i}" for i in range(80))
>>> bases = [Base("b0", "x", "T", (text,), None), Base("b1", "y", "U", ("A re-run: " + text,), None)]
>>> pool = BasePool(bases, random.Random(0), min_words=5)
>>> taken = pool.take()
>>> pool.take()
Traceback (most recent call last):
lineage.errors.ConfigError: the base texts ran out after 1 of 2 were used (lower --docs or --stories, or give more base text)
"""

from __future__ import annotations

import random
import re
import zlib
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from lineage.errors import ConfigError, InputError
from lineage.reuters import is_reuters_folder, read_reuters
from lineage.synth_text import Content, content_from_text

__all__ = ["Base", "BasePool", "load_bases"]

_WORD = re.compile(r"\w+")
_SHINGLE = 8


@dataclass(frozen=True, slots=True)
class Base:
    """One real article used as raw material: a tree root, donor, negative or distractor."""

    key: str  # origin id of its text
    source: str  # where it came from: "reuters:<NEWID>" or a file path
    title: str
    paragraphs: tuple[str, ...]
    published: datetime | None
    topics: tuple[str, ...] = ()

    @property
    def words(self) -> int:
        return sum(len(p.split()) for p in self.paragraphs)

    def content(self) -> Content:
        """The base as provenance-tracked content."""
        return content_from_text(self.title, self.paragraphs, self.key)


def _decode(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes  # only needed for odd encodings

        best = from_bytes(data).best()
        return str(best) if best is not None else None


def _text_base(path: Path) -> tuple[str, tuple[str, ...]] | None:
    text = _decode(path.read_bytes())
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    if len(blocks) == 1:
        blocks = [line for line in blocks[0].split("\n") if line.strip()]
    paragraphs = [" ".join(b.split()) for b in blocks]
    title = path.stem
    if (
        len(paragraphs) >= 2
        and len(paragraphs[0].split()) <= 20
        and not paragraphs[0].endswith((".", "!", "?", '"'))
    ):
        title = paragraphs.pop(0)
    return (title, tuple(paragraphs)) if paragraphs else None


def load_bases(paths: Sequence[str | Path], *, min_words: int = 150) -> list[Base]:
    """Read base articles (``.txt`` files, folders of them, or the Reuters-21578 folder).

    Stories under 40 words and Reuters tables are left out. Keys ``b0``,
    ``b1``, ... follow the input order.

    Raises:
        InputError: a path is missing, or no story reaches ``min_words`` words.

    >>> load_bases(["/nonexistent"])
    Traceback (most recent call last):
    lineage.errors.InputError: base path /nonexistent does not exist (give a folder of .txt articles or the Reuters-21578 folder)
    """
    raw: list[tuple[str, str, tuple[str, ...], datetime | None, tuple[str, ...]]] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(
                f"base path {path} does not exist",
                fix="give a folder of .txt articles or the Reuters-21578 folder",
            )
        if is_reuters_folder(path):
            for s in read_reuters(path):
                if s.tabular:
                    continue
                lead = f"{s.dateline} - {s.paragraphs[0]}" if s.dateline else s.paragraphs[0]
                when = (
                    datetime.strptime(s.date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
                    if s.date
                    else None
                )
                raw.append(
                    (
                        f"reuters:{s.newid}",
                        s.title or s.paragraphs[0][:60],
                        (lead,) + s.paragraphs[1:],
                        when,
                        s.topics,
                    )
                )
            continue
        for file in sorted(path.rglob("*.txt")) if path.is_dir() else [path]:
            parsed = _text_base(file)
            if parsed:
                raw.append((str(file), parsed[0], parsed[1], None, ()))
    bases = [
        Base(f"b{i}", src, title, paras, when, topics)
        for i, (src, title, paras, when, topics) in enumerate(raw)
    ]
    bases = [b for b in bases if b.words >= 40]
    if not any(b.words >= min_words for b in bases):
        raise InputError(
            f"no base article in {', '.join(map(str, paths))} has {min_words} words or more",
            fix="give longer articles or lower min_words",
        )
    return bases


def _sampled_shingles(text: str, cache: dict[str, int]) -> frozenset[int]:
    """Hashes of 1 in 8 of the text's word 8-grams, chosen by hash value (so alike in any text)."""
    words = _WORD.findall(text.lower())
    n = len(words) - _SHINGLE + 1
    if n <= 0:
        return frozenset()
    h = np.fromiter(
        (cache.setdefault(w, zlib.crc32(w.encode())) for w in words),
        dtype=np.uint64,
        count=len(words),
    )
    acc = np.zeros(n, dtype=np.uint64)
    for j in range(_SHINGLE):
        acc = acc * np.uint64(1_000_003) + h[j : j + n]  # wraps modulo 2**64, as intended
    mixed = acc ^ (acc >> np.uint64(29))
    return frozenset(int(x) for x in acc[mixed % np.uint64(8) == 0])


class BasePool:
    """Deals base articles in a seeded order, each at most once, skipping near-copies of dealt ones."""

    def __init__(self, bases: Sequence[Base], rng: random.Random, *, min_words: int) -> None:
        order = list(range(len(bases)))
        rng.shuffle(order)
        self._bases = list(bases)
        self._lists: dict[object, list[int]] = {
            True: [i for i in order if bases[i].words >= min_words],
            False: [i for i in order if bases[i].words < min_words],
        }
        for i in self._lists[True]:
            for topic in bases[i].topics:
                self._lists.setdefault(("topic", topic), []).append(i)
        self._cursor: dict[object, int] = {key: 0 for key in self._lists}
        self._done: set[int] = set()  # dealt or rejected
        self._owner: dict[int, int] = {}  # sampled shingle -> base that brought it
        self._words: dict[str, int] = {}
        self._vocab: dict[int, frozenset[str]] = {}
        self.dealt = 0

    def _candidates(self, key: object) -> Iterator[int]:
        items = self._lists.get(key, [])
        while self._cursor.get(key, 0) < len(items) and items[self._cursor[key]] in self._done:
            self._cursor[key] += 1
        for i in items[self._cursor.get(key, 0) :]:
            if i not in self._done:
                yield i

    def _fresh(self, i: int) -> bool:
        shingles = _sampled_shingles("\n".join(self._bases[i].paragraphs), self._words)
        hits = Counter(self._owner[h] for h in shingles if h in self._owner)
        if hits and max(hits.values()) >= 2:
            self._done.add(i)
            return False
        return True

    def _deal(self, i: int) -> Base:
        self._done.add(i)
        self.dealt += 1
        for h in _sampled_shingles("\n".join(self._bases[i].paragraphs), self._words):
            self._owner.setdefault(h, i)
        return self._bases[i]

    def _exhausted(self) -> ConfigError:
        return ConfigError(
            f"the base texts ran out after {self.dealt} of {len(self._bases)} were used",
            fix="lower --docs or --stories, or give more base text",
        )

    def take(self, long: bool = True) -> Base:
        """The next unused base (``long``: at least ``min_words`` words; short ones fall back to long).

        Raises:
            ConfigError: every base is used.
        """
        for kind in (long, True):
            for i in self._candidates(kind):
                if self._fresh(i):
                    return self._deal(i)
        raise self._exhausted()

    def _vocabulary(self, i: int) -> frozenset[str]:
        if i not in self._vocab:
            text = " ".join(self._bases[i].paragraphs).lower()
            self._vocab[i] = frozenset(
                w for w in _WORD.findall(text) if len(w) >= 5 and not w.isdigit()
            )
        return self._vocab[i]

    def take_related(self, like: Base | None, k: int = 40) -> Base:
        """Of ``k`` unused long bases, the one whose vocabulary is closest to ``like``.

        Candidates sharing a topic with ``like`` (Reuters ``TOPICS``) come
        first, so an update of a cocoa story adds cocoa paragraphs; the rest
        are the next bases in the dealing order.

        Raises:
            ConfigError: every long base is used.
        """
        if like is None:
            return self.take(True)
        target = frozenset(
            w
            for w in _WORD.findall(" ".join(like.paragraphs).lower())
            if len(w) >= 5 and not w.isdigit()
        )
        candidates: list[int] = []
        for key in [("topic", t) for t in like.topics] + [True]:
            for i in self._candidates(key):
                if len(candidates) >= k:
                    break
                if i not in candidates and self._fresh(i):
                    candidates.append(i)
        if not candidates:
            raise self._exhausted()

        def closeness(i: int) -> float:
            vocab = self._vocabulary(i)
            return len(vocab & target) / (len(vocab | target) or 1)

        return self._deal(max(candidates, key=closeness))
