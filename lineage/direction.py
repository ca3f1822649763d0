"""Who copied whom: a calibrated model over three hypotheses, with evidence in words.

For a pair (a, b) the hypotheses are a -> b (b derives from a), b -> a, and
"both derive from an unseen common source". Two logistic models combine the
evidence families (see :mod:`lineage.evidence` and :mod:`lineage.witness`):

* orientation, antisymmetric by construction (no intercept; every feature
  changes sign when a and b swap), so swapping a pair flips the verdict
  exactly: ``P(a -> b | one copied the other) = sigmoid(w . f)``;
* common source, symmetric (features that do not depend on the order):
  ``P(common) = sigmoid(bias + u . g)``.

The verdict is ``common-source`` when ``P(common)`` reaches its own fitted
threshold; otherwise the likelier orientation, with ``confidence`` =
``P(orientation | one text derives from the other)``, ``forward`` at or above
the orientation threshold and ``unresolved`` below it. The weights and both
thresholds live in ``direction_model.json``, fitted by
``scripts/fit_direction.py`` on synth corpora, simulated hand-copied traditions
(:mod:`lineage.synth_tradition`) and half of PAN 2013 (the
common-source model on siblings whose nearest common ancestor is hidden,
against ancestor-descendant pairs).

Families (``Config.ablate`` removes any of them): ``inclusion`` (commentary,
unrelated additions, expansions, excerpts, rewritten leads, and the context of
the shared passages: a passage set into another text is surrounded by words
about something else), ``witness`` (variant readings confirmed by other
documents), ``time`` (publication order, a
likelihood term that tolerates missing and wrong stamps), ``credit`` (a text
naming the other's outlet), ``dateline`` (one text opens on a wire dateline
that the other's different opening lacks: the wire copy, and a copy that
rewrote its lead), ``rarity`` (not a feature of one pair: the first pass over
the whole corpus, :mod:`lineage.rarity`: where the shared passages read
differently, the side whose words the corpus uses less is the copy, or the
source, as the corpus's other resolved pairs show; its weight is
``orient.rarity``), ``outlet`` (the second pass, :mod:`lineage.outlets`, adds the two outlets' records as
sources and targets to these verdicts; its weight is ``orient.outlet``),
``consistency`` (the last pass, :mod:`lineage.consistency`: what the other copy
pairs among the two documents' relatives imply about their order; its weight
is ``orient.consistency``).

>>> from lineage.model import PairEvidence, SideProfile
>>> ev = PairEvidence(SideProfile(words=400), SideProfile(words=450, commentary=50, commentary_label="Comment"))
>>> v = decide("a", "b", ev, (0, 0, 0))
>>> v.source, v.target, v.direction, v.evidence[0]
('a', 'b', 'forward', "b adds a 'Comment:' paragraph that a lacks")
>>> w = decide("b", "a", PairEvidence(ev.b, ev.a), (0, 0, 0))
>>> (w.source, w.target, round(w.confidence, 6)) == (v.source, v.target, round(v.confidence, 6))
True
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from typing import Iterable

from lineage.model import PairEvidence, Verdict

FAMILIES: dict[str, tuple[str, ...]] = {
    "inclusion": ("commentary", "unrelated", "interior", "head", "tail", "context", "both_added", "both_derived",
                  "both_commentary", "both_tail"),
    "witness": ("witness", "witness_both"),
    "time": ("time",),
    "credit": ("credit",),
    "dateline": ("dateline",),
    "rarity": ("rarity",),  # a pass over the whole corpus: lineage.rarity
    "outlet": ("outlet",),  # a second pass over the whole corpus: lineage.outlets
    "consistency": ("consistency",),  # the last pass, over each connected part: lineage.consistency
}
ORIENT = ("commentary", "unrelated", "interior", "head", "tail", "context", "witness", "time", "credit", "dateline")
COMMON = ("both_added", "both_derived", "both_commentary", "both_tail", "witness_both")
BOTH_DERIVED = 0.02  # share of a text's words: above it on both sides, each has something of its own
# How evidence sentences open where they are not for the stated orientation (lineage.outlets
# regroups them when its pass turns a verdict round)
AGAINST = "against: "
COMMON_SENTENCE = "both have material the other lacks"
NO_EVIDENCE = "no evidence of direction in the texts"


@lru_cache(maxsize=1)
def load_model() -> dict:
    """The fitted weights and threshold shipped with the package."""
    text = resources.files("lineage").joinpath("direction_model.json").read_text(encoding="utf-8")
    return json.loads(text)


def _share(n: int, words: int) -> float:
    return n / words if words else 0.0


def features(
    ev: PairEvidence, votes: tuple[int, int, int], context: tuple[float | None, float | None] = (None, None)
) -> tuple[dict[str, float], dict[str, float]]:
    """Orientation features (positive: a is the source) and common-source features of a pair.

    ``votes`` are the witness counts for a, for b, and for both (see :mod:`lineage.witness`);
    ``context`` how related each side's words around the shared passages are to them
    (:func:`lineage.evidence.context_relatedness`, None when there are too few).
    """
    a, b = ev.a, ev.b
    va, vb, vboth = votes
    # A rewritten lead is left out: source and copy both show one when the copier rewrote it.
    added_a = _share(a.commentary + a.unrelated + a.interior, a.words)
    added_b = _share(b.commentary + b.unrelated + b.interior, b.words)
    orient = {
        "commentary": float(b.commentary > 0) - float(a.commentary > 0),
        "unrelated": _share(b.unrelated, b.words) - _share(a.unrelated, a.words),
        "interior": _share(b.interior, b.words) - _share(a.interior, a.words),
        "head": _share(b.head, b.words) - _share(a.head, a.words),
        "tail": _share(a.tail, a.words) - _share(b.tail, b.words),
        "context": 0.0 if None in context else context[0] - context[1],
        "witness": (va - vb) / (va + vb + 1),
        "time": float(ev.time),
        "credit": float(bool(b.credit)) - float(bool(a.credit)),
        "dateline": float(a.dateline) - float(b.dateline),
    }
    # what marks each side as the copy: its own additions, or the other side's continuation
    derived_a = added_a + _share(b.tail, b.words)
    derived_b = added_b + _share(a.tail, a.words)
    common = {
        "both_added": min(added_a, added_b),
        "both_derived": float(min(derived_a, derived_b) >= BOTH_DERIVED),
        "both_commentary": float(a.commentary > 0 and b.commentary > 0),
        "both_tail": min(_share(a.tail, a.words), _share(b.tail, b.words)),
        "witness_both": vboth / (va + vb + vboth + 1),
    }
    return orient, common


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def _dropped(ablate: Iterable[str]) -> set[str]:
    return {name for family in ablate for name in FAMILIES.get(family, ())}


def probabilities(
    orient: dict[str, float], common: dict[str, float], *, model: dict | None = None, ablate: Iterable[str] = ()
) -> tuple[float, float, float, dict[str, float]]:
    """``(P(a->b | copy), P(b->a | copy), P(common), contributions)`` of the orientation features."""
    model = model or load_model()
    dropped = _dropped(ablate)
    contributions = {k: model["orient"].get(k, 0.0) * v for k, v in orient.items() if k not in dropped}
    p_orient = _sigmoid(sum(contributions.values()))
    c = model["common"].get("bias", 0.0) + sum(
        model["common"].get(k, 0.0) * v for k, v in common.items() if k not in dropped
    )
    p_common = _sigmoid(c)
    return p_orient, 1 - p_orient, p_common, contributions


def decide(
    a_id: str,
    b_id: str,
    ev: PairEvidence,
    votes: tuple[int, int, int],
    *,
    context: tuple[float | None, float | None] = (None, None),
    threshold: float | None = None,
    ablate: Iterable[str] = (),
    model: dict | None = None,
) -> Verdict:
    """The verdict for the pair, its confidence and the evidence sentences."""
    model = model or load_model()
    orient, common = features(ev, votes, context)
    p_ab, p_ba, p_c, contributions = probabilities(orient, common, model=model, ablate=ablate)
    source, target, confidence, direction = choose(a_id, b_id, p_ab, p_ba, p_c, model=model, threshold=threshold)
    sentences = explain(a_id, b_id, ev, votes, contributions, a_is_source=source == a_id)
    if direction == "common-source" or p_c >= 0.3:
        sentences.append(f"{COMMON_SENTENCE}: P(copies of an unseen common source) = {p_c:.2f}")
    if not sentences:
        sentences.append(f"{NO_EVIDENCE}: the orientation is a coin toss")
    return Verdict(p_ab, p_ba, p_c, direction, source, target, round(confidence, 4), tuple(sentences))


def orientation_threshold(model: dict, threshold: float | None = None) -> float:
    """The confidence below which an orientation is ``unresolved``: ``threshold`` when given,
    else the model's fitted one."""
    return model.get("threshold", 0.6) if threshold is None else threshold


def choose(a_id: str, b_id: str, p_ab: float, p_ba: float, p_c: float, *, model: dict,
           threshold: float | None = None) -> tuple[str, str, float, str]:
    """``(source, target, confidence, direction)`` from the three hypotheses' probabilities:
    ``common-source`` at or above the model's common threshold, else the likelier orientation,
    ``forward`` at or above :func:`orientation_threshold`.

    >>> choose("a", "b", 0.3, 0.7, 0.1, model={"threshold": 0.6, "common_threshold": 0.9})
    ('b', 'a', 0.7, 'forward')
    """
    if p_c >= model.get("common_threshold", 0.8):
        return a_id, b_id, p_c, "common-source"
    source, target, confidence = (a_id, b_id, p_ab) if p_ab >= p_ba else (b_id, a_id, p_ba)
    return source, target, confidence, "forward" if confidence >= orientation_threshold(model, threshold) else "unresolved"


def explain(
    a: str,
    b: str,
    ev: PairEvidence,
    votes: tuple[int, int, int],
    contributions: dict[str, float],
    *,
    a_is_source: bool,
    floor: float = 0.15,
) -> list[str]:
    """Sentences for the signals that moved the verdict, supporting ones first, then those against."""
    side = {a: ev.a, b: ev.b}
    other = {a: b, b: a}

    def says(name: str, value: float) -> list[str]:
        # the document the signal marks as derived (value > 0 means a is the source)
        x = b if value > 0 else a
        y, px = other[x], side[x]
        if name == "commentary":
            return [f"{x} adds a '{px.commentary_label or 'Comment'}:' paragraph that {y} lacks"]
        if name == "unrelated":
            return [f"{x} carries {px.unrelated} words unrelated to the shared story "
                    "(an appended or pasted block, left out of coverage)"]
        if name == "interior":
            return [f"{x} adds {px.interior} words inside the shared text (an expansion or update of {y})"]
        if name == "head":
            return [f"{x} opens with {px.head} words of its own before the shared text (a rewritten lead)"]
        if name == "tail":
            return [f"{x} stops where {y} goes on for {side[y].tail} related words ({x} reads as an excerpt)"]
        if name == "context":
            return [(f"the words around the shared text in {x} are about something else "
                     f"(a passage set into another text; in {y} it reads on in its own story)")]
        if name == "witness":
            n = sum(votes)
            src_votes = votes[0] if y == a else votes[1]
            return [f"{src_votes} of {n} other documents carry {y}'s readings where {a} and {b} differ"]
        if name == "time":
            return [f"{y} was published before {x}"]
        if name == "credit":
            return [f"{x} names {y}'s outlet ({px.credit!r})"]
        if name == "dateline":
            return [f"{y} opens on a wire dateline that {x}'s different opening lacks (a rewritten lead)"]
        return []

    ranked = sorted(contributions.items(), key=lambda kv: -abs(kv[1]))
    pro, con = [], []
    for name, contribution in ranked:
        if abs(contribution) < floor:
            continue
        supports = (contribution > 0) == a_is_source
        for sentence in says(name, contribution):
            (pro if supports else con).append(sentence)
    return pro + [f"{AGAINST}{s}" for s in con]
