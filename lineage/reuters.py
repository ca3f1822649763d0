"""Read the Reuters-21578 SGML distribution into plain stories.

The 22 files ``reut2-000.sgm`` .. ``reut2-021.sgm`` are latin-1 and not valid
SGML or XML (they hold control-character entities such as ``&#3;``), so the
reader is a lenient regular-expression scan over ``<REUTERS ...>`` records. A
story keeps its ``<DATE>``, ``<TITLE>``, ``<DATELINE>``, ``<TOPICS>``,
``<PLACES>`` and ``<BODY>``; records without a body (``TYPE="BRIEF"``,
``TYPE="UNPROC"``) are dropped.

Wire bodies are hard-wrapped at ~65 columns and start a paragraph with an
indented line; the reader reflows each paragraph onto one line and separates
paragraphs with a blank line, the shape web articles have after extraction.

>>> sgml = ('<REUTERS NEWID="7"><DATE>26-FEB-1987 15:01:01.79</DATE>'
...         '<TEXT><TITLE>COCOA &lt;CC> UP</TITLE><BODY>Prices rose\\n'
...         'today.\\n    Traders said so.\\n Reuter\\n&#3;</BODY></TEXT></REUTERS>')
>>> story = parse_reuters_sgml(sgml)[0]
>>> story.title, story.date, story.paragraphs
('COCOA <CC> UP', '1987-02-26T15:01:01Z', ('Prices rose today.', 'Traders said so.'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lineage.errors import InputError

__all__ = ["ReutersStory", "is_reuters_folder", "parse_reuters_sgml", "read_reuters"]

_RECORD = re.compile(r"<REUTERS\b([^>]*)>(.*?)</REUTERS>", re.DOTALL | re.IGNORECASE)
_NEWID = re.compile(r'NEWID="(\d+)"', re.IGNORECASE)
_NUMERIC_ENTITY = re.compile(r"&#(\d+);")
_NAMED_ENTITIES = {"&lt;": "<", "&gt;": ">", "&amp;": "&", "&quot;": '"', "&apos;": "'"}
_NAMED_ENTITY = re.compile("|".join(map(re.escape, _NAMED_ENTITIES)))
_D_ITEM = re.compile(r"<D>(.*?)</D>", re.DOTALL | re.IGNORECASE)
# Column layouts: dot leaders ("Net.....644") or runs of spaces between cells.
_TABULAR_LINE = re.compile(r"\.{3,}|\S {3,}\S|\t")
_SIGN_OFF = re.compile(r"\s*\b(?:Reuter|REUTER)\s*$")
_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})")


@dataclass(frozen=True, slots=True)
class ReutersStory:
    """One Reuters-21578 record with a body, reflowed into paragraphs."""

    newid: int
    date: str | None  # ISO 8601 in UTC (the collection gives no zone; GMT is assumed)
    title: str
    dateline: str
    paragraphs: tuple[str, ...]
    topics: tuple[str, ...]
    places: tuple[str, ...]
    tabular: bool  # mostly a table (earnings, reserves): poor base text for prose reuse

    @property
    def body(self) -> str:
        """The paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    @property
    def words(self) -> int:
        """Whitespace-separated words in the body."""
        return sum(len(p.split()) for p in self.paragraphs)


def _unescape(text: str) -> str:
    # Control-character entities (&#2; &#3; &#5; ...) are wire framing, not text.
    def numeric(m: re.Match[str]) -> str:
        code = int(m.group(1))
        return chr(code) if code >= 32 or code in (9, 10) else ""

    text = _NUMERIC_ENTITY.sub(numeric, text)
    return _NAMED_ENTITY.sub(lambda m: _NAMED_ENTITIES[m.group(0)], text)


def _field(record: str, tag: str) -> str:
    m = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", record, re.DOTALL | re.IGNORECASE)
    return _unescape(m.group(1)) if m else ""


def _iso_date(raw: str) -> str | None:
    m = _DATE.search(raw)
    if not m:
        return None
    day, month, year, hh, mm, ss = m.groups()
    try:
        when = datetime.strptime(
            f"{day} {month.title()} {year} {hh}:{mm}:{ss}", "%d %b %Y %H:%M:%S"
        )
    except ValueError:
        return None
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _paragraphs(body: str) -> tuple[tuple[str, ...], bool]:
    """Reflow a hard-wrapped wire body; also say whether it is mostly a table."""
    lines = [line.rstrip() for line in body.replace("\r", "").split("\n")]
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines[-1] = _SIGN_OFF.sub("", lines[-1])
    content = [line for line in lines if line.strip()]
    tabular = bool(content) and sum(
        bool(_TABULAR_LINE.search(line.strip())) for line in content
    ) >= max(2, 0.15 * len(content))
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        starts_new = not line.strip() or line[:1].isspace()
        if starts_new and current:
            paragraphs.append(current)
            current = []
        if line.strip():
            current.append(line.strip())
    if current:
        paragraphs.append(current)
    flat = tuple(" ".join(" ".join(p).split()) for p in paragraphs)
    return tuple(p for p in flat if p), tabular


def parse_reuters_sgml(text: str) -> list[ReutersStory]:
    """Parse the text of one ``reut2-*.sgm`` file; records without a body are skipped.

    Args:
        text: the file content, decoded as latin-1.

    Returns:
        The stories in file order.

    >>> parse_reuters_sgml('<REUTERS NEWID="1"><TEXT TYPE="BRIEF"><TITLE>X</TITLE></TEXT></REUTERS>')
    []
    """
    stories = []
    for m in _RECORD.finditer(text):
        attributes, record = m.groups()
        body_match = re.search(
            r"<BODY>(.*?)(?:</BODY>|</TEXT>|$)", record, re.DOTALL | re.IGNORECASE
        )
        if not body_match:
            continue
        paragraphs, tabular = _paragraphs(_unescape(body_match.group(1)))
        if not paragraphs:
            continue
        newid = _NEWID.search(attributes)
        stories.append(
            ReutersStory(
                newid=int(newid.group(1)) if newid else len(stories),
                date=_iso_date(_field(record, "DATE")),
                title=" ".join(_field(record, "TITLE").split()),
                dateline=" ".join(_field(record, "DATELINE").split()).rstrip(" -"),
                paragraphs=paragraphs,
                topics=tuple(_D_ITEM.findall(_field(record, "TOPICS"))),
                places=tuple(_D_ITEM.findall(_field(record, "PLACES"))),
                tabular=tabular,
            )
        )
    return stories


def is_reuters_folder(path: str | Path) -> bool:
    """Whether ``path`` is a folder holding Reuters-21578 ``reut2-*.sgm`` files.

    >>> is_reuters_folder("/nonexistent")
    False
    """
    folder = Path(path)
    return folder.is_dir() and any(folder.glob("reut2-*.sgm"))


def read_reuters(folder: str | Path) -> list[ReutersStory]:
    """Read every ``reut2-*.sgm`` file of a folder, in file-name order.

    Args:
        folder: the Reuters-21578 distribution folder.

    Returns:
        All stories with a body, in file and record order.

    Raises:
        InputError: the folder holds no ``reut2-*.sgm`` file.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "reut2-000.sgm").write_bytes(
    ...     b'<REUTERS NEWID="3"><TEXT><TITLE>T</TITLE><BODY>Caf\\xe9 sales.</BODY></TEXT></REUTERS>')
    >>> [s.paragraphs for s in read_reuters(d)]
    [('Café sales.',)]
    """
    files = sorted(Path(folder).glob("reut2-*.sgm"))
    if not files:
        raise InputError(
            f"no reut2-*.sgm files in {folder}",
            fix="point at the Reuters-21578 folder that holds reut2-000.sgm .. reut2-021.sgm",
        )
    stories: list[ReutersStory] = []
    for path in files:
        stories.extend(parse_reuters_sgml(path.read_text(encoding="latin-1")))
    return stories
