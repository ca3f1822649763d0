"""Write a generated corpus: random ids, rendered pages, metadata with noisy timestamps, the truth.

The generator (:mod:`lineage.synth`) hands over its :class:`Node` list; this
module renders each visible node through its outlet, derives the passage
``cases`` of every true pair from the pieces' origins, and writes ``docs/``,
``metadata.jsonl`` and ``truth.json``, each atomically.

>>> len(set(random_ids(random.Random(0), 1000)))
1000
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from lineage.errors import OutputError
from lineage.eval_truth import truth_forest, truth_pairs
from lineage.synth_base import Base
from lineage.synth_render import Outlet, printed_title, render, write_atomic
from lineage.synth_text import Content, Layout, shared_spans, shared_words

__all__ = ["Node", "SynthSummary", "random_ids", "write_corpus"]


@dataclass(slots=True)
class Node:
    """One generated document (visible or hidden), before rendering."""

    kind: str  # "tree" | "negative" | "distractor"
    tree: int
    parent: int | None
    content: Content
    outlet: Outlet
    published: datetime
    label: str = ""
    hidden: bool = False
    base: Base | None = None


@dataclass(frozen=True, slots=True)
class SynthSummary:
    """What ``synthesize`` wrote."""

    out_dir: str
    documents: int
    trees: int
    hidden: int
    negatives: int
    distractors: int
    cases: int
    edges_by_label: tuple[tuple[str, int], ...]
    edges_by_operator: tuple[tuple[str, int], ...]

    def describe(self) -> str:
        """A few lines for the terminal."""
        ops_text = ", ".join(f"{op} {n}" for op, n in self.edges_by_operator)
        return (
            f"wrote {self.documents} documents to {self.out_dir}: {self.trees} copy trees, "
            f"{self.hidden} hidden documents, {self.negatives} negatives, {self.distractors} distractors, "
            f"{self.cases} passage cases\nedges by operator: {ops_text}"
        )


def random_ids(rng: random.Random, n: int) -> list[str]:
    """``n`` distinct random 10-hex-digit ids: their order says nothing about the lineage."""
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < n:
        candidate = f"{rng.getrandbits(40):010x}"
        if candidate not in seen:
            seen.add(candidate)
            ids.append(candidate)
    return ids


def write_generated(out: Path, stale: set[str], texts: dict[str, str], truth: dict) -> None:
    """Write a generated corpus without metadata: ``texts`` (id -> text) as ``out/docs/<id>.txt``,
    then ``truth`` as ``out/truth.json`` (written last: see :func:`_prepare`); the ``stale`` .txt
    files of an earlier run that are not rewritten are removed first.

    Raises:
        OutputError: the folder cannot be written.
    """
    try:
        for name in stale - {f"{m}.txt" for m in texts}:
            (out / "docs" / name).unlink()
        for m, text in texts.items():
            write_atomic(out / "docs" / f"{m}.txt", text)
        write_atomic(out / "truth.json", json.dumps(truth, indent=1) + "\n")
    except OSError as e:
        raise OutputError(f"cannot write to {out}: {e.strerror}", fix="check the -o path") from e


def _iso(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _prepare(out: Path) -> set[str]:
    """Claim the output folder; return the .txt files a previous synth run left in docs/.

    The marker file ``.lineage-synth`` (written first) and ``truth.json``
    (written last) say the folder is ours, so a rerun may replace its files
    even after a crash; .txt files of any other origin are never deleted.
    """
    docs, marker = out / "docs", out / ".lineage-synth"
    old = {p.name for p in docs.glob("*.txt")} if docs.is_dir() else set()
    if old and not (marker.exists() or (out / "truth.json").exists()):
        raise OutputError(
            f"{docs} already holds .txt files that lineage synth did not write",
            fix="choose an empty or new -o folder",
        )
    try:
        docs.mkdir(parents=True, exist_ok=True)
        marker.write_text("written by lineage synth\n", encoding="utf-8")
        (out / "truth.json").unlink(missing_ok=True)  # no stale truth beside half-written docs
    except OSError as e:
        raise OutputError(f"cannot write to {out}: {e.strerror}", fix="check the -o path") from e
    return old


def _wrong_time(i: int, nodes: list[Node], rng: random.Random) -> datetime:
    """A plausible timestamp error: before the (nearest visible) parent, or a root dated after its copies."""
    node = nodes[i]
    if node.parent is not None:
        anchor = node.parent
        while nodes[anchor].hidden and nodes[anchor].parent is not None:
            anchor = nodes[anchor].parent
        return nodes[anchor].published - timedelta(minutes=rng.uniform(10, 2 * 24 * 60))
    children = [n.published for n in nodes if n.kind == "tree" and n.parent == i]
    if children:
        return max(children) + timedelta(minutes=rng.uniform(60, 3 * 24 * 60))
    return node.published + timedelta(hours=rng.choice((-1, 1)) * rng.uniform(1, 72))


def write_corpus(
    nodes: list[Node], out_dir: str | Path, *, rng: random.Random, timestamps: bool, params: dict
) -> SynthSummary:
    """Render and write the visible nodes, the metadata and the truth; see :mod:`lineage.synth`.

    Raises:
        OutputError: the folder cannot be written or holds .txt files synth did not write.
    """
    out = Path(out_dir)
    stale = _prepare(out)
    ids = random_ids(rng, len(nodes))
    visible = [i for i, n in enumerate(nodes) if not n.hidden]
    layouts: dict[int, Layout] = {
        i: render(
            nodes[i].content,
            nodes[i].outlet,
            nodes[i].published,
            random.Random(rng.getrandbits(64)),
        )
        for i in visible
    }
    edges = sorted(
        [ids[n.parent], ids[i], n.label] for i, n in enumerate(nodes) if n.parent is not None
    )
    index = {ids[i]: i for i in range(len(nodes))}
    forest = truth_forest({"nodes": [ids[i] for i in visible], "edges": edges})
    cases = []
    for pair in truth_pairs(forest):
        for span in shared_spans(layouts[index[pair.source]], layouts[index[pair.target]]):
            cases.append(
                {
                    "source": pair.source,
                    "target": pair.target,
                    "source_span": list(span.a),
                    "target_span": list(span.b),
                    "obfuscation": "none" if span.exact else "edited",
                }
            )
    # Hard negatives: an independent report and each document of its story (or another report
    # on it) that carries one of the quotations they share.
    negatives = sorted(
        {
            tuple(sorted((ids[q], ids[v])))
            for q, neg in enumerate(nodes)
            if neg.kind == "negative"
            for v in visible
            if v != q
            and nodes[v].kind in ("tree", "negative")
            and nodes[v].tree == neg.tree
            and shared_words(neg.content, nodes[v].content) > 0
        }
    )
    noise: dict[str, str] = {}
    metadata = []
    for i in sorted(visible, key=lambda i: ids[i]):
        node, roll = nodes[i], rng.random()
        when: datetime | None = node.published
        if roll < 0.1:
            when, noise[ids[i]] = None, "missing"
        elif roll < 0.2:
            when, noise[ids[i]] = _wrong_time(i, nodes, rng), "wrong"
        row = {
            "id": ids[i],
            "published": _iso(when) if when else None,
            "outlet": node.outlet.name,
            "title": _title(node),
        }
        if not timestamps:
            del row["published"]
        metadata.append(json.dumps(row, ensure_ascii=False))
    labels = Counter(label for _, _, label in edges)
    operators = Counter(op for _, _, label in edges for op in label.split("+"))
    counts = {
        "documents": len(visible),
        "hidden": sum(n.hidden for n in nodes),
        "negatives": sum(n.kind == "negative" for n in nodes),
        "distractors": sum(n.kind == "distractor" for n in nodes),
    }
    truth = {
        "version": 1,
        "nodes": sorted(ids[i] for i in visible),
        "edges": edges,
        "negatives": [list(p) for p in negatives],
        "cases": sorted(
            cases, key=lambda c: (c["source"], c["target"], c["source_span"], c["target_span"])
        ),
        "hidden": sorted(ids[i] for i, n in enumerate(nodes) if n.hidden),
        "published": {ids[i]: _iso(n.published) for i, n in enumerate(nodes)},
        "timestamp_noise": noise,
        "params": {**params, **counts},
    }
    for i in visible:
        write_atomic(out / "docs" / f"{ids[i]}.txt", layouts[i].text + "\n")
    for name in sorted(stale - {f"{ids[i]}.txt" for i in visible}):
        (out / "docs" / name).unlink()
    write_atomic(out / "metadata.jsonl", "\n".join(metadata) + "\n")
    write_atomic(
        out / "truth.json", json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    )
    return SynthSummary(
        out_dir=str(out),
        trees=params["stories"],
        cases=len(cases),
        edges_by_label=tuple(sorted(labels.items())),
        edges_by_operator=tuple(sorted(operators.items())),
        **counts,
    )


def _title(node: Node) -> str:
    return printed_title(node.content.title.text, node.outlet.title_case)
