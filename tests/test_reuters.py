"""Tests for lineage.reuters (the Reuters-21578 SGML reader), on an inline fixture."""

from __future__ import annotations

import pytest

from lineage.errors import InputError
from lineage.reuters import is_reuters_folder, parse_reuters_sgml, read_reuters
from lineage.synth_base import load_bases

# Three records as they appear in reut2-*.sgm: a normal story with control-character entities,
# an escaped ticker and an indented paragraph layout; a BRIEF record with no body; a table.
BODY_LINES = "\n".join(
    [
        "Showers continued throughout the week in",
        "the Bahia cocoa zone, alleviating the drought since early",
        "January, Comissaria Smith &lt;CSM> said in its weekly review.",
        "    The dry period means the temporao will be late this year.",
        "    Arrivals for the week ended February 22 were 155,221 bags",
        "of 60 kilos making a cumulative total for the season of 5.93",
        "mln against 5.81 at the same stage last year.",
        " Reuter",
        "&#3;",
    ]
)
SGML = f"""<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" OLDID="5544" NEWID="1">
<DATE>26-FEB-1987 15:01:01.79</DATE>
<TOPICS><D>cocoa</D></TOPICS>
<PLACES><D>el-salvador</D><D>usa</D></PLACES>
<UNKNOWN> &#5;&#5;&#5;C T
&#22;&#22;&#1;f0704&#31;reute
u f BC-BAHIA-COCOA-REVIEW   02-26 0105</UNKNOWN>
<TEXT>&#2;
<TITLE>BAHIA COCOA &lt;CSM> REVIEW</TITLE>
<DATELINE>    SALVADOR, Feb 26 - </DATELINE><BODY>{BODY_LINES}</BODY></TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="2">
<DATE>26-FEB-1987 15:02:20.00</DATE>
<TEXT TYPE="BRIEF">&#2;
******<TITLE>STANDARD OIL &lt;SRD> TO FORM FINANCIAL UNIT</TITLE>
</TEXT>
</REUTERS>
<REUTERS TOPICS="NO" NEWID="3">
<DATE>not a date</DATE>
<TEXT><TITLE>FED WEEKLY REPORT</TITLE><BODY>Two weeks ended Feb 25
 Net free reserves.............644 vs.....1,337
 Bank borrowings...............680 vs.......425
 Including seasonal loans.......81 vs........56
 Reuter
&#3;</BODY></TEXT>
</REUTERS>
"""


def test_parse_keeps_body_records_and_their_fields() -> None:
    stories = parse_reuters_sgml(SGML)
    assert [s.newid for s in stories] == [1, 3]  # the BRIEF record has no body
    cocoa = stories[0]
    assert cocoa.title == "BAHIA COCOA <CSM> REVIEW"
    assert cocoa.date == "1987-02-26T15:01:01Z"
    assert cocoa.dateline == "SALVADOR, Feb 26"
    assert cocoa.topics == ("cocoa",) and cocoa.places == ("el-salvador", "usa")
    assert not cocoa.tabular


def test_body_is_reflowed_into_paragraphs_without_sign_off_or_control_characters() -> None:
    cocoa = parse_reuters_sgml(SGML)[0]
    assert cocoa.paragraphs == (
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
        "since early January, Comissaria Smith <CSM> said in its weekly review.",
        "The dry period means the temporao will be late this year.",
        "Arrivals for the week ended February 22 were 155,221 bags of 60 kilos making a cumulative "
        "total for the season of 5.93 mln against 5.81 at the same stage last year.",
    )
    assert "Reuter" not in cocoa.body and "\x03" not in cocoa.body
    assert cocoa.body.count("\n\n") == 2


def test_tables_are_flagged_and_bad_dates_become_none() -> None:
    table = parse_reuters_sgml(SGML)[1]
    assert table.tabular
    assert table.date is None


def test_read_reuters_decodes_latin1_files_in_name_order(tmp_path) -> None:
    (tmp_path / "reut2-001.sgm").write_bytes(
        b'<REUTERS NEWID="9"><TEXT><TITLE>B</TITLE><BODY>Second file.</BODY></TEXT></REUTERS>'
    )
    (tmp_path / "reut2-000.sgm").write_bytes(
        b'<REUTERS NEWID="8"><TEXT><TITLE>A</TITLE><BODY>Caf\xe9 au lait.</BODY></TEXT></REUTERS>'
    )
    assert is_reuters_folder(tmp_path)
    stories = read_reuters(tmp_path)
    assert [(s.newid, s.body) for s in stories] == [(8, "Café au lait."), (9, "Second file.")]


def test_folder_without_sgm_files_is_an_input_error(tmp_path) -> None:
    assert not is_reuters_folder(tmp_path)
    with pytest.raises(InputError, match="reut2-"):
        read_reuters(tmp_path)


def test_load_bases_reads_reuters_folders_skipping_tables_and_short_stories(tmp_path) -> None:
    (tmp_path / "reut2-000.sgm").write_text(SGML, encoding="latin-1")
    bases = load_bases([tmp_path], min_words=40)
    assert [b.source for b in bases] == ["reuters:1"]
    assert (
        bases[0].paragraphs[0].startswith("SALVADOR, Feb 26 - Showers")
    )  # dateline leads the story
    assert bases[0].topics == ("cocoa",)
    assert bases[0].published is not None and bases[0].published.year == 1987
