"""Outlet reputation: a publisher whose other documents read as sources is likelier the source.

Direction's second pass, over all oriented copy edges of a corpus at once.
News flows from agencies to papers, from papers to aggregators and content
farms: across a corpus, one outlet's documents are sources far more often
than another's. So for a pair whose outlets differ, the text verdict (the
first pass, :func:`lineage.direction.decide`) is combined with how the two
outlets' *other* documents were oriented:

    logit P(s -> t) = logit(first-pass confidence) + w * (r(outlet of s) - r(outlet of t))

where ``r(o) = log((sources + 1) / (targets + 1))`` counts the resolved
first-pass edges between different outlets in which a document of ``o`` is
the source or the target, leaving out every edge that touches ``s`` or ``t``
(a document's own relations must not vouch for it). ``w`` is fitted with the
rest of the model (``orient.outlet`` in ``direction_model.json``). Edges
whose outlets are unknown or equal, quote-only and common-source edges are
left as they are; ``--ablate outlet`` turns the pass off.

>>> from lineage.model import LineageEdge
>>> def e(s, t, c=0.9):
...     return LineageEdge(s, t, "derived", "forward", c, 0.5, 0.5, 0.9, (), ("x",))
>>> outlet = {"w1": "Wire", "w2": "Wire", "w3": "Wire", "p1": "Paper", "p2": "Paper", "p3": "Paper"}
>>> edges = [e("w1", "p1"), e("w2", "p2"), e("p3", "w3", 0.6)]
>>> third = reweigh(edges, outlet, weight=1.0, threshold=0.55)[2]
>>> third.source, third.target, third.confidence
('w3', 'p3', 0.8571)
>>> third.evidence
("Wire (w3's outlet) is the source in 2 of 2 other resolved pairs with other outlets, Paper (p3's) in 0 of 2", 'against: x')
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Callable, Mapping, Sequence

from lineage.direction import AGAINST, COMMON_SENTENCE, NO_EVIDENCE
from lineage.graph import is_copy
from lineage.model import LineageEdge

FLOOR = 0.15  # a contribution below this is not named in the evidence (as in direction.explain)
NEUTRAL = (COMMON_SENTENCE, NO_EVIDENCE)  # first-pass sentences for neither orientation


def log_odds(confidence: float) -> float:
    """The log-odds of a first-pass confidence, kept finite at 0 and 1."""
    p = min(max(confidence, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


@dataclass
class Reputations:
    """Resolved first-pass edges between outlets: as source and as target, per outlet and per
    document (what each document's own edges added, to be left out for its pairs)."""

    sources: Counter = field(default_factory=Counter)
    targets: Counter = field(default_factory=Counter)
    by_doc: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, s: str, t: str, os_: str, ot: str) -> None:
        self.sources[os_] += 1
        self.targets[ot] += 1
        for d in (s, t):
            self.by_doc[d][("s", os_)] += 1
            self.by_doc[d][("t", ot)] += 1

    def counts(self, outlet: str, s: str, t: str, own: tuple[str, str] | None) -> tuple[int, int]:
        """``(sources, targets)`` of ``outlet`` without the edges touching ``s`` or ``t`` (the
        edge between them, counted for both, once: ``own`` is its outlets when it counted)."""
        src = self.sources[outlet] - self.by_doc[s][("s", outlet)] - self.by_doc[t][("s", outlet)]
        tgt = self.targets[outlet] - self.by_doc[s][("t", outlet)] - self.by_doc[t][("t", outlet)]
        if own is not None:
            src += own[0] == outlet
            tgt += own[1] == outlet
        return src, tgt


def _resolved(e: LineageEdge, threshold: float) -> bool:
    return is_copy(e) and e.direction == "forward" and e.confidence >= threshold


def _outlets(e: LineageEdge, outlet_of: Mapping[str, str | None]) -> tuple[str, str] | None:
    os_, ot = outlet_of.get(e.source), outlet_of.get(e.target)
    return (os_, ot) if os_ and ot and os_ != ot else None


def reputations(edges: Sequence[LineageEdge], outlet_of: Mapping[str, str | None], threshold: float) -> Reputations:
    """Count the resolved first-pass copy edges between documents of different known outlets."""
    rep = Reputations()
    for e in edges:
        pair = _outlets(e, outlet_of)
        if pair is not None and _resolved(e, threshold):
            rep.add(e.source, e.target, *pair)
    return rep


def term(rep: Reputations, e: LineageEdge, outlet_of: Mapping[str, str | None], threshold: float
         ) -> tuple[float, tuple[int, int], tuple[int, int]] | None:
    """``r(outlet of source) - r(outlet of target)`` for edge ``e`` and the counts behind each
    side, or None when the outlets are unknown or equal."""
    pair = _outlets(e, outlet_of)
    if pair is None:
        return None
    own = pair if _resolved(e, threshold) else None
    cs = rep.counts(pair[0], e.source, e.target, own)
    ct = rep.counts(pair[1], e.source, e.target, own)
    return math.log((cs[0] + 1) / (cs[1] + 1)) - math.log((ct[0] + 1) / (ct[1] + 1)), cs, ct


def regroup(evidence: Sequence[str], flip: bool) -> tuple[list[str], list[str], list[str]]:
    """First-pass sentences as (for, against, neutral) the final orientation."""
    pro, con, neutral = [], [], []
    for sentence in evidence:
        if sentence.startswith(NEUTRAL):
            neutral.append(sentence)
        elif sentence.startswith(AGAINST):
            (pro if flip else con).append(sentence[len(AGAINST):])
        else:
            (con if flip else pro).append(sentence)
    return pro, con, neutral


def shifted(e: LineageEdge, term: float, threshold: float,
            sentence: Callable[[LineageEdge, bool], str]) -> LineageEdge:
    """``e`` with ``term`` added to its log-odds (a corpus pass: this module's, or
    :mod:`lineage.consistency`'s): turned round when the sum is negative, confidence and
    direction recomputed, its sentences regrouped for and against the result, and, when
    ``|term|`` reaches :data:`FLOOR`, ``sentence(new_edge, turned)`` among them: first when it
    outweighs the rest, last otherwise."""
    z = log_odds(e.confidence) + term
    flip = z < 0
    new = e.flipped() if flip else e
    confidence = 1 / (1 + math.exp(-abs(z)))
    pro, con, neutral = regroup(e.evidence, flip)
    if abs(term) >= FLOOR:
        side = pro if (term > 0) != flip else con
        side.insert(0 if abs(term) > abs(z - term) else len(side), sentence(new, flip))
    evidence = tuple(pro + [f"{AGAINST}{s}" for s in con] + neutral)
    return replace(new, confidence=round(confidence, 4), evidence=evidence,
                   direction="forward" if confidence >= threshold else "unresolved")


def reweigh(edges: Sequence[LineageEdge], outlet_of: Mapping[str, str | None], *, weight: float,
            threshold: float) -> list[LineageEdge]:
    """The edges with outlet reputation added to each first-pass orientation (see the module
    docstring); the same edges, in order, when ``weight`` is 0."""
    if not weight:
        return list(edges)
    rep = reputations(edges, outlet_of, threshold)
    out = []
    for e in edges:
        found = None if not is_copy(e) or e.direction == "common-source" else term(rep, e, outlet_of, threshold)
        if found is None or found[0] == 0:
            out.append(e)
            continue
        f, cs, ct = found

        def sentence(new: LineageEdge, flip: bool, cs=cs, ct=ct) -> str:
            s_counts, t_counts = (ct, cs) if flip else (cs, ct)
            return (f"{outlet_of[new.source]} ({new.source}'s outlet) is the source in {s_counts[0]} of "
                    f"{sum(s_counts)} other resolved pairs with other outlets, {outlet_of[new.target]} "
                    f"({new.target}'s) in {t_counts[0]} of {sum(t_counts)}")

        out.append(shifted(e, weight * f, threshold, sentence))
    return out
