"""report.html in a real browser (headless Chromium): pairs open with matching highlights, hostile
documents run nothing, and a screenshot of the seeds' report lands in output/report-seeds.png.

Skipped when Chromium is missing, except in CI (environment variable CI set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from lineage.graph import is_copy
from lineage.pipeline import trace
from lineage.report import write_report
from lineage.report_assets import SCRIPT
from tests.conftest import ROOT, paragraphs

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PAYLOAD = ("<script>document.title='pwned';window.PWNED=1</script> and "
           "<img src=x onerror=\"document.title='pwned'\">")


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing in CI: apt-get install -y chromium")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return found


def browse(chromium: str, tmp_path: Path, url: str, *extra: str) -> str:
    profile = tmp_path / "profile"
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """What the checks need from a dumped DOM: title, scripts, images, marks per text column."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.marks: list[dict[str, object]] = []  # column, passage, style, text
        self._stack: list[tuple[str, dict[str, str | None]]] = []
        self._columns = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "div" and a.get("class") == "text":
            self._columns += 1
        if tag == "mark":
            self.marks.append({"column": self._columns, "p": a.get("data-p"), "style": a.get("style"), "text": ""})
        if tag == "script":
            self.scripts.append((a, ""))
        self._stack.append((tag, a))

    def handle_endtag(self, tag):
        while self._stack and self._stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        inside = [t for t, _ in self._stack]
        if inside and inside[-1] == "title":
            self.title += data
        if inside and inside[-1] == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        if "mark" in inside:
            self.marks[-1]["text"] += data


def parse(dom_text: str) -> Dom:
    dom = Dom()
    dom.feed(dom_text)
    return dom


def marks_by_passage(dom: Dom) -> dict[int, dict[int, dict[str, object]]]:
    out: dict[int, dict[int, dict[str, object]]] = {}
    for m in dom.marks:
        out.setdefault(int(m["p"]), {})[int(m["column"])] = m
    return out


def test_seeds_report_opens_a_pair_with_matching_marks_and_screenshot(chromium, tmp_path, seeds_result):
    page = tmp_path / "report.html"
    write_report(seeds_result, page)
    n = next(i for i, e in enumerate(seeds_result.edges) if is_copy(e))
    e = seeds_result.edges[n]
    url = f"{page.as_uri()}#edge-{n}"
    dom = parse(browse(chromium, tmp_path, url, "--dump-dom"))
    texts = {d.id: d.text for d in seeds_result.documents}
    marks = marks_by_passage(dom)
    assert sorted(marks) == list(range(len(e.passages)))
    for k, p in enumerate(e.passages):
        source, target = marks[k][1], marks[k][2]  # column 1 = source, column 2 = target
        assert source["style"] == target["style"] and "background-color" in source["style"]
        assert source["text"] == texts[e.source][p.source[0]:p.source[1]]
        assert target["text"] == texts[e.target][p.target[0]:p.target[1]]
    assert len({marks[k][1]["style"] for k in marks}) == len(marks)  # each passage its own colour
    shot = ROOT / "output" / "report-seeds.png"
    shot.parent.mkdir(exist_ok=True)
    browse(chromium, tmp_path, url, f"--screenshot={shot}", "--window-size=1400,1000")
    assert shot.read_bytes()[:4] == b"\x89PNG"


def test_hostile_documents_run_nothing(chromium, tmp_path):
    story = paragraphs(5, seed=7)
    text = "\U0001F4F0 " + "\n\n".join(story[:2] + [f"They wrote {PAYLOAD} in the page."] + story[2:])
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "original.txt").write_text(text, encoding="utf-8")
    (corpus / "copy.txt").write_text(text + "\n\nComment: a blog adds its own view of the story here.",
                                     encoding="utf-8")
    result = trace([corpus])
    assert len(result.edges) == 1
    e = result.edges[0]
    texts = {d.id: d.text for d in result.documents}
    covered = [texts[e.source][p.source[0]:p.source[1]] for p in e.passages]
    assert any(PAYLOAD in c for c in covered)  # the payload is inside a highlighted passage
    page = tmp_path / "report.html"
    write_report(result, page)
    dom = parse(browse(chromium, tmp_path, f"{page.as_uri()}#edge-0", "--dump-dom"))
    assert dom.title.startswith("lineage report") and "pwned" not in dom.title
    assert "img" not in dom.tags
    assert [a.get("type") for a, _ in dom.scripts] == ["application/json", None]
    assert dom.scripts[1][1] == SCRIPT
    marks = marks_by_passage(dom)
    for k, p in enumerate(e.passages):
        assert marks[k][1]["text"] == texts[e.source][p.source[0]:p.source[1]]  # the emoji did not shift it
        assert marks[k][2]["text"] == texts[e.target][p.target[0]:p.target[1]]
    assert any(PAYLOAD in str(m["text"]) for m in dom.marks)  # shown as text, on the page


def test_pairs_left_out_of_a_large_report_are_skipped(chromium, tmp_path, monkeypatch):
    import re

    import lineage.report as report
    from lineage.model import Document, LineageEdge, Passage
    from lineage.pipeline import assemble

    monkeypatch.setattr(report, "MAX_QUOTE_ONLY", 1)
    docs = [Document(f"d{n}", f"shared words here and text {n} of its own", f"d{n}.txt") for n in range(5)]
    p = (Passage((0, 17), (0, 17), 3, False),)
    quote = [LineageEdge(f"d{n}", f"d{n + 1}", "quote-only", "unresolved", 0.5, 0.1, 0.1, 0.1, p, ("q",))
             for n in range(3)]
    copy = LineageEdge("d3", "d4", "derived", "forward", 0.9, 0.5, 0.8, 0.8, p, ("because",))
    result = assemble(docs, quote + [copy], skipped=[], params={}, words={d.id: 9 for d in docs})
    assert [e.relation for e in result.edges] == ["quote-only"] * 3 + ["derived"]
    page = tmp_path / "report.html"
    write_report(result, page)  # lists edge 3 (the copy) and edge 0; edges 1 and 2 are left out
    dom = browse(chromium, tmp_path, f"{page.as_uri()}#edge-3", "--dump-dom")
    assert re.search(r'<a href="#edge-0">[^<]*previous pair</a>', dom)
    assert not re.search(r'<a href="#edge-\d+">next pair', dom) and len(parse(dom).marks) == 2
    dom = browse(chromium, tmp_path, f"{page.as_uri()}#edge-1", "--dump-dom")
    assert re.search(r'<section id="detail" hidden=""', dom) and not parse(dom).marks
