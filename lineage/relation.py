"""Classify a verified pair: near-duplicate, derived, partial or quote-only.

* ``near-duplicate``: the two texts are nearly the same (Jaccard ≥
  ``near_duplicate``, or each covers ≥ 90% of the other).
* ``quote-only``: what they share is quotations plus fewer than
  ``quote_words`` other words (a couple of sentences), and neither is mostly
  made of the other: independent reports of the same speaker. Not a copy.
* ``derived``: at least ``derived`` of one document's words lie in passages
  shared with the other.
* ``partial``: substantive shared passages, but neither is mostly the other.

>>> from lineage.model import Alignment, Passage
>>> q = Passage((0, 50), (0, 50), 12, True)
>>> classify(Alignment("a", "b", (q,), 0.01, 0.02, 0.02, 0.03, 0.03, 400, 400))
'quote-only'
>>> p = Passage((0, 900), (0, 900), 150, False)
>>> classify(Alignment("a", "b", (p,), 0.2, 0.6, 0.2, 0.75, 0.25, 200, 600))
'derived'
"""

from __future__ import annotations

from lineage.model import Alignment

RELATIONS = ("near-duplicate", "derived", "partial", "quote-only")


def classify(
    al: Alignment,
    *,
    near_duplicate: float = 0.8,
    derived: float = 0.5,
    quote_words: int = 50,
) -> str | None:
    """The relation of an aligned pair, or None when no passage survived verification."""
    if not al.passages:
        return None
    if al.jaccard >= near_duplicate or min(al.a_coverage, al.b_coverage) >= 0.9:
        return "near-duplicate"
    most = max(al.a_coverage, al.b_coverage)
    if al.unquoted_words < quote_words and most < derived:
        return "quote-only"
    if most >= derived:
        return "derived"
    return "partial"
