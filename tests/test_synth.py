"""Tests for the synthetic corpus generator: operators, provenance, outlets, corpus and truth."""

from __future__ import annotations

import json
import random
import re
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from lineage import synth_ops as ops
from lineage.cli_quality import synth as synth_cmd
from lineage.errors import ConfigError, InputError, OutputError
from lineage.evaluate import evaluate, lineage_from_truth, load_truth, truth_forest
from lineage.synth import synthesize
from lineage.synth_render import Outlet, make_outlets, render
from lineage.synth_text import Piece, content_from_text, layout, shared_spans

LEAD = "LONDON, March 3 - Acme Corp said it would buy the color printer unit of Bolt Inc for 12 mln dlrs."
STORY = [
    LEAD,
    'Acme said the deal was "a very good fit for our growing business in Europe," a spokesman said.',
    "The company expects five new plants to open, lifting output 7 pct next year.",
    "Analysts said the price was fair and shares of Bolt rose sharply in early trading.",
    "The unit had sales of 40 mln dlrs last year and employs about 300 people.",
]


def story(origin: str = "b1") -> ops.Content:
    return content_from_text("ACME TO BUY BOLT UNIT", STORY, origin)


def same_origin_text(child: ops.Content, parent: ops.Content) -> list[str]:
    """Texts of the child's paragraphs made only of the parent's pieces."""
    parent_origins = {p.origin for para in parent.paragraphs for p in para}
    return [
        t
        for para, t in zip(child.paragraphs, child.texts)
        if all(p.origin in parent_origins for p in para)
    ]


# --- structural operators -------------------------------------------------------------------


def test_excerpt_keeps_the_lead_and_cuts_at_a_paragraph_boundary() -> None:
    for seed in range(20):
        cut = ops.excerpt(story(), random.Random(seed))
        k = len(cut.paragraphs)
        assert 2 <= k < len(STORY)
        assert cut.paragraphs == story().paragraphs[:k]
        assert cut.texts[0] == LEAD


def test_excerpt_does_not_apply_to_short_stories() -> None:
    assert ops.excerpt(content_from_text("T", STORY[:2], "b"), random.Random(0)) is None


def test_expansion_inserts_donor_paragraphs_after_the_lead_keeping_the_story_in_order() -> None:
    donor = content_from_text(
        "OTHER", ["Donor lead.", "Donor one.", "Donor two.", "Donor three."], "d"
    )
    for seed in range(20):
        grown = ops.expand(story(), random.Random(seed), donor.paragraphs)
        added = [t for t in grown.texts if t.startswith("Donor")]
        assert 1 <= len(added) <= 3 and "Donor lead." not in added
        assert grown.texts[0] == LEAD
        assert [t for t in grown.texts if not t.startswith("Donor")] == STORY


def test_commentary_adds_one_marked_paragraph_of_new_text() -> None:
    base = story()
    commented = ops.add_commentary(base, random.Random(4), tag="w")
    new = [t for t in commented.texts if t not in STORY]
    assert len(new) == 1 and len(commented.texts) == len(STORY) + 1
    assert new[0].split(":")[0] + ":" in {m.split(":")[0] + ":" for m in ops.tables.COMMENT_MARKERS}
    comment_para = commented.paragraphs[commented.texts.index(new[0])]
    assert all(p.origin.startswith("w.") for p in comment_para)  # fresh text, not the parent's


def test_appended_story_follows_the_whole_article() -> None:
    other = content_from_text("OTHER STORY", ["Other lead here.", "Other body here."], "o")
    joined = ops.append_story(story(), random.Random(1), tag="w", other=other)
    assert joined.texts[: len(STORY)] == STORY
    assert joined.texts[-2:] == ["Other lead here.", "Other body here."]


def test_rewrite_changes_headline_and_first_sentence_and_keeps_the_rest() -> None:
    for seed in range(10):
        new = ops.rewrite_lead(story(), random.Random(seed), tag="w")
        assert new.title.text != "ACME TO BUY BOLT UNIT"
        assert not new.texts[0].startswith("LONDON, March 3")  # rewritten leads drop the dateline
        assert new.texts[0] != LEAD
        assert new.texts[1:] == STORY[1:]


def test_credit_names_the_outlet_in_a_closing_line() -> None:
    credited = ops.add_credit(story(), random.Random(0), tag="w", outlet="Market Newswire")
    assert "Market Newswire" in credited.texts[-1] and credited.texts[:-1] == STORY


# --- word-level operators -------------------------------------------------------------------


def test_copyedit_applies_a_uk_house_style() -> None:
    style = ops.HouseStyle(
        spelling="uk",
        quotes="curly",
        numerals="digits",
        percent="per cent",
        wire_abbreviations=False,
    )
    edited = ops.copyedit(story(), style, tag="w").texts
    assert "colour printer" in edited[0] and "$12 million" in edited[0]
    assert "\u201ca very good fit" in edited[1] and "Europe,\u201d" in edited[1]
    assert "5 new plants" in edited[2] and "7 per cent" in edited[2]


def test_copyedit_back_to_us_style_and_spelled_numerals() -> None:
    uk = content_from_text(
        "T", ["The \u2018organisation\u2019 cut 5 jobs in the centre, 3 per cent of staff."], "b"
    )
    style = ops.HouseStyle(
        spelling="us", quotes="straight", numerals="words", percent="%", wire_abbreviations=True
    )
    assert ops.copyedit(uk, style, tag="w").texts == [
        "The 'organization' cut five jobs in the center, 3% of staff."
    ]


def test_copyedit_leaves_text_in_house_style_untouched() -> None:
    assert ops.copyedit(story(), ops.WIRE_STYLE, tag="w") == story()


def test_spin_rate_one_replaces_table_words_and_rate_zero_none() -> None:
    base = story()
    assert ops.spin(base, random.Random(0), tag="w", rate=0.0) == base
    spun = ops.spin(base, random.Random(0), tag="w", rate=1.0)
    assert " said " not in spun.texts[0] and "company" not in spun.texts[2]
    assert spun.title.text != base.title.text  # "BUY" is spun too


def test_spun_text_is_one_inexact_case_and_copied_text_an_exact_one() -> None:
    base = story()
    spun = ops.spin(base, random.Random(0), tag="w", rate=1.0)
    spans = shared_spans(layout(base.paragraphs), layout(spun.paragraphs))
    assert spans and not any(s.exact for s in spans)
    same = shared_spans(layout(base.paragraphs), layout(base.paragraphs))
    assert len(same) == 1 and same[0].exact and same[0].a == (0, len(layout(base.paragraphs).text))


def test_shared_spans_break_at_inserted_boilerplate() -> None:
    a = layout(story().paragraphs)
    blocks = list(story().paragraphs)
    blocks.insert(2, (Piece("Advertisement"),))
    b = layout(blocks)
    spans = shared_spans(a, b)
    assert len(spans) == 2 and all(s.exact for s in spans)
    for s in spans:
        assert a.text[s.a[0] : s.a[1]] == b.text[s.b[0] : s.b[1]]


# --- outlets --------------------------------------------------------------------------------


def test_outlet_boilerplate_recurs_and_never_counts_as_shared_text() -> None:
    outlets = make_outlets(random.Random(3))
    farm: Outlet = outlets["farm"][0]
    when = datetime(1987, 3, 3)
    one = render(story("x"), farm, when, random.Random(1))
    two = render(story("y"), farm, when, random.Random(2))
    for line in farm.header + tuple(f.replace("{year}", "1987") for f in farm.footer):
        assert line in one.text and line in two.text
    assert "Advertisement" in one.text
    assert shared_spans(one, two) == []  # different stories: boilerplate alone is no reuse


# --- whole corpora --------------------------------------------------------------------------


def write_bases(folder: Path, n: int = 120, seed: int = 7) -> Path:
    """``n`` distinct pseudo-articles with quotes, numbers and wire abbreviations."""
    rng = random.Random(seed)
    syllables = [
        "ka",
        "to",
        "ri",
        "mo",
        "ne",
        "sa",
        "lu",
        "pe",
        "di",
        "fo",
        "ga",
        "ve",
        "zu",
        "bi",
        "ter",
        "dor",
    ]
    vocab = sorted(
        {"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(6000)}
    )
    common = "the company said it would color per of in to and five three".split()
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = []
        for j in range(rng.randint(5, 8)):
            words = [
                rng.choice(vocab) if rng.random() < 0.75 else rng.choice(common)
                for _ in range(rng.randint(22, 34))
            ]
            text = " ".join(words).capitalize() + "."
            if j % 3 == 1:
                text += f' "{" ".join(rng.choice(vocab) for _ in range(9))}," {rng.choice(vocab).title()} said.'
            if j % 3 == 2:
                text += f" Sales rose {rng.randint(2, 9)} pct to {rng.randint(10, 999)} mln dlrs."
            paras.append(text)
        (folder / f"story{i:03d}.txt").write_text(
            f"Story number {i}\n\n" + "\n\n".join(paras), encoding="utf-8"
        )
    return folder


@pytest.fixture(scope="module")
def bases(tmp_path_factory) -> Path:
    return write_bases(tmp_path_factory.mktemp("bases"))


@pytest.fixture(scope="module")
def corpus(bases, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    synthesize([bases], out, seed=11, stories=6, docs=50, min_words=100)
    return out


def test_same_seed_gives_byte_identical_output_and_another_seed_does_not(bases, tmp_path) -> None:
    def files(out: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
        }

    for out, seed in ((tmp_path / "a", 5), (tmp_path / "b", 5), (tmp_path / "c", 6)):
        synthesize([bases], out, seed=seed, stories=3, docs=25, min_words=100)
    assert files(tmp_path / "a") == files(tmp_path / "b")
    assert files(tmp_path / "a") != files(tmp_path / "c")


def test_truth_nodes_have_files_and_hidden_documents_have_none(corpus) -> None:
    truth = load_truth(corpus)
    stems = {p.stem for p in (corpus / "docs").glob("*.txt")}
    assert stems == set(truth["nodes"]) and len(stems) >= 50
    in_edges = {x for p, c, _ in truth["edges"] for x in (p, c)}
    hidden = in_edges - set(truth["nodes"])
    assert hidden == set(truth["hidden"]) and hidden
    parents = {p for p, _, _ in truth["edges"]}
    assert hidden <= parents  # only originals and intermediates are hidden, never leaves
    forest = truth_forest(truth)
    assert len({forest.root(v) for v in in_edges}) == truth["params"]["stories"] == 6


def test_cases_slice_the_claimed_text_from_both_files(corpus) -> None:
    truth = load_truth(corpus)
    text = {p.stem: p.read_text(encoding="utf-8") for p in (corpus / "docs").glob("*.txt")}
    assert truth["cases"]
    for case in truth["cases"]:
        a = text[case["source"]][slice(*case["source_span"])]
        b = text[case["target"]][slice(*case["target_span"])]
        if case["obfuscation"] == "none":
            assert a == b
        else:  # small edits bridged: same ends, mostly the same words
            assert a[0] == b[0] and a[-1] == b[-1]
            shared = set(a.split()) & set(b.split())
            assert len(shared) >= 0.5 * len(set(a.split()))


def test_every_direct_edge_between_visible_documents_has_cases(corpus) -> None:
    truth = load_truth(corpus)
    nodes = set(truth["nodes"])
    with_cases = {(c["source"], c["target"]) for c in truth["cases"]}
    direct = [(p, c) for p, c, _ in truth["edges"] if p in nodes and c in nodes]
    assert direct and all(edge in with_cases for edge in direct)


def test_negatives_share_a_quotation_and_have_no_cases(corpus) -> None:
    truth = load_truth(corpus)
    text = {p.stem: p.read_text(encoding="utf-8") for p in (corpus / "docs").glob("*.txt")}
    in_edges = {x for p, c, _ in truth["edges"] for x in (p, c)}
    reports = {x for pair in truth["negatives"] for x in pair} - in_edges
    assert reports
    for a, b in truth["negatives"]:
        assert a in reports or b in reports  # an independent report and a story document or report
        report, other = (a, b) if a in reports else (b, a)
        quoted = [q for q in re.findall(r'"([^"]+)"', text[report]) if len(q.split()) >= 5]
        assert any(q.rstrip(",.") in text[other] for q in quoted)
    cased = {tuple(sorted((c["source"], c["target"]))) for c in truth["cases"]}
    assert not any(tuple(sorted(n)) in cased for n in truth["negatives"])


def test_metadata_has_one_line_per_document_with_noisy_timestamps(corpus) -> None:
    truth = load_truth(corpus)
    rows = [
        json.loads(line)
        for line in (corpus / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [r["id"] for r in rows] == sorted(truth["nodes"])
    assert all(set(r) == {"id", "published", "outlet", "title"} for r in rows)
    noise = truth["timestamp_noise"]
    for r in rows:
        if noise.get(r["id"]) == "missing":
            assert r["published"] is None
        elif noise.get(r["id"]) is None:
            assert r["published"] == truth["published"][r["id"]]
    parent = {c: p for p, c, _ in truth["edges"]}
    for child, p in parent.items():  # true publication lags are positive
        assert truth["published"][child] > truth["published"][p]


def test_evaluating_the_truth_against_itself_scores_perfectly(corpus) -> None:
    truth = load_truth(corpus)
    report = evaluate(lineage_from_truth(truth), truth)
    assert report.pairs.precision == report.pairs.recall == report.pairs.strict_precision == 1.0
    assert report.pairs.false_copy_rate == 0.0
    assert report.direction.accuracy_all == report.direction.coverage == 1.0
    assert report.calibration.brier == 0.0 and report.calibration.ece == 0.0
    assert (
        report.lineage.parent_f1
        == report.lineage.root_precision
        == report.lineage.root_recall
        == 1.0
    )
    assert report.passages is not None and report.passages.plagdet == 1.0


def test_no_timestamps_leaves_published_out(bases, tmp_path) -> None:
    synthesize([bases], tmp_path, seed=1, stories=2, docs=12, min_words=100, timestamps=False)
    rows = [
        json.loads(line)
        for line in (tmp_path / "metadata.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert rows and all("published" not in r for r in rows)


def test_rerun_replaces_a_previous_corpus_but_refuses_foreign_files(bases, tmp_path) -> None:
    synthesize([bases], tmp_path, seed=1, stories=2, docs=20, min_words=100)
    synthesize([bases], tmp_path, seed=2, stories=1, docs=10, min_words=100)
    assert {p.stem for p in (tmp_path / "docs").glob("*.txt")} == set(load_truth(tmp_path)["nodes"])
    foreign = tmp_path / "other"
    (foreign / "docs").mkdir(parents=True)
    (foreign / "docs" / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(OutputError, match="did not write"):
        synthesize([bases], foreign, seed=1, stories=1, docs=5, min_words=100)


def test_running_out_of_base_text_is_a_config_error(bases, tmp_path) -> None:
    with pytest.raises(ConfigError, match="ran out"):
        synthesize([bases], tmp_path, seed=1, docs=1000, min_words=100)


def test_missing_base_path_is_an_input_error(tmp_path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        synthesize([tmp_path / "nope"], tmp_path / "out")


def test_cli_synth_writes_a_corpus_and_reports_counts(bases, tmp_path) -> None:
    result = CliRunner().invoke(
        synth_cmd,
        [
            str(bases),
            "-o",
            str(tmp_path),
            "--seed",
            "3",
            "--stories",
            "2",
            "--docs",
            "15",
            "--min-words",
            "100",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "edges by operator" in result.output
    assert len(list((tmp_path / "docs").glob("*.txt"))) == len(load_truth(tmp_path)["nodes"]) >= 15
