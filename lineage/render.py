"""Draw the lineage diagram as a PNG with matplotlib (``Figure``, no pyplot state).

Documents in clusters are laid out in layers by generation (originals on
top, copies below their parents); arrows run from source to copy, their
width grows with the words shared, colour shows the relation, dashed lines
are edges whose direction is unresolved or a common source (their arrow
follows the lineage tree's choice), and each arrow is
labelled like "58% of 000 in 001". Quote-only pairs are not drawn.

>>> shorten_ids(["000_f651", "001_6e52", "zeta"])
{'000_f651': '000', '001_6e52': '001', 'zeta': 'zet'}
"""

from __future__ import annotations

import io
import os
import textwrap
from typing import TYPE_CHECKING, Sequence

from lineage.export import write_atomic
from lineage.graph import is_copy

if TYPE_CHECKING:
    from lineage.pipeline import TraceResult

COLOURS = {"near-duplicate": "#c0392b", "derived": "#2c6fbb", "partial": "#27915f"}
MAX_NODES = 60


def shorten_ids(ids: Sequence[str], minimum: int = 3) -> dict[str, str]:
    """The shortest prefix of each id (at least ``minimum`` characters) that no other id shares."""
    out = {}
    for doc_id in ids:
        size = min(minimum, len(doc_id))
        while size < len(doc_id) and any(o != doc_id and o.startswith(doc_id[:size]) for o in ids):
            size += 1
        out[doc_id] = doc_id[:size]
    return out


def _opening(text: str, words: int = 7) -> str:
    """The first words of a text, for documents without a title."""
    return " ".join(text.split()[:words]) + "…"


def _layers(members: list[str], parents: dict[str, str | None]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for m in members:
        d, node, seen = 0, m, set()
        while parents.get(node) is not None and node not in seen:
            seen.add(node)
            node = parents[node]  # type: ignore[assignment]
            d += 1
        depth[m] = d
    return depth


def render_png(result: "TraceResult", path: str | os.PathLike[str], *, max_nodes: int = MAX_NODES) -> None:
    """Draw the lineage of the largest clusters (up to ``max_nodes`` documents) into ``path``."""
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    drawn: list[list[str]] = []
    total = 0
    for members in result.clusters:
        if total + len(members) > max_nodes and drawn:
            break
        drawn.append(members)
        total += len(members)
    left_out = len(result.clusters) - len(drawn)
    titles = {d.id: d.title or _opening(d.text) for d in result.documents}
    short = shorten_ids([d.id for d in result.documents])
    positions: dict[str, tuple[float, float]] = {}
    x_offset = 0.0
    max_depth = 0
    for members in drawn:
        depth = _layers(members, result.parents)
        max_depth = max(max_depth, *depth.values())
        by_layer: dict[int, list[str]] = {}
        for m in sorted(members):
            by_layer.setdefault(depth[m], []).append(m)
        width = max(len(v) for v in by_layer.values())
        for layer, nodes in by_layer.items():
            for k, m in enumerate(nodes):
                positions[m] = (x_offset + (k + 0.5) * width / len(nodes), -layer)
        x_offset += width + 0.6
    fig_w = max(6.0, min(40.0, 2.6 * max(x_offset, 1)))
    fig_h = max(3.5, min(30.0, 1.8 * (max_depth + 1) + 1.2))
    fig = Figure(figsize=(fig_w, fig_h), dpi=110)
    ax = fig.add_subplot()
    ax.set_axis_off()
    edges = [e for e in result.edges if is_copy(e) and e.source in positions and e.target in positions]
    most = max((e.shared_words for e in edges), default=1)
    for e in edges:
        (x1, y1), (x2, y2) = positions[e.source], positions[e.target]
        oriented = e.direction == "forward"
        pct = max(e.source_in_target, e.target_in_source)
        inner, outer = (e.source, e.target) if e.source_in_target >= e.target_in_source else (e.target, e.source)
        ax.annotate(
            "",
            xy=(x2, y2),
            xytext=(x1, y1),
            arrowprops=dict(
                arrowstyle="-|>",
                mutation_scale=18,
                color=COLOURS.get(e.relation, "grey"),
                lw=1.0 + (5.0 if oriented else 2.0) * e.shared_words / most,
                linestyle="solid" if oriented else "dashed",
                shrinkA=22,
                shrinkB=22,
                connectionstyle="arc3,rad=0.08" if y1 == y2 else "arc3,rad=0.0",
            ),
        )
        label = f"{round(100 * pct)}% of {short[inner]} in {short[outer]}"
        if not oriented:
            label += f"\n({e.direction}, p={e.confidence:.2f})"
        ax.text((x1 + x2) / 2, (y1 + y2) / 2 + 0.08, label, fontsize=8, ha="center", va="bottom",
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))
    for node, (x, y) in positions.items():
        title = titles.get(node) or ""
        text = short[node] + ("\n" + textwrap.shorten(title, 40, placeholder="…") if title else "")
        root = result.parents.get(node) is None
        ax.text(x, y, "\n".join(textwrap.wrap(text, 22, replace_whitespace=False)) if "\n" not in text else text,
                ha="center", va="center", fontsize=8,
                bbox=dict(boxstyle="round,pad=0.4", fc="#fdf2d0" if root else "#eef3fb", ec="#555555"))
    if positions:
        xs = [p[0] for p in positions.values()]
        ax.set_xlim(min(xs) - 0.8, max(xs) + 0.8)
        ax.set_ylim(-max_depth - 0.7, 0.7)
        handles = [Line2D([0], [0], color=c, lw=3, label=r) for r, c in COLOURS.items()]
        handles.append(Line2D([0], [0], color="grey", lw=2, linestyle="dashed", label="direction unresolved"))
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=False)
    else:
        ax.text(0.5, 0.5, "no reuse found between the documents", ha="center", va="center", fontsize=12)
    singles = len(result.documents) - sum(len(c) for c in result.clusters)
    n_clusters = len(result.clusters)
    notes = [f"{len(result.documents)} documents, {n_clusters} cluster{'' if n_clusters == 1 else 's'}"]
    if singles:
        notes.append(f"{singles} without reuse not drawn")
    if left_out:
        notes.append(f"{left_out} smaller clusters left out")
    fig.suptitle("lineage: " + "; ".join(notes), fontsize=9)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    write_atomic(path, lambda f: f.write(buffer.getvalue()))
