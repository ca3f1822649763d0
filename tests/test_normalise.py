"""Unicode word tokens and their comparison forms, in several scripts, and end to end."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.normalise import normalise_word, tokenize
from lineage.pipeline import trace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
NON_LATIN = FIXTURES / "non_latin"
COPIES = FIXTURES / "non_latin_copy"

# Characters that stress the tokenizer: accents (precomposed and combining), Arabic
# vowel marks and tatweel, Devanagari signs, Han, kana, Thai, digits, ligatures,
# invisible joiners, quotes, dashes and line breaks.
TRICKY = (
    "aZé\u0301ßİıǅﬁ２½"  # Latin and compatibility forms
    "кЁ"  # Cyrillic
    "ΣςΆ\u0345"  # Greek, final sigma, ypogegrammeni
    "ب\u064e\u0651\u0670\u0640ۂ\u06d4"  # Arabic script
    "क\u093c\u094d\u0902।"  # Devanagari
    "漢字かカไก\u0e31"  # Han, kana, Thai
    "\u00ad\u200c\u200d\u2060\ufeff"  # joiners
    " \n\t.,'\"“”‘’«»—-"
)
texts = st.text(alphabet=st.sampled_from(TRICKY), max_size=40) | st.text(max_size=40)


def _spans(tokens):
    return [tokens.text[s:e] for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist())]


# --- normalise_word ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "norm"),
    [
        ("Kerry", "kerry"),
        ("Café", "cafe"),
        ("Cafe\u0301", "cafe"),  # combining acute
        ("Straße", "strasse"),
        ("ﬁnal", "final"),
        ("２０１５", "2015"),
        ("МОСКВА", "москва"),
        ("Ёлка", "ёлка"),  # a Cyrillic letter's diaeresis is part of the letter
        ("ΑΘΉΝΑ", "αθήνα"),  # Greek accents are kept (only Latin ones are dropped)
        ("مُطابِق", "مطابق"),  # Urdu with and without optional vowel marks
        ("اِتّفاق", "اتفاق"),
        ("کـتاب", "کتاب"),  # tatweel
        ("ख़िलाफ़", "ख़िलाफ़"),  # precomposed nukta letters equal the decomposed ones
        ("inter\u00adnational", "international"),  # a soft hyphen
        ("می\u200cخواهم", "میخواهم"),  # a zero-width non-joiner
    ],
)
def test_normalise_word(word, norm):
    assert normalise_word(word) == norm


@given(st.text(max_size=30) | st.text(alphabet=st.sampled_from(TRICKY), max_size=30))
def test_normalise_word_is_idempotent(word):
    once = normalise_word(word)
    assert normalise_word(once) == once


# --- tokenize ---------------------------------------------------------------------------------


@given(texts)
def test_tokenize_spans_are_ordered_disjoint_and_reproduce_the_norms(text):
    tokens = tokenize(text)
    starts, ends = tokens.starts.tolist(), tokens.ends.tolist()
    assert len(starts) == len(ends) == len(tokens.norms)
    assert all(0 <= s < e <= len(text) for s, e in zip(starts, ends))
    assert all(e <= s for e, s in zip(ends, starts[1:]))  # increasing, never overlapping
    for (s, e), norm in zip(zip(starts, ends), tokens.norms):
        assert norm and normalise_word(text[s:e]) == norm


@given(texts)
def test_tokenize_never_drops_a_letter_or_digit_with_content(text):
    """Every letter or digit outside all spans normalises away (a lone vowel mark, tatweel)."""
    tokens = tokenize(text)
    inside = set()
    for s, e in zip(tokens.starts.tolist(), tokens.ends.tolist()):
        inside.update(range(s, e))
    for i, ch in enumerate(text):
        if i not in inside and unicodedata.category(ch)[0] in "LN":
            assert normalise_word(ch) == ""


@given(st.text())
def test_tokenize_never_raises(text):
    tokenize(text)


def test_tokens_never_contain_punctuation_or_space():
    text = "“Kerry’s” talks—in Moscow (2015): «ok», 'yes'; don't!"
    assert all(not regex.search(r"[\p{P}\p{Z}\s]", span) for span in _spans(tokenize(text)))
    assert tokenize(text).norms == (
        "kerry",
        "s",
        "talks",
        "in",
        "moscow",
        "2015",
        "ok",
        "yes",
        "don",
        "t",
    )


# --- non-Latin scripts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "first"),
    [
        ("ru.txt", ("госсекретарь", "сша", "джон", "керри", "и", "министр", "иностранных", "дел")),
        ("el.txt", ("ο", "υπουργόσ", "εξωτερικών", "των", "ηπα", "τζον", "κέρι", "και")),
        ("hi.txt", ("अमेरिकी", "विदेश", "मंत्री", "जॉन", "केरी", "और", "रूसी", "विदेश")),
        ("zh.txt", ("新", "华", "社", "莫", "斯", "科", "12", "月", "15", "日", "电", "美")),
        ("ur_plain.txt", ("لاوروف", "کے", "مطابق", "روس", "اور", "امریکہ", "نے", "ان")),
    ],
)
def test_non_latin_tokens(name, first):
    text = (NON_LATIN / name).read_text(encoding="utf-8")
    tokens = tokenize(text)
    assert tokens.norms[: len(first)] == first
    spans = _spans(tokens)
    assert all(normalise_word(span) == norm for span, norm in zip(spans, tokens.norms))
    # Sentence marks of each script (。 । ۔ ， .) are never tokens, and no token is empty.
    assert not any(ch in span for span in spans for ch in "。।۔，.,")
    assert all(tokens.norms)


def test_hindi_words_keep_their_vowel_signs_and_viramas():
    tokens = tokenize((NON_LATIN / "hi.txt").read_text(encoding="utf-8"))
    assert "मंत्री" in tokens.norms and "ख़िलाफ़" in tokens.norms
    assert len(tokens) == 37


def test_chinese_is_one_token_per_character():
    text = (NON_LATIN / "zh.txt").read_text(encoding="utf-8")
    tokens = tokenize(text)
    han = [s for s in _spans(tokens) if regex.match(r"\p{Han}", s)]
    assert han and all(len(s) == 1 for s in han)
    assert sum(1 for ch in text if regex.match(r"\p{Han}", ch)) == len(han)


def test_urdu_with_and_without_diacritics_normalise_the_same():
    marked = (NON_LATIN / "ur_diacritics.txt").read_text(encoding="utf-8")
    plain = (NON_LATIN / "ur_plain.txt").read_text(encoding="utf-8")
    assert marked != plain and any(unicodedata.category(ch) == "Mn" for ch in marked)
    a, b = tokenize(marked), tokenize(plain)
    assert a.norms == b.norms
    assert len(a) == 44
    # The spans still point at the raw, marked words.
    assert _spans(a)[2] == "مُطابِق" and _spans(b)[2] == "مطابق"


def test_invisible_joiners_do_not_split_words():
    plain = tokenize("an international agreement")
    hinted = tokenize("an inter\u00adnational agree\u00adment")
    assert hinted.norms == plain.norms
    assert _spans(hinted)[1] == "inter\u00adnational"
    # Outside a word they are not tokens of their own.
    assert tokenize("a \u200d b \u00ad").norms == ("a", "b")


def test_lone_arabic_marks_and_tatweel_are_not_tokens():
    assert tokenize("سلام \u064e ــــ دنیا").norms == ("سلام", "دنیا")


# --- end to end -------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=["ru", "zh", "ur"])
def copied_pair(request):
    folder = COPIES / request.param
    return request.param, trace([folder])


def test_non_latin_copy_is_traced_with_passages_that_slice_the_same_words(copied_pair):
    script, result = copied_pair
    texts = {d.id: d.text for d in result.documents}
    assert len(texts) == 2
    (edge,) = result.edges
    assert {edge.source, edge.target} == set(texts)
    assert edge.passages
    copied = {"ru": "По словам Лаврова", "zh": "拉夫罗夫在会后的记者会上表示", "ur": "لاوروف کے"}[
        script
    ]
    for passage in edge.passages:
        source = texts[edge.source][passage.source[0] : passage.source[1]]
        target = texts[edge.target][passage.target[0] : passage.target[1]]
        assert tokenize(source).norms == tokenize(target).norms
        assert len(tokenize(source)) == passage.words
    # The passage is the copied paragraph, from its first words, not a fragment of it.
    longest = max(edge.passages, key=lambda p: p.words)
    head = tokenize(copied).norms
    assert (
        tokenize(texts[edge.source][longest.source[0] : longest.source[1]]).norms[: len(head)]
        == head
    )
    assert longest.words >= {"ru": 55, "zh": 80, "ur": 55}[script]


def test_urdu_copy_without_diacritics_slices_marked_and_plain_raw_text():
    result = trace([COPIES / "ur"])
    texts = {d.id: d.text for d in result.documents}
    (edge,) = result.edges
    (passage,) = edge.passages
    jang = passage.source if edge.source == "jang" else passage.target
    dawn = passage.target if edge.source == "jang" else passage.source
    marked, plain = texts["jang"][jang[0] : jang[1]], texts["dawn"][dawn[0] : dawn[1]]
    assert "مُطابِق" in marked and "مطابق" in plain and marked != plain
    assert marked.startswith("لاوروف") and plain.startswith("لاوروف")
    assert marked.endswith("گے") and plain.endswith("گے")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["Москва", "переговоры", "莫斯科", "会谈", "مذاکرات", "ماسکو", "वार्ता", "συνομιλίες"]
        ),
        min_size=1,
        max_size=30,
    )
)
def test_tokenize_roundtrip_on_joined_words(words):
    """Words joined by spaces come back as exactly their normalised forms."""
    text = " ".join(words)
    expected = tuple(t for w in words for t in tokenize(w).norms)
    assert tokenize(text).norms == expected
