"""The stylesheet and script inlined into ``report.html`` (see :mod:`lineage.report`).

Kept apart from the Python that writes the page so each reads as its own
language. The script never puts document text into ``innerHTML``: every text
reaches the page through ``textContent`` or ``append(string)``, which the
browser treats as text, so a document holding ``<script>`` shows it and runs
nothing. It also never names a URL (the SVG namespace is read from an inline
``<svg>`` element), so the page makes no network request.

>>> "innerHTML" in SCRIPT or "http" in SCRIPT.replace("http-equiv", "")
False
>>> "</" in SCRIPT
False
"""

from __future__ import annotations

STYLE = r"""
:root { --side: 360px; --ink: #1d2330; --muted: #667085; --line: #d9dee7; --paper: #ffffff;
  --near-duplicate: #c0392b; --derived: #2c6fbb; --partial: #27915f; --quote-only: #8a8f98; }
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
  background: #f4f6fa; }
#app { display: grid; grid-template-columns: var(--side) 1fr; height: 100vh; }
#side { overflow: auto; background: #eef1f6; border-right: 1px solid var(--line); padding: 12px 14px; }
main { overflow: auto; padding: 14px 20px 40px; }
h1 { font-size: 18px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 10px 0 8px; }
a { color: #1f5fae; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted, .summary { color: var(--muted); font-size: 12.5px; }
.cluster { margin: 6px 0; background: var(--paper); border: 1px solid var(--line); border-radius: 6px;
  padding: 4px 8px; }
.cluster > summary { cursor: pointer; font-weight: 600; font-size: 13px; }
ul.tree { list-style: none; margin: 4px 0; padding-left: 0; font-size: 12.5px; }
ul.tree ul { list-style: none; padding-left: 14px; margin: 0; border-left: 1px dotted #aab3c2; }
ul.tree li { margin: 2px 0; }
.node b { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; }
.node.root b::before { content: "\2605 "; color: #c58a00; }
.node.hidden { font-style: italic; color: var(--muted); border: 1px dashed #98a2b3; padding: 0 4px;
  border-radius: 4px; }
a.node.active { background: #ffe9a8; border-radius: 3px; }
.others { font-size: 11.5px; color: var(--muted); margin: 2px 0 4px; }
.badge { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 9px; color: #fff;
  background: var(--quote-only); white-space: nowrap; }
.badge.near-duplicate { background: var(--near-duplicate); }
.badge.derived { background: var(--derived); }
.badge.partial { background: var(--partial); }
.badge.light { background: #e4e8ef; color: var(--ink); }
.filters { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; }
.filters input { flex: 0 1 340px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; }
table { border-collapse: collapse; background: var(--paper); font-size: 12.5px; }
th, td { border-bottom: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
th { position: sticky; top: 0; background: #e9edf4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td .t { color: var(--muted); display: block; max-width: 300px; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.head { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(260px, 1fr) auto; gap: 18px;
  align-items: start; }
.facts dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.verdict { font-size: 15px; margin: 4px 0; }
.evidence { margin: 4px 0 0; padding-left: 18px; }
.plot { margin: 0; }
.plot figcaption { font-size: 11px; color: var(--muted); max-width: 230px; }
details.passages-box > summary { cursor: pointer; font-size: 13px; color: var(--muted); margin-top: 4px; }
svg.dotplot text { font: 10px system-ui, sans-serif; fill: #475467; }
table.passages { margin: 6px 0 10px; }
table.passages tr { cursor: pointer; }
.swatch { display: inline-block; width: 14px; height: 12px; border-radius: 3px; vertical-align: middle;
  border-bottom: 2px solid transparent; }
.swatch.q { border-bottom-style: dashed; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; margin-top: 10px; }
.col { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; min-width: 0; }
.col h3 { font-size: 13.5px; margin: 0; padding: 8px 10px; border-bottom: 1px solid var(--line);
  background: #f7f8fb; border-radius: 6px 6px 0 0; }
.col h3 .muted { font-weight: normal; }
.text { position: relative; white-space: pre-wrap; overflow-wrap: anywhere; padding: 10px 12px;
  height: 66vh; overflow: auto; font: 13.5px/1.55 Georgia, "Times New Roman", serif; }
mark { color: inherit; border-radius: 2px; padding: 1px 0; border-bottom: 2px solid transparent; }
mark.q { border-bottom-style: dashed; font-style: italic; }
mark.hot { outline: 2px solid #111; }
.nav { display: flex; gap: 14px; font-size: 13px; }
@media (max-width: 1100px) { .head { grid-template-columns: 1fr auto; } }
@media (max-width: 900px) { #app { grid-template-columns: 1fr; height: auto; }
  #side, main { overflow: visible; } .cols { grid-template-columns: 1fr; } }
"""

SCRIPT = r"""
"use strict";
(() => {
  const data = JSON.parse(document.getElementById("lineage-data").textContent);
  const docs = data.documents, edges = data.edges;
  const SVG = document.getElementById("svg-ns").namespaceURI;
  const main = document.querySelector("main");
  const overview = document.getElementById("overview"), detail = document.getElementById("detail");

  // Every string becomes a text node (append / textContent): document text is never parsed as HTML.
  function h(tag, props, ...kids) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "cls") node.className = v; else node.setAttribute(k, String(v));
    }
    node.append(...kids);
    return node;
  }
  function s(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Golden-angle hues: passage n gets the same, well-separated colour on both sides and in the plot.
  const hue = (n) => ((n * 137.508) % 360).toFixed(1);
  const fill = (n, quoted) => `hsl(${hue(n)} ${quoted ? "80% 89%" : "85% 80%"})`;
  const ink = (n) => `hsl(${hue(n)} 70% 36%)`;
  const pct = (x) => `${Math.round(100 * x)}%`;
  const name = (d) => d.label + (d.outlet ? ` (${d.outlet})` : "");

  function marked(text, spans) {
    const out = h("div", {cls: "text"});
    spans.sort((a, b) => a.start - b.start || a.n - b.n);
    let pos = 0;
    for (const sp of spans) {
      const start = Math.max(sp.start, pos), end = Math.min(sp.end, text.length);
      if (end <= start) continue;  // overlapping or out-of-range spans are clipped, never nested
      if (start > pos) out.append(text.slice(pos, start));
      const m = h("mark", {cls: sp.quoted ? "q" : "", "data-p": sp.n,
        title: `passage ${sp.n + 1}: ${sp.words} words${sp.quoted ? ", inside quotation marks" : ""}`},
        text.slice(start, end));
      m.style.backgroundColor = fill(sp.n, sp.quoted);
      m.style.borderBottomColor = sp.quoted ? ink(sp.n) : "transparent";
      out.append(m);
      pos = end;
    }
    if (pos < text.length) out.append(text.slice(pos));
    return out;
  }

  function dotPlot(e, src, tgt) {
    const size = 200, left = 30, top = 8, bottom = 30;
    const svg = s("svg", {class: "dotplot", width: left + size + 10, height: top + size + bottom,
      role: "img"});
    svg.append(s("title", {}, `Shared passages: position in ${src.label} (across) against ${tgt.label} (down)`));
    svg.append(s("rect", {x: left, y: top, width: size, height: size, fill: "#fbfcfe", stroke: "#98a2b3"}));
    for (const f of [0.25, 0.5, 0.75]) {
      svg.append(s("line", {x1: left + f * size, y1: top, x2: left + f * size, y2: top + size, stroke: "#eaecf0"}));
      svg.append(s("line", {x1: left, y1: top + f * size, x2: left + size, y2: top + f * size, stroke: "#eaecf0"}));
    }
    const sx = (v) => left + size * v / Math.max(1, src.text.length);
    const sy = (v) => top + size * v / Math.max(1, tgt.text.length);
    e.passages.forEach(([s0, s1, t0, t1, words, quoted], n) => {
      const line = s("line", {x1: sx(s0), y1: sy(t0), x2: sx(s1), y2: sy(t1), stroke: ink(n),
        "stroke-width": 3.5, "stroke-linecap": "round", "data-p": n});
      if (quoted) line.setAttribute("stroke-dasharray", "3 3");
      line.append(s("title", {}, `passage ${n + 1}: ${words} words`));
      svg.append(line);
    });
    svg.append(s("text", {x: left, y: top + size + 13}, "0"));
    svg.append(s("text", {x: left + size, y: top + size + 13, "text-anchor": "end"}, "end"));
    svg.append(s("text", {x: left + size / 2, y: top + size + 26, "text-anchor": "middle"},
      `${src.label} (source) \u2192`));
    svg.append(s("text", {x: 12, y: top + size / 2, "text-anchor": "middle",
      transform: `rotate(-90 12 ${top + size / 2})`}, `${tgt.label} (target) \u2192`));
    return svg;
  }

  function verdict(e, src, tgt) {
    const conf = e.confidence.toFixed(2);
    if (e.relation === "quote-only") return `${src.label} and ${tgt.label} share only quotations: independent reports, not a copy`;
    if (e.direction === "common-source") return `${src.label} and ${tgt.label} likely both copy an unseen source (p = ${conf})`;
    if (e.direction === "forward") return `${tgt.label} derives from ${src.label} (confidence ${conf})`;
    return `unresolved: ${tgt.label} deriving from ${src.label} is the likelier reading (confidence ${conf})`;
  }

  function column(d, role, share, spans) {
    const meta = [d.title || "", d.outlet || "", d.published || "", d.words ? `${d.words} words` : ""]
      .filter(Boolean).join(" \u00b7 ");
    return h("div", {cls: "col"},
      h("h3", {}, `${role}: ${d.id} `, h("span", {cls: "muted"}, `\u2014 ${pct(share)} of it in the other`),
        h("div", {cls: "muted"}, meta)),
      marked(d.text, spans));
  }

  // A large trace lists only some quote-only pairs: the others are null here.
  function listedNear(i, step) {
    for (let j = i + step; j >= 0 && j < edges.length; j += step) if (edges[j]) return j;
    return -1;
  }

  function show(i) {
    const e = edges[i], src = docs[e.source], tgt = docs[e.target];
    const srcSpans = e.passages.map(([s0, s1, , , words, q], n) => ({start: s0, end: s1, n, words, quoted: !!q}));
    const tgtSpans = e.passages.map(([, , t0, t1, words, q], n) => ({start: t0, end: t1, n, words, quoted: !!q}));
    const shared = e.passages.reduce((a, p) => a + p[4], 0);
    const nav = h("div", {cls: "nav"}, h("a", {href: "#"}, "\u2190 all pairs"));
    const prev = listedNear(i, -1), next = listedNear(i, 1);
    if (prev >= 0) nav.append(h("a", {href: `#edge-${prev}`}, "\u2039 previous pair"));
    if (next >= 0) nav.append(h("a", {href: `#edge-${next}`}, "next pair \u203a"));
    const facts = h("dl", {},
      h("dt", {}, "relation"), h("dd", {}, h("span", {cls: `badge ${e.relation}`}, e.relation),
        e.tree ? " on the lineage tree" : e.secondary ? " also used: a second source of the copy (material its parent lacks)"
          : " not on the lineage tree"),
      h("dt", {}, "direction"), h("dd", {}, `${e.direction}, confidence ${e.confidence.toFixed(2)}`),
      h("dt", {}, "containment"), h("dd", {},
        `${pct(e.source_in_target)} of ${src.label} is in ${tgt.label}; ${pct(e.target_in_source)} of ${tgt.label} is in ${src.label}`),
      h("dt", {}, "Jaccard"), h("dd", {}, e.jaccard.toFixed(3)),
      h("dt", {}, "passages"), h("dd", {}, `${e.passages.length} (${shared} words, ` +
        `${e.passages.filter((p) => p[5]).length} inside quotation marks)`));
    const evidence = h("ul", {cls: "evidence"}, ...e.evidence.map((x) => h("li", {}, x)));
    const rows = e.passages.map(([s0, s1, t0, t1, words, q], n) => {
      const sw = h("span", {cls: q ? "swatch q" : "swatch"});
      sw.style.backgroundColor = fill(n, q);
      sw.style.borderBottomColor = q ? ink(n) : "transparent";
      return h("tr", {"data-p": n}, h("td", {}, sw, ` ${n + 1}`), h("td", {}, `[${s0}, ${s1})`),
        h("td", {}, `[${t0}, ${t1})`), h("td", {cls: "num"}, words), h("td", {}, q ? "quoted" : ""));
    });
    const table = h("table", {cls: "passages"},
      h("thead", {}, h("tr", {}, ...["#", src.label, tgt.label, "words", ""].map((x) => h("th", {}, x)))),
      h("tbody", {}, ...rows));
    const caption = h("figcaption", {}, "Each line is a shared passage at its place in the source " +
      "(across) and the target (down). One diagonal: a copy; a short span across: an excerpt; " +
      "gaps down: an expansion; lines out of order: reordering. Dashed: inside quotation marks.");
    const passages = h("details", {cls: "passages-box"},
      h("summary", {}, `${e.passages.length} passage${e.passages.length === 1 ? "" : "s"}: offsets and words ` +
        "(click one to scroll both texts to it)"),
      table);
    detail.replaceChildren(nav,
      h("h2", {}, `${name(src)} \u2192 ${name(tgt)}`),
      h("div", {cls: "head"},
        h("div", {cls: "facts"}, h("p", {cls: "verdict"}, verdict(e, src, tgt)), facts),
        h("div", {}, h("strong", {}, "Evidence"), evidence),
        h("figure", {cls: "plot"}, dotPlot(e, src, tgt), caption)),
      passages,
      h("div", {cls: "cols"}, column(src, "source", e.source_in_target, srcSpans),
        column(tgt, "target", e.target_in_source, tgtSpans)));
    overview.hidden = true;
    detail.hidden = false;
    main.scrollTop = 0;
    scrollTo(0);  // the first shared passage may sit far down either text
  }

  function scrollTo(n) {
    for (const text of detail.querySelectorAll(".text")) {
      const m = text.querySelector(`mark[data-p="${n}"]`);
      if (m) text.scrollTop = m.offsetTop - 40;
    }
  }
  function hot(n) {
    for (const m of detail.querySelectorAll("mark.hot")) m.classList.remove("hot");
    if (n !== null) for (const m of detail.querySelectorAll(`mark[data-p="${n}"]`)) m.classList.add("hot");
  }
  detail.addEventListener("mouseover", (ev) => {
    const t = ev.target.closest("[data-p]");
    hot(t ? t.getAttribute("data-p") : null);
  });
  detail.addEventListener("click", (ev) => {
    const t = ev.target.closest("[data-p]");
    if (t) scrollTo(t.getAttribute("data-p"));
  });

  function route() {
    const m = /^#edge-(\d+)$/.exec(location.hash);
    const i = m ? Number(m[1]) : -1;
    for (const a of document.querySelectorAll("a.node.active")) a.classList.remove("active");
    if (i >= 0 && i < edges.length && edges[i]) {
      show(i);
      for (const a of document.querySelectorAll(`a.node[data-edge="${i}"]`)) a.classList.add("active");
    } else {
      detail.hidden = true;
      detail.replaceChildren();
      overview.hidden = false;
    }
  }

  const filter = document.getElementById("filter"), relation = document.getElementById("relation");
  const shown = document.getElementById("shown");
  const rows = Array.from(document.querySelectorAll("#pairs tbody tr"));
  function applyFilter() {
    const q = filter.value.trim().toLowerCase(), r = relation.value;
    let n = 0;
    for (const row of rows) {
      const ok = (!r || row.dataset.rel === r) && (!q || row.dataset.search.includes(q));
      row.hidden = !ok;
      n += ok ? 1 : 0;
    }
    shown.textContent = `${n} of ${rows.length} pairs shown`;
  }
  filter.addEventListener("input", applyFilter);
  relation.addEventListener("change", applyFilter);
  applyFilter();
  window.addEventListener("hashchange", route);
  route();
})();
"""
