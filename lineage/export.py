"""Write a trace's outputs: lineage.json, lineage.graphml, all atomically.

Every file is written to a temporary name beside its target and renamed into
place, so a crash never leaves a half-written output.

>>> import tempfile, pathlib, json
>>> out = pathlib.Path(tempfile.mkdtemp()) / "x.json"
>>> write_atomic(out, lambda f: f.write(b"{}"))
>>> out.read_text()
'{}'
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Callable, Iterable, Iterator
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import numpy as np

from lineage import __version__
from lineage.errors import OutputError
from lineage.graph import EDGE_KEYS, NODE_KEYS, GraphLayout, hidden_children
from lineage.model import LineageEdge

if TYPE_CHECKING:
    from lineage.pipeline import TraceResult

SCHEMA_VERSION = "1.1"


def write_atomic(path: str | os.PathLike[str], write: Callable[[BinaryIO], object]) -> None:
    """Call ``write`` on a temporary file in ``path``'s folder, then rename it to ``path``."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"cannot write to {target.parent}: {exc.strerror}", fix="choose another -o folder") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def edge_json(e: LineageEdge) -> dict[str, object]:
    """One edge as in lineage.json ``edges[]``."""
    return {
        "source": e.source,
        "target": e.target,
        "relation": e.relation,
        "direction": e.direction,
        "confidence": round(e.confidence, 4),
        "jaccard": e.jaccard,
        "containment": {"source_in_target": e.source_in_target, "target_in_source": e.target_in_source},
        "passages": [
            {"source": list(p.source), "target": list(p.target), "words": p.words, "quoted": p.quoted}
            for p in e.passages
        ],
        "evidence": list(e.evidence),
        "tree": e.tree,
        "secondary": e.secondary,
    }


class LazyItems:
    """A list whose items are made when iterated over (:func:`json_chunks` writes each as it comes).

    >>> items = LazyItems(str, [1, 2]); len(items), list(items)
    (2, ['1', '2'])
    """

    def __init__(self, make: Callable[[object], object], source: list | "_Remade") -> None:
        self.make, self.source = make, source

    def __len__(self) -> int:
        return len(self.source)

    def __iter__(self):
        return map(self.make, self.source)


def to_json(result: "TraceResult", *, lazy: bool = False) -> dict[str, object]:
    """The lineage.json object: documents, edges, clusters, skipped, params, version.

    ``lazy``: ``edges`` is a :class:`LazyItems`, each edge's dict made when it is written (a
    100,000-document trace has half a million edges: about 1 KB each as dicts).
    """
    cluster_of = result.cluster_of()
    documents = [
        {
            "id": d.id,
            "path": d.path,
            "title": d.title,
            "words": result.words.get(d.id, 0),
            "published": d.published,
            "outlet": d.outlet,
            "parent": result.parents.get(d.id),
            "cluster": cluster_of.get(d.id),
        }
        for d in result.documents
    ]
    edges = LazyItems(edge_json, result.edges) if lazy else [edge_json(e) for e in result.edges]
    clusters = []
    for n, members in enumerate(result.clusters, start=1):
        clusters.append(
            {
                "id": f"c{n}",
                "documents": members,
                "roots": [m for m in members if result.parents.get(m) is None],
            }
        )
    return {
        "version": __version__,
        "schema": SCHEMA_VERSION,
        "documents": documents,
        "edges": edges,
        "clusters": clusters,
        "hidden_sources": [
            {
                "id": hidden,
                "children": children,
                "cluster": cluster_of.get(children[0]),
                "evidence": [f"{len(children)} documents read as copies of one unseen text "
                             "(common-source edges between them, no better parent among the documents)"],
            }
            for hidden, children in hidden_children(result.parents).items()
        ],
        "skipped": [{"path": s.path, "line": s.line, "reason": s.reason} for s in result.skipped],
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in result.params.items()},
    }


def write_outputs(result: "TraceResult", folder: str | os.PathLike[str], *, max_nodes: int = 60,
                  per_cluster: bool = False, workers: int = 1) -> list[Path]:
    """Write every output of a trace into ``folder``; return the paths, in this order:
    lineage.json, lineage.graphml, lineage.png, report.html (then lineage-c1.png, ... with
    ``per_cluster``).

    With ``workers`` above 1 (and where processes can fork) the diagrams are drawn in a forked
    process while this one writes the JSON, the GraphML and then the report. The fork shares
    the result with this process instead of copying it, but every memory page either process
    touches while both live is copied (reading an object writes its reference count): with
    the report in the child too, the two halves took about as long, and at 200,000 documents
    the edges and texts both read were copied whole (the trace's peak, 1.7 GB over what it
    held before writing). The diagrams read only the clusters they draw, and finish first.
    An error in either half is raised here, after both ended.
    """
    from lineage.graph import is_copy
    from lineage.parallel import cyclic_gc_paused, run_forked
    from lineage.render import drawn_documents
    from lineage.report import write_report

    out = Path(folder)
    # the edges the diagrams need, picked here: the drawer then reads (and copies) no others
    if per_cluster:
        wanted = [e for e in result.edges if is_copy(e)]
    else:
        shown = drawn_documents(result, max_nodes)
        wanted = [e for e in result.edges if e.source in shown and e.target in shown]
    # forked before the collector pauses: drawing (matplotlib) makes reference cycles
    drawn = run_forked(_draw, (result, out, max_nodes, per_cluster, wanted), enabled=workers > 1)
    try:
        with cyclic_gc_paused():  # GraphML's attribute dicts, one per edge, live until written
            write_json(result, out / "lineage.json")
            write_graphml(result, out / "lineage.graphml")
            write_report(result, out / "report.html")
    finally:
        pictures = drawn.result()  # waited for even when the writes above failed
    return [out / "lineage.json", out / "lineage.graphml", pictures[0], out / "report.html", *pictures[1:]]


def _draw(args: tuple) -> list[Path]:
    """The diagram(s) of :func:`write_outputs`."""
    from lineage.render import render_cluster_pngs, render_png

    result, out, max_nodes, per_cluster, edges = args
    render_png(result, out / "lineage.png", max_nodes=max_nodes, edges=edges)
    per = render_cluster_pngs(result, out, edges=edges) if per_cluster else []
    return [out / "lineage.png", *per]


def write_json(result: "TraceResult", path: str | os.PathLike[str]) -> None:
    data = to_json(result, lazy=True)
    # streamed: the text of a large trace (hundreds of MB at 100,000 documents) is never whole
    write_atomic(path, lambda f: f.writelines(chunk.encode("utf-8") for chunk in json_chunks(data)))


def json_layout(data: dict[str, object]) -> str:
    """``data`` as JSON with one line per list item (a document, an edge) and the rest indented.

    The same value as ``json.dumps(data, indent=2)``, several times faster
    to write for a large trace: each item goes through the C encoder in one
    piece (indenting switches every level to the pure-Python encoder).

    >>> print(json_layout({"edges": [{"a": 1}, {"a": 2}], "params": {"k": 5}, "skipped": []}), end="")
    {
      "edges": [
        {"a": 1},
        {"a": 2}
      ],
      "params": {
        "k": 5
      },
      "skipped": []
    }
    """
    return "".join(json_chunks(data))


# json.dumps(item, ensure_ascii=False) with its encoder made once, not once per list item
_ENCODE_ITEM = json.JSONEncoder(ensure_ascii=False).encode


def json_chunks(data: dict[str, object]) -> Iterator[str]:
    """:func:`json_layout` in pieces (at most one list item each), for writing as they come."""
    yield "{\n"
    for number, (key, value) in enumerate(data.items()):
        name = json.dumps(key, ensure_ascii=False)
        yield ",\n" if number else ""
        if isinstance(value, (list, LazyItems)) and len(value):
            yield f"  {name}: [\n"
            for position, item in enumerate(value):
                yield (",\n    " if position else "    ") + _ENCODE_ITEM(item)
            yield "\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            yield f"  {name}: {text}"
    yield "\n}\n"


def graphml_items(result: "TraceResult") -> tuple[LazyItems, LazyItems]:
    """The trace graph's nodes and edges with scalar attributes only (Gephi, Cytoscape and yEd read
    them), made anew each time they are iterated over: the writer goes over them twice (the
    attribute keys, then the elements) and never holds a dict per edge for the whole graph.
    ``.source`` of each holds the items with their attributes as they are in the graph."""
    words = result.words
    nodes, edges = graph_items(result)
    return (LazyItems(lambda item: (item[0], _scalars(item[1]) | {"words": words.get(item[0], 0)}), nodes),
            LazyItems(lambda item: (item[0], item[1], _scalars(item[2])), edges))


def graph_items(result: "TraceResult") -> tuple[list | "_Remade", list | "_Remade"]:
    """``result.graph``'s ``nodes(data=True)`` and ``edges(data=True)``, re-iterable. Where the
    graph has not been made (a trace does not make it) they are made from the result's edges
    one at a time (:class:`lineage.graph.GraphLayout`), in the graph's order and with its
    attributes, so that the graph is never made for writing it."""
    layout = None if result.graph_made else GraphLayout.of(result.documents, result.edges, result.parents,
                                                            result.cluster_of())
    if layout is None:
        return list(result.graph.nodes(data=True)), list(result.graph.edges(data=True))
    return (_Remade(layout.node_items, len(layout.nodes), NODE_KEYS),
            _Remade(layout.edge_items, len(layout.order), EDGE_KEYS))


class _Remade:
    """Items a function makes anew for each pass over them, how many there are, and every
    attribute name they can have (``possible``)."""

    def __init__(self, items: Callable[[], Iterator[object]], size: int, possible: frozenset[str]) -> None:
        self.items, self.size, self.possible = items, size, possible

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return self.items()


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _scalars(attrs: dict[str, object]) -> dict[str, object]:
    """Drop None, join lists with " | ", remove characters XML 1.0 cannot hold.

    >>> _scalars({"a": None, "b": ["x", "y"], "c": "bell\x07", "d": 2})
    {'b': 'x | y', 'c': 'bell', 'd': 2}
    """
    out: dict[str, object] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = " | ".join(map(str, value))
        if isinstance(value, str):
            value = _XML_INVALID.sub("", value)
        out[key] = value
    return out


def write_graphml(result: "TraceResult", path: str | os.PathLike[str]) -> None:
    nodes, edges = graphml_items(result)
    keys = _declared_keys(nodes.source, edges.source)
    write_atomic(path, lambda f: _write_graphml(nodes, edges, f, keys))


def _declared_keys(nodes: list[tuple], edges: list[tuple]) -> dict[tuple[str, str], tuple[str, str]]:
    """The GraphML keys of :func:`graphml_items`, read from the graph's own attributes: what
    :func:`_scalars` keeps of them and the type it gives, without making the scalars.

    >>> _declared_keys([("a", {"title": "A", "x": None})], [("a", "a", {"tree": True, "ev": ["1"]})])
    {('node', 'title'): ('d0', 'string'), ('node', 'words'): ('d1', 'long'), ('edge', 'tree'): ('d2', 'boolean'), ('edge', 'ev'): ('d3', 'string')}
    """
    keys: dict[tuple[str, str], tuple[str, str]] = {}
    for kind, source, items in (("node", nodes, (item[1] for item in nodes)),
                                ("edge", edges, (item[2] for item in edges))):
        # items made from the edges (_Remade) know every attribute name they can have: once each
        # is declared, the rest cannot add a key (half a million edge dicts not made for nothing)
        possible = getattr(source, "possible", None)
        left = None
        if possible is not None:
            left = {(kind, name) for name in possible} | ({("node", "words")} if kind == "node" else set())
        for attrs in items:
            for name, value in attrs.items():
                if value is not None and (kind, name) not in keys:
                    kind_type = "string" if isinstance(value, (list, tuple)) else _graphml_type(value)
                    keys[(kind, name)] = (f"d{len(keys)}", kind_type)
            if kind == "node" and ("node", "words") not in keys:
                keys[("node", "words")] = (f"d{len(keys)}", "long")
            if left is not None and left <= keys.keys():
                break
    return keys


_GRAPHML_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n'
                 '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                 'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                 'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')


def _write_graphml(nodes: Iterable[tuple[str, dict]], edges: Iterable[tuple[str, str, dict]],
                   out: BinaryIO, keys: dict[tuple[str, str], tuple[str, str]]) -> None:
    """Stream a directed GraphML document, a few hundred elements per write, no tree in memory.

    The attribute ``keys`` (``(for, name) -> (id, type)``, see :func:`_declared_keys`) are
    declared first. Same content as networkx's writer, which builds the whole XML tree first:
    at 100,000 documents that tree is a large part of a trace's peak memory.

    >>> import io, networkx as nx
    >>> buf = io.BytesIO()
    >>> nodes, edges = [("a", {"title": "A & B", "words": 3})], [("a", "a", {"tree": True})]
    >>> _write_graphml(nodes, edges, buf, _declared_keys(nodes, edges))
    >>> g = nx.read_graphml(io.BytesIO(buf.getvalue()))
    >>> g.nodes["a"], g.edges["a", "a"]
    ({'title': 'A & B', 'words': 3}, {'tree': True})
    """
    lines = [_GRAPHML_HEAD]
    lines += [f'  <key id="{key}" for="{kind}" attr.name={quoteattr(name)} attr.type="{kind_type}"/>\n'
              for (kind, name), (key, kind_type) in keys.items()]
    lines.append('  <graph edgedefault="directed">\n')

    opening = {kind: {name: f'<data key="{key}">' for (k, name), (key, _) in keys.items() if k == kind}
               for kind in ("node", "edge")}
    quoted: dict[str, str] = {}  # each id is quoted once: an edge's ends recur

    def data(kind: str, attrs: dict) -> str:
        return "".join([f"{opening[kind][name]}{_graphml_value(value)}</data>" for name, value in attrs.items()])

    def attribute(node: str) -> str:
        text = quoted.get(node)
        if text is None:
            text = quoted[node] = quoteattr(node)
        return text

    def flush(force: bool = False) -> None:
        if force or len(lines) >= 512:
            out.write("".join(lines).encode("utf-8"))
            lines.clear()

    for node, attrs in nodes:
        lines.append(f"    <node id={attribute(node)}>{data('node', attrs)}</node>\n")
        flush()
    for u, v, attrs in edges:
        lines.append(f"    <edge source={attribute(u)} target={attribute(v)}>{data('edge', attrs)}</edge>\n")
        flush()
    lines.append("  </graph>\n</graphml>\n")
    flush(force=True)


def _graphml_type(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "boolean"
    if isinstance(value, (int, np.integer)):
        return "long"
    if isinstance(value, (float, np.floating)):
        return "double"
    return "string"


def _graphml_value(value: object) -> str:
    kind = type(value)  # the common types first, by identity (millions of values at 100,000 documents)
    if kind is str:  # most values: escaped only when they hold a character to escape
        return xml_escape(value) if "&" in value or "<" in value or ">" in value else value
    if kind is bool:
        return "true" if value else "false"
    if kind is int or kind is float:
        return str(value)
    if isinstance(value, str):  # a str subclass: as the plain string
        return _graphml_value(str(value))
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return str(value)  # digits, signs, ".", "e", "inf", "nan": nothing to escape
    return xml_escape(str(value))
