"""Reading rarity: where two texts word a shared passage differently, the rarer wording is the copy's.

Inside the passages two texts share, one of them changed some words (a scribe's slip, a spinner's
swapped-in synonym, an editor's correction) and the other kept them. Kept words are the text's
ordinary words, which other documents of the corpus use too, related to the pair or not; a
changed word is more often a rare one: a misspelling nobody else writes, a synonym picked to look
different. So each side's *variant readings* (the words inside its shared passages that the other
side's passages lack) are looked up in a document-frequency table of the corpus, and the side
whose variants are rarer reads as the copy.

Which side that is depends on how the copies were made. A scribe's slip or a spinner's synonym
makes the copy's wording the rarer; a round-trip machine translation, a summary or a
simplifying paraphrase makes it the plainer (on PAN 2013's translated passages the plainer side
is the copy in 84 pairs of 155). So the evidence is not a feature of one pair but a pass over the
whole corpus (:func:`reweigh`, after the first-pass verdicts, before the outlet pass): it learns
from the corpus's *other* resolved pairs whether their copies read rarer or plainer, and adds
``weight * agreement * score`` to each pair's log-odds, where ``agreement`` (-1 to 1) is how
consistently the rarer wording fell on the copy's side there (each pair counted by its
``|score|``, and shrunk toward zero by how far it stands from chance, :func:`others_agreement`).
A corpus whose kinds of reuse point both ways, or with too few resolved pairs to tell, gets an
agreement near zero and the pass stays out of its verdicts.

This is not what the witness votes (:mod:`lineage.witness`) measure. They count the pair's
relatives carrying each side's readings, and every relative that descends from the copy carries
the copy's readings: the votes weigh the two sides of the copy tree against each other, which
cannot tell an archetype from a copy that has more descendants than it. Documents unrelated to
the pair take no side, and they are most of a corpus.

The table is read from a sample of at most :data:`SAMPLE` documents that does not depend on the
order of the corpus (the documents whose ids hash lowest), so a trace, an index export and the
Spark engine build the same one.

>>> import numpy as np
>>> from lineage.normalise import tokenize
>>> from lineage.shingles import token_hashes
>>> corpus = ["the minister said the talks would resume", "the talks in geneva would resume",
...           "the minister left", "the vote would be held"]
>>> words = word_frequencies([token_hashes(tokenize(t)) for t in corpus])
>>> a, b = tokenize("the minister said the talks would resume"), tokenize("the ministre said the tlaks would resume")
>>> only_a, only_b = variant_readings(token_hashes(a), [(0, 7)], token_hashes(b), [(0, 7)])
>>> r = rarity(only_a, only_b, words)
>>> r.a_words, r.b_words, r.score > 0   # b's readings are the rarer
(2, 2, True)
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from lineage.graph import is_copy
from lineage.model import LineageEdge, Rarity
from lineage.outlets import shifted
from lineage.shingles import member, unique_sorted

__all__ = ["SAMPLE", "SIGNIFICANCE", "Tally", "WordFrequencies", "sample_of", "word_frequencies", "corpus_words",
           "variant_readings", "rarity", "agreement", "others_agreement", "reweigh"]

SAMPLE = 2000  # documents the frequency table is read from (0.4 s of tokenising)
SIGNIFICANCE = 2.0  # an agreement within this many standard errors of chance is not used (others_agreement)


@dataclass(frozen=True)
class WordFrequencies:
    """How many documents of a sample use each word (by token hash, :func:`lineage.shingles.token_hash`)."""

    hashes: np.ndarray  # sorted unique token hashes
    counts: np.ndarray  # documents using each
    documents: int  # documents read

    def of(self, words: np.ndarray) -> np.ndarray:
        """The number of documents using each of ``words`` (0 for a word no document uses).

        >>> import numpy as np
        >>> WordFrequencies(np.array([3, 7], np.uint64), np.array([2, 5]), 9).of(np.array([7, 4], np.uint64)).tolist()
        [5, 0]
        """
        if not len(self.hashes) or not len(words):
            return np.zeros(len(words), dtype=np.int64)
        at = np.minimum(np.searchsorted(self.hashes, words), len(self.hashes) - 1)
        return np.where(self.hashes[at] == words, self.counts[at], 0)


def _key(doc_id: str) -> bytes:
    return hashlib.blake2b(doc_id.encode("utf-8"), digest_size=8).digest()


def sample_of(ids: Sequence[str], size: int = SAMPLE) -> list[int]:
    """Indices of the documents the table is read from: all of them up to ``size``, else the
    ``size`` whose ids hash lowest (the same documents in any order of the corpus).

    >>> ids = ["c", "a", "b", "d"]
    >>> sample_of(ids), sorted(ids[i] for i in sample_of(ids, 2)) == sorted(ids[::-1][i] for i in sample_of(ids[::-1], 2))
    ([0, 1, 2, 3], True)
    """
    if len(ids) <= size:
        return list(range(len(ids)))
    return sorted(range(len(ids)), key=lambda i: (_key(ids[i]), ids[i]))[:size]


def word_frequencies(documents: Iterable[np.ndarray]) -> WordFrequencies:
    """The table of ``documents``, each given as its token hashes (any order, repeats allowed).

    >>> import numpy as np
    >>> w = word_frequencies([np.array([5, 3, 5], np.uint64), np.array([3], np.uint64)])
    >>> w.hashes.tolist(), w.counts.tolist(), w.documents
    ([3, 5], [2, 1], 2)
    """
    sets = [unique_sorted(d) for d in documents]
    if not sets:
        return WordFrequencies(np.zeros(0, np.uint64), np.zeros(0, np.int64), 0)
    hashes, counts = np.unique(np.concatenate(sets), return_counts=True)
    return WordFrequencies(hashes.astype(np.uint64), counts.astype(np.int64), len(sets))


def corpus_words(ids: Sequence[str], hashes_of: Callable[[int], np.ndarray], size: int = SAMPLE) -> WordFrequencies:
    """The table of a corpus: ``hashes_of(i)`` gives document ``i``'s token hashes."""
    return word_frequencies(hashes_of(i) for i in sample_of(ids, size))


def _inside(hashes: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    if not spans:
        return np.zeros(0, dtype=np.uint64)
    return unique_sorted(hashes[spans[0][0]:spans[0][1]] if len(spans) == 1
                         else np.concatenate([hashes[s:e] for s, e in spans]))


def variant_readings(a_hashes: np.ndarray, a_spans: list[tuple[int, int]], b_hashes: np.ndarray,
                     b_spans: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """The words (token hashes, unique) inside each side's shared passages (token index spans)
    that the other side's passages lack.

    >>> import numpy as np
    >>> a, b = np.array([1, 2, 3, 4, 9], np.uint64), np.array([1, 5, 3, 4], np.uint64)
    >>> [x.tolist() for x in variant_readings(a, [(0, 4)], b, [(0, 4)])]
    [[2], [5]]
    """
    inside_a, inside_b = _inside(a_hashes, a_spans), _inside(b_hashes, b_spans)
    return inside_a[~member(inside_a, inside_b)], inside_b[~member(inside_b, inside_a)]


def rarity(only_a: np.ndarray, only_b: np.ndarray, words: WordFrequencies) -> Rarity | None:
    """How common each side's variant readings are; None when either side has none.

    ``score`` is the difference of the two sides' mean ``log(1 + documents using the word)``,
    over ``log(1 + documents read)``: from -1 to 1, positive when a's readings are the more
    common (a reads as the source).
    """
    if not len(only_a) or not len(only_b) or words.documents < 2:
        return None
    used = np.log1p(words.of(np.concatenate([only_a, only_b])))
    log_a, log_b = float(used[: len(only_a)].mean()), float(used[len(only_a):].mean())
    return Rarity(a_words=len(only_a), b_words=len(only_b), a_documents=round(math.expm1(log_a), 1),
                  b_documents=round(math.expm1(log_b), 1), score=(log_a - log_b) / math.log1p(words.documents))


def _scored(e: LineageEdge) -> bool:
    return e.rarity is not None and is_copy(e) and e.direction != "common-source"


class Tally(NamedTuple):
    """The rarity scores of a corpus's resolved copy edges, each stated for its edge (positive:
    the source's wording is the more common): their sum, the sum of their sizes and of their
    squares, and how many."""

    signed: float
    total: float
    squares: float
    pairs: int


def agreement(edges: Sequence[LineageEdge]) -> Tally:
    """The :class:`Tally` of the resolved (``forward``) copy edges that have a rarity score."""
    scores = [e.rarity.score for e in edges if _scored(e) and e.direction == "forward"]  # type: ignore[union-attr]
    return Tally(sum(scores), sum(map(abs, scores)), sum(x * x for x in scores), len(scores))


def others_agreement(e: LineageEdge, tally: Tally) -> tuple[float, float]:
    """``(agreement, as used)`` of the corpus's resolved pairs other than ``e`` (``tally`` is
    :func:`agreement` of all of them). The agreement is their summed score over their summed
    ``|score|``; as used, it is shrunk toward zero by how far it stands from chance, by
    ``max(0, 1 - (SIGNIFICANCE / z) ** 2)``, where ``z`` (summed score over the root of the summed
    squares) would be about normal around zero if the rarer wording fell on either side at random.

    >>> from lineage.model import LineageEdge, Rarity
    >>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0, 0, 0, (), (), rarity=Rarity(1, 1, 9.0, 1.0, 0.5))
    >>> ten = Tally(signed=4.0 + 0.5, total=4.0 + 0.5, squares=1.6 + 0.25, pairs=11)  # ten others at 0.4
    >>> others_agreement(e, ten)   # z = 4 / 1.6 ** 0.5 = 3.16
    (1.0, 0.6)
    >>> others_agreement(e, Tally(0.5 + 0.4, 0.5 + 0.4, 0.25 + 0.16, 2))  # one other: within chance
    (1.0, 0.0)
    """
    score = e.rarity.score if e.rarity is not None and e.direction == "forward" else 0.0
    signed, total, squares = tally.signed - score, tally.total - abs(score), tally.squares - score * score
    if total <= 0 or squares <= 0:
        return 0.0, 0.0
    raw = signed / total
    return round(raw, 6), round(raw * max(0.0, 1.0 - SIGNIFICANCE ** 2 * squares / signed ** 2), 6)


def reweigh(edges: Sequence[LineageEdge], *, weight: float, threshold: float) -> list[LineageEdge]:
    """The edges with reading rarity added to each orientation, as the corpus's other resolved
    pairs weigh it (see the module docstring); edges without a score (quote-only, common-source,
    no variant readings on one side) are left as they are.

    >>> from lineage.model import LineageEdge, Rarity
    >>> def e(s, t, score, c=0.9, d="forward"):
    ...     used = (30.0, 1.0) if score > 0 else (1.0, 30.0)  # documents using a's and b's variant words
    ...     return LineageEdge(s, t, "derived", d, c, 0.5, 0.5, 0.9, (), ("x",), rarity=Rarity(5, 5, *used, score))
    >>> edges = [e(f"s{i}", f"t{i}", 0.4) for i in range(10)] + [e("p", "q", -0.5, 0.6, "unresolved")]
    >>> last = reweigh(edges, weight=5.0, threshold=0.55)[-1]  # agreement 1.0, as used 0.6
    >>> last.source, last.target, last.direction, last.confidence
    ('q', 'p', 'forward', 0.7492)
    >>> last.evidence[0]
    "where the shared text reads differently, p's 5 words are rarer in the corpus than q's 5 (used by 1 document against 30), and in this corpus's other resolved pairs the rarer wording is the copy's (agreement 1.00 over 10 pairs)"
    """
    if not weight:
        return list(edges)
    tally = agreement(edges)
    out = []
    for e in edges:
        if not _scored(e):
            out.append(e)
            continue
        r = e.rarity
        raw, used = others_agreement(e, tally)
        others = tally.pairs - (e.direction == "forward")

        def sentence(new: LineageEdge, flip: bool, raw: float = raw, others: int = others) -> str:
            q = new.rarity
            # the side whose wording is the rarer, and the other
            (x, nx, dx), (y, ny, dy) = sorted(
                [(new.source, q.a_words, q.a_documents), (new.target, q.b_words, q.b_documents)], key=lambda t: t[2])
            whose = "copy's" if raw > 0 else "source's"
            return (f"where the shared text reads differently, {x}'s {nx} words are rarer in the corpus than "
                    f"{y}'s {ny} (used by {dx:g} {'document' if dx == 1 else 'documents'} against {dy:g}), and in "
                    f"this corpus's other resolved pairs the rarer wording is the {whose} "
                    f"(agreement {abs(raw):.2f} over {others} pairs)")

        out.append(shifted(e, weight * used * r.score, threshold, sentence))  # type: ignore[union-attr]
    return out
