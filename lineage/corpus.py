"""Read a corpus: folders, files and stdin into sorted :class:`Document` values.

Supported inputs: ``.txt``/``.md`` (one document each), ``.html``/``.htm``
(main text extracted by trafilatura), ``.json`` (one record), ``.jsonl`` and
``.csv`` (one record per line/row with ``id``, ``text`` and optional
``title``, ``url``, ``outlet``, ``published``), and ``-`` for JSONL on stdin.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("One article about talks in Moscow.")
>>> _ = (d / "b.jsonl").write_text('{"id": "x1", "text": "A record."}\\n')
>>> docs, skipped = load_corpus([d])
>>> [doc.id for doc in docs], skipped
(['a', 'x1'], [])
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Callable, Iterable

from lineage import formats
from lineage.errors import InputError
from lineage.model import Document, Skipped

META_FIELDS = ("published", "outlet", "url", "title")


def load_corpus(
    paths: Iterable[str | os.PathLike[str]],
    *,
    metadata: str | os.PathLike[str] | None = None,
    stdin: IO[str] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[list[Document], list[Skipped]]:
    """Read every document under ``paths``; return documents sorted by id and skipped inputs.

    ``progress(stage, done, total)`` is called after each file is read.

    Raises :class:`InputError` for a missing path, an empty folder, or a corpus
    in which nothing is readable.
    """
    paths = [str(p) for p in paths]
    files = list_files(paths)
    raw_docs: list[RawRecord] = []
    skipped: list[Skipped] = []
    for done, (file, root) in enumerate(files, start=1):
        records, bad = read_file(file, root)
        if progress is not None:
            progress("read", done, len(files))
        skipped += bad
        raw_docs += records
    return finish_corpus(raw_docs, skipped, paths, metadata=metadata, stdin=stdin)


RawRecord = tuple[dict[str, str], "Path | None", "Path | None", "int | None"]
"""``(fields, file, root, line)``: one record as read, before ids are assigned."""


def list_files(paths: list[str]) -> list[tuple[Path, Path]]:
    """The readable files under ``paths`` (``-`` is skipped), each with the root it was found under.

    Raises :class:`InputError` for a missing path or a folder with nothing readable.
    """
    if not paths:
        raise InputError("no input given", fix="pass a folder or files, or - for JSONL on stdin")
    files: list[tuple[Path, Path]] = []  # (file, the root it was found under)
    for raw in paths:
        if raw == "-":
            continue
        path = Path(raw)
        if not path.exists():
            raise InputError(f"{raw}: no such file or folder", fix="check the path")
        if path.is_dir():
            found = files_under(path)
            usable = [p for p in found if p.suffix.lower() in formats.SUFFIXES]
            if not usable:
                raise InputError(
                    f"{raw}: no readable files found",
                    fix=f"put .txt, .md, .html, .json, .jsonl or .csv files there ({len(found)} other files seen)",
                )
            files += [(p, path) for p in usable]
        else:
            files.append((path, path.parent))
    return files


def read_file(file: Path, root: Path, data: bytes | None = None) -> tuple[list[RawRecord], list[Skipped]]:
    """The records of one file (its bytes read here unless given as ``data``) and what was skipped."""
    records, bad = _read_file(file, data)
    return [(fields, file, root, line) for fields, line in records], bad


def read_stdin(stdin: IO[str] | None = None) -> tuple[list[RawRecord], list[Skipped]]:
    """JSONL records from ``stdin`` (default: the process's standard input)."""
    stream = stdin if stdin is not None else sys.stdin
    records, bad = formats.parse_jsonl(stream.read(), "<stdin>")
    return [(fields, None, None, line) for fields, line in records], bad


def finish_corpus(raw_docs: list[RawRecord], skipped: list[Skipped], paths: list[str], *,
                  metadata: str | os.PathLike[str] | None = None,
                  stdin: IO[str] | None = None) -> tuple[list[Document], list[Skipped]]:
    """Ids, metadata and order for the records of the files, read in input order.

    When ``-`` is among ``paths``, JSONL records from ``stdin`` (default: the
    process's standard input) come after the files'. Every engine ends its
    reading here, so ids, duplicates and the document order are decided the
    same way whoever read the files.
    """
    if "-" in paths:
        records, bad = read_stdin(stdin)
        raw_docs, skipped = raw_docs + records, skipped + bad
    docs, more = _assign_ids(raw_docs)
    skipped = skipped + more
    if metadata is not None:
        docs = apply_metadata(docs, metadata)
    if not docs:
        reasons = "; ".join(s.describe() for s in skipped[:3])
        raise InputError(
            f"nothing readable in {', '.join(paths)}" + (f" ({reasons})" if reasons else ""),
            fix="give UTF-8 or single-byte text files, or JSONL/CSV records with a 'text' field",
        )
    return sorted(docs, key=lambda d: d.id), skipped


def files_under(root: Path) -> list[Path]:
    """The files under the folder ``root``, in path order, leaving out hidden ones (a name, or a
    folder on the way, starting with "."); symbolic links are followed to files, not into folders.

    What ``sorted(root.rglob("*"))`` keeps of files and non-hidden paths, in one ``os.scandir``
    per folder (pathlib's objects and comparisons took most of the time of listing 100,000 files).

    >>> import tempfile; d = Path(tempfile.mkdtemp())
    >>> for name in ("b/x.txt", "a-b/y.txt", "a/z.txt", ".git/c.txt", "a/.w.txt"):
    ...     (d / name).parent.mkdir(exist_ok=True); _ = (d / name).write_text("hi")
    >>> [p.relative_to(d).as_posix() for p in files_under(d)]
    ['a/z.txt', 'a-b/y.txt', 'b/x.txt']
    """
    found: list[tuple[tuple[str, ...], str]] = []
    todo: list[tuple[tuple[str, ...], str]] = [((), str(root))]
    while todo:
        parts, folder = todo.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:  # an unreadable folder is passed over, as rglob does
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                todo.append(((*parts, entry.name), entry.path))
            elif entry.is_file():
                found.append(((*parts, entry.name), entry.path))
    found.sort(key=lambda item: item[0])  # Path order: part by part
    return [Path(path) for _, path in found]


def _read_file(path: Path, data: bytes | None = None) -> tuple[list[formats.Record], list[Skipped]]:
    name = str(path)
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return [], [Skipped(name, f"cannot read ({exc.strerror})")]
    if not data.strip():
        return [], [Skipped(name, "empty file")]
    try:
        text, _encoding = formats.decode_bytes(data)
    except (formats.UndecodableError, UnicodeError) as exc:
        return [], [Skipped(name, f"not text: {exc}")]
    suffix = path.suffix.lower()
    if suffix in formats.HTML_SUFFIXES:
        records = formats.parse_html(text)
        return records, [] if records else [Skipped(name, "no main text found in the HTML page")]
    if suffix == ".json":
        return formats.parse_json(text, name)
    if suffix in {".jsonl", ".ndjson"}:
        return formats.parse_jsonl(text, name)
    if suffix == ".csv":
        return formats.parse_csv(text, name)
    return formats.parse_plain(text), []


def _assign_ids(
    raw: list[RawRecord]
) -> tuple[list[Document], list[Skipped]]:
    """File stem for plain files (relative path when stems clash), ``id`` field for records."""
    found = [(f, root) for _, f, root, _ in raw if f is not None and root is not None]
    names = _file_ids([(f, root) for f, root in found if _single(f)])
    prefixes = _file_ids([(f, root) for f, root in found if not _single(f)])
    docs: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for fields, file, root, line in raw:
        where = str(file) if file is not None else "<stdin>"
        if fields.get("id", "").strip():
            doc_id = fields["id"].strip()
        elif file is not None and file in names:
            doc_id = names[file]
        else:
            doc_id = f"{prefixes[file] if file is not None else 'stdin'}:{line}"
        text = fields.get("text", "")
        if not any(ch.isalnum() for ch in text):
            skipped.append(Skipped(where, "empty document (no words)", line))
            continue
        if doc_id in seen:
            skipped.append(Skipped(where, f"duplicate id {doc_id!r} (first seen in {seen[doc_id]})", line))
            continue
        seen[doc_id] = where + (f":{line}" if line else "")
        docs.append(
            Document(
                id=doc_id,
                text=text,
                path=where,
                title=fields.get("title"),
                outlet=fields.get("outlet"),
                url=fields.get("url"),
                published=normalise_timestamp(fields.get("published")),
            )
        )
    return docs, skipped


def _file_ids(files: list[tuple[Path, Path]]) -> dict[Path, str]:
    """A name for each file: its stem, or, among files whose stems clash, the shortest unique path.

    Tried in order: the path under the folder it was found in (``2015/story``),
    the path under the folders' common parent (two inputs ``a/`` and ``b/``
    holding ``story.txt`` give ``a/story`` and ``b/story``), the same with the
    suffix (``story.txt`` beside ``story.md``).
    """
    roots: dict[Path, Path] = {}
    for file, root in files:
        roots.setdefault(file, root)
    by_stem: dict[str, list[Path]] = {}
    for file in roots:
        by_stem.setdefault(file.stem, []).append(file)
    names: dict[Path, str] = {}
    for stem, group in by_stem.items():
        if len(group) == 1:
            names[group[0]] = stem
            continue
        base = Path(os.path.commonpath([str(f.absolute().parent) for f in group]))
        for name in (
            lambda f: f.relative_to(roots[f]).with_suffix("").as_posix(),
            lambda f: f.absolute().relative_to(base).with_suffix("").as_posix(),
            lambda f: f.absolute().relative_to(base).as_posix(),
        ):
            candidate = {f: name(f) for f in group}
            if len(set(candidate.values())) == len(group):
                break
        names.update(candidate)
    return names


def _single(path: Path) -> bool:
    """One document per file; like :func:`_read_file`, any suffix but a record format's."""
    return path.suffix.lower() not in formats.RECORD_SUFFIXES


def normalise_timestamp(value: str | None) -> str | None:
    """An ISO 8601 string (UTC when a zone is given), or None when unparseable.

    >>> normalise_timestamp("2015-12-15T10:00:00+03:00")
    '2015-12-15T07:00:00+00:00'
    >>> normalise_timestamp("2015-12-15"), normalise_timestamp("yesterday")
    ('2015-12-15T00:00:00', None)
    """
    if not value:
        return None
    text = value.strip().replace("Z", "+00:00") if value.strip().endswith("Z") else value.strip()
    try:
        stamp = datetime.fromisoformat(text)
    except ValueError:
        for pattern in ("%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
            try:
                stamp = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            return None
    if stamp.tzinfo is not None:
        stamp = stamp.astimezone(timezone.utc)
    return stamp.isoformat()


def apply_metadata(docs: list[Document], path: str | os.PathLike[str]) -> list[Document]:
    """Add ``published``, ``outlet``, ``url``, ``title`` from a CSV or JSONL file keyed by ``id``."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"{path}: metadata file not found", fix="check the --metadata path")
    try:
        text, _ = formats.decode_bytes(file.read_bytes())
    except (formats.UndecodableError, UnicodeError) as exc:
        raise InputError(f"{path}: metadata is not text ({exc})", fix="give a CSV or JSONL file") from None
    if file.suffix.lower() == ".csv":
        rows = _metadata_csv(text, str(file))
    else:
        rows = _metadata_jsonl(text, str(file))
    table: dict[str, dict[str, str]] = {}
    for fields in rows:
        if fields.get("id"):
            table[fields["id"]] = fields
    out = []
    for doc in docs:
        extra = table.get(doc.id)
        if not extra:
            out.append(doc)
            continue
        out.append(
            Document(
                id=doc.id,
                text=doc.text,
                path=doc.path,
                title=extra.get("title") or doc.title,
                outlet=extra.get("outlet") or doc.outlet,
                url=extra.get("url") or doc.url,
                published=normalise_timestamp(extra.get("published")) or doc.published,
            )
        )
    return out


def _metadata_csv(text: str, name: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
        if "id" not in header:
            raise InputError(
                f"{name}: metadata CSV has no 'id' column (columns: {', '.join(header) or 'none'})",
                fix="add an 'id' column naming each document",
            )
        # A row longer than the header puts its extra cells in a list under None.
        return [_meta_fields({k: v for k, v in row.items() if k is not None}) for row in reader]
    except csv.Error as exc:
        raise InputError(
            f"{name}:{reader.line_num}: malformed metadata CSV ({exc})",
            fix="quote fields that hold commas or line breaks",
        ) from None


def _metadata_jsonl(text: str, name: str) -> list[dict[str, str]]:
    """Metadata records need an ``id`` but, unlike documents, no ``text``."""
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{name}:{number}: malformed metadata line ({exc.msg})",
                fix="metadata must be a CSV with an 'id' column or JSONL objects with 'id'",
            ) from None
        if not isinstance(obj, dict):
            raise InputError(
                f"{name}:{number}: metadata line is not a JSON object",
                fix='write one object per line, e.g. {"id": "a", "published": "2015-12-15"}',
            )
        rows.append(_meta_fields(obj))
    if rows and not any("id" in row for row in rows):
        raise InputError(
            f"{name}: no metadata record has an 'id' field", fix="add an 'id' field naming each document"
        )
    return rows


def _meta_fields(obj: dict[str, object]) -> dict[str, str]:
    """``id`` and the metadata fields of one record, as stripped non-empty strings."""
    out = {}
    for key, value in obj.items():
        key = key.strip().lower()
        if key in ("id", *META_FIELDS) and value is not None and str(value).strip():
            out[key] = str(value).strip()
    return out
