"""Infer who copied whom for an aligned pair, with evidence in words.

Three hypotheses: ``a -> b`` (b derives from a), ``b -> a``, and a common
unseen source. Each family of evidence raises the score of "this document
is the derived one" (``d_a``, ``d_b``):

* inclusion pattern: material only one side has, and where it sits.
  Inserted commentary ("Comment:", "Editor's note") marks the commenting
  side as derived; an appended block unrelated to the shared story marks
  the appending side as derived (and is left out of its coverage); when the
  shorter text is mostly inside the longer one, interior additions in the
  longer one read as an expansion (longer derived) and a longer one that
  merely continues past where the shorter one stops, at a paragraph end,
  reads as an excerpt (shorter derived);
* explicit credits: a text that names the other's outlet;
* timestamps: the later one is more likely the copy (a likelihood term,
  never a rule: stamps can be missing, wrong or "last updated").

Scores become probabilities with a softmax over ``d_b`` (a -> b), ``d_a``
(b -> a) and ``d_a + d_b - COMMON_COST`` (both edited an unseen original).
This first version uses fixed weights; they are not yet calibrated.

>>> from lineage.normalise import tokenize
>>> from lineage.alignment import align_pair
>>> from lineage.model import Document
>>> base = "Talks in Moscow went well, the minister said on Tuesday after long talks.\\n\\n"
>>> a = Document("a", base * 3, "a.txt")
>>> b = Document("b", base * 3 + "Comment: this is plainly spin from start to finish, and "
...              "readers deserve to be told why nobody believed a word of it.", "b.txt")
>>> ta, tb = tokenize(a.text), tokenize(b.text)
>>> v = infer_direction(a, ta, b, tb, align_pair("a", ta, "b", tb))
>>> v.source, v.target, v.direction
('a', 'b', 'forward')
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import regex

from lineage.model import Alignment, Document, Verdict
from lineage.normalise import Tokens

COMMON_COST = 2.0
W_COMMENTARY = 2.0
W_APPENDED = 1.0
W_EXPANSION = 1.5
W_EXCERPT = 1.5
W_CREDIT = 1.5
W_TIME = 1.5
MIN_BLOCK = 15  # words: shorter unshared stretches are edits, not added material
CONTAINED = 0.8  # coverage above which the shorter text counts as inside the longer one
UNRELATED = 0.2  # share of a block's content words found in the shared text, below which it is unrelated
_COMMENT = regex.compile(
    r"^\W*(comment|commentary|editor[’']?s\s+note|note|opinion|analysis|our\s+take|update[d]?)\s*[:\-–—]",
    regex.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Block:
    """A stretch of words one document has and the other lacks."""

    start: int  # token index
    end: int
    where: str  # head | interior | tail
    commentary: bool
    related: float  # share of its content words that also occur in the shared text


def unique_blocks(tokens: Tokens, spans: list[tuple[int, int]]) -> list[Block]:
    """The unshared stretches of at least ``MIN_BLOCK`` words, with their position and kind."""
    covered = np.zeros(len(tokens), dtype=bool)
    for s, e in spans:
        covered[s:e] = True
    shared_words = {w for w, c in zip(tokens.norms, covered) if c and len(w) >= 4}
    first = min((s for s, _ in spans), default=0)
    last = max((e for _, e in spans), default=0)
    blocks = []
    edges = np.flatnonzero(np.diff(np.concatenate(([1], covered.astype(np.int8), [1]))))
    for start, end in zip(edges[::2].tolist(), edges[1::2].tolist()):
        if end - start < MIN_BLOCK:
            continue
        where = "head" if end <= first else "tail" if start >= last else "interior"
        content = {w for w in tokens.norms[start:end] if len(w) >= 4}
        related = len(content & shared_words) / len(content) if content else 0.0
        text_start = int(tokens.starts[start])
        commentary = bool(_COMMENT.match(tokens.text[text_start : text_start + 40]))
        blocks.append(Block(start, end, where, commentary, round(related, 3)))
    return blocks


def token_spans(tokens: Tokens, char_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convert character spans back to token index spans."""
    out = []
    for s, e in char_spans:
        out.append((int(np.searchsorted(tokens.starts, s)), int(np.searchsorted(tokens.starts, e))))
    return out


def infer_direction(
    a: Document,
    ta: Tokens,
    b: Document,
    tb: Tokens,
    al: Alignment,
    *,
    threshold: float = 0.6,
    use_timestamps: bool = True,
) -> Verdict:
    """Weigh the evidence and return a :class:`Verdict` for the pair ``(a, b)``."""
    spans_a = token_spans(ta, [p.source for p in al.passages])
    spans_b = token_spans(tb, [p.target for p in al.passages])
    sides = {a.id: (a, ta, spans_a, b), b.id: (b, tb, spans_b, a)}
    derived = {a.id: 0.0, b.id: 0.0}
    evidence: list[str] = []
    effective: dict[str, float] = {}
    extra: dict[str, dict[str, int]] = {}
    for doc_id, (doc, tokens, spans, other) in sides.items():
        blocks = unique_blocks(tokens, spans)
        covered = sum(e - s for s, e in spans)
        appended = [x for x in blocks if x.where == "tail" and not x.commentary and x.related < UNRELATED]
        commentary = [x for x in blocks if x.commentary]
        left_out = sum(x.end - x.start for x in appended)
        effective[doc_id] = covered / max(1, len(tokens) - left_out)
        extra[doc_id] = {
            where: sum(x.end - x.start for x in blocks if x.where == where and not x.commentary and x not in appended)
            for where in ("head", "interior", "tail")
        }
        if commentary:
            derived[doc_id] += W_COMMENTARY
            label = tokens.text[int(tokens.starts[commentary[0].start]) :].split(":")[0].strip()[:30]
            evidence.append(f"{doc.id} adds a '{label}:' paragraph that {other.id} lacks")
        if appended:
            derived[doc_id] += W_APPENDED
            evidence.append(
                f"{doc.id} appends an unrelated block of {left_out} words (left out of coverage)"
            )
    _inclusion(a.id, b.id, effective, extra, tb, ta, spans_b, spans_a, derived, evidence)
    _credits(a, b, derived, evidence)
    if use_timestamps:
        _timestamps(a, b, derived, evidence)
    scores = [derived[b.id], derived[a.id], derived[a.id] + derived[b.id] - COMMON_COST]
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    p_ab, p_ba, p_c = (w / sum(weights) for w in weights)
    if p_c > max(p_ab, p_ba) and p_c >= threshold:
        source, target = sorted((a.id, b.id))
        return Verdict(p_ab, p_ba, p_c, "common-source", source, target, round(p_c, 4), tuple(evidence))
    source, target, conf = (a.id, b.id, p_ab) if p_ab >= p_ba else (b.id, a.id, p_ba)
    if not evidence:
        evidence.append("no evidence of direction: the orientation is a coin toss")
    direction = "forward" if conf >= threshold else "unresolved"
    return Verdict(p_ab, p_ba, p_c, direction, source, target, round(conf, 4), tuple(evidence))


def _inclusion(a_id, b_id, effective, extra, tb, ta, spans_b, spans_a, derived, evidence) -> None:
    """Containment pattern: is the more-contained text an excerpt, or the other an expansion?"""
    inner, outer = (a_id, b_id) if effective[a_id] >= effective[b_id] else (b_id, a_id)
    if effective[inner] < CONTAINED:
        return
    added = extra[outer]
    total = sum(added.values())
    pct = round(100 * effective[inner])
    if total == 0:
        return
    if added["interior"] >= 0.5 * total:
        derived[outer] += W_EXPANSION
        evidence.append(
            f"{pct}% of {inner} is in {outer}, which adds {added['interior']} words inside the shared text "
            "(an expansion or update)"
        )
    elif added["tail"] >= 0.5 * total:
        outer_tokens, outer_spans = (tb, spans_b) if outer == b_id else (ta, spans_a)
        end = int(outer_tokens.ends[max(e for _, e in outer_spans) - 1])
        at_paragraph = "\n" in outer_tokens.text[end : int(outer_tokens.starts[min(len(outer_tokens) - 1, max(e for _, e in outer_spans))])]
        derived[inner] += W_EXCERPT if at_paragraph else W_EXCERPT / 2
        evidence.append(
            f"{inner} keeps the first {pct}% of {outer}'s story and stops"
            + (" at a paragraph end" if at_paragraph else "")
            + f" where {outer} goes on for {added['tail']} related words (an excerpt)"
        )


def _credits(a: Document, b: Document, derived: dict[str, float], evidence: list[str]) -> None:
    for doc, other in ((a, b), (b, a)):
        if other.outlet and len(other.outlet) >= 3:
            pattern = regex.compile(rf"\b{regex.escape(other.outlet)}\b", regex.IGNORECASE)
            if pattern.search(doc.text) and not (doc.outlet and regex.search(rf"\b{regex.escape(doc.outlet)}\b", other.text, regex.IGNORECASE)):
                derived[doc.id] += W_CREDIT
                evidence.append(f"{doc.id} names {other.id}'s outlet ({other.outlet!r})")


def _timestamps(a: Document, b: Document, derived: dict[str, float], evidence: list[str]) -> None:
    if not a.published or not b.published or a.published == b.published:
        return
    earlier, later = (a, b) if _stamp(a.published) < _stamp(b.published) else (b, a)
    derived[later.id] += W_TIME
    evidence.append(f"{earlier.id} was published first ({earlier.published} before {later.published})")


def _stamp(value: str) -> str:
    # ISO strings sort chronologically once zone-aware ones are in UTC (corpus does that).
    return value.replace("+00:00", "")
