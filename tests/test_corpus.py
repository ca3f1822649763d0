"""Reading a corpus: folders, ids, skips, stdin, metadata, timestamps, errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from lineage.corpus import load_corpus, normalise_timestamp
from lineage.errors import InputError, LineageError

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS = FIXTURES / "formats"


def _tree_hash(folder: Path) -> str:
    """Names, contents and modes of every file and folder under ``folder`` (hidden ones too)."""
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode() + b"\0" + str(p.stat().st_mode).encode())
        if p.is_file():
            h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@pytest.fixture(scope="module")
def formats_corpus():
    return load_corpus([FORMATS])


def _skips(skipped):
    return {(Path(s.path).relative_to(FORMATS).as_posix(), s.line): s.reason for s in skipped}


# --- one messy folder -------------------------------------------------------------------------


def test_folder_ids_sorted(formats_corpus):
    docs, _ = formats_corpus
    assert [d.id for d in docs] == [
        "2015/story",  # stems clash: path under the folder, without suffix
        "2016/story",
        "article",  # .md
        "csv-1",  # CSV rows by id
        "csv-2",
        "json-1",  # .json
        "page",  # .html
        "records:3",  # a JSONL record without id: stem and line
        "wire-1",
    ]


def test_every_bad_input_is_skipped_and_listed_once(formats_corpus):
    _, skipped = formats_corpus
    skips = _skips(skipped)
    assert set(skips) == {
        ("broken.txt", None),
        ("download.html", None),
        ("empty.txt", None),
        ("no_text.csv", None),
        ("records.jsonl", 2),
        ("records.jsonl", 4),
        ("records.jsonl", 5),
        ("records.jsonl", 7),
    }
    assert skips[("empty.txt", None)] == "empty file"
    assert skips[("download.html", None)].startswith("not text: binary file")
    assert skips[("broken.txt", None)].startswith("not text:")
    assert skips[("records.jsonl", 2)].startswith("malformed JSON line")
    assert skips[("records.jsonl", 7)].startswith("duplicate id 'wire-1' (first seen in ")
    assert skips[("records.jsonl", 7)].endswith("records.jsonl:1)")
    assert "columns: id, headline, body" in skips[("no_text.csv", None)]


def test_unknown_suffixes_and_hidden_files_are_ignored_not_skipped(formats_corpus):
    docs, skipped = formats_corpus
    seen = {Path(d.path).name for d in docs} | {Path(s.path).name for s in skipped}
    assert {"logo.png", "scrape.log", ".hidden.txt", "stale.txt"}.isdisjoint(seen)
    assert all("must be ignored" not in d.text and "never be read" not in d.text for d in docs)


def test_duplicate_record_id_keeps_the_first(formats_corpus):
    docs, _ = formats_corpus
    wire = next(d for d in docs if d.id == "wire-1")
    assert wire.text.startswith("Kerry arrived in Moscow")
    assert wire.outlet == "Wire One"


def test_record_fields_become_document_metadata(formats_corpus):
    docs = {d.id: d for d in formats_corpus[0]}
    json1 = docs["json-1"]
    assert (json1.title, json1.outlet, json1.url, json1.published) == (
        "Lavrov and Kerry meet in Moscow",
        "Example Wire",
        "https://example.org/world/lavrov-kerry",
        "2015-12-15T07:00:00+00:00",
    )
    assert docs["csv-1"].published == "2015-12-15T14:00:00+00:00"
    assert docs["csv-2"].published == "2015-12-15T11:00:00"
    assert docs["wire-1"].published == "2015-12-15T08:30:00+00:00"
    assert docs["page"].outlet == "The Daily Ledger"
    assert docs["page"].title == "Kerry and Lavrov agree on Syria talks"
    assert docs["csv-1"].path.endswith("articles.csv")


def test_plain_text_is_kept_raw(formats_corpus):
    docs = {d.id: d for d in formats_corpus[0]}
    assert docs["2015/story"].text == (FORMATS / "2015" / "story.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("folder", ["formats", "mixed_encodings", "non_latin", "non_latin_copy"])
def test_input_files_are_never_modified(folder):
    root = FIXTURES / folder
    before = _tree_hash(FIXTURES)
    load_corpus([root])
    assert _tree_hash(FIXTURES) == before


def test_input_order_does_not_change_the_result():
    paths = [FORMATS / "record.json", FORMATS / "articles.csv", FORMATS / "2015" / "story.txt"]
    assert load_corpus(paths) == load_corpus(paths[::-1])


# --- ids --------------------------------------------------------------------------------------


def test_stem_clash_in_one_folder_uses_relative_paths(tmp_path):
    (tmp_path / "wires" / "afp").mkdir(parents=True)
    (tmp_path / "wires" / "reuters").mkdir()
    (tmp_path / "wires" / "afp" / "kerry.txt").write_text("AFP story on the Moscow talks.")
    (tmp_path / "wires" / "reuters" / "kerry.html").write_text(
        "<html><body><article><p>Reuters story on the Moscow talks, which lasted four hours and "
        "covered "
        "Syria and Ukraine, according to officials.</p></article></body></html>"
    )
    (tmp_path / "wires" / "lavrov.txt").write_text("A story with a stem of its own.")
    docs, skipped = load_corpus([tmp_path / "wires"])
    assert skipped == []
    assert [d.id for d in docs] == ["afp/kerry", "lavrov", "reuters/kerry"]


def test_stem_clash_across_two_input_folders_keeps_both(tmp_path):
    for outlet in ("afp", "reuters"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "story.txt").write_text(f"The {outlet} story on the Moscow talks.")
    for paths in (
        [tmp_path / "afp", tmp_path / "reuters"],
        [tmp_path / "afp" / "story.txt", tmp_path / "reuters" / "story.txt"],
    ):
        docs, skipped = load_corpus(paths)
        assert skipped == []
        assert [(d.id, d.text) for d in docs] == [
            ("afp/story", "The afp story on the Moscow talks."),
            ("reuters/story", "The reuters story on the Moscow talks."),
        ]


def test_same_stem_different_suffix_in_one_folder(tmp_path):
    (tmp_path / "story.txt").write_text("The plain text version of the story.")
    (tmp_path / "story.md").write_text("# The Markdown version\n\nOf the story.")
    docs, skipped = load_corpus([tmp_path])
    assert skipped == []
    assert [d.id for d in docs] == ["story.md", "story.txt"]


def test_same_file_given_twice_is_one_document(tmp_path):
    (tmp_path / "a.txt").write_text("One story about the talks.")
    docs, skipped = load_corpus([tmp_path, tmp_path / "a.txt"])
    assert [d.id for d in docs] == ["a"]
    assert [s.reason.split(" (")[0] for s in skipped] == ["duplicate id 'a'"]


def test_records_without_id_use_stem_and_line_and_blank_ids_count_as_missing(tmp_path):
    (tmp_path / "feed.jsonl").write_text(
        '{"text": "First record without an id."}\n\n'
        '{"id": "  ", "text": "Blank id."}\n'
        '{"id": " x9 ", "text": "Padded."}\n'
    )
    (tmp_path / "sheet.csv").write_text("id,text\n,A row without id.\nr2,A row with one.\n")
    docs, skipped = load_corpus([tmp_path])
    assert skipped == []
    assert [d.id for d in docs] == ["feed:1", "feed:3", "r2", "sheet:2", "x9"]


def test_record_files_with_clashing_stems_give_distinct_line_ids(tmp_path):
    for outlet in ("afp", "reuters"):
        (tmp_path / outlet).mkdir()
        (tmp_path / outlet / "feed.jsonl").write_text(f'{{"text": "The {outlet} record."}}\n')
    docs, skipped = load_corpus([tmp_path])
    assert skipped == []
    assert [d.id for d in docs] == ["afp/feed:1", "reuters/feed:1"]


def test_empty_documents_are_skipped(tmp_path):
    (tmp_path / "dashes.txt").write_text("— … —\n")
    (tmp_path / "recs.jsonl").write_text(
        '{"id": "e", "text": "   "}\n{"id": "ok", "text": "Words here."}\n'
    )
    docs, skipped = load_corpus([tmp_path])
    assert [d.id for d in docs] == ["ok"]
    assert sorted((Path(s.path).name, s.line, s.reason) for s in skipped) == [
        ("dashes.txt", None, "empty document (no words)"),
        ("recs.jsonl", 1, "empty document (no words)"),
    ]


def test_an_explicit_file_with_any_suffix_is_read_as_text(tmp_path):
    (tmp_path / "notes.log").write_text("A story saved with an odd suffix.")
    docs, _ = load_corpus([tmp_path / "notes.log"])
    assert [(d.id, d.text) for d in docs] == [("notes", "A story saved with an odd suffix.")]


def test_hidden_folder_given_explicitly_is_read(tmp_path):
    (tmp_path / ".corpus").mkdir()
    (tmp_path / ".corpus" / "a.txt").write_text("A story inside a hidden folder given by name.")
    docs, _ = load_corpus([tmp_path / ".corpus"])
    assert [d.id for d in docs] == ["a"]


# --- stdin ------------------------------------------------------------------------------------


def test_stdin_jsonl_with_dash():
    stream = io.StringIO('{"id": "s1", "text": "From stdin."}\nnot json\n{"text": "No id."}\n')
    docs, skipped = load_corpus(["-"], stdin=stream)
    assert [(d.id, d.path) for d in docs] == [("s1", "<stdin>"), ("stdin:3", "<stdin>")]
    assert [(s.path, s.line) for s in skipped] == [("<stdin>", 2)]


def test_stdin_together_with_a_folder_and_a_clashing_id():
    stream = io.StringIO(
        '{"id": "json-1", "text": "Same id as the .json file."}\n{"id": "s2", "text": "New."}\n'
    )
    docs, skipped = load_corpus([FORMATS, "-"], stdin=stream)
    ids = [d.id for d in docs]
    assert "s2" in ids and ids == sorted(ids)
    assert next(d for d in docs if d.id == "json-1").path.endswith("record.json")
    assert [(s.line, s.reason) for s in skipped if s.path == "<stdin>"] == [
        (1, f"duplicate id 'json-1' (first seen in {FORMATS / 'record.json'})")
    ]


# --- metadata ---------------------------------------------------------------------------------


@pytest.fixture()
def small_corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("# Original headline of a\n\nStory a about the talks.")
    (folder / "b.txt").write_text("Story b about the talks.")
    return folder


@pytest.mark.parametrize("name", ["metadata.csv", "metadata.jsonl"])
def test_metadata_fields_applied_and_unknown_ids_ignored(small_corpus, name):
    docs, _ = load_corpus([small_corpus], metadata=FIXTURES / "metadata" / name)
    a, b = docs
    assert (a.id, a.published, a.outlet, a.url, a.title) == (
        "a",
        "2015-12-15T07:00:00+00:00",
        "Wire One",
        "https://example.org/a",
        "Kerry and Lavrov meet in Moscow",
    )
    # b has only an outlet in the metadata: the other fields stay as read.
    assert (b.id, b.published, b.outlet, b.url, b.title) == ("b", None, "Wire Two", None, None)


def test_metadata_keeps_document_values_it_does_not_override(small_corpus, tmp_path):
    meta = tmp_path / "m.csv"
    meta.write_text("id,outlet,title\na,Wire,\n")
    (a, _), _ = load_corpus([small_corpus], metadata=meta)
    assert (a.outlet, a.title) == ("Wire", "Original headline of a")


def test_metadata_csv_with_extra_cells_and_a_bom(small_corpus, tmp_path):
    meta = tmp_path / "m.csv"
    meta.write_bytes(
        "\ufeffid,published\r\na,2015-12-15T10:00:00Z,an extra cell\r\n".encode("utf-8")
    )
    (a, _), _ = load_corpus([small_corpus], metadata=meta)
    assert a.published == "2015-12-15T10:00:00+00:00"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "m.csv",
            "doc,published\na,2015-12-15\n",
            "metadata CSV has no 'id' column (columns: doc, published)",
        ),
        (
            "m.jsonl",
            '{"doc": "a", "published": "2015-12-15"}\n',
            "no metadata record has an 'id' field",
        ),
        ("m.jsonl", '{"id": "a"}\n{"id": "b", \n', "m.jsonl:2: malformed metadata line"),
        ("m.jsonl", '["a", "2015-12-15"]\n', "m.jsonl:1: metadata line is not a JSON object"),
    ],
)
def test_bad_metadata_file_is_an_input_error(small_corpus, tmp_path, name, content, message):
    meta = tmp_path / name
    meta.write_text(content)
    with pytest.raises(InputError) as info:
        load_corpus([small_corpus], metadata=meta)
    assert message in str(info.value)
    assert str(meta) in str(info.value)
    assert info.value.fix


def test_missing_metadata_file(small_corpus, tmp_path):
    with pytest.raises(InputError, match="metadata file not found") as info:
        load_corpus([small_corpus], metadata=tmp_path / "nope.csv")
    assert str(tmp_path / "nope.csv") in str(info.value)


# --- timestamps -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2015-12-15T10:00:00+03:00", "2015-12-15T07:00:00+00:00"),
        ("2015-12-15T01:30:00+03:00", "2015-12-14T22:30:00+00:00"),  # crosses midnight
        ("2015-12-15T10:00:00Z", "2015-12-15T10:00:00+00:00"),
        ("2015-12-15T10:00:00.250Z", "2015-12-15T10:00:00.250000+00:00"),
        ("2015-12-15 09:00:00-05:00", "2015-12-15T14:00:00+00:00"),
        ("2015-12-15T10:00:00+0530", "2015-12-15T04:30:00+00:00"),
        ("  2015-12-15T10:00:00  ", "2015-12-15T10:00:00"),  # no zone: kept as given
        ("2015-12-15", "2015-12-15T00:00:00"),
        ("15-Dec-2015 11:00:00", "2015-12-15T11:00:00"),
        ("15-Dec-2015 11:00:00.50", "2015-12-15T11:00:00.500000"),
        ("2015/12/15 11:00", "2015-12-15T11:00:00"),
        ("2015/12/15", "2015-12-15T00:00:00"),
        ("yesterday", None),
        ("", None),
        (None, None),
        ("2015-13-45", None),
    ],
)
def test_normalise_timestamp(value, iso):
    assert normalise_timestamp(value) == iso


# --- errors -----------------------------------------------------------------------------------


def _error(paths, **kwargs) -> str:
    with pytest.raises(InputError) as info:
        load_corpus(paths, **kwargs)
    assert isinstance(info.value, LineageError)
    assert info.value.fix  # every input error proposes a fix
    return str(info.value)


def test_missing_path_names_it(tmp_path):
    missing = tmp_path / "no-such-folder"
    message = _error([missing])
    assert (
        str(missing) in message
        and "no such file or folder" in message
        and "check the path" in message
    )


def test_empty_folder_names_it_and_the_suffixes_to_use(tmp_path):
    message = _error([tmp_path])
    assert str(tmp_path) in message and "no readable files found" in message
    assert ".txt" in message and ".jsonl" in message


def test_folder_of_unknown_suffixes_counts_what_it_saw(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "b.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / ".hidden.txt").write_text("Hidden files do not count.")
    message = _error([tmp_path])
    assert str(tmp_path) in message and "2 other files seen" in message


def test_folder_of_only_unreadable_files_names_it_and_the_reasons(tmp_path):
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.md").write_bytes(b"")
    (tmp_path / "nothing.jsonl").write_text('{"id": "x", "body": "no text field"}\n')
    message = _error([tmp_path])
    assert f"nothing readable in {tmp_path}" in message
    assert "empty file" in message and "binary file" in message
    assert "JSONL/CSV records with a 'text' field" in message


def test_no_input_at_all():
    assert "no input given" in _error([])


def test_empty_stdin_is_nothing_readable():
    assert "nothing readable in -" in _error(["-"], stdin=io.StringIO(""))


def test_missing_path_among_good_ones_is_still_an_error(tmp_path):
    missing = tmp_path / "typo"
    assert str(missing) in _error([FORMATS, missing])


def test_input_error_message_is_one_line_for_the_cli(tmp_path):
    assert "\n" not in _error([tmp_path / "nope"])


def test_listing_a_folder_keeps_what_rglob_keeps_in_its_order(tmp_path):
    from lineage.corpus import files_under

    names = ["a/z.txt", "a-b/y.txt", "a b/x.txt", "A/w.txt", "b/.hidden/v.txt", ".git/u.txt", "c/.t.txt",
             "c/d/e/f.txt", "c/d.txt", "é/ü.txt", "x.txt", "x-y.txt", "x.y.txt"]
    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("words")
    (tmp_path / "link-to-file.txt").symlink_to(tmp_path / "x.txt")
    (tmp_path / "link-to-folder").symlink_to(tmp_path / "c", target_is_directory=True)
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere.txt")
    want = sorted(p for p in tmp_path.rglob("*") if p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(tmp_path).parts))
    assert files_under(tmp_path) == want
    assert tmp_path / "link-to-file.txt" in want and not any("link-to-folder" in str(p) for p in want)
