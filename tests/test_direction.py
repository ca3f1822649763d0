"""Direction v1: each inclusion pattern, credits, timestamps, and symmetry under swapping."""

from __future__ import annotations

from lineage.alignment import align_pair
from lineage.direction import infer_direction
from lineage.model import Document
from lineage.normalise import tokenize
from tests.conftest import paragraphs

STORY = paragraphs(8, 21)  # eight related-vocabulary paragraphs would be ideal; these are distinct words
OTHER = paragraphs(6, 99)  # an unrelated story


def _verdict(a_text, b_text, a_meta=None, b_meta=None, **kw):
    a = Document("a", a_text, "a.txt", **(a_meta or {}))
    b = Document("b", b_text, "b.txt", **(b_meta or {}))
    ta, tb = tokenize(a.text), tokenize(b.text)
    return infer_direction(a, ta, b, tb, align_pair("a", ta, "b", tb), **kw)


def _related_paragraph(seed: int) -> str:
    """A paragraph reusing the story's vocabulary (an update of the same story)."""
    words = " ".join(STORY).replace(".", "").split()
    return " ".join(words[(seed * 13 + i * 7) % len(words)] for i in range(40)).capitalize() + "."


def test_commentary_marks_the_commenting_side_as_derived():
    original = "\n\n".join(STORY[:5])
    commented = "\n\n".join(STORY[:3] + ["Comment: " + " ".join(OTHER[:1])] + STORY[3:5])
    v = _verdict(original, commented)
    assert (v.source, v.target, v.direction) == ("a", "b", "forward")
    assert any("Comment" in e for e in v.evidence)


def test_excerpt_points_from_longer_to_shorter():
    full = "\n\n".join(STORY)
    excerpt = "\n\n".join(STORY[:3])
    # give the continuation the story's vocabulary so it reads as related, not appended
    full = "\n\n".join(STORY[:3] + [_related_paragraph(n) for n in range(4)])
    v = _verdict(excerpt, full)
    assert (v.source, v.target) == ("b", "a")
    assert any("excerpt" in e for e in v.evidence)


def test_interior_expansion_points_from_shorter_to_longer():
    short = "\n\n".join(STORY[:4])
    expanded = "\n\n".join(STORY[:2] + [_related_paragraph(1), _related_paragraph(2)] + STORY[2:4])
    v = _verdict(short, expanded)
    assert (v.source, v.target) == ("a", "b")
    assert any("expansion" in e for e in v.evidence)


def test_appended_unrelated_block_is_left_out():
    base = "\n\n".join(STORY[:4])
    appended = base + "\n\n" + "\n\n".join(OTHER)
    v = _verdict(base, appended)
    assert (v.source, v.target) == ("a", "b")
    assert any("unrelated" in e for e in v.evidence)


def test_no_evidence_is_unresolved_near_half():
    text = "\n\n".join(STORY[:4])
    v = _verdict(text, text)
    assert v.direction == "unresolved"
    assert 0.4 <= v.confidence <= 0.6


def test_timestamps_are_evidence_not_a_rule():
    text = "\n\n".join(STORY[:4])
    v = _verdict(text, text, {"published": "2015-12-15T10:00:00"}, {"published": "2015-12-15T09:00:00"})
    assert (v.source, v.target) == ("b", "a")
    assert any("published first" in e for e in v.evidence)
    assert _verdict(text, text, {"published": "2015-12-15T10:00:00"}, {"published": "2015-12-15T09:00:00"},
                    use_timestamps=False).direction == "unresolved"
    # strong text evidence outweighs a contradicting timestamp
    commented = "\n\n".join(STORY[:2] + ["Comment: " + " ".join(OTHER[:1])] + STORY[2:4])
    v2 = _verdict(text, commented, {"published": "2015-12-15T10:00:00"}, {"published": "2015-12-15T09:00:00"})
    assert v2.source == "a" and v2.confidence < _verdict(text, commented).confidence


def test_credit_to_the_other_outlet():
    text = "\n\n".join(STORY[:4])
    credited = text + "\n\nThis story was originally published by Wire Agency Daily."
    v = _verdict(text, credited, {"outlet": "Wire Agency Daily"}, {"outlet": "Blog"})
    assert (v.source, v.target) == ("a", "b")
    assert any("outlet" in e for e in v.evidence)


def test_swapping_the_pair_flips_the_direction():
    original = "\n\n".join(STORY[:5])
    commented = "\n\n".join(STORY[:3] + ["Editor's note: " + " ".join(OTHER[:1])] + STORY[3:5])
    ab, ba = _verdict(original, commented), _verdict(commented, original)
    assert (ab.source, ab.target) == ("a", "b") and (ba.source, ba.target) == ("b", "a")
    assert abs(ab.confidence - ba.confidence) < 1e-9
    assert abs(ab.p_ab - ba.p_ba) < 1e-9 and abs(ab.p_common - ba.p_common) < 1e-9


def test_both_edited_points_to_common_source():
    a_text = "\n\n".join(STORY[:5] + ["Comment: " + " ".join(OTHER[:1])])
    b_text = "\n\n".join(STORY[:5] + ["Editor's note: " + " ".join(OTHER[1:2])])
    v = _verdict(a_text, b_text)
    assert v.p_common > 0.3
    assert v.direction in {"common-source", "unresolved"}
