"""Fake outlets for the synthetic corpus: house styles, page boilerplate, rendering, atomic writes.

An :class:`Outlet` has a kind (``wire``, ``site``, ``blog``, ``farm``), a
copy-editing house style, and page furniture fixed once per outlet (share
lines, "Advertisement" slots, copyright and newsletter footers, repeated
headlines), so the same boilerplate lines recur in every document of the
outlet, as on real sites. Boilerplate pieces carry no origin: they are never
counted as reused text.

>>> outlets = make_outlets(random.Random(0))
>>> sorted(outlets), len(outlets["site"])
(['blog', 'farm', 'site', 'wire'], 12)
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lineage import synth_tables as tables
from lineage.errors import OutputError
from lineage.synth_ops import WIRE_STYLE, HouseStyle
from lineage.synth_text import Content, Layout, Paragraph, Piece, layout

__all__ = ["Outlet", "make_outlets", "printed_title", "render", "title_case", "write_atomic"]

_SMALL = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "vs"}
_SECTIONS = ("Business", "Markets", "World", "Economy", "Politics", "Commodities", "Companies")


@dataclass(frozen=True, slots=True)
class Outlet:
    """A fake publisher: its name, house style and page boilerplate."""

    name: str
    kind: str  # "wire" | "site" | "blog" | "farm"
    style: HouseStyle
    title_case: str  # "upper" | "title" | "keep"
    title_lines: int  # how often the headline is printed above the body (0-2)
    header: tuple[str, ...]
    footer: tuple[str, ...]  # may hold "{year}", filled per document
    ads: bool
    byline: float  # probability of a byline
    views: bool  # a "1234 views" counter under the article


def title_case(title: str) -> str:
    """Headline case for wire titles written in capitals; tickers and abbreviations kept.

    >>> title_case("STANDARD OIL <SRD> TO FORM UNIT IN U.S.")
    'Standard Oil <SRD> to Form Unit in U.S.'
    """
    words = []
    for i, w in enumerate(title.split()):
        if w.startswith("<") or any(c.isdigit() for c in w) or "." in w.strip(".,:;"):
            words.append(w)
        elif i and w.lower() in _SMALL:
            words.append(w.lower())
        else:
            words.append(w[:1].upper() + w[1:].lower())
    return " ".join(words)


def _style(rng: random.Random, kind: str) -> HouseStyle:
    if kind == "wire":
        return WIRE_STYLE
    uk = rng.random() < 0.5
    quotes = rng.choice(("straight", "curly", "single") if uk else ("straight", "curly"))
    percent = rng.choice(("per cent", "%") if uk else ("percent", "%", "pct"))
    numerals = "words" if rng.random() < 0.5 else "digits"
    return HouseStyle(
        "uk" if uk else "us", quotes, numerals, percent, wire_abbreviations=rng.random() < 0.15
    )


def _name(rng: random.Random, kind: str, taken: set[str]) -> str:
    parts = tables.OUTLET_PARTS
    while True:
        if kind == "wire":
            name = f"{rng.choice(parts['prefix'])} {rng.choice(parts['wire'])}"
        elif kind == "blog":
            owner = rng.choice(tables.BYLINE_NAMES).split()[0]
            name = (
                f"{owner}'s {rng.choice(parts['blog'])}"
                if rng.random() < 0.5
                else f"The {rng.choice(parts['prefix'])} {rng.choice(parts['blog'])}"
            )
        elif kind == "farm":
            name = f"{rng.choice(parts['farm'])}{rng.randint(1, 99)}.com"
        else:
            name = f"The {rng.choice(parts['prefix'])} {rng.choice(parts['suffix'])}"
        if name not in taken:
            taken.add(name)
            return name


def make_outlets(rng: random.Random) -> dict[str, list[Outlet]]:
    """3 wires, 12 news sites, 6 blogs and 4 content farms, each with fixed boilerplate.

    >>> wire = make_outlets(random.Random(1))["wire"][0]
    >>> wire.style == WIRE_STYLE, wire.ads
    (True, False)
    """
    taken: set[str] = set()
    outlets: dict[str, list[Outlet]] = {}
    for kind, count in (("wire", 3), ("site", 12), ("blog", 6), ("farm", 4)):
        outlets[kind] = []
        for _ in range(count):
            name = _name(rng, kind, taken)
            handle = "".join(c for c in name.lower() if c.isalnum())
            fill = {
                "outlet": name,
                "handle": handle,
                "domain": name if kind == "farm" else f"{handle}.com",
                "section": rng.choice(_SECTIONS),
                "year": "{year}",
            }
            header_p, footers = {
                "wire": (0.0, (0, 1)),
                "site": (0.6, (1, 3)),
                "blog": (0.3, (1, 2)),
                "farm": (1.0, (2, 3)),
            }[kind]
            header = (rng.choice(tables.HEADERS).format(**fill),) if rng.random() < header_p else ()
            footer = tuple(
                f.format(**fill) for f in rng.sample(tables.FOOTERS, rng.randint(*footers))
            )
            outlets[kind].append(
                Outlet(
                    name=name,
                    kind=kind,
                    style=_style(rng, kind),
                    title_case="upper"
                    if kind == "wire"
                    else rng.choice(("title", "title", "keep", "upper")),
                    title_lines=rng.choice((0, 1))
                    if kind == "wire"
                    else rng.choice((1, 1, 1, 2, 0)),
                    header=header,
                    footer=footer,
                    ads=kind == "farm" or (kind == "site" and rng.random() < 0.5),
                    byline={"wire": 0.3, "site": 0.7, "blog": 0.5, "farm": 0.9}[kind],
                    views=kind == "farm",
                )
            )
    return outlets


def printed_title(title: str, how: str) -> str:
    """The headline as an outlet prints it (``how``: "upper", "title" or "keep").

    >>> printed_title("OIL PRICES RISE", "title")
    'Oil Prices Rise'
    """
    if how == "upper":
        return title.upper()
    if how == "title" and title.isupper():
        return title_case(title)
    return title


def render(content: Content, outlet: Outlet, published: datetime, rng: random.Random) -> Layout:
    """The page text of a document: boilerplate around the title and body.

    >>> o = Outlet("X", "site", WIRE_STYLE, "title", 1, ("Share",), ("© {year} X",), True, 0.0, False)
    >>> c = Content(Piece("BIG NEWS", "b#title"), tuple((Piece(f"p{i}", "b", 4 * i),) for i in range(4)))
    >>> render(c, o, datetime(1987, 2, 26), random.Random(0)).text.split("\\n\\n")
    ['Share', 'Big News', 'p0', 'p1', 'Advertisement', 'p2', 'p3', '© 1987 X']
    """
    blocks: list[Paragraph] = [(Piece(line),) for line in outlet.header]
    title = printed_title(content.title.text, outlet.title_case)
    # Same title origin and same printed text -> same origin, so copied headlines count as shared.
    blocks += [(Piece(title, f"{content.title.origin}|{title}", 0),)] * outlet.title_lines
    if rng.random() < outlet.byline:
        who = rng.choice(tables.BYLINE_NAMES)
        blocks.append(
            (
                Piece(
                    "Posted by admin"
                    if outlet.kind == "farm"
                    else rng.choice(
                        (f"By {who}", f"By {outlet.name} Staff", f"{who} | {outlet.name}")
                    )
                ),
            )
        )
    for i, para in enumerate(content.paragraphs):
        if outlet.ads and i >= 2 and i % 4 == 2:
            blocks.append((Piece("Advertisement"),))
        blocks.append(para)
    if outlet.views:
        blocks.append((Piece(f"{rng.randint(120, 25000)} views"),))
    blocks += [(Piece(line.replace("{year}", str(published.year))),) for line in outlet.footer]
    return layout(blocks)


def write_atomic(path: Path, text: str) -> None:
    """Write UTF-8 text through a temporary file and ``os.replace``, so readers never see half a file.

    >>> import tempfile; p = Path(tempfile.mkdtemp()) / "a.txt"; write_atomic(p, "hi"); p.read_text()
    'hi'
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as e:
        raise OutputError(
            f"cannot write {path}: {e.strerror}", fix="check the -o folder is writable"
        ) from e
