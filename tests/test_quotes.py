"""Which characters lie inside quotation marks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.quotes import quoted_mask, token_quoted

QUOTE_MARKS = "'\"‘’“”«»„‚‹›"
LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


def quoted(text: str) -> list[str]:
    """The quoted stretches of ``text``, in order."""
    mask = quoted_mask(text)
    out, current = [], ""
    for ch, inside in zip(text, mask):
        if inside:
            current += ch
        elif current:
            out.append(current)
            current = ""
    return out + ([current] if current else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('He said "we agree" today.', ["we agree"]),
        ("He said 'we agree' today.", ["we agree"]),
        ("He said ‘we agree’ today.", ["we agree"]),
        ("He said “we agree” today.", ["we agree"]),
        ("Il a dit « nous sommes d'accord » hier.", [" nous sommes d'accord "]),
        ("Er sagte „wir sind einig“ gestern.", ["wir sind einig"]),
        ("Powiedział „zgadzamy się” wczoraj.", ["zgadzamy się"]),  # Polish closes „ with ”
        ("Er sagte »wir sind einig« gestern.", ["wir sind einig"]),  # German and Danish guillemets
        ("Sie sagte ‚ja‘ und ging.", ["ja"]),
        ("He said ‹fine› then.", ["fine"]),
        ('He said, "yes."', ["yes."]),
        ('"Start of line" quote.', ["Start of line"]),
        ("He said “one” and “two” and “three”.", ["one", "two", "three"]),
        ("Nested “I said ‘no’ twice” end.", ["I said ‘no’ twice"]),
        ("“‘No’ is an answer,” she said.", ["‘No’ is an answer,"]),
        ("(“bracketed”)", ["bracketed"]),
        ("He said:“no”.", ["no"]),
        ("A quote “” that is empty.", []),
        ("Home » World » Politics", []),  # breadcrumbs are not quotes
        ("5' 11\" tall", []),  # feet and inches
    ],
)
def test_quote_styles(text, expected):
    assert quoted(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kerry’s aides said the countries’ officials met.", []),
        ("Kerry's aides don't agree, they won't.", []),
        ("“The countries’ officials agreed,” he said.", ["The countries’ officials agreed,"]),
        (
            "He said ‘the countries’ officials agreed’ on steps.",
            ["the countries’ officials agreed"],
        ),
        (
            "He said 'the countries' officials agreed' on steps.",
            ["the countries' officials agreed"],
        ),
        (
            "They took ‘practical steps’ to end it.",
            ["practical steps"],
        ),  # a plural before a closing quote
        ("I don't know, he said 'we won't' and left.", ["we won't"]),
        ("He said ‘Kerry’s team’ would stay.", ["Kerry’s team"]),
    ],
)
def test_apostrophes_neither_open_nor_close(text, expected):
    assert quoted(text) == expected


def test_unclosed_quote_stops_at_the_line_end():
    text = "He said “we will never give up\nand the talks went on. Later “a quote” closed."
    assert quoted(text) == ["a quote"]
    assert not quoted_mask(text)[: text.index("\n")].any()


def test_quote_does_not_run_across_a_line_break():
    assert quoted("He said “we will never\nstop” and left.") == []
    assert quoted("He said 'fine\nthen' and left.") == []


@pytest.mark.parametrize("brk", list(LINE_BREAKS) + ["\r\n", "\n\n"])
def test_every_kind_of_line_break_resets_quotes(brk):
    assert quoted(f"He said “we agree{brk}and left” now.") == []
    assert quoted(f"“One”{brk}“two”") == ["One", "two"]


def test_quote_continued_in_the_next_paragraph_counts_as_quoted():
    """News style: a quote over paragraphs leaves the first one open and reopens the next."""
    text = (
        "“We have agreed on practical steps.\n\n“And we will meet again in New York,” Lavrov said."
    )
    assert quoted(text) == [
        "We have agreed on practical steps.",
        "And we will meet again in New York,",
    ]
    straight = 'He said: "We agree.\n"We will meet," he added.'
    assert quoted(straight) == ["We agree.", "We will meet,"]


def test_token_quoted_uses_the_first_character_of_each_token():
    text = 'a "b c" d'
    mask = quoted_mask(text)
    assert mask.dtype == bool and mask.tolist() == [
        False,
        False,
        False,
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert token_quoted(mask, np.array([0, 3, 5, 8]), np.array([1, 4, 6, 9])).tolist() == [
        False,
        True,
        True,
        False,
    ]
    assert (
        token_quoted(mask, np.array([], dtype=np.int64), np.array([], dtype=np.int64)).tolist()
        == []
    )


# --- properties -------------------------------------------------------------------------------

any_text = st.text(max_size=60) | st.text(
    alphabet=st.sampled_from(QUOTE_MARKS + LINE_BREAKS + " ab's."), max_size=60
)
plain = st.text(
    alphabet=st.characters(
        blacklist_characters=QUOTE_MARKS + LINE_BREAKS, blacklist_categories=("Cs",)
    ),
    max_size=30,
)


@given(any_text)
def test_mask_has_one_bool_per_character_and_never_raises(text):
    mask = quoted_mask(text)
    assert mask.shape == (len(text),) and mask.dtype == bool


@given(any_text)
def test_a_line_without_quote_marks_is_never_marked(text):
    mask = quoted_mask(text)
    start = 0
    for line in _lines(text):
        if not any(ch in QUOTE_MARKS for ch in line):
            assert not mask[start : start + len(line)].any()
        start += len(line) + 1


@given(plain, plain.filter(lambda s: s.strip() != ""), plain)
def test_text_inside_typographic_quotes_on_one_line_is_marked_and_outside_is_not(
    before, inside, after
):
    text = f"{before}“{inside}”{after}"
    mask = quoted_mask(text)
    open_at = len(before)
    close_at = open_at + 1 + len(inside)
    assert mask[open_at + 1 : close_at].all()
    assert not mask[: open_at + 1].any()
    assert not mask[close_at:].any()


def _lines(text: str) -> list[str]:
    lines, current = [], ""
    for ch in text:
        if ch in LINE_BREAKS:
            lines.append(current)
            current = ""
        else:
            current += ch
    return lines + [current]


_marky = st.text(alphabet=st.sampled_from(list("ab sSé1ß\u00a0Σ.,:-([—–\n\r\u2029\x85'\"“”‘’«»„‚‹›") + ["𝔸"]),
                 max_size=120)


@settings(max_examples=600, deadline=None)
@given(_marky)
def test_the_compiled_scan_marks_what_the_python_scan_marks(text):
    from lineage.quotes import _scan, load_kernel, quoted_mask

    assert load_kernel() is not None  # numba is an install requirement
    want = _scan(text).tolist()
    assert quoted_mask(text).tolist() == want  # the kernel, or Python for a text beyond the BMP
    if text and "𝔸" not in text:
        from lineage._quote_kernel import char_classes, quoted_spans

        for dtype in (np.uint16, np.uint32):
            points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(dtype)
            assert quoted_spans(points, char_classes()).tolist() == want


def test_the_compiled_scan_on_real_news_text():
    from lineage.quotes import _scan, load_kernel, quoted_mask

    assert load_kernel() is not None
    for path in sorted(Path(__file__).parent.parent.joinpath("seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert quoted_mask(text).tolist() == _scan(text).tolist()
        assert _scan(text).any()  # the seeds quote people: the comparison is not between two empty masks
