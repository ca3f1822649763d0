"""Text with provenance for the synthetic corpus generator: pieces, layouts, shared spans.

An article is a :class:`Content`: a title and paragraphs, each paragraph a
tuple of :class:`Piece`. A piece is a run of text with its *origin*: the id of
the text where those characters were first written, and their offset there.
Copying keeps origins; writing new text (a synonym, a comment, a rewritten
lead) gives it a fresh origin from a :class:`Writer`. Two documents therefore
share exactly the text whose origins they share, whatever the path between
them (parent and child, grandparent and grandchild, two siblings), and
:func:`shared_spans` recovers the character spans of that text in both.

>>> a = layout(content_from_text("T", ["One two three four five.", "Six."], "b1").paragraphs)
>>> b = layout([(Piece("Share"),), (Piece("One two three four five.", "b1", 0),)])
>>> shared_spans(a, b)
[SharedSpan(a=(0, 24), b=(7, 31), exact=True)]
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "Content",
    "Layout",
    "Paragraph",
    "Piece",
    "SharedSpan",
    "Writer",
    "content_from_text",
    "edit_paragraph",
    "layout",
    "shared_spans",
    "shared_words",
    "substitute",
]


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of text and where it was first written (``origin`` id, ``offset`` there)."""

    text: str
    origin: str | None = None  # None: boilerplate and layout, never counted as reused text
    offset: int = 0

    def cut(self, start: int, end: int) -> Piece:
        return Piece(self.text[start:end], self.origin, self.offset + start)


Paragraph = tuple[Piece, ...]


@dataclass(frozen=True, slots=True)
class Content:
    """The reusable part of an article: title and body paragraphs (no boilerplate)."""

    title: Piece
    paragraphs: tuple[Paragraph, ...]

    @property
    def texts(self) -> list[str]:
        return ["".join(p.text for p in para) for para in self.paragraphs]

    @property
    def words(self) -> int:
        return sum(len(t.split()) for t in self.texts)


class Writer:
    """Hands out fresh origins ``tag.1``, ``tag.2``, ... for newly written text."""

    def __init__(self, tag: str) -> None:
        self.tag, self.count = tag, 0

    def __call__(self, text: str) -> Piece:
        self.count += 1
        return Piece(text, f"{self.tag}.{self.count}", 0)


def content_from_text(title: str, paragraphs: Sequence[str], origin: str) -> Content:
    """Wrap original text; offsets are those of the paragraphs joined by blank lines.

    >>> content_from_text("T", ["ab", "cd"], "x").paragraphs[1][0]
    Piece(text='cd', origin='x', offset=4)
    """
    paras, offset = [], 0
    for text in paragraphs:
        paras.append((Piece(text, origin, offset),))
        offset += len(text) + 2
    return Content(Piece(title, f"{origin}#title", 0), tuple(paras))


def _slice(para: Paragraph, start: int, end: int) -> list[Piece]:
    out, pos = [], 0
    for piece in para:
        lo, hi = max(pos, start), min(pos + len(piece.text), end)
        if lo < hi:
            out.append(piece.cut(lo - pos, hi - pos))
        pos += len(piece.text)
        if pos >= end:
            break
    return out


def _merge(pieces: Iterable[Piece]) -> Paragraph:
    # Re-join runs that are contiguous in their origin so piece counts stay small.
    out: list[Piece] = []
    for p in pieces:
        if not p.text:
            continue
        last = out[-1] if out else None
        if (
            last
            and p.origin is not None
            and last.origin == p.origin
            and last.offset + len(last.text) == p.offset
        ):
            out[-1] = Piece(last.text + p.text, p.origin, last.offset)
        else:
            out.append(p)
    return tuple(out)


def edit_paragraph(
    para: Paragraph, edits: Iterable[tuple[int, int, str]], write: Writer
) -> Paragraph:
    """Replace ``[start, end)`` ranges of a paragraph's text; untouched text keeps its origin.

    >>> para = (Piece("big red dog", "o", 10),)
    >>> edit_paragraph(para, [(4, 7, "blue")], Writer("w"))
    (Piece(text='big ', origin='o', offset=10), Piece(text='blue', origin='w.1', offset=0), Piece(text=' dog', origin='o', offset=17))
    """
    out: list[Piece] = []
    cursor = 0
    for start, end, new in sorted(edits):
        if start < cursor:  # overlaps an earlier edit
            continue
        out += _slice(para, cursor, start)
        if new:
            out.append(write(new))
        cursor = end
    out += _slice(para, cursor, sum(len(p.text) for p in para))
    return _merge(out)


def substitute(
    content: Content,
    pattern: re.Pattern[str],
    replace: Callable[[re.Match[str]], str | None],
    write: Writer,
) -> Content:
    """Apply ``replace`` to every match of ``pattern`` in the body (``None`` keeps the match).

    >>> c = content_from_text("T", ["a cat and a cat"], "o")
    >>> substitute(c, re.compile("cat"), lambda m: "dog", Writer("w")).texts
    ['a dog and a dog']
    """
    paragraphs = []
    for para, text in zip(content.paragraphs, content.texts):
        edits = []
        for m in pattern.finditer(text):
            new = replace(m)
            if new is not None and new != m.group(0):
                edits.append((m.start(), m.end(), new))
        paragraphs.append(edit_paragraph(para, edits, write) if edits else para)
    return Content(content.title, tuple(paragraphs))


@dataclass(frozen=True, slots=True)
class Layout:
    """A rendered text and the position of every piece in it."""

    text: str
    pieces: tuple[tuple[int, Piece], ...]


def layout(blocks: Sequence[Paragraph]) -> Layout:
    """Join paragraphs with blank lines, remembering where each piece lands.

    >>> layout([(Piece("ab", "o"),), (Piece("c"),)]).text
    'ab\\n\\nc'
    """
    placed, parts, pos = [], [], 0
    for i, para in enumerate(blocks):
        if i:
            parts.append("\n\n")
            pos += 2
        for piece in para:
            placed.append((pos, piece))
            parts.append(piece.text)
            pos += len(piece.text)
    return Layout("".join(parts), tuple(placed))


@dataclass(frozen=True, slots=True)
class SharedSpan:
    """Text of ``a`` at ``a[0]:a[1]`` taken over into ``b`` at ``b[0]:b[1]``."""

    a: tuple[int, int]
    b: tuple[int, int]
    exact: bool  # False when small edits (synonyms, quote marks) inside the span were bridged


def shared_spans(
    a: Layout, b: Layout, *, max_gap: int = 40, min_words: int = 5
) -> list[SharedSpan]:
    """Spans of text two layouts share by origin, merged across layout and small edits.

    Runs are merged when the text between them is the same whitespace in both
    (a paragraph break), or, marked inexact, when both gaps are short edits
    within one paragraph. Spans of fewer than ``min_words`` words are dropped.

    >>> x = layout([(Piece("one two three four five", "o"),)])
    >>> y = layout([(Piece("Intro."),), (Piece("one two three four five", "o"),)])
    >>> shared_spans(x, y)
    [SharedSpan(a=(0, 23), b=(8, 31), exact=True)]
    """
    index: dict[str, list[tuple[int, int, int]]] = {}
    for pos, piece in b.pieces:
        if piece.origin is not None:
            index.setdefault(piece.origin, []).append(
                (piece.offset, piece.offset + len(piece.text), pos)
            )
    runs = []
    for pos, piece in a.pieces:
        for lo_b, hi_b, pos_b in index.get(piece.origin, ()) if piece.origin is not None else ():
            lo, hi = max(lo_b, piece.offset), min(hi_b, piece.offset + len(piece.text))
            if lo < hi:
                runs.append((pos + lo - piece.offset, pos_b + lo - lo_b, hi - lo))
    runs.sort()
    spans: list[list] = []
    for a0, b0, n in runs:
        if spans:
            cur = spans[-1]
            gap_a, gap_b = a.text[cur[1] : a0], b.text[cur[3] : b0]
            if a0 >= cur[1] and b0 >= cur[3]:
                if gap_a == gap_b and not gap_a.strip():
                    cur[1], cur[3] = a0 + n, b0 + n
                    continue
                if len(gap_a) <= max_gap and len(gap_b) <= max_gap and "\n" not in gap_a + gap_b:
                    cur[1], cur[3], cur[4] = a0 + n, b0 + n, False
                    continue
        spans.append([a0, a0 + n, b0, b0 + n, True])
    return [
        SharedSpan((s[0], s[1]), (s[2], s[3]), s[4])
        for s in spans
        if len(a.text[s[0] : s[1]].split()) >= min_words
    ]


def shared_words(a: Content, b: Content) -> int:
    """Words of ``a``'s body that ``b`` shares by origin (any run length).

    >>> base = content_from_text("T", ["one two three", "four five"], "o")
    >>> shared_words(base, Content(base.title, base.paragraphs[1:]))
    2
    """
    la, lb = layout(a.paragraphs), layout(b.paragraphs)
    return sum(len(la.text[s.a[0] : s.a[1]].split()) for s in shared_spans(la, lb, min_words=1))
