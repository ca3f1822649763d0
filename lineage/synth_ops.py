"""Edit operators for synthetic syndication: how republishers change the text they copy.

Operators are pure functions ``(content, rng, ...) -> Content`` over the
provenance-tracking :class:`~lineage.synth_text.Content`; they return ``None``
when they do not apply (an excerpt of a two-paragraph story). Untouched text
keeps its origin, so the exact reused spans can be recovered afterwards.

>>> base = content_from_text("T", ["One two three.", "Four five six.", "Seven."], "b1")
>>> child = excerpt(base, random.Random(0))
>>> [p[0].text for p in child.paragraphs]
['One two three.', 'Four five six.']
>>> child.paragraphs[1][0].offset  # still points into the base text
16
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from lineage import synth_tables as tables
from lineage.synth_text import Content, Paragraph, Writer, edit_paragraph, substitute
from lineage.synth_text import content_from_text  # noqa: F401  (the examples below use it)

__all__ = [
    "WIRE_STYLE",
    "HouseStyle",
    "add_commentary",
    "add_credit",
    "append_story",
    "copyedit",
    "excerpt",
    "expand",
    "rewrite_lead",
    "spin",
    "story_entity",
]


# --- structural operators -------------------------------------------------------------------


def excerpt(content: Content, rng: random.Random) -> Content | None:
    """Keep the lead and cut the tail at a paragraph boundary (30-85% of the words kept).

    >>> c = content_from_text("T", ["a b", "c d", "e f", "g h"], "o")
    >>> len(excerpt(c, random.Random(1)).paragraphs) in (2, 3)
    True
    """
    n = len(content.paragraphs)
    if n < 3:
        return None
    sizes = [len(t.split()) for t in content.texts]
    total = sum(sizes)
    fits = [k for k in range(2, n) if 0.3 <= sum(sizes[:k]) / total <= 0.85]
    k = (
        rng.choice(fits)
        if fits
        else min(range(2, n), key=lambda k: abs(sum(sizes[:k]) / total - 0.6))
    )
    return Content(content.title, content.paragraphs[:k])


def expand(content: Content, rng: random.Random, donor: Sequence[Paragraph]) -> Content | None:
    """Insert 1-3 consecutive paragraphs of a related story after the lead (a story update).

    >>> c = content_from_text("T", ["lead", "body"], "o")
    >>> d = content_from_text("U", ["x", "new one", "new two"], "d")
    >>> expand(c, random.Random(2), d.paragraphs).texts[0]
    'lead'
    """
    pool = list(donor[1:]) or list(donor)  # a donor's own lead would read as a second story
    if not pool:
        return None
    m = rng.randint(1, min(3, len(pool)))
    start = rng.randrange(len(pool) - m + 1)
    paragraphs = list(content.paragraphs)
    for para in reversed(pool[start : start + m]):
        paragraphs.insert(rng.randint(1, len(paragraphs)), para)
    return Content(content.title, tuple(paragraphs))


_NOT_NAMES = set(
    "January February March April May June July August September October November December Monday "
    "Tuesday Wednesday Thursday Friday Saturday Sunday Reuter Reuters Company Corp Inc Ltd "
    "Government State Easter Christmas".split()
)
_ENTITY = re.compile(r"(?<=[a-z,] )([A-Z][a-z]+(?: (?:of |the )?[A-Z][a-z]+)*)")


def story_entity(content: Content, rng: random.Random) -> str:
    """A capitalised name from inside the story's sentences (for "{who}" slots).

    >>> story_entity(content_from_text("T", ["Shares of Acme Corp rose."], "o"), random.Random(0))
    'Acme Corp'
    """
    counts = Counter(m.group(1) for t in content.texts for m in _ENTITY.finditer(t))
    names = sorted(n for n in counts if n not in _NOT_NAMES)
    # Names of two words, or named twice, are people and organisations more often than not.
    good = [n for n in names if " " in n or counts[n] >= 2]
    return rng.choice(good or names) if names else "the authorities"


def add_commentary(
    content: Content, rng: random.Random, *, tag: str, aside: str | None = None
) -> Content:
    """Insert a marked opinion paragraph ("Comment:", "Editor's note:", ...), usually at the end.

    The paragraph is one stock opinion sentence naming someone from the story,
    then ``aside`` (a sentence or two the blogger adds, e.g. from another
    story) so that comments are not all made of the same few phrases.

    >>> c = content_from_text("T", ["Officials of Acme Corp said so.", "More."], "o")
    >>> note = add_commentary(c, random.Random(0), tag="w", aside="Prices fell.").texts[-1]
    >>> note.split(":")[0] in [m.rstrip(":") for m in tables.COMMENT_MARKERS], note.endswith("rices fell.")
    (True, True)
    """
    who = story_entity(content, rng)
    parts = [rng.choice(tables.COMMENT_MARKERS), rng.choice(tables.COMMENT_FRAMES).format(who=who)]
    if aside:
        lead_in = rng.choice(tables.ASIDE_LEAD_INS)
        if not lead_in.endswith("that "):
            parts.append(lead_in + aside)
        else:  # "Recall that the ..." reads only when the aside can start in lower case
            lowered = _lower_first(aside)
            parts.append(lead_in + lowered if lowered != aside else aside)
    paragraphs = list(content.paragraphs)
    where = len(paragraphs) if rng.random() < 0.7 else rng.randint(1, len(paragraphs))
    paragraphs.insert(where, (Writer(tag)(" ".join(parts)),))
    return Content(content.title, tuple(paragraphs))


def append_story(content: Content, rng: random.Random, *, tag: str, other: Content) -> Content:
    """Append an unrelated story (optionally under a separator line and its headline).

    >>> c = content_from_text("T", ["a"], "o")
    >>> append_story(c, random.Random(0), tag="w", other=content_from_text("U", ["z"], "p")).texts[-1]
    'z'
    """
    block: list[Paragraph] = []
    if rng.random() < 0.6:
        block.append((Writer(tag)(rng.choice(tables.APPEND_SEPARATORS)),))
    if rng.random() < 0.5:
        block.append((other.title,))
    keep = (
        len(other.paragraphs)
        if len(other.paragraphs) <= 8
        else rng.randint(4, len(other.paragraphs))
    )
    return Content(content.title, content.paragraphs + tuple(block) + other.paragraphs[:keep])


_FIRST_SENTENCE = re.compile(r".+?[.!?](?=\s+[A-Z\"']|$)")
_SAID_AT_END = re.compile(r"^(?P<rest>.+?),\s+(?P<who>[^,]{2,60}?) said\.$")
_SAID_AT_START = re.compile(
    r"^(?P<who>[A-Z][^,]{1,60}?) said (?:on \w+ |today |yesterday )?(?:that )?(?P<rest>.+)\.$"
)
_DATELINE = re.compile(r"^[^a-z]{2,40}?, (?:[A-Z][a-z]+\.?, )?[A-Z][a-z]{2,8}\.? \d{1,2} - ")
_COMMON_START = {"The", "A", "An", "It", "He", "She", "They", "Its", "This", "These", "In", "On"}


def without_dateline(text: str) -> str:
    """``text`` without the wire dateline it opens on, if any.

    >>> without_dateline("LONDON, March 3 - Rates rose."), without_dateline("Rates rose.")
    ('Rates rose.', 'Rates rose.')
    """
    dateline = _DATELINE.match(text)
    return text[dateline.end():] if dateline else text


def _lower_first(sentence: str) -> str:
    first = sentence.split(" ", 1)[0]
    return sentence[0].lower() + sentence[1:] if first in _COMMON_START else sentence


def rewrite_lead(content: Content, rng: random.Random, *, tag: str) -> Content:
    """Rewrite the headline and the first sentence of the lead (reorder, reword).

    >>> c = content_from_text("PRICES RISE", ["Acme Corp said prices rose. More."], "o")
    >>> new = rewrite_lead(c, random.Random(3), tag="w")
    >>> new.texts[0].endswith(" More."), new.texts[0] != c.texts[0]
    (True, True)
    """
    write = Writer(tag)
    lead = content.texts[0]
    dateline = _DATELINE.match(lead)
    skip = dateline.end() if dateline else 0  # rewritten leads drop the wire dateline
    m = _FIRST_SENTENCE.match(lead, skip)
    first = m.group(0) if m else lead[skip:]
    if said := _SAID_AT_END.match(first):
        new = f"{said['who'][0].upper()}{said['who'][1:]} said {_lower_first(said['rest'])}."
    elif said := _SAID_AT_START.match(first):
        new = f"According to {said['who']}, {said['rest']}."
    else:
        new = rng.choice(tables.LEAD_OPENERS) + _lower_first(first)
    new = _spin_text(new, rng, 0.7)
    if new == first:
        new = rng.choice(tables.LEAD_OPENERS) + _lower_first(first)
    lead_para = edit_paragraph(content.paragraphs[0], [(0, skip + len(first), new)], write)
    title = content.title.text
    forms = list(tables.HEADLINE_FORMS)
    rng.shuffle(forms)
    for form in forms:  # the first form that really changes the headline
        title = form.format(
            title=_spin_text(content.title.text, rng, 0.6), who=story_entity(content, rng)
        )
        if title != content.title.text:
            break
    return Content(write(title), (lead_para,) + content.paragraphs[1:])


def add_credit(content: Content, rng: random.Random, *, tag: str, outlet: str) -> Content:
    """Credit the outlet copied from, in a closing line (as many republishers do).

    >>> add_credit(content_from_text("T", ["a"], "o"), random.Random(0), tag="w", outlet="AP").texts[-1]
    'Originally reported by AP.'
    """
    line = rng.choice(tables.CREDIT_FORMS).format(outlet=outlet)
    return Content(content.title, content.paragraphs + ((Writer(tag)(line),),))


# --- word-level operators ------------------------------------------------------------------


def _alternation(words: Iterable[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    ordered = sorted(words, key=lambda w: (-len(w), w))
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, ordered)) + r")(?![\w])", flags)


def _match_case(word: str, model: str) -> str:
    if len(model) > 1 and model.isupper():
        return word.upper()
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


_SPIN = _alternation(tables.SYNONYMS)


def _spin_choice(m: re.Match[str], rng: random.Random, rate: float) -> str | None:
    found = m.group(0)
    key = found if found in tables.SYNONYMS else found.lower()
    if key not in tables.SYNONYMS or (key != key.lower() and key != found):
        return None  # entity keys ("U.S.") only match with their own capitals
    if rng.random() >= rate:
        return None
    choice = rng.choice(tables.SYNONYMS[key])
    return choice if key != key.lower() else _match_case(choice, found)


def _spin_text(text: str, rng: random.Random, rate: float) -> str:
    return _SPIN.sub(lambda m: _spin_choice(m, rng, rate) or m.group(0), text)


def spin(content: Content, rng: random.Random, *, tag: str, rate: float = 0.5) -> Content:
    """Article spinning: replace words with synonyms from a built-in table at ``rate``.

    >>> c = content_from_text("T", ["The company said profit rose."], "o")
    >>> spin(c, random.Random(0), tag="w", rate=1.0).texts[0] != c.texts[0]
    True
    """
    write = Writer(tag)
    spun = substitute(content, _SPIN, lambda m: _spin_choice(m, rng, rate), write)
    title = _spin_text(content.title.text, rng, rate)
    return Content(content.title if title == content.title.text else write(title), spun.paragraphs)


@dataclass(frozen=True, slots=True)
class HouseStyle:
    """An outlet's copy-editing conventions."""

    spelling: str = "us"  # "us" | "uk"
    quotes: str = "straight"  # "straight" | "curly" | "single" (curly single quotes, UK tabloid)
    numerals: str = "words"  # "words" (two..nine spelled out, as wires do) | "digits"
    percent: str = "pct"  # "pct" | "percent" | "per cent" | "%"
    wire_abbreviations: bool = True  # keep "12 mln dlrs"; False writes "$12 million"


WIRE_STYLE = HouseStyle()
_UK_TO_US = {uk: us for us, uk in tables.US_TO_UK.items()}
_TO_UK, _TO_US = _alternation(tables.US_TO_UK), _alternation(_UK_TO_US)
_STEMS = "|".join(tables.IZE_STEMS)
_IZE = re.compile(rf"\b((?:{_STEMS}))(iz)(e|es|ed|ing|ation|ations|er|ers)\b", re.IGNORECASE)
_ISE = re.compile(rf"\b((?:{_STEMS}))(is)(e|es|ed|ing|ation|ations|er|ers)\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"'\u201c\u201d\u2018\u2019]")
_OPENERS = set(" \t\n([{\u2014\u2013-/")
_UNITS = set(
    "pct percent per mln bln billion million dlrs dollars cts cents pm am points pts tonnes tons pc".split()
)
_DIGIT = re.compile(r"(?<![\w.,$%/-])([2-9])(?![\w.,%/])(?=\s+([A-Za-z][\w-]*))")
_NUMBER_WORD = re.compile(r"\b(two|three|four|five|six|seven|eight|nine)\b(?=\s+([a-z][\w-]*))")
_WORD_TO_DIGIT = {w: d for d, w in tables.NUMBER_WORDS.items()}
_PERCENT = re.compile(r"(?<=\d)(\s?)(pct|percent|per cent|%)(?!\w)")
_NUMBER = r"(?<![\w.])(\.?\d[\d,.]*)"
_MONEY = re.compile(_NUMBER + r"\s+(mln|bln|billion|million)\s+dlrs\b")
_WIRE_WORDS = re.compile(_NUMBER + r"\s+(dlrs|cts)\b|\b(mln|bln|dlrs)\b")


def _quote(m: re.Match[str], style: str) -> str:
    ch, before = m.group(0), m.string[m.start() - 1] if m.start() else " "
    opening = before in _OPENERS
    if style == "straight":
        return '"' if ch in '"\u201c\u201d' else "'"
    double = ch in '"\u201c\u201d'
    if not double and not opening:
        return "\u2019"  # apostrophe or closing single quote
    if style == "single" or not double:
        return "\u2018" if opening else "\u2019"
    return "\u201c" if opening else "\u201d"


def _wire_word(m: re.Match[str]) -> str:
    if m.group(1):
        return f"${m.group(1)}" if m.group(2) == "dlrs" else f"{m.group(1)} cents"
    return {"mln": "million", "bln": "billion", "dlrs": "dollars"}[m.group(3)]


def copyedit(content: Content, style: HouseStyle, *, tag: str) -> Content:
    """Apply an outlet's house style: spelling, quote marks, numerals, percent, wire abbreviations.

    >>> c = content_from_text("T", ['He said "five pct" of 12 mln dlrs was in the center.'], "o")
    >>> copyedit(c, HouseStyle("uk", "curly", "digits", "per cent", False), tag="w").texts[0]
    'He said “5 per cent” of $12 million was in the centre.'
    """
    write = Writer(tag)
    uk = style.spelling == "uk"
    table = tables.US_TO_UK if uk else _UK_TO_US
    content = substitute(
        content,
        _TO_UK if uk else _TO_US,
        lambda m: (
            _match_case(table[m.group(0).lower()], m.group(0))
            if m.group(0).lower() in table
            else None
        ),
        write,
    )
    swap = (
        (lambda s: "IS" if s.isupper() else "is")
        if uk
        else (lambda s: "IZ" if s.isupper() else "iz")
    )
    content = substitute(
        content, _IZE if uk else _ISE, lambda m: m.group(1) + swap(m.group(2)) + m.group(3), write
    )
    content = substitute(content, _QUOTE, lambda m: _quote(m, style.quotes), write)
    if style.numerals == "words":
        content = substitute(
            content,
            _DIGIT,
            lambda m: (
                None
                if m.group(2).lower() in _UNITS or not m.group(2).islower()
                else tables.NUMBER_WORDS[m.group(1)]
            ),
            write,
        )
    else:
        content = substitute(content, _NUMBER_WORD, lambda m: _WORD_TO_DIGIT[m.group(1)], write)
    form = "%" if style.percent == "%" else f" {style.percent}"
    content = substitute(content, _PERCENT, lambda m: form, write)
    if not style.wire_abbreviations:
        content = substitute(
            content,
            _MONEY,
            lambda m: (
                f"${m.group(1)} {'million' if m.group(2) in ('mln', 'million') else 'billion'}"
            ),
            write,
        )
        content = substitute(content, _WIRE_WORDS, _wire_word, write)
    return content
