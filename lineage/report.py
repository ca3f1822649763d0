"""Write ``report.html``: one self-contained page to read a trace by eye.

The page lists the clusters (each as its lineage tree) and every verified
pair; opening a pair (``report.html#edge-N``, N being the edge's index in
``lineage.json``) shows both texts side by side with the shared passages
highlighted in matching colours, the verdict with its evidence, and a dot plot
of where the passages sit in each text. The texts travel once, as JSON in a
``<script type="application/json">`` block, and the side-by-side view is built
only when a pair is opened, so a report of thousands of pairs opens at once.

Safety: static text is HTML-escaped; in the JSON block ``<``, ``>`` and ``&``
are written as ``\\u003c``-style escapes, so no document can close the block;
the script only ever inserts document text as text; and a Content-Security-
Policy allows no network access and no script but the report's own (by hash).

>>> from lineage.model import Document, LineageEdge, Passage
>>> from lineage.pipeline import assemble
>>> docs = [Document("a", "Talks went on in Moscow today.", "a.txt"),
...         Document("b", "<b>x</b> Talks went on in Moscow today.", "b.txt")]
>>> edge = LineageEdge("a", "b", "near-duplicate", "forward", 0.9, 0.8, 1.0, 0.8,
...                    (Passage((0, 30), (9, 39), 6, False),), ("b adds a tag",))
>>> page = render_report(assemble(docs, [edge], skipped=[], params={}, words={"a": 6, "b": 7}))
>>> page.startswith("<!DOCTYPE html>"), "<b>x</b>" in page, "\\\\u003cb\\\\u003ex" in page
(True, False, True)
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterator

from lineage import __version__
from lineage.export import write_atomic
from lineage.graph import is_copy
from lineage.render import cluster_forest, hidden_sources, plural, shorten_ids
from lineage.report_assets import SCRIPT, STYLE

if TYPE_CHECKING:
    from lineage.model import Document, LineageEdge
    from lineage.pipeline import TraceResult

OPEN_CLUSTERS = 25  # clusters shown unfolded in the side bar; the rest start folded
MAX_OTHER_LINKS = 30  # non-tree links listed under a cluster's tree
# Quote-only pairs listed (with their texts) in the page. Every copy pair is always listed; a
# large corpus has hundreds of thousands of quote-only pairs (stock phrases, statements quoted
# by independent reports), which made a page of 865 MB (528,693 rows and nearly every text) at
# 100,000 documents. The rest are counted on the page and all of them are in lineage.json.
MAX_QUOTE_ONLY = 2000


def write_report(result: "TraceResult", path: str | os.PathLike[str]) -> None:
    """Write :func:`render_report` of ``result`` to ``path`` atomically (UTF-8), piece by piece:
    at 100,000 documents the page is about 200 MB, and never held whole.

    Raises :class:`~lineage.errors.OutputError` when the folder cannot be written.
    """
    # A lone surrogate cannot be encoded; "?" keeps it one UTF-16 unit, so offsets still hold.
    write_atomic(path, lambda f: f.writelines(piece.encode("utf-8", errors="replace")
                                              for piece in report_pieces(result)))


def render_report(result: "TraceResult") -> str:
    """The whole report as one HTML string (inline CSS and JS, no external reference)."""
    return "".join(report_pieces(result))


def report_pieces(result: "TraceResult") -> Iterator[str]:
    """:func:`render_report`'s page in pieces, in order (the data's JSON in pieces too:
    :func:`script_json_pieces`)."""
    shown = listed_edges(result)
    data = report_data(result, shown)
    short = _labels(result)
    titles = _Titles(result.documents)
    copies = sum(1 for e in result.edges if is_copy(e))
    singles = len(result.documents) - sum(len(c) for c in result.clusters)
    summary = (
        f"{plural(len(result.documents), 'document')} · {plural(len(result.edges), 'related pair')} "
        f"({copies} cop{'y' if copies == 1 else 'ies'}, {len(result.edges) - copies} quote-only) · "
        f"{plural(len(result.clusters), 'cluster')} · {singles} without reuse · {len(result.skipped)} skipped"
    )
    page_title = f"lineage report: {len(result.documents)} documents, {len(result.edges)} pairs"
    relations = sorted({e.relation for e in result.edges})
    options = "".join(f'<option value="{_e(r)}">{_e(r)}</option>' for r in relations)
    csp = (
        "default-src 'none'; base-uri 'none'; form-action 'none'; "
        f"script-src '{_sha256(SCRIPT)}'; style-src '{_sha256(STYLE)}'"
    )
    yield "".join([
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n",
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n',
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
        f"<title>{_e(page_title)}</title>\n<style>{STYLE}</style></head>\n<body>\n",
        '<svg id="svg-ns" width="0" height="0" aria-hidden="true"></svg>\n<div id="app">\n<nav id="side">\n',
        f'<h1>lineage report</h1>\n<p class="summary">{_e(summary)}</p>\n',
        '<noscript><p>The side-by-side view of a pair needs JavaScript.</p></noscript>\n',
        "<h2>Clusters</h2>\n",
        _clusters_html(result, short, titles),
        "</nav>\n<main>\n<section id=\"overview\">\n<h2>Related pairs</h2>\n",
        ('<p class="muted">Open a pair to read both texts side by side: shared passages are highlighted '
         "in matching colours (dashed and italic: inside quotation marks).</p>\n"),
        '<div class="filters"><input id="filter" type="search" placeholder="filter by id, title or outlet">',
        f'<select id="relation"><option value="">all relations</option>{options}</select>',
        '<span id="shown" class="muted"></span></div>\n',
        _pairs_table(result, short, titles, shown),
        '</section>\n<section id="detail" hidden></section>\n</main>\n</div>\n',
        '<script type="application/json" id="lineage-data">',
    ])
    yield from script_json_pieces(data)
    yield "".join([
        "</script>\n",
        f"<script>{SCRIPT}</script>\n",
        f"<!-- lineage {_e(__version__)} -->\n</body></html>\n",
    ])


def listed_edges(result: "TraceResult", most_quote_only: int | None = None) -> list[int]:
    """Indices of the edges the page lists, in table order: every copy pair, then at most
    ``most_quote_only`` (default :data:`MAX_QUOTE_ONLY`) quote-only pairs.

    >>> from lineage.model import Document, LineageEdge
    >>> from lineage.pipeline import assemble
    >>> docs = [Document(x, "some text", x) for x in "abc"]
    >>> edges = [LineageEdge("a", "b", "quote-only", "unresolved", 0.5, 0.1, 0.1, 0.1, (), ()),
    ...          LineageEdge("a", "c", "quote-only", "unresolved", 0.5, 0.1, 0.1, 0.1, (), ()),
    ...          LineageEdge("b", "c", "derived", "forward", 0.9, 0.5, 0.6, 0.9, (), ())]
    >>> listed_edges(assemble(docs, edges, skipped=[], params={}, words={}), most_quote_only=1)
    [2, 0]
    """
    cluster_of = result.cluster_of()
    order = sorted(range(len(result.edges)), key=lambda n: _row_key(result.edges[n], cluster_of))
    copies = sum(1 for e in result.edges if is_copy(e))
    most = MAX_QUOTE_ONLY if most_quote_only is None else most_quote_only
    return order[: copies + most]  # copies sort first


def report_data(result: "TraceResult", shown: list[int] | None = None) -> dict[str, object]:
    """The JSON the page's script reads: documents that take part in a listed pair, and the edges.

    ``edges[n]`` is edge ``n`` of lineage.json, or null when the page does not
    list it (see :func:`listed_edges`; by default every edge is listed).

    Passages are ``[source_start, source_end, target_start, target_end, words, quoted]`` in
    UTF-16 code units (what JavaScript strings count), so a text with emoji stays aligned.

    >>> from lineage.model import Document, LineageEdge, Passage
    >>> from lineage.pipeline import assemble
    >>> docs = [Document("a", "\\U0001F600 same words", "a"), Document("b", "same words", "b")]
    >>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.5, 1.0, 0.5, (Passage((2, 12), (0, 10), 2, False),), ())
    >>> report_data(assemble(docs, [e], skipped=[], params={}, words={}))["edges"][0]["passages"]
    [[3, 13, 0, 10, 2, 0]]
    """
    by_id = {d.id: d for d in result.documents}
    listed = range(len(result.edges)) if shown is None else sorted(shown)
    used = sorted({x for n in listed for x in (result.edges[n].source, result.edges[n].target)})
    short = _labels(result)
    cluster_of = result.cluster_of()
    index = {doc_id: n for n, doc_id in enumerate(used)}
    documents = []
    units = {}
    for doc_id in used:
        doc = by_id.get(doc_id)
        text = doc.text if doc is not None else ""
        units[doc_id] = _utf16_mapper(text)
        documents.append({
            "id": doc_id, "label": short[doc_id], "title": doc.title if doc else None,
            "outlet": doc.outlet if doc else None, "published": doc.published if doc else None,
            "words": result.words.get(doc_id, 0), "cluster": cluster_of.get(doc_id),
            "hidden": doc is None, "text": text,
        })
    edges: list[dict[str, object] | None] = [None] * len(result.edges)
    for n in listed:
        e = result.edges[n]
        us, ut = units[e.source], units[e.target]
        edges[n] = {
            "source": index[e.source], "target": index[e.target], "relation": e.relation,
            "direction": e.direction, "confidence": round(e.confidence, 4), "jaccard": round(e.jaccard, 4),
            "source_in_target": e.source_in_target, "target_in_source": e.target_in_source,
            "passages": [[us(p.source[0]), us(p.source[1]), ut(p.target[0]), ut(p.target[1]), p.words,
                          int(p.quoted)] for p in e.passages],
            "evidence": list(e.evidence), "tree": e.tree, "secondary": e.secondary,
        }
    return {"documents": documents, "edges": edges}


def script_json(data: object) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` escaped, so ``</script>`` cannot occur.

    >>> script_json({"t": "</script><b>&"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026"}'
    >>> json.loads(script_json({"t": "</script>"}))["t"]
    '</script>'
    """
    return _script_safe(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def script_json_pieces(data: dict[str, object], size: int = 512) -> Iterator[str]:
    """:func:`script_json` of a dict in pieces: the items of a top-level list are encoded
    ``size`` at a time, so the whole text never exists at once.

    >>> data = {"documents": [{"t": "</script>"}, {"t": "été"}], "edges": [None, {"w": 2}, 3], "n": 3}
    >>> "".join(script_json_pieces(data, size=2)) == script_json(data)
    True
    """
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    yield "{"
    for n, (key, value) in enumerate(data.items()):
        yield ("," if n else "") + _script_safe(encode(key)) + ":"
        if not isinstance(value, list):
            yield _script_safe(encode(value))
            continue
        yield "["
        for start in range(0, len(value), size):
            # a slice's JSON is its items' JSON joined by commas, inside brackets
            yield ("," if start else "") + _script_safe(encode(value[start:start + size])[1:-1])
        yield "]"
    yield "}"


def _script_safe(text: str) -> str:
    # These three never occur in JSON syntax outside strings, so replacing them everywhere is exact.
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _utf16_mapper(text: str):
    """A function from code-point offsets in ``text`` to UTF-16 offsets (identity for BMP-only text)."""
    astral = [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF] if not text.isascii() else []
    if not astral:
        return lambda offset: offset
    return lambda offset: offset + bisect_left(astral, offset)


def _clusters_html(result: "TraceResult", labels: dict[str, str], titles: "_Titles") -> str:
    """Each cluster as a nested list: originals at the top, each copy under its parent."""
    if not result.clusters:
        return '<p class="muted">No document reuses another\'s text.</p>\n'
    hidden = hidden_sources(result)
    edge_of = {(e.source, e.target): n for n, e in enumerate(result.edges)}
    cluster_of = result.cluster_of()
    by_cluster: dict[str, list[int]] = {}
    for n, e in enumerate(result.edges):
        if is_copy(e) and cluster_of.get(e.source) is not None:
            by_cluster.setdefault(cluster_of[e.source], []).append(n)
    parts = []
    for number, members in enumerate(result.clusters, start=1):
        parent, children, roots = cluster_forest(result, members, hidden)
        ctx = _Tree(result, labels, titles, edge_of, hidden, parent, children)
        tree = "".join(_node_html(r, ctx, set()) for r in roots)
        others = [n for n in by_cluster.get(f"c{number}", [])
                  if parent.get(result.edges[n].target) != result.edges[n].source
                  and parent.get(result.edges[n].source) != result.edges[n].target]
        other_html = ""
        if others:
            links = ", ".join(
                f'<a href="#edge-{n}">{_e(labels[result.edges[n].source])}→{_e(labels[result.edges[n].target])}</a>'
                for n in others[:MAX_OTHER_LINKS]
            )
            more = f" and {len(others) - MAX_OTHER_LINKS} more" if len(others) > MAX_OTHER_LINKS else ""
            other_html = f'<p class="others">{len(others)} links off the tree: {links}{more}</p>'
        opened = " open" if number <= OPEN_CLUSTERS else ""
        parts.append(
            f'<details class="cluster" id="c{number}"{opened}><summary>c{number} · {len(members)} documents'
            f"</summary><ul class=\"tree\">{tree}</ul>{other_html}</details>\n"
        )
    return "".join(parts)


@dataclass
class _Tree:
    """What drawing one cluster's tree needs."""

    result: "TraceResult"
    labels: dict[str, str]
    titles: "_Titles"
    edge_of: dict[tuple[str, str], int]
    hidden: dict[str, list[str]]
    parent: dict[str, str]
    children: dict[str, list[str]]


def _node_html(node: str, t: _Tree, seen: set[str]) -> str:
    if node in seen:  # a malformed parent map must not recurse for ever
        return ""
    seen.add(node)
    label = _e(t.labels.get(node, node))
    parent = t.parent.get(node)
    if node in t.hidden:
        # hidden ids are short already ("hidden-3"); a shortened "hid" would name nothing
        head = f'<span class="node hidden" title="a source that is not in the corpus">hidden source {_e(node)}</span>'
    else:
        n = t.edge_of.get((parent, node), t.edge_of.get((node, parent))) if parent is not None else None
        title = t.titles.get(node, "")
        text = f"<b>{label}</b> {_e(_clip(title, 48))}"
        tip = _e(node + ": " + title)
        if n is None:
            kind = "node root" if parent is None else "node"
            head = f'<span class="{kind}" title="{tip}">{text}</span>'
        else:
            e = t.result.edges[n]
            head = (f'<a class="node" href="#edge-{n}" data-edge="{n}" title="{tip}">{text}</a> '
                    f'<span class="badge {_e(e.relation)}" title="{_e(e.direction)}">{_e(e.relation)} '
                    f"{e.confidence:.2f}</span>")
    kids = "".join(_node_html(k, t, seen) for k in t.children.get(node, []))
    return f"<li>{head}{'<ul>' + kids + '</ul>' if kids else ''}</li>"


def _pairs_table(result: "TraceResult", short: dict[str, str], titles: "_Titles", shown: list[int]) -> str:
    """The listed edges (``shown``, in order) as table rows linking to their side-by-side views;
    copies first, by cluster; a line saying how many quote-only pairs are left out."""
    cluster_of = result.cluster_of()
    rows = []
    for n in shown:
        e = result.edges[n]
        s_title, t_title = titles.get(e.source, ""), titles.get(e.target, "")
        search = " ".join([e.source, e.target, s_title, t_title, e.relation]).lower()
        cluster = cluster_of.get(e.source) or ""
        rows.append(
            f'<tr data-rel="{_e(e.relation)}" data-search="{_e(search)}">'
            f'<td><a href="#edge-{n}"><b>{_e(short.get(e.source, e.source))}</b></a>'
            f'<span class="t">{_e(s_title)}</span></td>'
            f'<td><a href="#edge-{n}"><b>{_e(short.get(e.target, e.target))}</b></a>'
            f'<span class="t">{_e(t_title)}</span></td>'
            f'<td><span class="badge {_e(e.relation)}">{_e(e.relation)}</span></td>'
            f"<td>{_e(e.direction)}</td><td class=\"num\">{e.confidence:.2f}</td>"
            f'<td class="num">{e.source_in_target:.0%}</td><td class="num">{e.target_in_source:.0%}</td>'
            f'<td class="num">{len(e.passages)}</td><td class="num">{e.shared_words}</td>'
            f"<td>{_e(cluster)}{' ✓' if e.tree else ' also used' if e.secondary else ''}</td></tr>\n"
        )
    head = ("<tr><th>source</th><th>target (copy)</th><th>relation</th><th>direction</th><th>conf.</th>"
            "<th title=\"share of the source's shingles found in the target\">source in target</th>"
            "<th title=\"share of the target's shingles found in the source\">target in source</th>"
            "<th>passages</th><th>words</th><th title=\"cluster; ✓ = on the lineage tree; also used = a second source, of material the parent lacks\">cluster</th></tr>")
    table = f'<table id="pairs"><thead>{head}</thead><tbody>\n{"".join(rows)}</tbody></table>\n'
    left = len(result.edges) - len(shown)
    if left:
        listed = len(shown) - sum(1 for n in shown if is_copy(result.edges[n]))
        table += (f'<p class="muted" id="left-out">{plural(left, "more quote-only pair")} left out of this page '
                  f"(it lists every copy and the first {listed} quote-only pairs); "
                  "lineage.json has them all.</p>\n")
    return table


def _row_key(e: "LineageEdge", cluster_of: dict[str, str]) -> tuple[object, ...]:
    cluster = cluster_of.get(e.source, "")
    return (not is_copy(e), int(cluster[1:]) if cluster[1:].isdigit() else 10**9, not e.tree,
            -e.confidence, e.source, e.target)


def _labels(result: "TraceResult") -> dict[str, str]:
    """Short unique labels for every id the page names: documents, edge ends, hidden sources."""
    ids = {d.id for d in result.documents} | {x for e in result.edges for x in (e.source, e.target)}
    return shorten_ids(sorted(ids | set(hidden_sources(result))))


def _sha256(text: str) -> str:
    """The CSP source expression allowing exactly this inline script or style."""
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _describe(text: str) -> str:
    """One line of text: whitespace runs (and control characters) become single spaces.

    >>> _describe("Rates\\trose\\x07 again\\n")
    'Rates rose again'
    """
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


class _Titles:
    """A document's one-line title by id (``get``, as a dict's), made when first asked for.

    The page names only documents in a cluster or a listed pair; a title made from a text's
    opening reads the text. When the report was written in a forked process, reading a text
    copied its memory page (its reference count is written): titles for all 100,000 documents
    of a trace copied about 390 MB. The report is now written in the main process (see
    :func:`lineage.export.write_outputs`); the titles of documents the page does not name
    would still be work and memory for nothing.

    >>> from lineage.model import Document
    >>> t = _Titles([Document("a", "The talks in Moscow went on and on into the night", "a.txt")])
    >>> t.get("a", ""), t.get("hidden", "")
    ('The talks in Moscow went on and on…', '')
    """

    def __init__(self, documents: "list[Document]") -> None:
        self._documents = {d.id: d for d in documents}
        self._made: dict[str, str] = {}

    def get(self, doc_id: str, default: str = "") -> str:
        if doc_id not in self._made:
            d = self._documents.get(doc_id)
            if d is None:
                return default
            self._made[doc_id] = _describe(d.title or d.outlet or _opening(d.text))
        return self._made[doc_id]


def _opening(text: str, words: int = 8) -> str:
    """The first ``words`` words and an ellipsis (splitting no further than that).

    >>> _opening("  The talks in Moscow went on and on into the night", 3)
    'The talks in…'
    """
    return " ".join(text.split(maxsplit=words)[:words]) + "…"


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _e(text: str) -> str:
    return html.escape(text, quote=True)
