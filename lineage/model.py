"""Frozen values that travel between pipeline stages.

Only these types (and NumPy arrays for bulk data) cross stage boundaries.

>>> doc = Document(id="a", text="Hello world.", path="a.txt")
>>> doc.title is None
True
>>> Passage(source=(0, 5), target=(10, 15), words=1, quoted=False).flipped().source
(10, 15)
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from operator import attrgetter


def pickled_by_fields(cls):
    """Pickle a frozen, slotted dataclass as ``cls(*values)``, one tuple of its field values.

    Worker processes send hundreds of thousands of these (verified pairs, edges) back
    to the main process; the default pickle of a slotted dataclass goes through a
    state dict per object: about 29 µs to dump and 26 µs to load a verified pair,
    against 8 and 17 µs this way. The values, and so the objects, are the same.

    >>> import pickle
    >>> p = Passage(source=(0, 5), target=(10, 15), words=1, quoted=False)
    >>> pickle.loads(pickle.dumps(p)) == p
    True
    """
    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self):
        return cls, values(self)

    cls.__reduce__ = __reduce__
    return cls


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Document:
    """One article: its raw text (offsets refer to it) and optional metadata."""

    id: str
    text: str
    path: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    published: str | None = None  # ISO 8601, or None when unknown


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Skipped:
    """An input that could not be used, and why; listed under ``skipped``."""

    path: str
    reason: str
    line: int | None = None

    def describe(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Passage:
    """A shared passage: character offsets ``[start, end)`` into both raw texts."""

    source: tuple[int, int]
    target: tuple[int, int]
    words: int
    quoted: bool

    def flipped(self) -> "Passage":
        return Passage(source=self.target, target=self.source, words=self.words, quoted=self.quoted)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Alignment:
    """The exact comparison of an unordered pair ``(a, b)`` with ``a < b`` by id.

    ``passages`` are oriented a -> b (``Passage.source`` is in ``a``).
    ``a_in_b`` and ``b_in_a`` are exact shingle-set containments; ``a_coverage``
    and ``b_coverage`` the fraction of each document's words inside passages.
    """

    a: str
    b: str
    passages: tuple[Passage, ...]
    jaccard: float
    a_in_b: float
    b_in_a: float
    a_coverage: float
    b_coverage: float
    a_words: int
    b_words: int

    @property
    def shared_words(self) -> int:
        return sum(p.words for p in self.passages)

    @property
    def unquoted_words(self) -> int:
        return sum(p.words for p in self.passages if not p.quoted)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class SideProfile:
    """What one document of a pair has that the other lacks, in words (boilerplate excluded)."""

    words: int
    commentary: int = 0  # words of blocks opening with "Comment:", "Editor's note:", ...
    commentary_label: str = ""
    unrelated: int = 0  # unshared blocks whose vocabulary the shared text does not use
    head: int = 0  # related unshared words before the first shared passage
    interior: int = 0  # related unshared words between shared passages, added (not facing a rewritten stretch)
    tail: int = 0  # related unshared words after the last shared passage
    credit: str = ""  # the other document's outlet, when this text names it
    dateline: bool = False  # opens on a wire dateline, unshared, before the shared text
    rewritten: int = 0  # interior words facing unshared words of the other text between the same passages


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Rarity:
    """How common each side's variant readings are in the corpus (:mod:`lineage.rarity`)."""

    a_words: int  # words inside a's shared passages that b's lack
    b_words: int
    a_documents: float  # documents using a's variant words (geometric mean of 1 + count, less 1)
    b_documents: float
    score: float  # -1 to 1, positive when a's readings are the more common (a reads as the source)

    def flipped(self) -> "Rarity":
        """The same stated from b's side."""
        return Rarity(self.b_words, self.a_words, self.b_documents, self.a_documents, -self.score)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class PairEvidence:
    """Pairwise direction evidence for ``(a, b)``; ``time`` is +1 when a was published first."""

    a: SideProfile
    b: SideProfile
    time: int = 0
    rarity: Rarity | None = None


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Verified:
    """A candidate pair that survived exact alignment: alignment, relation, pairwise evidence."""

    i: int  # document indices, docs[i].id < docs[j].id
    j: int
    alignment: Alignment
    relation: str
    evidence: PairEvidence | None  # None for quote-only pairs


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class Verdict:
    """Direction inferred for a pair: probabilities of the three hypotheses."""

    p_ab: float  # a is the source, b derives from it
    p_ba: float
    p_common: float
    direction: str  # "forward" | "unresolved" | "common-source"
    source: str
    target: str
    confidence: float
    evidence: tuple[str, ...] = field(default_factory=tuple)


@pickled_by_fields
@dataclass(frozen=True, slots=True)
class LineageEdge:
    """One verified related pair as written to ``lineage.json`` ``edges[]``."""

    source: str
    target: str
    relation: str  # near-duplicate | derived | partial | quote-only
    direction: str  # forward | unresolved | common-source
    confidence: float
    jaccard: float
    source_in_target: float
    target_in_source: float
    passages: tuple[Passage, ...]
    evidence: tuple[str, ...]
    tree: bool = False
    # the same containments over the story text (boilerplate, site templates and one-line page
    # furniture left out): what the lineage tree weighs parents by; None for quote-only pairs
    story_source_in_target: float | None = None
    story_target_in_source: float | None = None
    # "also used": an oriented copy edge off the tree whose source gave the target material its
    # tree parent does not have (lineage.graph.secondary_sources)
    secondary: bool = False
    # how common each side's variant readings are, a being the source (lineage.rarity's pass
    # reads it; not written to lineage.json, whose evidence sentences say what it showed)
    rarity: Rarity | None = None

    def flipped(self) -> "LineageEdge":
        """The same pair stated the other way round: ends, containments (exact and story) and
        passages swapped, everything else as it is.

        >>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), (), False, 0.5, 1.0)
        >>> f = e.flipped(); (f.source, f.source_in_target, f.story_source_in_target, f.flipped() == e)
        ('b', 0.9, 1.0, True)
        """
        return replace(
            self, source=self.target, target=self.source,
            source_in_target=self.target_in_source, target_in_source=self.source_in_target,
            story_source_in_target=self.story_target_in_source, story_target_in_source=self.story_source_in_target,
            passages=tuple(p.flipped() for p in self.passages),
            rarity=None if self.rarity is None else self.rarity.flipped(),
        )

    @property
    def shared_words(self) -> int:
        return sum(p.words for p in self.passages)
