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
from typing import TYPE_CHECKING, Callable, BinaryIO

import networkx as nx

from lineage import __version__
from lineage.errors import OutputError
from lineage.graph import hidden_children
from lineage.model import LineageEdge

if TYPE_CHECKING:
    from lineage.pipeline import TraceResult

SCHEMA_VERSION = "1.0"


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
    }


def to_json(result: "TraceResult") -> dict[str, object]:
    """The lineage.json object: documents, edges, clusters, skipped, params, version."""
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
    edges = [edge_json(e) for e in result.edges]
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


def write_json(result: "TraceResult", path: str | os.PathLike[str]) -> None:
    data = json_layout(to_json(result)).encode("utf-8")
    write_atomic(path, lambda f: f.write(data))


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
    fields = []
    for key, value in data.items():
        name = json.dumps(key, ensure_ascii=False)
        if isinstance(value, list) and value:
            items = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in value)
            fields.append(f"  {name}: [\n{items}\n  ]")
        else:
            text = json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n  ")
            fields.append(f"  {name}: {text}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def graphml_graph(result: "TraceResult") -> nx.DiGraph:
    """The trace graph with scalar attributes only (Gephi, Cytoscape and yEd read them)."""
    g = nx.DiGraph()
    for node, attrs in result.graph.nodes(data=True):
        g.add_node(node, **_scalars(attrs), words=result.words.get(node, 0))
    for u, v, attrs in result.graph.edges(data=True):
        g.add_edge(u, v, **_scalars(attrs))
    return g


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
            value = " | ".join(str(v) for v in value)
        if isinstance(value, str):
            value = _XML_INVALID.sub("", value)
        out[key] = value
    return out


def write_graphml(result: "TraceResult", path: str | os.PathLike[str]) -> None:
    g = graphml_graph(result)
    write_atomic(path, lambda f: nx.write_graphml(g, f, encoding="utf-8"))
