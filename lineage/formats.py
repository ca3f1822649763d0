"""Decode bytes and parse one input file into raw records.

A record is ``(fields, line)``: ``fields`` maps ``id``/``text``/``title``/...
to strings, ``line`` is the 1-based line (JSONL) or row (CSV) number, or None.
Problems with one record are returned as :class:`~lineage.model.Skipped`
values, never raised, so that one bad line does not stop a corpus.

>>> decode_bytes("café".encode("cp1252"))
('café', 'cp1252')
>>> recs, bad = parse_jsonl('{"id": "a", "text": "hi"}\\nnot json\\n', "x.jsonl")
>>> [r[0]["id"] for r in recs], bad[0].line
(['a'], 2)
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from lineage.model import Skipped

Record = tuple[dict[str, Any], "int | None"]

PLAIN_SUFFIXES = {".txt", ".md", ".text", ".markdown"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
RECORD_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
SUFFIXES = PLAIN_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES
FIELDS = ("id", "text", "title", "url", "outlet", "published")

# Single-byte Western encodings that charset detection confuses with each other
# on short texts; cp1252 is a superset of latin-1's printable range.
_WESTERN = {"cp1252", "latin_1", "iso8859_1", "iso8859_15", "windows-1252", "iso-8859-1"}


class UndecodableError(ValueError):
    """Raised by :func:`decode_bytes` for bytes that are not text."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode ``data`` as UTF-8 (with or without BOM), else by detection.

    Returns ``(text, encoding)``; raises :class:`UndecodableError` for binary data.

    >>> decode_bytes(b"\\xef\\xbb\\xbfhi")
    ('hi', 'utf-8-sig')
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:8192]:
        raise UndecodableError("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    encoding = best.encoding if best is not None else None
    if encoding is None or encoding.lower().replace("-", "_") in _WESTERN or _mostly_latin(data):
        # Western text: cp1252 decodes every latin-1 letter the same way and
        # also the typographic quotes and dashes in 0x80-0x9F.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    return str(best), encoding


def _mostly_latin(data: bytes) -> bool:
    """True when high bytes are rare, as in Western European text."""
    high = sum(1 for b in data if b >= 0x80)
    return high <= max(2, len(data) // 50)


def parse_plain(text: str) -> list[Record]:
    """A plain-text or Markdown file is one record; its title is a short first line.

    >>> parse_plain("Headline here\\n\\nBody text.")[0][0]["title"]
    'Headline here'
    """
    return [({"text": text, "title": guess_title(text)}, None)]


def guess_title(text: str) -> str | None:
    """The first line of three or more words if it looks like a headline (short, no final period).

    >>> guess_title("A long sentence that ends with a period.\\nMore")
    >>> guess_title("# Kerry meets Lavrov\\n\\ntext")
    'Kerry meets Lavrov'
    """
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if not line:
            continue
        if len(line.split()) < 3:
            continue  # "Share", "Advertisement", a lone byline: not a headline
        if len(line) <= 150 and not line.endswith((".", "\u3002", "\u06d4")):
            return line
        return None
    return None


def parse_html(text: str) -> list[Record]:
    """Extract the main text and metadata of an HTML page with trafilatura."""
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, favor_recall=True)
    if doc is None:
        return []
    fields = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    body = fields.get("text") or ""
    return [
        (
            {
                "text": body,
                "title": fields.get("title"),
                "outlet": fields.get("sitename") or fields.get("hostname"),
                "url": fields.get("url"),
                # htmldate falls back to today's date; only a date found in the page counts.
                "published": fields.get("date") if fields.get("date") != fields.get("filedate") else None,
            },
            None,
        )
    ]


def parse_json(text: str, path: str) -> tuple[list[Record], list[Skipped]]:
    """A ``.json`` file holds one record (an object with at least ``text``)."""
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Skipped(path, f"malformed JSON ({exc.msg} at line {exc.lineno})")]
    if not isinstance(obj, dict):
        return [], [Skipped(path, "a .json file must hold one object with a 'text' field")]
    return _check_record(obj, path, None)


def parse_jsonl(text: str, path: str) -> tuple[list[Record], list[Skipped]]:
    """One JSON object per line; blank lines are ignored, bad lines skipped."""
    records: list[Record] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(path, f"malformed JSON line ({exc.msg})", number))
            continue
        if not isinstance(obj, dict):
            skipped.append(Skipped(path, "line is not a JSON object", number))
            continue
        got, bad = _check_record(obj, path, number)
        records += got
        skipped += bad
    return records, skipped


def parse_csv(text: str, path: str) -> tuple[list[Record], list[Skipped]]:
    """A CSV with a header row naming at least a ``text`` column."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if "text" not in header:
        return [], [
            Skipped(path, f"CSV has no 'text' column (columns: {', '.join(header) or 'none'}); "
                    "rename the column holding the article text to 'text'")
        ]
    records: list[Record] = []
    skipped: list[Skipped] = []
    for number, row in enumerate(reader, start=2):
        obj = {(k or "").strip().lower(): v for k, v in row.items()}
        got, bad = _check_record(obj, path, number)
        records += got
        skipped += bad
    return records, skipped


def _check_record(obj: dict[str, Any], path: str, line: int | None) -> tuple[list[Record], list[Skipped]]:
    text = obj.get("text")
    if not isinstance(text, str):
        return [], [Skipped(path, "record has no string 'text' field", line)]
    fields: dict[str, Any] = {}
    for name in FIELDS:
        value = obj.get(name)
        if value is None or value == "":
            continue
        fields[name] = value if isinstance(value, str) else str(value)
    return [(fields, line)], []
