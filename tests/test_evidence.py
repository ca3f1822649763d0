"""Pairwise evidence: blocks by kind and position, boilerplate neutral, credits, time order."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.alignment import align_pair
from lineage.evidence import (boilerplate_mask, names_outlet, pair_evidence, profile_side, publication_order,
                              template_shingles)
from lineage.representatives import pack
from lineage.model import Document
from lineage.normalise import tokenize
from lineage.shingles import shingle_hashes
from tests.conftest import paragraphs

STORY = paragraphs(6, 5)
OTHER = paragraphs(3, 77)


def _evidence(a_text, b_text, **kw):
    a, b = Document("a", a_text, "a"), Document("b", b_text, "b")
    ta, tb = tokenize(a_text), tokenize(b_text)
    return pair_evidence(a, ta, b, tb, align_pair("a", ta, "b", tb), **kw)


def test_positions_of_related_blocks():
    words = " ".join(STORY).split()
    related = " ".join(words[3::2][:30]) + "."
    shared = "\n\n".join(STORY[:3])
    ev = _evidence(related + "\n\n" + STORY[0] + "\n\n" + related + "\n\n" + STORY[1], STORY[0] + "\n\n" + STORY[1])
    assert ev.a.head == 30 and ev.a.interior == 30 and ev.a.tail == 0 and ev.b.head == 0
    ev = _evidence(shared + "\n\n" + related, shared)
    assert ev.a.tail == 30 and ev.a.unrelated == 0


def test_a_stretch_worded_two_ways_is_rewritten_not_added():
    words = " ".join(STORY).split()
    mine, theirs = " ".join(words[3::2][:20]) + ".", " ".join(words[4::2][:15]) + "."
    ev = _evidence(STORY[0] + "\n\n" + mine + "\n\n" + STORY[1], STORY[0] + "\n\n" + theirs + "\n\n" + STORY[1])
    # 15 of a's 20 words face b's 15: a added 5 (too few for a block of its own, but counted)
    assert (ev.a.interior, ev.a.rewritten, ev.b.interior, ev.b.rewritten) == (5, 15, 0, 15)
    # the same 20 words with nothing facing them in b are all added
    ev = _evidence(STORY[0] + "\n\n" + mine + "\n\n" + STORY[1], STORY[0] + "\n\n" + STORY[1])
    assert (ev.a.interior, ev.a.rewritten) == (20, 0)


def test_unrelated_block_is_not_related_material():
    ev = _evidence("\n\n".join(STORY[:3] + OTHER), "\n\n".join(STORY[:3]))
    assert ev.a.unrelated == len(tokenize(" ".join(OTHER))) and ev.a.tail == 0


def test_boilerplate_is_neutral():
    footer = " ".join(OTHER)
    text = "\n\n".join(STORY[:3])
    ta = tokenize(text + "\n\n" + footer)
    hashes = shingle_hashes(ta)
    boiler = np.unique(shingle_hashes(tokenize(footer)))
    neutral = boilerplate_mask(hashes, len(ta), 5, boiler)
    assert neutral.sum() == len(tokenize(footer))
    plain = _evidence(text + "\n\n" + footer, text)
    masked = _evidence(text + "\n\n" + footer, text, a_neutral=neutral)
    assert plain.a.unrelated > 0 and masked.a.unrelated == 0


def test_short_differences_are_edits_not_blocks():
    t = tokenize(" ".join(STORY))
    side = profile_side(t, [(0, 40), (45, len(t))])
    assert (side.head, side.interior, side.tail, side.unrelated) == (0, 0, 0, 0)


def test_credit_only_one_way():
    text = "\n\n".join(STORY[:3])
    a = Document("a", text, "a", outlet="Wire Daily")
    b = Document("b", text + "\n\nSource: Wire Daily", "b", outlet="Blog Times")
    ta, tb = tokenize(a.text), tokenize(b.text)
    ev = pair_evidence(a, ta, b, tb, align_pair("a", ta, "b", tb))
    assert ev.b.credit == "Wire Daily" and ev.a.credit == ""
    assert not names_outlet("The Wire Dailyx", "Wire Daily")


def test_publication_order():
    a = Document("a", "x", "a", published="2015-12-15T09:00:00+00:00")
    b = Document("b", "x", "b", published="2015-12-15T10:00:00+00:00")
    assert publication_order(a, b) == 1 and publication_order(b, a) == -1
    assert publication_order(a, Document("c", "x", "c")) == 0


def test_a_continuation_repeating_the_storys_names_is_related():
    """The cut tail of an excerpt's source brings new words but keeps repeating the story's own:
    counted by occurrence it is the story going on, not a pasted one."""
    shared = ("Ministers from Norway and Chile met in Geneva on Tuesday and agreed to extend the "
              "ceasefire in the valley for another month, officials said after the talks ended.")
    tail = ("The ceasefire in the valley held overnight. Geneva expects Norway and Chile to deploy monitoring "
            "teams, helicopters, engineers, medics and translators to the valley; the ceasefire, Geneva hopes, "
            "lets farmers harvest wheat, barley and potatoes while Norway and Chile fund seeds.")
    ev = _evidence(shared + "\n\n" + tail, shared)
    assert ev.a.tail == len(tokenize(tail)) and ev.a.unrelated == 0


def test_a_comment_after_the_cut_tail_is_part_of_the_tail():
    """An excerpt's source that carries a comment after the rest of the story: the excerpt
    stopped before both, so the comment is not the mark of a copier but part of what the
    other text cut (on synth development corpora, counting it as commentary pointed such
    excerpts the wrong way)."""
    shared = "\n\n".join(STORY[:3])
    rest = " ".join(shared.split()[3::2][:30]) + "."  # the same story going on
    comment = "Editor’s comment: " + OTHER[0]
    ev = _evidence(shared + "\n\n" + rest + "\n\n" + comment, shared)
    assert ev.a.tail == len(tokenize(rest)) + len(tokenize(comment))
    assert ev.a.commentary == 0 and ev.a.unrelated == 0


def test_a_comment_right_after_the_shared_text_is_commentary():
    shared = "\n\n".join(STORY[:3])
    comment = "Editor’s comment: " + OTHER[0]
    ev = _evidence(shared + "\n\n" + comment, shared)
    assert ev.a.commentary == len(tokenize(comment)) and ev.a.commentary_label.lower().startswith("editor")
    assert ev.a.tail == 0


def test_a_marker_heading_is_no_comment():
    """A section heading that opens with a marker word ("Analysis: Act I, scene v", in a study
    guide the PAN 2013 corpus takes passages from) labels the text's own section; a marker
    followed by a sentence is a comment."""
    shared = "\n\n".join(STORY[:3])
    heading = "Analysis: Act I, scene v"
    ev = _evidence(shared + "\n\n" + heading + "\n\n" + OTHER[0], shared)
    assert ev.a.commentary == 0 and ev.a.commentary_label == ""
    assert ev.a.tail + ev.a.unrelated == len(tokenize(heading + " " + OTHER[0]))
    sentence = "Analysis: the ministers agreed on nothing that matters to the valley."
    ev = _evidence(shared + "\n\n" + sentence + "\n\n" + OTHER[0], shared)
    assert ev.a.commentary == len(tokenize(sentence + " " + OTHER[0])) and ev.a.commentary_label == "Analysis"


def test_a_paragraph_opening_on_a_dateline_starts_another_story():
    """A second story pasted after the shared one, about the same things: its words are
    related, but its dateline says a new story begins."""
    shared = "\n\n".join(STORY[:3])
    pasted = "WASHINGTON, March 6 - " + " ".join(shared.split()[::2][:40]) + "."
    ev = _evidence(shared + "\n\n" + pasted, shared)
    assert ev.a.unrelated == len(tokenize(pasted)) and ev.a.tail == 0
    continued = " ".join(shared.split()[::2][:40]) + "."  # the same words without a dateline
    assert _evidence(shared + "\n\n" + continued, shared).a.tail == len(tokenize(continued))


# the story's letters mapped to Arabic ones: a script without capitals
_TO_ARABIC = str.maketrans(dict(zip("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                    "ابتثجحخدذرزسشصضطظعغفقكلمنهوابتثجحخدذرزسشصضطظعغفقكلمنهو")))


def test_a_dateline_in_a_script_without_capitals_starts_another_story():
    """In Arabic, Urdu, Persian or Hebrew a dateline has no capitals to be known by; its shape
    (a place, then a date, an agency in brackets or a dash) still says a new story begins."""
    shared = "\n\n".join(STORY[:3]).translate(_TO_ARABIC)
    words = " ".join(shared.split()[::2][:40]) + "."
    for dateline in ("القاهرة (رويترز) - ", "بيروت، 25 مارس - ", "اسلام آباد (اے پی پی) "):
        ev = _evidence(shared + "\n\n" + dateline + words, shared)
        assert ev.a.unrelated == len(tokenize(dateline + words)) and ev.a.tail == 0, dateline
    # a sentence opening the same way is no dateline: its words go on the story
    sentence = "وقال الوزير إن " + words
    ev = _evidence(shared + "\n\n" + sentence, shared)
    assert ev.a.tail == len(tokenize(sentence)) and ev.a.unrelated == 0


def test_a_lead_dateline_in_a_script_without_capitals_marks_the_wire_text():
    """A wire story opens on its dateline; a newspaper rewriting its lead drops it."""
    shared = "\n\n".join(STORY[1:4]).translate(_TO_ARABIC)
    lead = " ".join(STORY[0].split()[:16]).translate(_TO_ARABIC) + "."
    ev = _evidence("القاهرة (رويترز) - " + lead + "\n\n" + shared, " ".join(OTHER[0].split()[:16]) + ".\n\n" + shared)
    assert ev.a.dateline and not ev.b.dateline


def test_a_comment_marker_in_another_language_is_commentary():
    shared = "\n\n".join(STORY[:3])
    for marker in ("Мнение: ", "编者按：", "टिप्पणी: "):
        comment = marker + OTHER[0]
        ev = _evidence(shared + "\n\n" + comment, shared)
        assert ev.a.commentary == len(tokenize(comment)) and ev.a.tail == 0, marker


PASSAGE = ("Ministers from Norway and Chile met in Geneva on Tuesday and agreed to extend the "
           "ceasefire in the valley for another month, officials said after the talks ended.")
# the rest of the long article the passage comes from: its own story, sharing few of the
# passage's words (under the UNRELATED bar), as a long article's other paragraphs do
ARTICLE_REST = ("Negotiators had argued for weeks over the route of a pipeline crossing the valley, "
                "which farmers fear will dry their wells. A monitoring team will report each week to "
                "the United Nations. Aid agencies asked donors for funds to rebuild bridges, schools "
                "and clinics damaged in the fighting, and the ceasefire talks resume in Geneva in June.")
# a piece's own writing, about something else
OWN = ("My grandmother kept bees behind the house and sold their honey at the Saturday market, "
       "where children queued for the little jars with painted lids and handwritten labels.")


def test_a_long_source_keeps_its_own_story_when_the_copy_is_about_something_else():
    """A short piece lifts a passage from a long article: the article's remaining story shares
    too few words with the short passage to clear the bar, but it is more about it than the
    piece's own writing is, so it counts as the source's story going on, not as a block a copier
    appended; the piece's own writing stays unrelated."""
    ev = _evidence(PASSAGE + "\n\n" + ARTICLE_REST, OWN + "\n\n" + PASSAGE)
    assert ev.a.unrelated == 0 and ev.a.tail == len(tokenize(ARTICLE_REST))
    assert ev.b.unrelated == len(tokenize(OWN))
    # alone, against a copy without writing of its own, the same rest is under the bar
    alone = _evidence(PASSAGE + "\n\n" + ARTICLE_REST, PASSAGE)
    assert alone.a.unrelated == len(tokenize(ARTICLE_REST))


def test_a_host_text_less_related_than_the_other_side_stays_unrelated():
    """A passage set into an unrelated host (PAN 2013's construction): the host is less about
    the passage than the source's own rest, so the host stays an unrelated block (the copier's),
    and a new story after a dateline stays one whatever the comparison says."""
    host = OWN + " " + " ".join(OTHER)
    ev = _evidence(PASSAGE + "\n\n" + ARTICLE_REST, host + "\n\n" + PASSAGE)
    assert ev.b.unrelated == len(tokenize(host)) and ev.a.unrelated == 0
    pasted = "WASHINGTON, March 6 - " + ARTICLE_REST
    ev = _evidence(PASSAGE + "\n\n" + pasted, OWN + "\n\n" + PASSAGE)
    assert ev.a.unrelated == len(tokenize(pasted))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 12), max_size=8), min_size=1, max_size=12), st.data())
def test_template_shingles_counts_distinct_clusters(sets, data):
    # every document's cluster label is its cluster's smallest member, as copy_graph gives them
    n = len(sets)
    parent = [data.draw(st.integers(0, d)) for d in range(n)]  # each document joins an earlier one or itself
    label = []
    for d in range(n):
        label.append(d if parent[d] == d else label[parent[d]])
    unique = [np.array(sorted(s), dtype=np.uint64) for s in sets]
    expected = sorted(v for v in set().union(*sets) if len({label[d] for d in range(n) if v in sets[d]}) >= 3)
    assert template_shingles(unique, np.array(label)).tolist() == expected
    assert template_shingles(pack(unique), np.array(label)).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sets(st.integers(0, 63), max_size=10), min_size=1, max_size=15), st.data())
def test_template_shingles_in_many_slices_count_distinct_clusters(sets, data):
    from unittest import mock

    from lineage import evidence

    # small numbers spread over the top bits (the slices) and colliding in the sketch's bits
    spread = [np.array(sorted((v << 58) | 5 for v in s), dtype=np.uint64) for s in sets]
    label = np.array(data.draw(st.lists(st.integers(0, 4), min_size=len(sets), max_size=len(sets))))
    least = data.draw(st.integers(1, 4))
    expected = sorted((v << 58) | 5 for v in set().union(*sets)
                      if len({label[d] for d in range(len(sets)) if v in sets[d]}) >= least)
    with mock.patch.object(evidence, "TEMPLATE_SLICE", data.draw(st.sampled_from([1, 3, 8, 1 << 23]))):
        assert template_shingles(spread, label, least).tolist() == expected
        assert template_shingles(pack(spread), label, least).tolist() == expected


def test_template_shingles_in_slices_of_the_hash_range_give_the_same_set(monkeypatch):
    from lineage import evidence

    rng = np.random.default_rng(7)
    pool = rng.integers(0, 2**64 - 1, size=300, dtype=np.uint64)  # spread over the whole hash range
    sets = [np.unique(rng.choice(pool, size=int(rng.integers(0, 40)))) for _ in range(120)]
    label = np.array([d if d % 3 == 0 else d - d % 3 for d in range(120)])  # clusters of three
    whole = template_shingles(sets, label)
    assert len(whole) > 10
    monkeypatch.setattr(evidence, "TEMPLATE_SLICE", 50)  # dozens of slices
    assert template_shingles(sets, label).tolist() == whole.tolist()
    # shares of the slices (processes splitting the work): disjoint, and together the whole set
    for n in (2, 3):
        shares = [template_shingles(sets, label, share=(k, n)).tolist() for k in range(n)]
        assert sorted(x for part in shares for x in part) == whole.tolist() and all(shares)
    expected = sorted(v for v in {int(x) for s in sets for x in s}
                      if len({label[d] for d in range(120) if v in {int(x) for x in sets[d]}}) >= 3)
    assert whole.tolist() == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 60), st.integers(1, 7), st.data())
def test_boilerplate_mask_covers_the_tokens_of_every_neutral_shingle(n, k, data):
    from lineage.evidence import boilerplate_mask

    count = (n - k + 1 if n >= k else 1) if n else 0  # shingles of n tokens (fewer than k: one of all)
    hashes = np.array(data.draw(st.lists(st.integers(0, 20), min_size=count, max_size=count)), dtype=np.uint64)
    neutral = np.unique(np.array(data.draw(st.lists(st.integers(0, 20), max_size=10)), dtype=np.uint64))
    want = [any(hashes[s] in set(neutral.tolist()) for s in range(max(0, t - k + 1), min(t + 1, count)))
            for t in range(n)]
    assert boilerplate_mask(hashes, n, k, neutral).tolist() == want
