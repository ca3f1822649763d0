"""report.html: self-contained, escaped everywhere, data faithful to the trace, lazy, trees right."""

from __future__ import annotations

import base64
import hashlib
import json
import re

from lineage.model import Document, LineageEdge, Passage
from lineage.pipeline import assemble
from lineage.report import render_report, report_data, script_json, write_report
from lineage.report_assets import SCRIPT, STYLE

PAYLOAD = "</script><script>document.title='pwned'</script><img src=x onerror=\"alert(1)\">"


def result_of(docs: list[Document], edges: list[LineageEdge]):
    return assemble(docs, edges, skipped=[], params={}, words={d.id: len(d.text.split()) for d in docs})


def edge(source: str, target: str, passages=(), relation="derived", direction="forward", confidence=0.9,
         evidence=("because",)) -> LineageEdge:
    return LineageEdge(source, target, relation, direction, confidence, 0.3, 0.5, 0.9, tuple(passages),
                       tuple(evidence))


def embedded_data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="lineage-data">(.*?)</script>', page, flags=re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_seeds_report_is_self_contained(seeds_result):
    page = render_report(seeds_result)
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"https?:|//[\w.-]+\.\w|\bsrc=|<link|@import|url\(", page)
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the data and the code


def test_csp_allows_exactly_the_inline_script_and_style(seeds_result):
    page = render_report(seeds_result)
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp
    for text, directive in ((SCRIPT, "script-src"), (STYLE, "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp
        assert (f"<script>{text}</script>" if directive == "script-src" else f"<style>{text}</style>") in page


def test_hostile_text_is_escaped_everywhere_and_round_trips():
    text = f"Opening words of the story go here. {PAYLOAD} and the story goes on for a while & more."
    docs = [Document("evil<b>", text, "a.txt", title=PAYLOAD, outlet="<i>outlet</i>"),
            Document("z", text, "b.txt", title="fine")]
    e = edge("evil<b>", "z", [Passage((0, len(text)), (0, len(text)), 30, False)],
             evidence=(f"evil<b> says {PAYLOAD}",))
    page = render_report(result_of(docs, [e]))
    for raw in ("<img", "<script>document", "evil<b>", "<i>outlet", "onerror=\""):
        assert raw not in page, raw
    assert page.count("</script>") == 2
    data = embedded_data(page)
    assert data["documents"][0]["text"] == text and data["documents"][0]["title"] == PAYLOAD
    assert data["edges"][0]["evidence"] == [f"evil<b> says {PAYLOAD}"]


def test_script_json_escapes_every_angle_bracket_and_ampersand():
    out = script_json({"k": "<>&</script>", "n": [1, "\u2028"]})
    assert not set("<>&") & set(out)
    assert json.loads(out) == {"k": "<>&</script>", "n": [1, "\u2028"]}


def test_data_passages_match_the_edges(seeds_result):
    data = report_data(seeds_result)
    ids = [d["id"] for d in data["documents"]]
    assert len(data["edges"]) == len(seeds_result.edges)
    for got, e in zip(data["edges"], seeds_result.edges):
        assert (ids[got["source"]], ids[got["target"]]) == (e.source, e.target)
        assert got["passages"] == [[*p.source, *p.target, p.words, int(p.quoted)] for p in e.passages]
        assert got["relation"] == e.relation and got["tree"] == e.tree


def test_offsets_count_utf16_units_after_astral_characters():
    a_text = "😀😀 shared words here"  # two emoji: JavaScript counts four code units
    docs = [Document("a", a_text, "a"), Document("b", "shared words here", "b")]
    e = edge("a", "b", [Passage((3, 20), (0, 17), 3, False)])
    got = report_data(result_of(docs, [e]))["edges"][0]["passages"][0]
    assert got[:4] == [5, 22, 0, 17]
    units = a_text.encode("utf-16-le")
    assert units[2 * got[0]:2 * got[1]].decode("utf-16-le") == "shared words here"


def test_only_documents_in_pairs_carry_their_text_once():
    filler = "words before the marker so that no title or caption can show it "
    docs = [Document("a", filler + "unique-one", "a", title="A"), Document("b", filler + "unique-two", "b"),
            Document("lonely", filler + "unique-three", "c")]
    page = render_report(result_of(docs, [edge("a", "b")]))
    assert page.count("unique-one") == 1 and "unique-three" not in page
    assert "<mark" not in page  # highlighting is built in the browser when a pair is opened


def test_tree_nests_copies_under_parents_and_links_their_edge():
    docs = [Document(x, f"text of {x}", x, title=f"Title {x}") for x in ("root", "kid", "grandkid", "other")]
    edges = [edge("root", "kid"), edge("kid", "grandkid"), edge("root", "grandkid", confidence=0.3)]
    result = result_of(docs, edges)
    page = render_report(result)
    n_kid = next(n for n, e in enumerate(result.edges) if (e.source, e.target) == ("root", "kid"))
    n_grand = next(n for n, e in enumerate(result.edges) if (e.source, e.target) == ("kid", "grandkid"))
    n_off = next(n for n, e in enumerate(result.edges) if (e.source, e.target) == ("root", "grandkid"))
    tree = re.search(r'<ul class="tree">(.*?)</details>', page, flags=re.S).group(1)
    # root > kid > grandkid, each level one <ul> deeper
    assert re.search(rf'Title root</span><ul><li><a class="node" href="#edge-{n_kid}".*?<ul><li>'
                     rf'<a class="node" href="#edge-{n_grand}"', tree)
    assert f'links off the tree: <a href="#edge-{n_off}">' in page
    assert "Title other" not in tree  # no reuse: not in any cluster


def test_every_edge_has_one_row_in_the_pairs_table(seeds_result):
    page = render_report(seeds_result)
    table = re.search(r'<table id="pairs">.*?</table>', page, flags=re.S).group(0)
    rows = re.findall(r'<tr data-rel="([^"]+)"[^>]*><td><a href="#edge-(\d+)"', table)
    assert sorted(int(n) for _, n in rows) == list(range(len(seeds_result.edges)))
    assert [rel for rel, n in rows] == [seeds_result.edges[int(n)].relation for _, n in rows]


def test_hidden_sources_appear_in_the_tree():
    docs = [Document(x, f"text {x}", x) for x in ("a", "b")]
    result = result_of(docs, [edge("a", "b", direction="common-source", confidence=0.8)])
    assert result.to_json()["hidden_sources"][0]["children"] == ["a", "b"]  # inferred by the forest
    page = render_report(result)
    assert re.search(r'<span class="node hidden"[^>]*>hidden source hidden-1</span><ul><li>.*<b>a</b>.*<b>b</b>',
                     page)


def test_write_report_writes_the_rendered_page(tmp_path, seeds_result):
    target = tmp_path / "deep" / "report.html"
    write_report(seeds_result, target)
    assert target.read_text(encoding="utf-8") == render_report(seeds_result)
    assert [p.name for p in target.parent.iterdir()] == ["report.html"]  # no temporary file left


def test_a_thousand_edges_keep_one_row_each_and_no_prebuilt_views():
    docs = [Document(f"d{n:04d}", f"story {n // 10} text " * 20, f"{n}.txt") for n in range(600)]
    edges = [edge(f"d{n:04d}", f"d{m:04d}", [Passage((0, 20), (0, 20), 4, False)])
             for n in range(0, 600, 10) for m in range(n + 1, n + 10)
             for _ in [0]] + [edge(f"d{n:04d}", f"d{n + 2:04d}", relation="partial") for n in range(1, 600, 3)
                              if n + 2 < 600 and (n + 2) // 10 == n // 10]
    result = result_of(docs, edges)
    assert len(result.edges) >= 600
    page = render_report(result)
    assert page.count('<tr data-rel=') == len(result.edges)
    assert "<mark" not in page and 'class="text"' not in page


def test_a_large_trace_lists_every_copy_and_only_some_quote_only_pairs(monkeypatch):
    import lineage.report as report

    monkeypatch.setattr(report, "MAX_QUOTE_ONLY", 2)
    docs = [Document(f"d{n}", f"text number {n} with its own words", f"d{n}.txt") for n in range(6)]
    quotes = [edge(f"d{n}", f"d{n + 1}", relation="quote-only", direction="unresolved", confidence=0.5)
              for n in range(4)]
    result = result_of(docs, quotes + [edge("d4", "d5")])
    page = render_report(result)
    data = embedded_data(page)
    listed = [n for n, e in enumerate(data["edges"]) if e is not None]
    # indices stay those of lineage.json; the copy and the first two quote-only pairs are listed
    assert len(data["edges"]) == len(result.edges) == 5
    assert [result.edges[n].relation for n in listed].count("quote-only") == 2
    assert any(result.edges[n].relation == "derived" for n in listed)
    assert page.count('<tr data-rel="') == 3
    assert "2 more quote-only pairs left out of this page" in page
    # only documents of listed pairs travel with the page
    assert {d["id"] for d in data["documents"]} == {x for n in listed for x in (result.edges[n].source,
                                                                                   result.edges[n].target)}


def test_a_small_trace_lists_every_pair(seeds_result):
    page = render_report(seeds_result)
    assert None not in embedded_data(page)["edges"] and 'id="left-out"' not in page


def test_the_written_page_is_the_rendered_page_encoded_piece_by_piece(tmp_path):
    # hostile markup, an emoji, a lone surrogate (written as "?") and enough documents and edges
    # that the data's JSON comes in several pieces
    texts = [f"Story {n} {PAYLOAD} \U0001F600 é\ud800 and the rest of the story follows." for n in range(1200)]
    docs = [Document(f"d{n}", t, f"{n}.txt") for n, t in enumerate(texts)]
    edges = [edge(f"d{n}", f"d{n + 1}", [Passage((0, 8), (0, 8), 8, False)]) for n in range(0, 1199, 2)]
    result = result_of(docs, edges)
    write_report(result, tmp_path / "report.html")
    assert (tmp_path / "report.html").read_bytes() == render_report(result).encode("utf-8", errors="replace")
    page = render_report(result)
    data = embedded_data(page)
    assert data == json.loads(script_json(report_data(result, list(range(len(edges))))))
    assert len(data["edges"]) == len(edges) and page.count("</script>") == 2
