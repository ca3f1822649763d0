"""Decoding bytes and parsing one file: encodings, Markdown, HTML, JSON, JSONL, CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage import formats
from lineage.corpus import load_corpus
from lineage.formats import (
    UndecodableError,
    decode_bytes,
    guess_title,
    parse_csv,
    parse_html,
    parse_jsonl,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures"
MIXED = FIXTURES / "mixed_encodings"
EXPECTED = json.loads((FIXTURES / "mixed_encodings.expected.json").read_text(encoding="utf-8"))


# --- encodings -------------------------------------------------------------------------------


def test_mixed_encoding_fixtures_hold_the_expected_bytes():
    """The oracle is honest: each file is exactly its text in its encoding."""
    assert sorted(p.name for p in MIXED.iterdir()) == sorted(EXPECTED)
    for name, want in EXPECTED.items():
        assert (MIXED / name).read_bytes() == want["text"].encode(want["encoding"]), name
    assert any(0x80 <= b <= 0x9F for b in (MIXED / "cp1252.txt").read_bytes())
    assert not any(0x80 <= b <= 0x9F for b in (MIXED / "latin1.txt").read_bytes())
    assert all(
        len(EXPECTED[n]["text"].split()) >= 60 for n in ("utf8.txt", "cp1252.txt", "latin1.txt")
    )


def test_load_corpus_decodes_every_encoding_exactly():
    docs, skipped = load_corpus([MIXED])
    assert skipped == []
    assert {d.id: d.text for d in docs} == {Path(n).stem: e["text"] for n, e in EXPECTED.items()}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_decode_bytes_on_each_fixture(name):
    text, encoding = decode_bytes((MIXED / name).read_bytes())
    assert text == EXPECTED[name]["text"]
    if name.startswith("utf"):
        assert encoding == EXPECTED[name]["encoding"]


SHORT = [
    "The café on Main Street closed early on Sunday.",
    "Officials in Zürich confirmed the decision yesterday.",
    "The mayor of A Coruña said the port would reopen.",
    "Police said the suspect fled toward Malmö by train.",
    "The Hauptstraße was closed for the parade.",
    "Prices rose by €3 overnight.",
    "He said “no” and left.",
    "The price — as ever — went up.",
    "Señor García said “no” to the plan.",
    "El niño dijo “sí” — y se fue.",
    "He ordered à la carte, as usual.",
]


def _representable(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize(
    ("text", "encoding"),
    [(t, e) for t in SHORT for e in ("cp1252", "latin-1") if _representable(t, e)],
)
def test_short_western_sentences_decode_exactly(text, encoding):
    assert decode_bytes(text.encode(encoding))[0] == text


WESTERN_PARAGRAPHS = [
    "Le ministre a déclaré mercredi que les négociations se poursuivraient à Genève : « nous "
    "sommes "
    "optimistes », a-t-il ajouté. L’opposition a dénoncé un « échec ».",
    "Der Außenminister sagte am Mittwoch, die Gespräche würden nächste Woche in Genf fortgesetzt – "
    "„wir sind zuversichtlich“, so Müller.",
    "El ministro dijo el miércoles que las negociaciones continuarán en Ginebra: “somos "
    "optimistas”, "
    "añadió. La oposición habló de un fracaso — otro más.",
    "O ministro disse na quarta-feira que as negociações continuarão em Genebra: “estamos "
    "otimistas”, "
    "acrescentou. A oposição falou de um fracasso — mais um. Não há solução à vista.",
    "Il ministro ha detto mercoledì che i negoziati continueranno a Ginevra: “siamo ottimisti”, ha "
    "aggiunto. L’opposizione ha parlato di un fallimento — l’ennesimo. Più tardi è arrivato il "
    "comunicato.",
    "De minister zei woensdag dat de onderhandelingen in Genève worden voortgezet: „we zijn "
    "optimistisch”, voegde hij eraan toe. Café’s bleven open — tot één uur.",
    "Ministeri sanoi keskiviikkona, että neuvottelut jatkuvat Genevessä ensi viikolla: ”olemme "
    "optimistisia”, hän lisäsi. Oppositio puhui epäonnistumisesta – jälleen kerran.",
    "El ministre va dir dimecres que les negociacions continuaran a Ginebra: «som optimistes», va "
    "afegir. L’oposició va parlar d’un fracàs — un altre. Més tard va arribar el comunicat.",
]


@pytest.mark.parametrize(
    "text", WESTERN_PARAGRAPHS, ids=["fr", "de", "es", "pt", "it", "nl", "fi", "ca"]
)
def test_western_paragraphs_with_typographic_quotes_decode_as_cp1252(text):
    """Detection ranks cp1250 first on these (reading ñ as ń, è as č); cp1252 must win."""
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (
            "Minister spraw zagranicznych Polski powiedział w środę, że rozmowy będą kontynuowane.",
            "cp1250",
        ),
        (
            "Minister spraw zagranicznych Polski powiedział w środę, że rozmowy będą kontynuowane.",
            "iso8859_2",
        ),
        ("Powiedział, że wróci jutro.", "cp1250"),
        (
            "Ministr zahraničí v úterý řekl, že jednání budou pokračovat příští týden v Ženevě. "
            "„Jsme "
            "optimisté,“ dodal. Opozice hovořila o neúspěchu.",
            "cp1250",
        ),
        ("Řekl, že přijde zítra.", "cp1250"),
        (
            "Minister zahraničných vecí v utorok povedal, že rokovania budú pokračovať budúci "
            "týždeň v "
            "Ženeve. „Sme optimisti,“ dodal.",
            "cp1250",
        ),
        (
            "A külügyminiszter szerdán azt mondta, hogy a tárgyalások jövő héten folytatódnak "
            "Genfben. "
            "„Optimisták vagyunk” – tette hozzá. Az ellenzék kudarcról beszélt.",
            "cp1250",
        ),
        (
            "Ministar vanjskih poslova rekao je u srijedu da će se pregovori nastaviti sljedeći "
            "tjedan u "
            "Ženevi. „Optimistični smo”, dodao je. Oporba je govorila o neuspjehu.",
            "cp1250",
        ),
        (
            "Министр иностранных дел России заявил в среду, что переговоры продолжатся в Женеве.",
            "cp1251",
        ),
        (
            "Министр иностранных дел России заявил в среду, что переговоры продолжатся в Женеве.",
            "koi8_r",
        ),
        ("Ο υπουργός Εξωτερικών δήλωσε την Τετάρτη ότι οι συνομιλίες θα συνεχιστούν.", "cp1253"),
        ("外交部长表示谈判将继续进行。", "gb18030"),
    ],
    ids=[
        "pl",
        "pl-iso",
        "pl-short",
        "cs",
        "cs-short",
        "sk",
        "hu",
        "hr",
        "ru",
        "ru-koi8",
        "el",
        "zh",
    ],
)
def test_other_encodings_still_detected(text, encoding):
    """Preferring cp1252 must not capture text that another code page reads better."""
    assert decode_bytes(text.encode(encoding))[0] == text


def test_utf16_both_byte_orders():
    text = "Talks in Genève “went well”, officials said."
    assert decode_bytes(b"\xff\xfe" + text.encode("utf-16-le"))[0] == text
    assert decode_bytes(b"\xfe\xff" + text.encode("utf-16-be"))[0] == text


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",  # an image
        b"plain start\x00\x00\x00 then NULs",
        b"\xef\xbb\xbfBOM then \xff\xfe not UTF-8",
        b"\xff\xfeA\x00B",  # UTF-16 with an odd byte count
    ],
)
def test_binary_or_undecodable_bytes_raise(data):
    with pytest.raises((UndecodableError, UnicodeError)):
        decode_bytes(data)


# --- plain text and Markdown ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("# Kerry meets Lavrov in Moscow\n\nBody.", "Kerry meets Lavrov in Moscow"),
        ("Share\n\nKerry meets Lavrov in Moscow\n\nBody.", "Kerry meets Lavrov in Moscow"),
        ("Kerry met Lavrov in Moscow on Tuesday for talks.\nMore.", None),
        ("   \n\n", None),
        ("Переговоры в Москве продолжатся\n\nТекст.", "Переговоры в Москве продолжатся"),
        ("莫斯科会谈结束。\n正文", None),  # one "word" and a final full stop
        ("x " * 100, None),  # too long for a headline
    ],
)
def test_guess_title(text, title):
    assert guess_title(text) == title


def test_markdown_file_is_one_document_with_its_heading_as_title():
    docs, _ = load_corpus([FIXTURES / "formats" / "article.md"])
    assert [d.id for d in docs] == ["article"]
    assert docs[0].title == "Kerry and Lavrov narrow differences on Syria"
    assert docs[0].text == (FIXTURES / "formats" / "article.md").read_text(encoding="utf-8")


# --- HTML -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def page():
    ((fields, line),) = parse_html((FIXTURES / "formats" / "page.html").read_text(encoding="utf-8"))
    assert line is None
    return fields


def test_html_main_text_is_extracted(page):
    assert page["text"].startswith("Kerry and Lavrov agree on Syria talks")
    assert "narrowed their differences over how to end the war in Syria" in page["text"]
    assert page["text"].rstrip().endswith("the future of President Bashar al-Assad.")
    assert "<p>" not in page["text"]


@pytest.mark.parametrize(
    "boilerplate",
    [
        "Subscribe",
        "newsletter",
        "Home",
        "Most read",
        "recipes",
        "Privacy",
        "Cookie",
        "rights reserved",
    ],
)
def test_html_navigation_and_footer_are_dropped(page, boilerplate):
    assert boilerplate not in page["text"]


def test_html_metadata(page):
    assert page["title"] == "Kerry and Lavrov agree on Syria talks"  # not "... | The Daily Ledger"
    assert page["outlet"] == "The Daily Ledger"
    assert page["published"] == "2015-12-15"


def test_html_without_a_date_gets_none_not_a_guess():
    """A footer's copyright year is not a publication date (htmldate would say 2015-01-01)."""
    html = (FIXTURES / "formats" / "page.html").read_text(encoding="utf-8")
    html = html.replace(
        '<meta property="article:published_time" content="2015-12-15T10:00:00+03:00">', ""
    )
    ((fields, _),) = parse_html(html)
    assert fields["published"] is None
    assert "narrowed their differences" in fields["text"]


def test_html_without_main_text_is_skipped(tmp_path):
    (tmp_path / "blank.html").write_text("<html><head><title>x</title></head><body></body></html>")
    (tmp_path / "real.txt").write_text("A real article about the talks.")
    docs, skipped = load_corpus([tmp_path])
    assert [d.id for d in docs] == ["real"]
    assert [(Path(s.path).name, s.reason) for s in skipped] == [
        ("blank.html", "no main text found in the HTML page")
    ]


# --- JSON and JSONL ---------------------------------------------------------------------------


def test_json_file_holds_one_record():
    records, bad = formats.parse_json(
        (FIXTURES / "formats" / "record.json").read_text(), "record.json"
    )
    assert bad == []
    assert records == [
        (
            {
                "id": "json-1",
                "title": "Lavrov and Kerry meet in Moscow",
                "url": "https://example.org/world/lavrov-kerry",
                "outlet": "Example Wire",
                "published": "2015-12-15T10:00:00+03:00",
                "text": "Russian Foreign Minister Sergei Lavrov met Secretary of State John "
                "Kerry in Moscow "
                "on Tuesday for talks on Syria and Ukraine.",
            },
            None,
        )
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"id": "a", "text": ', "malformed JSON"),
        ('[{"id": "a", "text": "x"}]', "must hold one object"),
        ('{"id": "a", "body": "x"}', "no string 'text' field"),
        ('{"id": "a", "text": 42}', "no string 'text' field"),
    ],
)
def test_bad_json_file_is_one_skip(text, reason):
    records, bad = formats.parse_json(text, "x.json")
    assert records == []
    assert len(bad) == 1 and reason in bad[0].reason and bad[0].path == "x.json"


def test_jsonl_malformed_line_skipped_with_its_number_rest_kept():
    text = (FIXTURES / "formats" / "records.jsonl").read_text(encoding="utf-8")
    records, bad = parse_jsonl(text, "records.jsonl")
    assert [(fields.get("id"), line) for fields, line in records] == [
        ("wire-1", 1),
        (None, 3),
        ("wire-1", 7),
    ]
    assert [(s.line, s.reason.split(" (")[0]) for s in bad] == [
        (2, "malformed JSON line"),
        (4, "line is not a JSON object"),
        (5, "record has no string 'text' field"),
    ]


def test_jsonl_values_are_strings_and_empty_fields_dropped():
    records, _ = parse_jsonl(
        '{"id": 7, "text": "x y", "title": "", "published": null, "extra": 1}\n', "a.jsonl"
    )
    assert records == [({"id": "7", "text": "x y"}, 1)]


def test_jsonl_line_separator_inside_a_string_does_not_split_the_record():
    """JSON allows U+2028 and U+0085 unescaped in strings; str.splitlines breaks on them."""
    text = "First paragraph.\u2028Second paragraph\x85with a NEL."
    data = (
        json.dumps({"id": "a", "text": text}, ensure_ascii=False)
        + "\r\n"
        + '{"id": "b", "text": "ok"}\r\n'
    )
    records, bad = parse_jsonl(data, "a.jsonl")
    assert bad == []
    assert [(r["id"], r["text"], line) for r, line in records] == [("a", text, 1), ("b", "ok", 2)]


# --- CSV --------------------------------------------------------------------------------------


def test_csv_quoted_multiline_text_and_escaped_quotes():
    records, bad = parse_csv(
        (FIXTURES / "formats" / "articles.csv").read_text(encoding="utf-8"), "articles.csv"
    )
    assert bad == []
    assert [r["id"] for r, _ in records] == ["csv-1", "csv-2"]
    first = records[0][0]
    assert first["text"] == (
        "Kerry and Lavrov met in Moscow.\n\n"
        'The talks, which lasted four hours, covered Syria, Ukraine and "practical steps" on '
        "terrorism."
    )
    assert (first["title"], first["outlet"], first["published"]) == (
        "Talks in Moscow",
        "Wire Three",
        "2015-12-15 09:00:00-05:00",
    )


def test_csv_without_text_column_names_the_columns_and_the_fix():
    records, bad = parse_csv(
        (FIXTURES / "formats" / "no_text.csv").read_text(encoding="utf-8"), "no_text.csv"
    )
    assert records == []
    (skip,) = bad
    assert "columns: id, headline, body" in skip.reason
    assert "rename the column holding the article text to 'text'" in skip.reason


def test_csv_header_case_and_spaces_and_ragged_rows():
    data = " ID , Text ,Outlet\r\na,Alpha text here,Wire\r\nb,Beta text,Wire,an extra cell\r\nc\r\n"
    records, bad = parse_csv(data, "x.csv")
    assert [(r["id"], r["text"], r["outlet"], line) for r, line in records] == [
        ("a", "Alpha text here", "Wire", 2),
        ("b", "Beta text", "Wire", 3),
    ]
    assert [(s.line, s.reason) for s in bad] == [(4, "record has no string 'text' field")]


def test_csv_with_a_field_longer_than_the_csv_module_default_limit():
    """csv's default 128 KiB field limit must not turn a long article into a traceback."""
    long_text = "word " * 40_000
    records, bad = parse_csv(f'id,text\na,"{long_text}"\nb,short\n', "x.csv")
    assert bad == []
    assert [(r["id"], len(r["text"])) for r, _ in records] == [("a", len(long_text)), ("b", 5)]


def test_csv_with_carriage_return_line_ends():
    records, bad = parse_csv('id,text\ra,"one\rtwo"\rb,three\r', "x.csv")
    assert bad == []
    assert [(r["id"], r["text"]) for r, _ in records] == [("a", "one\rtwo"), ("b", "three")]
