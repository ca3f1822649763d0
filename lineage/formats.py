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
import unicodedata
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
# Languages charset-normalizer may detect that cp1252 cannot write, and letters their
# texts nearly always hold that cp1252 also has ("": none needed). It sometimes calls
# Italian read as cp1250 Slovak, so those languages must show their š or ž.
_CENTRAL = {"Polish": "", "Hungarian": "", "Romanian": "", "Czech": "šžŠŽ", "Slovak": "šžŠŽ",
            "Croatian": "šžŠŽ", "Slovene": "šžŠŽ", "Lithuanian": "šžŠŽ", "Estonian": "šžŠŽ"}


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
    if (
        encoding is None
        or encoding.lower().replace("-", "_") in _WESTERN
        or _mostly_latin(data)
        or _western_reads_as_well(data, best)
    ):
        # Western text: cp1252 decodes every latin-1 letter the same way and
        # also the typographic quotes and dashes in 0x80-0x9F.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"
    return str(best), encoding


def _western_reads_as_well(data: bytes, best: Any) -> bool:
    """True when cp1252 reads ``data`` as plausibly as the detected single-byte Latin code page.

    Detection often ranks cp1250 first on Western text, since both code pages
    hold the typographic quotes, dashes and most accented letters, and then
    reads ``ñ`` as ``ń``, ``à`` as ``ŕ``, ``è`` as ``č``. So the common Western code
    page wins unless the other reading has evidence: letters where cp1252 reads
    symbols (Polish ``ł`` ``ą`` ``ż`` read as ``³`` ``¹`` ``¿``), or a Central European
    language with its letters.
    """
    try:
        western = data.decode("cp1252")
        other = data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    if len(other) != len(data) or any(
        ch.isalpha() and not ch.isascii() and not unicodedata.name(ch, "").startswith("LATIN")
        for ch in other
    ):
        return False  # a multi-byte encoding or another script: detection knows better
    if sum(a.isalpha() - b.isalpha() for a, b in zip(western, other) if a != b) < 0:
        return False
    # A short text has no detected language; š or ž then still point to Central Europe.
    needs = _CENTRAL.get(best.language, "šžŠŽ" if best.language == "Unknown" else None)
    return needs is None or (needs != "" and not any(ch in needs for ch in other))


def _mostly_latin(data: bytes) -> bool:
    """True when high bytes are rare, as in Western European text."""
    high = sum(1 for b in data if b >= 0x80)
    return high <= max(2, len(data) // 50)


def parse_plain(text: str) -> list[Record]:
    """A plain-text or Markdown file is one record; its title is a short first line.

    >>> parse_plain("Talks end in Moscow\\n\\nBody text.")[0][0]["title"]
    'Talks end in Moscow'
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

    # No extensive date search: it guesses from a footer's "© 2015" (giving 2015-01-01)
    # or from any date in the text; only the page's own date markup and byline count.
    doc = trafilatura.bare_extraction(
        text, with_metadata=True, favor_recall=True,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
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
    """One JSON object per line; blank lines are ignored, bad lines skipped.

    Lines end at ``\\n`` only: JSON strings may hold U+2028 or U+0085 unescaped,
    which ``str.splitlines`` would split on.
    """
    records: list[Record] = []
    skipped: list[Skipped] = []
    for number, line in enumerate(text.split("\n"), start=1):
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
    """A CSV with a header row naming at least a ``text`` column; quoted text may span lines."""
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text)))  # the default 128 KiB cuts long articles
    try:
        return _parse_csv(text, path)
    finally:
        csv.field_size_limit(limit)


def _parse_csv(text: str, path: str) -> tuple[list[Record], list[Skipped]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        return [], [Skipped(path, f"malformed CSV header ({exc})", 1)]
    if "text" not in header:
        return [], [
            Skipped(path, f"CSV has no 'text' column (columns: {', '.join(header) or 'none'}); "
                    "rename the column holding the article text to 'text'")
        ]
    records: list[Record] = []
    skipped: list[Skipped] = []
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            obj = {k.strip().lower(): v for k, v in row.items() if k is not None}
            got, bad = _check_record(obj, path, number)
            records += got
            skipped += bad
    except csv.Error as exc:
        skipped.append(Skipped(path, f"malformed CSV, rest of file skipped ({exc})", number + 1))
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
