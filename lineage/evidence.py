"""Pairwise direction evidence: what each side has that the other lacks, and where.

For an aligned pair, every word of each document is either shared (inside a
passage), boilerplate (covered by a shingle found in too many documents), or
unshared. Unshared stretches of at least ``MIN_BLOCK`` words are *blocks*,
profiled by kind and position:

* commentary: the block opens with a marker such as "Comment:" or "Editor's
  note:" (a copier's addition); a paragraph opening with a marker starts a
  block of its own. A comment that comes after unshared story text past the
  last shared passage counts as that text's continuation (tail), not as a
  comment: the other document stops before both, as an excerpt of a
  commented text does;
* unrelated: few of its content words occur in the shared text (an appended
  story, a pasted passage from elsewhere), or it starts, after the shared
  text has begun, with a paragraph that opens on a dateline ("WASHINGTON,
  March 6 -", "LONDON (Reuters) -"): another story begins there. When both
  texts have unshared material, the two are compared (:func:`contrast_blocks`):
  the text whose material is clearly more about the shared passage keeps its
  blocks as its own story (by position), whatever the bar says. A short shared
  passage is too small a sample of a story's words for the bar alone: the rest
  of a long article a passage was lifted from can fall under it, and would
  read as a story a copier appended;
* related, by position: before the first shared passage (a rewritten lead),
  between passages (an expansion or update), after the last (a continuation
  the other text does not have, as when the other is an excerpt).

Between two passages that follow each other in both texts, unshared words on
*both* sides are one stretch worded two ways (a rewritten sentence, a corrupt
line in a hand copy), not material either text added: :func:`rewritten_words`
takes them out of ``interior`` (kept as ``rewritten``), so that only what one
side has over the other counts as added. Without this, every copy that
rewords a sentence looked as if each text had added something of its own,
which is the mark of two copies of an unseen common source.

:func:`context_relatedness` says how much the words right around the shared
passages belong to the same story (where a passage was taken from) or not
(where it was set into another text, as in a compilation). Credits (a text
naming the other's outlet) and publication order complete the pairwise
evidence; :mod:`lineage.witness` adds what third documents say.

>>> from lineage.normalise import tokenize
>>> from lineage.alignment import align_pair
>>> from lineage.model import Document
>>> shared = "Ministers met in Geneva on Tuesday and agreed to extend the ceasefire for a month."
>>> a = Document("a", shared + "\\n\\nComment: nobody should believe a single word of this "
...              "agreement until the guns really fall silent in every town.", "a.txt")
>>> b = Document("b", shared, "b.txt")
>>> ta, tb = tokenize(a.text), tokenize(b.text)
>>> ev = pair_evidence(a, ta, b, tb, align_pair("a", ta, "b", tb, min_words=5))
>>> ev.a.commentary, ev.a.commentary_label, ev.b.commentary
(19, 'Comment', 0)
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import regex

from lineage.candidates import may_reach
from lineage.model import Alignment, Document, PairEvidence, SideProfile
from lineage.normalise import Tokens
from lineage.shingles import member, member_of, token_hashes, unique_sorted

MIN_BLOCK = 12  # words: shorter unshared stretches are edits, not added material
UNRELATED = 0.2  # below this share of content-word occurrences found in the shared text, a block is unrelated
CONTRAST_MARGIN = 0.05  # relatedness by which one text's unshared material must beat the other's (contrast_blocks)
# Commentary markers: English first, then the same few words in other languages and scripts
# (a marker is a word a newsroom uses, so it cannot be told from the shape of a line alone)
_COMMENT = regex.compile(
    r"^\W*(comment|commentary|editor[’']?s\s+(?:note|comment)|note|opinion|analysis|our\s+take|update[d]?|"
    r"commentaire|analyse|note\s+de\s+la\s+rédaction|kommentar|anmerkung\s+der\s+redaktion|"
    r"comentario|comentário|análisis|análise|opinión|opinião|nota\s+del?\s+(?:editor|redacción)|"
    r"commento|yorum|komentar|catatan\s+redaksi|комментарий|мнение|анализ|примечание\s+редакции|"
    r"تبصرہ|رائے|تعليق|رأي|یادداشت|تفسیر|टिप्पणी|विश्लेषण|פרשנות|评论|點評|点评|编者按|編者按|解説|論評)"
    r"\s*[:：\-–—]",
    regex.IGNORECASE,
)

_MARKER_ENDS = (":", "-", "\u2013", "\u2014", "\uff1a")  # what a commentary marker can end on
HEADING_WORDS = 12  # a marker line with fewer words after the marker and no sentence end is a heading
# a sentence's end in any script (. ! ? : ; ۔ ؟ 。 । ...), then any closing quotes or brackets
_SENTENCE_END = regex.compile(r"[\p{Terminal_Punctuation}…][\p{Pe}\p{Pf}\"']*$")


def comment_marker(text: str, at: int = 0) -> regex.Match | None:
    """The commentary marker opening the line at ``text[at:]``, or None, also when the line is a
    heading: a few words after the marker and no punctuation that ends a sentence, in any script
    ("Analysis: Act I, scene v" and "Update: profits up 5%" label a section of the text itself;
    "Analysis: the deal helps no one." and "تبصرہ: یہ معاہدہ کسی کی مدد نہیں کرتا۔" are comments).
    A marker alone on its line opens the paragraph below it, so it counts.

    >>> bool(comment_marker("Comment: nobody believes this.")), bool(comment_marker("Editor's note:\\nWe..."))
    (True, True)
    >>> bool(comment_marker("Analysis: Act I, scene v")), bool(comment_marker("Summary: no marker."))
    (False, False)
    >>> bool(comment_marker("تبصرہ: یہ معاہدہ کسی کی مدد نہیں کرتا۔")), bool(comment_marker("Note: see [...]"))
    (True, True)
    >>> bool(comment_marker("Update: profits up 5%")), bool(comment_marker("Comment: “Read this.”"))
    (False, True)
    >>> bool(comment_marker("编者按：这项协议对谁都没有帮助。")), bool(comment_marker("Мнение: сделка никому не поможет."))
    (True, True)
    """
    found = _COMMENT.match(text[at : at + 40])
    if found is None:
        return None
    after = at + found.end()
    end = text.find("\n", after)
    rest = text[after : len(text) if end < 0 else end].strip()
    if rest and len(rest.split()) < HEADING_WORDS and not _SENTENCE_END.search(rest):
        return None
    return found


# A wire dateline opening a paragraph, in a cased script: the place in capitals, an optional
# state and date (month and day either way round), an optional agency in brackets, then a dash,
# or a colon right after the agency ("ISLAMABAD, Mar 25 (APP): ").
_DATELINE = regex.compile(
    r"[\p{Lu}][\p{Lu}\p{M} .'-]{2,40}(?:, [\p{Lu}][\p{L}.]+)?"
    r"(?:, (?:[\p{Lu}][\p{Ll}]{2,8}\.? \d{1,2}|\d{1,2} \p{L}{3,9}\.?))?"
    r"(?:(?: \([\p{L} ]{2,30}\))? [-–—] | \([\p{L} ]{2,30}\): )"
)
# The same in a script without capitals (Arabic, Urdu, Persian, Hebrew...), where only the shape
# tells a place from the first words of a sentence: one to three words, then a date, an agency in
# brackets or a dash; a colon or no mark at all only after the agency ("القاهرة (رويترز) - ",
# "بيروت، 25 مارس - ", "اسلام آباد (اے پی پی) ").
_DATELINE_CASELESS = regex.compile(
    r"\p{Lo}[\p{Lo}\p{M}]*(?: \p{Lo}[\p{Lo}\p{M}]*){0,2}"
    r"(?:[,،] ?(?:\p{L}+ \d{1,2}|\d{1,2} \p{L}+))?"
    r"(?: ?[-–—] | ?\([\p{L}\p{M} .]{2,30}\) ?(?:[-–—:] ?)?)"
)


def is_dateline(line: str) -> bool:
    """Whether a paragraph opens on a wire dateline (``line`` without its leading blanks).

    >>> is_dateline("WASHINGTON, March 6 - The Senate voted."), is_dateline("LONDON (Reuters) - Shares fell.")
    (True, True)
    >>> is_dateline("ISLAMABAD, Mar 25 (APP): The cabinet met."), is_dateline("МОСКВА, 25 марта (Рейтер) - ")
    (True, True)
    >>> is_dateline("القاهرة (رويترز) - قالت الحكومة"), is_dateline("بيروت، 25 مارس - قال")
    (True, True)
    >>> is_dateline("اسلام آباد (اے پی پی) وزیر اعظم نے کہا")
    True
    >>> is_dateline("USA TODAY reports that"), is_dateline("وقال الوزير إن الحكومة ستعمل"), is_dateline("قال الوزير: ")
    (False, False, False)
    """
    if line[:3].isupper():
        return _DATELINE.match(line) is not None
    first = line[:1]
    return first.isalpha() and first.upper() == first.lower() and _DATELINE_CASELESS.match(line) is not None


def token_spans(tokens: Tokens, char_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Convert ``[start, end)`` character spans to token index spans.

    >>> from lineage.normalise import tokenize
    >>> token_spans(tokenize("Rates rose again on Monday."), [(6, 16), (20, 26)])
    [(1, 3), (4, 5)]
    """
    if not char_spans:
        return []
    at = np.searchsorted(tokens.starts, np.asarray(char_spans, dtype=np.int64).ravel()).tolist()
    return list(zip(at[::2], at[1::2]))


def boilerplate_mask(hashes: np.ndarray, n_tokens: int, k: int, boilerplate: np.ndarray | None) -> np.ndarray:
    """True for tokens covered by a boilerplate shingle; ``boilerplate`` must be sorted and unique.

    >>> import numpy as np
    >>> boilerplate_mask(np.array([7, 3, 9], dtype=np.uint64), 5, 3, np.array([3, 8], dtype=np.uint64)).tolist()
    [False, True, True, True, False]
    """
    mask = np.zeros(n_tokens, dtype=bool)
    if boilerplate is None or len(boilerplate) == 0 or len(hashes) == 0:
        return mask
    width = min(k, n_tokens)
    # ``boilerplate`` is sorted and unique (np.unique / np.union1d): a lookup per shingle (a hash
    # table for a large set) instead of np.isin, which re-sorts the whole set on every call
    starts = np.flatnonzero(member_of(hashes, boilerplate))
    if not len(starts):
        return mask
    # each hit covers the next `width` tokens: +1 where a cover opens, -1 where it closes
    edges = (np.bincount(starts, minlength=n_tokens + 1)
             - np.bincount(np.minimum(starts + width, n_tokens), minlength=n_tokens + 1))
    return np.cumsum(edges[:-1]) > 0


TEMPLATE_CLUSTERS = 3  # copy clusters a shingle must recur in to be a site template


def template_shingles(unique: list[np.ndarray], component: np.ndarray,
                      min_clusters: int = TEMPLATE_CLUSTERS, *, share: tuple[int, int] = (0, 1)) -> np.ndarray:
    """Shingles found in documents of at least ``min_clusters`` different copy clusters.

    Text that recurs across unrelated stories is a site's template (footer,
    byline, share line), not an addition by a copier, even when it is too rare
    for the corpus-wide boilerplate filter. ``component[d]`` is the copy
    cluster of document ``d`` (documents without copies get their own).
    ``share=(k, n)``: only the templates of the ``k``-th of ``n`` interleaved shares of the
    hash range's slices (see below), so that ``n`` processes can split the work; the
    shares' templates together are all of them.

    >>> import numpy as np
    >>> sets = [np.array([1, 9], dtype=np.uint64), np.array([2, 9], dtype=np.uint64),
    ...         np.array([3, 9], dtype=np.uint64), np.array([3, 4], dtype=np.uint64)]
    >>> template_shingles(sets, np.array([0, 1, 2, 2])).tolist()
    [9]
    >>> [template_shingles(sets, np.array([0, 1, 2, 2]), share=(k, 2)).tolist() for k in (0, 1)]
    [[9], []]
    """
    if not len(unique):
        return np.zeros(0, dtype=np.uint64)
    if hasattr(unique, "values") and hasattr(unique, "offsets"):  # PackedSets: already one array
        values, lengths = unique.values, np.diff(unique.offsets)
    else:
        values, lengths = np.concatenate(list(unique)), np.array([len(u) for u in unique], dtype=np.int64)
    if not len(values):
        return np.zeros(0, dtype=np.uint64)
    starts = np.concatenate(([0], np.cumsum(lengths)))
    component = np.asarray(component, dtype=np.int64)
    several = np.bincount(component)[component] > 1
    # A shingle in fewer than min_clusters documents is in fewer clusters: a count sketch drops
    # most of those without sorting them (only the rest are counted exactly). Each shingle's count
    # is its own business, so all this is done by slices of the hash range (its top bits) of about
    # TEMPLATE_SLICE occurrences: the sketch has a counter or two per occurrence whatever the
    # corpus size (its 2**23 counters over all of 100,000 documents kept nearly everything), and
    # the temporaries stay a few hundred MB.
    slices = 1 << (-(-len(values) // TEMPLATE_SLICE) - 1).bit_length()
    if slices > 1:  # each occurrence's slice, once: a pass per slice over these bytes is cheap
        shift = np.uint64(64 - (slices.bit_length() - 1))
        slice_of = np.empty(len(values), dtype=np.min_scalar_type(slices - 1))
        for start in range(0, len(values), TEMPLATE_SLICE):
            slice_of[start : start + TEMPLATE_SLICE] = values[start : start + TEMPLATE_SLICE] >> shift
    found = []
    for piece in range(share[0], slices, share[1]):
        where = np.flatnonzero(slice_of == piece) if slices > 1 else None
        part = values if where is None else values[where]
        keep = may_reach(part, min_clusters)
        where = np.flatnonzero(keep) if where is None else where[keep]
        part = part[keep]
        if len(part):  # occurrences kept per document: between its start and the next one's
            counts = np.diff(np.searchsorted(where, starts))
            found.append(_templates_among(part, counts, component, several, min_clusters))
    return np.concatenate(found) if found else np.zeros(0, dtype=np.uint64)


TEMPLATE_SLICE = 1 << 22  # shingle occurrences sketched and counted at once by template_shingles


def _templates_among(values: np.ndarray, lengths: np.ndarray, component: np.ndarray, several: np.ndarray,
                     min_clusters: int) -> np.ndarray:
    """The values (sorted) found in at least ``min_clusters`` clusters, of shingle occurrences
    ``values`` (document ``d`` owning the next ``lengths[d]``); ``several[d]``: whether ``d``'s
    cluster has several documents."""
    # Sorted by shingle then cluster, documents outside clusters of several first (marked -1): a
    # shingle's clusters are its other documents plus its distinct clusters of several documents.
    # One sort: sorting the occurrences, then the pairs, then the distinct pairs again took longer.
    owner = np.where(np.repeat(several, lengths), np.repeat(component, lengths), -1)
    order = np.lexsort((owner, values))
    values, owner = values[order], owner[order]
    first = np.concatenate(([True], values[1:] != values[:-1]))
    counted = first | (owner < 0)
    counted[1:] |= owner[1:] != owner[:-1]
    starts = np.flatnonzero(first)
    return values[starts][np.add.reduceat(counted, starts, dtype=np.int64) >= min_clusters]


def distinct_pairs(values: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct ``(value, owner)`` pairs, sorted by value then owner (``np.unique(axis=0)``
    on the stacked pair, without its slow row-as-bytes sort).

    >>> v, o = distinct_pairs(np.array([5, 3, 5, 5], dtype=np.uint64), np.array([1, 2, 0, 1]))
    >>> v.tolist(), o.tolist()
    ([3, 5, 5], [2, 0, 1])
    """
    order = np.lexsort((owners, values))
    values, owners = values[order], owners[order]
    first = np.ones(len(values), dtype=bool)
    first[1:] = (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])
    return values[first], owners[first]


def _content(ids: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Content words, as sorted unique token hashes: four letters or more (a language-neutral
    stand-in for a stopword list), or every word when fewer than five are that long.

    >>> _content(np.array([7, 3, 7, 5]), np.array([4, 2, 4, 3])).tolist()
    [3, 5, 7]
    """
    long = unique_sorted(ids[lengths >= 4])
    return long if len(long) >= 5 else unique_sorted(ids)


def _related(ids: np.ndarray, lengths: np.ndarray, shared: np.ndarray) -> float:
    """Share of a block's content-word *occurrences* (token hashes ``ids``, with their
    ``lengths``) found in the shared text's :func:`_content` ``shared``.

    Occurrences, not distinct words: a continuation of the same story keeps repeating its
    names and topic words, while a pasted story repeats its own, so counting every
    occurrence separates the two better than counting distinct words (on synth training
    corpora, the cut tail of an excerpt's source was called "unrelated" two times in three
    with distinct words).

    >>> bank, rates, said, the = 11, 12, 13, 14
    >>> _related(np.array([bank, rates, bank, said, the]), np.array([4, 5, 4, 4, 3]), np.array([bank, said]))
    0.75
    """
    words = ids[lengths >= 4]
    if not len(words):
        words = ids
    return int(member(words, shared).sum()) / len(words) if len(words) else 0.0


def side_blocks(
    tokens: Tokens, spans: list[tuple[int, int]], neutral: np.ndarray | None = None, marks: LineMarks | None = None
) -> list[tuple[int, int, str, str]]:
    """The unshared blocks of one document: ``(start, end, kind, label)`` in token indices.

    ``kind`` is commentary, unrelated, head, interior or tail; ``label`` the
    commentary marker. Neutral tokens (boilerplate, templates) are treated as
    shared, except inside a paragraph that opens with a commentary marker: a
    copier's stock comment is still a comment. ``marks``: the text's
    :func:`line_marks`, when the caller has them already.
    """
    marks = line_marks(tokens) if marks is None else marks
    n = len(tokens)
    covered = np.zeros(n, dtype=bool)
    for s, e in spans:
        covered[s:e] = True
    mask = covered
    if neutral is not None and len(neutral) == n and neutral.any():
        mask = covered | (neutral & ~marks.in_comment)
    first = min((s for s, _ in spans), default=0)
    last = max((e for _, e in spans), default=0)
    # the unshared runs: a run shorter than MIN_BLOCK only gives pieces that are skipped below
    padded = np.ones(n + 2, dtype=bool)
    padded[1:-1] = mask
    bounds = np.flatnonzero(padded[1:] != padded[:-1])
    starts, ends = bounds[::2], bounds[1::2]
    long = ends - starts >= MIN_BLOCK
    if not long.any():
        return []
    story_starts = _story_starts(marks, first)
    splits = sorted(set(marks.comments.tolist()) | story_starts)
    pieces = []
    for start, end in zip(starts[long].tolist(), ends[long].tolist()):
        # a comment paragraph after some of the story (an excerpt's source that carries a
        # comment) is its own block, and so is a new story: the part before is judged on its own
        cuts = [start, *(at for at in splits if start < at < end), end]
        pieces += zip(cuts[:-1], cuts[1:])
    ids = token_hashes(tokens)
    lengths = shared_words = None  # made when a block's relatedness is first asked for
    blocks = []
    story_text_after_last = 0  # unshared story words past the last shared passage, so far
    for start, end in pieces:
        if end - start < MIN_BLOCK:
            continue
        at = int(tokens.starts[start])
        marker = comment_marker(tokens.text, at)
        if marker and not (start >= last and story_text_after_last >= MIN_BLOCK):
            blocks.append((start, end, "commentary", marker.group(1)))
            continue
        if marker or start in story_starts:
            kind = "tail" if marker else "unrelated"
        else:
            if shared_words is None:
                lengths = tokens.lengths()
                shared_words = _content(ids[covered], lengths[covered])
            related = _related(ids[start:end], lengths[start:end], shared_words)
            kind = "unrelated" if related < UNRELATED else _by_place(start, end, first, last)
        if start >= last:
            story_text_after_last += end - start
        blocks.append((start, end, kind, ""))
    return blocks


def _story_starts(marks: LineMarks, first: int) -> set[int]:
    """Token indices of the paragraphs that open on a dateline after the shared text began
    (``first``, its first token): another story begins there."""
    return set(marks.datelines[marks.datelines > first].tolist())


def _by_place(start: int, end: int, first: int, last: int) -> str:
    """A related block's kind by where it lies against the shared text ``[first, last)``.

    >>> _by_place(0, 5, 5, 20), _by_place(8, 12, 5, 20), _by_place(20, 30, 5, 20)
    ('head', 'interior', 'tail')
    """
    return "head" if end <= first else "tail" if start >= last else "interior"


SHORT_LINE = 5  # words: a line shorter than this is page furniture to the witnesses (see lineage.witness)


class LineMarks(NamedTuple):
    """What one pass over a text's lines (paragraphs) finds, in token terms."""

    comments: np.ndarray  # token index where a paragraph opening with a commentary marker begins
    in_comment: np.ndarray  # one bool per token: inside such a paragraph
    datelines: np.ndarray  # token index where a paragraph opening on a wire dateline begins
    short: np.ndarray  # one bool per token: on a line of fewer than SHORT_LINE words


def line_marks(tokens: Tokens, short_line: int = SHORT_LINE) -> LineMarks:
    """Commentary paragraphs, dateline paragraphs and short lines of a text, in one pass.

    >>> from lineage.normalise import tokenize
    >>> m = line_marks(tokenize("Rates rose.\\nPARIS, March 3 - Shares fell.\\nComment: buy.\\nAdvertisement"))
    >>> m.comments.tolist(), m.datelines.tolist(), m.in_comment.tolist()[-3:], m.short.tolist()
    ([7], [2], [True, True, False], [True, True, False, False, False, False, False, True, True, True])
    """
    n = len(tokens)
    line_starts, comment_lines, comments, datelines, offset = [], [], [], [], 0
    for line in tokens.text.splitlines(keepends=True):
        text = line.lstrip()
        at = offset + len(line) - len(text)
        line_starts.append(offset)
        # cheap exact tests first (a marker needs one of its five punctuation marks, a dateline
        # three capitals or a caseless letter): most lines have neither
        if any(mark in text for mark in _MARKER_ENDS) and comment_marker(text):
            comments.append(at)
            comment_lines.append(len(line_starts) - 1)
        elif is_dateline(text):
            datelines.append(at)
        offset += len(line)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return LineMarks(empty, np.zeros(0, dtype=bool), empty, np.zeros(0, dtype=bool))
    line = np.searchsorted(np.array(line_starts, dtype=np.int64), tokens.starts, side="right") - 1
    in_comment = np.zeros(len(line_starts), dtype=bool)
    in_comment[comment_lines] = True
    found = np.searchsorted(tokens.starts, np.array(comments + datelines, dtype=np.int64))
    return LineMarks(found[: len(comments)], in_comment[line], found[len(comments) :],
                     np.bincount(line, minlength=len(line_starts))[line] < short_line)


def profile_side(
    tokens: Tokens,
    spans: list[tuple[int, int]],
    neutral: np.ndarray | None = None,
    blocks: list[tuple[int, int, str, str]] | None = None,
    marks: LineMarks | None = None,
) -> SideProfile:
    """Profile the unshared material of one document given its shared token spans
    (or its :func:`side_blocks` and :func:`line_marks`, when the caller has them already)."""
    marks = line_marks(tokens) if marks is None else marks
    totals = {"commentary": 0, "unrelated": 0, "head": 0, "interior": 0, "tail": 0}
    label = ""
    for start, end, kind, marker in side_blocks(tokens, spans, neutral, marks) if blocks is None else blocks:
        totals[kind] += end - start
        label = label or marker
    return SideProfile(words=len(tokens), commentary_label=label, dateline=_lead_dateline(marks, spans),
                       **totals)


def _lead_dateline(marks: LineMarks, spans: list[tuple[int, int]]) -> bool:
    """Whether a paragraph before the first shared passage opens on a wire dateline: the original
    wire copy's opening, which a copy that rewrote or re-edited the lead dropped.

    >>> from lineage.normalise import tokenize
    >>> t = tokenize("PARIS, March 3 - Shares fell on Monday as traders sold banks.")
    >>> _lead_dateline(line_marks(t), [(4, 12)]), _lead_dateline(line_marks(t), [(0, 12)])
    (True, False)
    """
    if not spans:
        return False
    first = min(s for s, _ in spans)
    return bool((marks.datelines < first).any())


def names_outlet(text: str, outlet: str | None) -> bool:
    """True when ``text`` names ``outlet`` as a whole phrase (case-insensitive).

    >>> names_outlet("Originally reported by the Daily Wire.", "Daily Wire"), names_outlet("x", None)
    (True, False)
    """
    if not outlet or len(outlet.strip()) < 3:
        return False
    return regex.search(rf"(?<!\w){regex.escape(outlet.strip())}(?!\w)", text, regex.IGNORECASE) is not None


def publication_order(a: Document, b: Document) -> int:
    """+1 when a was published before b, -1 after, 0 when unknown or equal (ISO strings, UTC)."""
    if not a.published or not b.published:
        return 0
    x, y = a.published.replace("+00:00", ""), b.published.replace("+00:00", "")
    return (x < y) - (x > y)


def pair_evidence(
    a: Document,
    ta: Tokens,
    b: Document,
    tb: Tokens,
    al: Alignment,
    *,
    a_neutral: np.ndarray | None = None,
    b_neutral: np.ndarray | None = None,
    a_blocks: list[tuple[int, int, str, str]] | None = None,
    b_blocks: list[tuple[int, int, str, str]] | None = None,
    a_marks: LineMarks | None = None,
    b_marks: LineMarks | None = None,
) -> PairEvidence:
    """The pairwise evidence of an aligned pair (passages oriented a -> b); ``*_blocks`` and
    ``*_marks`` are each side's :func:`side_blocks` and :func:`line_marks` when the caller has
    computed them already."""
    spans_a = token_spans(ta, [p.source for p in al.passages])
    spans_b = token_spans(tb, [p.target for p in al.passages])
    a_marks = line_marks(ta) if a_marks is None else a_marks
    b_marks = line_marks(tb) if b_marks is None else b_marks
    a_blocks = side_blocks(ta, spans_a, a_neutral, a_marks) if a_blocks is None else a_blocks
    b_blocks = side_blocks(tb, spans_b, b_neutral, b_marks) if b_blocks is None else b_blocks
    a_blocks, b_blocks = contrast_blocks(ta, spans_a, a_blocks, a_marks, tb, spans_b, b_blocks, b_marks)
    pa = profile_side(ta, spans_a, a_neutral, a_blocks, a_marks)
    pb = profile_side(tb, spans_b, b_neutral, b_blocks, b_marks)
    ra, rb = rewritten_words(spans_a, spans_b, a_blocks, b_blocks, a_neutral, b_neutral)
    if ra or rb:
        pa = replace(pa, interior=pa.interior - ra, rewritten=ra)
        pb = replace(pb, interior=pb.interior - rb, rewritten=rb)
    # A credit counts only one way: two texts naming each other's outlet cancel out.
    a_credits = names_outlet(a.text, b.outlet) and b.outlet != a.outlet
    b_credits = names_outlet(b.text, a.outlet) and b.outlet != a.outlet
    if a_credits != b_credits:
        pa = _with_credit(pa, b.outlet if a_credits else "")
        pb = _with_credit(pb, a.outlet if b_credits else "")
    return PairEvidence(a=pa, b=pb, time=publication_order(a, b))


Blocks = list[tuple[int, int, str, str]]


def unshared_relatedness(tokens: Tokens, spans: list[tuple[int, int]], blocks: Blocks) -> float | None:
    """How much a text's unshared material (its :func:`side_blocks` but comments) is about the
    shared text: :func:`_related` of all of it at once. None when it has none.

    >>> from lineage.normalise import tokenize
    >>> t = tokenize("Acme shares fell sharply today. Acme shares fell again as traders sold Acme")
    >>> round(unshared_relatedness(t, [(0, 5)], [(5, 13, "tail", "")]), 2)  # acme, shares, fell, acme of 7
    0.57
    """
    kept = [(s, e) for s, e, kind, _ in blocks if kind != "commentary"]
    if not kept:
        return None
    covered = np.zeros(len(tokens), dtype=bool)
    for start, end in spans:
        covered[start:end] = True
    unshared = np.zeros(len(tokens), dtype=bool)
    for start, end in kept:
        unshared[start:end] = True
    ids, lengths = token_hashes(tokens), tokens.lengths()
    return _related(ids[unshared], lengths[unshared], _content(ids[covered], lengths[covered]))


def _by_position(blocks: Blocks, spans: list[tuple[int, int]], marks: LineMarks) -> Blocks:
    """``blocks`` with each unrelated one renamed by its position (head, interior, tail), except
    those that open on a dateline after the shared text began (another story, whatever else)."""
    first = min((s for s, _ in spans), default=0)
    last = max((e for _, e in spans), default=0)
    stories = _story_starts(marks, first)
    out = []
    for start, end, kind, label in blocks:
        if kind == "unrelated" and start not in stories:
            kind = _by_place(start, end, first, last)
        out.append((start, end, kind, label))
    return out


def contrast_blocks(ta: Tokens, spans_a: list[tuple[int, int]], blocks_a: Blocks, marks_a: LineMarks,
                    tb: Tokens, spans_b: list[tuple[int, int]], blocks_b: Blocks,
                    marks_b: LineMarks) -> tuple[Blocks, Blocks]:
    """Both texts' blocks, with the unrelated ones of the text whose unshared material is more
    about the shared text (by :data:`CONTRAST_MARGIN` of :func:`unshared_relatedness`, and at
    least half the :data:`UNRELATED` bar: not itself clearly about something else) renamed by
    position: that material is the story the shared passage belongs to, and the other text's is
    what the passage was set among. A text with no unshared material leaves both as they are.

    On development corpora (BENCHMARKS.md, sixteenth session), without it the rest of a long
    article that a short piece lifted a passage from read as a block a copier appended (its words
    share few of a short passage's), while a passage set into an unrelated host text (PAN 2013's
    construction) must keep its host unrelated: the comparison tells the two apart where the bar
    alone cannot.

    >>> from lineage.normalise import tokenize
    >>> source = tokenize("Prices rose in Oslo today. Oslo traders said prices would rise again")
    >>> copy = tokenize("My cat sleeps on the warm windowsill. Prices rose in Oslo today.")
    >>> marks_s, marks_c = line_marks(source), line_marks(copy)
    >>> a, b = contrast_blocks(source, [(0, 5)], [(5, 12, "unrelated", "")], marks_s,
    ...                        copy, [(7, 12)], [(0, 7, "unrelated", "")], marks_c)
    >>> a, b
    ([(5, 12, 'tail', '')], [(0, 7, 'unrelated', '')])
    """
    kinds_a, kinds_b = {kind for *_, kind, _ in blocks_a}, {kind for *_, kind, _ in blocks_b}
    if "unrelated" not in kinds_a | kinds_b or not kinds_a - {"commentary"} or not kinds_b - {"commentary"}:
        # nothing to rename, or a side without material to compare (unshared_relatedness None):
        # most pairs, spared the relatedness passes
        return blocks_a, blocks_b
    ra, rb = unshared_relatedness(ta, spans_a, blocks_a), unshared_relatedness(tb, spans_b, blocks_b)
    if ra > rb + CONTRAST_MARGIN and ra >= UNRELATED / 2:
        blocks_a = _by_position(blocks_a, spans_a, marks_a)
    elif rb > ra + CONTRAST_MARGIN and rb >= UNRELATED / 2:
        blocks_b = _by_position(blocks_b, spans_b, marks_b)
    return blocks_a, blocks_b


def _with_credit(side: SideProfile, outlet: str | None) -> SideProfile:
    return replace(side, credit=outlet or "")


def rewritten_words(
    spans_a: list[tuple[int, int]],
    spans_b: list[tuple[int, int]],
    blocks_a: list[tuple[int, int, str, str]],
    blocks_b: list[tuple[int, int, str, str]],
    a_neutral: np.ndarray | None = None,
    b_neutral: np.ndarray | None = None,
) -> tuple[int, int]:
    """Words of each side's interior blocks that face unshared words of the other text.

    ``spans_*`` are the passages' token spans (passage ``i`` is ``spans_a[i]`` in a and
    ``spans_b[i]`` in b), ``blocks_*`` each side's :func:`side_blocks`. For two passages
    that follow each other in both texts, the interior-block words in a's gap between
    them, up to the number of (non-neutral) words in b's gap, are a's side of a rewritten
    stretch; the rest of the block is what a has over b there. Likewise for b.

    >>> # a: 20 words between passages 0 and 1; b: 15 there, 5 more words of a's own
    >>> rewritten_words([(0, 30), (50, 80)], [(0, 30), (45, 75)],
    ...                 [(30, 50, "interior", "")], [(30, 45, "interior", "")])
    (15, 15)
    >>> # nothing in b between the same passages: all of a's block is added
    >>> rewritten_words([(0, 30), (50, 80)], [(0, 30), (30, 60)], [(30, 50, "interior", "")], [])
    (0, 0)
    """
    if not any(kind == "interior" for *_, kind, _ in blocks_a + blocks_b):
        return 0, 0
    ra = rb = 0
    order = sorted(range(len(spans_a)), key=lambda i: spans_a[i])
    b_starts = sorted(s for s, _ in spans_b)
    for i, j in zip(order, order[1:]):
        gap_a = (spans_a[i][1], spans_a[j][0])
        gap_b = (spans_b[i][1], spans_b[j][0])
        if gap_b[1] < gap_b[0] or bisect_left(b_starts, gap_b[1]) - bisect_left(b_starts, gap_b[0]) != 0:
            continue  # the passages cross in b, or another passage lies between them there: no common gap
        ra += min(_interior_in(blocks_a, gap_a), _words_in(gap_b, b_neutral))
        rb += min(_interior_in(blocks_b, gap_b), _words_in(gap_a, a_neutral))
    return ra, rb


def _interior_in(blocks: list[tuple[int, int, str, str]], gap: tuple[int, int]) -> int:
    return sum(max(0, min(end, gap[1]) - max(start, gap[0])) for start, end, kind, _ in blocks if kind == "interior")


def _words_in(gap: tuple[int, int], neutral: np.ndarray | None) -> int:
    start, end = gap
    if end <= start:
        return 0
    if neutral is not None and len(neutral) >= end:
        return end - start - int(np.count_nonzero(neutral[start:end]))
    return end - start



CONTEXT = 50  # words on each side of a shared passage that make its context


def context_relatedness(
    tokens: Tokens, spans: list[tuple[int, int]], neutral: np.ndarray | None = None, window: int = CONTEXT
) -> float | None:
    """How related to the shared text are the unshared words right next to it (None: too few).

    Where a text was taken from, the shared passage sits in its own story: the words
    around it carry on the same subject. Where it was put in, the words around it belong
    to the copier's text (another story, a compilation of pieces), so they relate less.
    Neutral tokens (boilerplate, templates) are left out.

    >>> from lineage.normalise import tokenize
    >>> t = tokenize("apples pears plums " * 10 + "grapes melons apples pears plums " * 4 + "trucks wheels roads " * 10)
    >>> round(context_relatedness(t, [(30, 50)], window=20), 2)
    0.5
    """
    n = len(tokens)
    covered = np.zeros(n, dtype=bool)
    near = np.zeros(n, dtype=bool)
    for s, e in spans:
        covered[s:e] = True
        near[max(0, s - window):s] = True
        near[e:e + window] = True
    near &= ~covered
    if neutral is not None and len(neutral) == n:
        near &= ~neutral
    if near.sum() < MIN_BLOCK:
        return None
    ids, lengths = token_hashes(tokens), tokens.lengths()
    return _related(ids[near], lengths[near], _content(ids[covered], lengths[covered]))
