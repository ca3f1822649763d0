"""Draw lineage diagrams and dot plots as PNG with matplotlib (``Figure``, no pyplot state).

Each cluster is drawn as its lineage tree: originals on top, every copy one
layer below its parent, parents centred over their children. Clusters are
packed in rows, largest first, so 5 or 200 documents both fit a readable
page. Arrows run from source to copy: colour = relation, opacity =
confidence, width = words shared, dashed = direction unresolved or a common
source. Hidden sources (``hidden_sources`` in lineage.json) are dashed boxes.
Graphs larger than ``max_nodes`` draw the largest clusters and say what was
left out. Quote-only pairs are never drawn (they are not copies).

>>> shorten_ids(["000_f651", "001_6e52", "zeta"])
{'000_f651': '000', '001_6e52': '001', 'zeta': 'zet'}
"""

from __future__ import annotations

import colorsys
import io
import math
import os
import textwrap
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from lineage.export import write_atomic
from lineage.graph import hidden_children, is_copy

from lineage.model import LineageEdge

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from lineage.normalise import Tokens
    from lineage.pipeline import TraceResult

COLOURS = {"near-duplicate": "#c0392b", "derived": "#2c6fbb", "partial": "#27915f"}
MAX_NODES = 60
NODE_W, LAYER_H = 1.65, 1.05  # inches per node slot and per generation
EDGE_LABELS_UP_TO = 30  # "58% of 000 in 001" labels only while they stay legible
OFF_TREE_UP_TO = 40  # links off the tree are drawn (faintly) only in diagrams this small
ALSO_USED = "#b54708"  # an "also used" source (lineage.graph.secondary_sources)
DOTS = (0, (0.6, 1.4))
DASHES = (0, (1.2, 1.0))  # matplotlib scales dashes by line width: short ones stay visible on wide arrows


def shorten_ids(ids: Sequence[str], minimum: int = 3) -> dict[str, str]:
    """The shortest prefix of each id (at least ``minimum`` characters) that no other id shares.

    An id's longest common prefix with any other id is found among its neighbours in sorted
    order, so this is O(n log n).

    >>> shorten_ids(["abcd", "abce", "abc"])
    {'abcd': 'abcd', 'abce': 'abce', 'abc': 'abc'}
    """
    ordered = sorted(set(ids))

    def common(x: str, y: str) -> int:
        n = 0
        for a, b in zip(x, y):
            if a != b:
                break
            n += 1
        return n

    out = {}
    for n, doc_id in enumerate(ordered):
        shared = max(common(doc_id, ordered[n - 1]) if n else 0,
                     common(doc_id, ordered[n + 1]) if n + 1 < len(ordered) else 0)
        out[doc_id] = doc_id[: min(len(doc_id), max(minimum, shared + 1))]
    return {doc_id: out[doc_id] for doc_id in ids}


def hidden_sources(result: "TraceResult") -> dict[str, list[str]]:
    """Hidden-source ids of a trace, each with the documents it feeds (``hidden_sources`` in lineage.json).

    >>> from lineage.pipeline import assemble
    >>> hidden_sources(assemble([], [], skipped=[], params={}, words={}))
    {}
    """
    return hidden_children(result.parents)


def passage_colour(n: int, quoted: bool = False) -> tuple[float, float, float]:
    """RGB of passage ``n``: the hue the HTML report gives it (golden-angle steps).

    >>> passage_colour(0)
    (0.612, 0.108, 0.108)
    """
    r, g, b = colorsys.hls_to_rgb((n * 137.508) % 360 / 360, 0.36 if not quoted else 0.5, 0.7)
    return (round(r, 3), round(g, 3), round(b, 3))


@dataclass
class _Block:
    """One packing unit: a root's subtree, or a cluster's documents that have no tree link."""

    label: str | None  # caption drawn above the unit (the cluster's first unit, the loose ones)
    pos: dict[str, tuple[float, int]]  # node -> (x slot, generation)
    width: float
    depth: int


def render_png(result: "TraceResult", path: str | os.PathLike[str], *, max_nodes: int = MAX_NODES,
               edges: "Sequence[LineageEdge] | None" = None) -> None:
    """Draw the lineage of the largest clusters (up to ``max_nodes`` documents) into ``path``.

    ``edges``, when given, are the edges to draw from instead of all of ``result.edges``: at
    least those among :func:`drawn_documents` (a forked drawer then reads no others, see
    :func:`lineage.export.write_outputs`).
    """
    chosen = _chosen(result, max_nodes)
    left = result.clusters[len(chosen):]
    singles = len(result.documents) - sum(len(c) for c in result.clusters)
    notes = [f"{plural(len(result.documents), 'document')}, {plural(len(result.clusters), 'cluster')}"]
    if singles:
        notes.append(f"{singles} without reuse not drawn")
    if left:
        notes.append(f"{plural(len(left), 'smaller cluster')} ({sum(map(len, left))} documents) left out")
    _draw(result, chosen, max_nodes, "lineage: " + "; ".join(notes), path, edges=edges)


def drawn_documents(result: "TraceResult", max_nodes: int = MAX_NODES) -> set[str]:
    """The documents :func:`render_png` draws: those of the largest clusters, up to ``max_nodes``.

    >>> from lineage.model import Document, LineageEdge
    >>> from lineage.pipeline import assemble
    >>> docs = [Document(x, "some text", x) for x in "abcd"]
    >>> edges = [LineageEdge("a", "b", "derived", "forward", 0.9, 0.5, 0.6, 0.9, (), ()),
    ...          LineageEdge("c", "d", "derived", "forward", 0.9, 0.5, 0.6, 0.9, (), ())]
    >>> sorted(drawn_documents(assemble(docs, edges, skipped=[], params={}, words={}), max_nodes=3))
    ['a', 'b']
    """
    return {d for _, members in _chosen(result, max_nodes) for d in members}


def _chosen(result: "TraceResult", max_nodes: int) -> list[tuple[int, list[str]]]:
    """The clusters drawn (by number), largest first, up to ``max_nodes`` documents (at least one)."""
    chosen: list[tuple[int, list[str]]] = []
    total = 0
    for number, members in enumerate(result.clusters, start=1):
        if total + len(members) > max_nodes and chosen:
            break
        chosen.append((number, members))
        total += len(members)
    return chosen


def render_cluster_pngs(result: "TraceResult", folder: str | os.PathLike[str], *,
                        max_nodes: int = 200, edges: "Sequence[LineageEdge] | None" = None) -> list[Path]:
    """Write one diagram per cluster, ``lineage-c1.png``, ``lineage-c2.png``, ...; return the paths.

    A cluster larger than ``max_nodes`` is drawn down to that many documents, by generation.
    ``edges``: as for :func:`render_png` (at least the copy edges).
    """
    # Shared work done once, not once per cluster (there may be thousands of clusters).
    hidden = hidden_sources(result)
    labels = shorten_ids([d.id for d in result.documents] + list(hidden))
    cluster_of = result.cluster_of()
    by_cluster: dict[str, list[LineageEdge]] = {}
    for e in result.edges if edges is None else edges:
        if is_copy(e) and cluster_of.get(e.source) is not None:
            by_cluster.setdefault(cluster_of[e.source], []).append(e)
    written = []
    for number, members in enumerate(result.clusters, start=1):
        target = Path(folder) / f"lineage-c{number}.png"
        _draw(result, [(number, members)], max_nodes, f"lineage: cluster c{number}, {len(members)} documents",
              target, hidden=hidden, labels=labels, edges=by_cluster.get(f"c{number}", []))
        written.append(target)
    return written


def _draw(result: "TraceResult", chosen: list[tuple[int, list[str]]], max_nodes: int, heading: str,
          path: str | os.PathLike[str], *, hidden: dict[str, list[str]] | None = None,
          labels: dict[str, str] | None = None, edges: "list[LineageEdge] | None" = None) -> None:
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyBboxPatch

    hidden = hidden_sources(result) if hidden is None else hidden
    blocks: list[_Block] = []
    tree: set[tuple[str, str]] = set()
    for number, members in chosen:
        units, parent = _layout(result, number, members, hidden, max(1, max_nodes))
        blocks += units
        tree |= {(p, c) for c, p in parent.items()}
    origin, width, height = _pack(blocks)
    xy: dict[str, tuple[float, float]] = {}
    for block, (bx, by) in zip(blocks, origin):
        for node, (x, gen) in block.pos.items():
            xy[node] = (bx + x, -(by + gen))
    nodes = len(xy)
    edges = [e for e in (result.edges if edges is None else edges)
             if is_copy(e) and e.source in xy and e.target in xy]
    off_tree = [e for e in edges if (e.source, e.target) not in tree and (e.target, e.source) not in tree
                and not e.secondary]
    draw_off = bool(off_tree) and nodes <= OFF_TREE_UP_TO and len(off_tree) <= 2 * OFF_TREE_UP_TO
    if off_tree and not draw_off:
        heading += f"; {len(off_tree)} links off the tree not drawn (see report.html)"

    fig_w = max(7.0, min(60.0, width * NODE_W + 0.6))
    fig_h = max(3.6, min(60.0, height * LAYER_H + 1.9))
    fig = Figure(figsize=(fig_w, fig_h), dpi=_dpi(fig_w, fig_h))
    fig.suptitle(heading, fontsize=9, y=1 - 0.12 / fig_h, va="top")
    also_used = any(e.secondary for e in edges)
    legend_rows = _legend(fig, fig_w, bool(hidden), draw_off, also_used)
    bottom = (0.2 + 0.19 * legend_rows) / fig_h
    ax = fig.add_axes((0.005, bottom, 0.99, 1 - bottom - 0.5 / fig_h))
    ax.set_axis_off()
    for block, (bx, by) in zip(blocks, origin):
        ax.add_patch(FancyBboxPatch((bx - 0.45, -(by + block.depth) - 0.4), block.width - 0.1, block.depth + 0.8,
                                    boxstyle="round,pad=0,rounding_size=0.15", fc="#f5f7fa", ec="#e4e7ec", lw=0.6,
                                    zorder=0))
        if block.label:
            ax.text(bx - 0.42, -by + 0.42, block.label, fontsize=7, color="#475467", ha="left", va="bottom",
                    parse_math=False)
    most = max((e.shared_words for e in edges), default=1) or 1
    if labels is None:
        labels = shorten_ids([d.id for d in result.documents] + list(hidden))
    boxes = _boxes(result, xy, hidden, labels, detailed=nodes <= MAX_NODES)
    # Half of each box's height in data units, so tree arrows run from box edge to box edge.
    points_per_unit = fig_h * (1 - bottom - 0.5 / fig_h) * 72 / max(height - 0.15, 0.1)
    half = {node: (box[0].count("\n") + 1) * 7 * 1.15 / 2 / points_per_unit + 5 / points_per_unit
            for node, box in boxes.items()}
    for e in edges:
        on_tree = (e.source, e.target) in tree or (e.target, e.source) in tree
        if on_tree or draw_off or e.secondary:  # an "also used" edge is drawn whatever the size
            _arrow(ax, e, xy, half, most, on_tree, labels if on_tree and nodes <= EDGE_LABELS_UP_TO else None)
    for h_id, kids in hidden.items():
        for kid in kids:
            if h_id in xy and kid in xy:
                a, b = _ends(xy[h_id], xy[kid], half[h_id], half[kid])
                _link(ax, a, b, colour="#667085", width=1.2, style=DASHES, alpha=0.9, rad=0.0, shrink=1)
    for node, (text, face, edge_colour, style) in boxes.items():
        ax.text(*xy[node], text, ha="center", va="center", fontsize=7, parse_math=False, zorder=4,
                linespacing=1.15, bbox=dict(boxstyle="round,pad=0.35", fc=face, ec=edge_colour, ls=style, lw=0.8))
    if xy:
        ax.set_xlim(-0.7, width - 0.3)
        ax.set_ylim(-height + 0.9, 0.75)
    else:
        ax.text(0.5, 0.5, "no reuse found between the documents", ha="center", va="center", fontsize=12,
                transform=ax.transAxes)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    write_atomic(path, lambda f: f.write(buffer.getvalue()))


def cluster_forest(result: "TraceResult", members: Sequence[str],
                   hidden: dict[str, list[str]]) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """A cluster's tree: ``(parent of each node, children of each node, roots)``, hidden sources
    included as nodes; children and roots sorted by id.

    >>> from lineage.model import LineageEdge
    >>> from lineage.pipeline import assemble
    >>> from lineage.model import Document
    >>> docs = [Document(x, "t", x) for x in "abc"]
    >>> e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.3, 0.4, 0.9, (), ())
    >>> cluster_forest(assemble(docs, [e], skipped=[], params={}, words={}), ["a", "b"], {})
    ({'b': 'a'}, {'a': ['b']}, ['a'])
    """
    member_set = set(members)
    hidden_of = {kid: h for h, kids in hidden.items() for kid in kids}
    parent: dict[str, str] = {}
    for m in members:
        p = result.parents.get(m) or hidden_of.get(m)
        if p is not None and (p in member_set or p in hidden):
            parent[m] = p
    children: dict[str, list[str]] = {}
    for child in sorted(parent):
        children.setdefault(parent[child], []).append(child)
    roots = sorted(n for n in member_set | set(parent.values()) if n not in parent)
    return parent, children, roots


def _layout(result: "TraceResult", number: int, members: list[str], hidden: dict[str, list[str]],
            max_nodes: int) -> tuple[list[_Block], dict[str, str]]:
    """A cluster's units (tidy trees: leaves on consecutive slots, each parent over its children's
    middle; documents without any tree link in a grid) and the tree parent of each drawn node."""
    parent, children, roots = cluster_forest(result, members, hidden)
    # Generation order (breadth first) decides what stays when a cluster is cut to max_nodes.
    keep: list[str] = []
    queue = deque(roots)
    seen: set[str] = set()
    while queue and len(keep) < max_nodes:
        node = queue.popleft()
        if node in seen:
            continue
        seen.add(node)
        keep.append(node)
        queue.extend(children.get(node, []))
    kept = set(keep)
    children = {p: [c for c in kids if c in kept] for p, kids in children.items() if p in kept}
    trees = [r for r in roots if r in kept and children.get(r)]
    loose = [r for r in roots if r in kept and not children.get(r)]
    # Biggest trees first so that the cluster's caption sits over its main tree.
    trees.sort(key=lambda r: -_size(r, children))
    units: list[_Block] = []
    for root in trees:
        pos = tidy_tree(root, children)
        units.append(_Block(None, pos, max(x for x, _ in pos.values()) + 1, max(g for _, g in pos.values())))
    if loose:
        cols = min(len(loose), max(1, math.ceil(math.sqrt(4 * len(loose)))))
        grid = {node: (float(n % cols), n // cols) for n, node in enumerate(loose)}
        caption = (f"c{number}: {plural(len(loose), 'document')} linked only off the tree (e.g. common source)"
                   if cols >= 4 else f"c{number}: off the tree")
        units.append(_Block(caption, grid, float(cols), (len(loose) - 1) // cols))
    cut = len(members) - len([m for m in members if m in kept])
    for unit in units[1:]:
        unit.label = unit.label or f"c{number}, continued"
    units[0].label = f"c{number} · {plural(len(members), 'document')}" + (f" ({cut} deeper not drawn)" if cut else "")
    return units, {c: p for c, p in parent.items() if c in kept and p in kept}


def tidy_tree(root: str, children: dict[str, list[str]]) -> dict[str, tuple[float, int]]:
    """Positions ``node -> (x, generation)`` of a tree, in the manner of Reingold and Tilford:
    sibling subtrees are pushed together until, at some generation, they are one slot apart;
    each parent sits midway between its first and last child; the leftmost node is at x = 0.

    >>> tidy_tree("r", {"r": ["a", "b"], "a": ["a1", "a2"]})
    {'a1': (0.0, 2), 'a2': (1.0, 2), 'a': (0.5, 1), 'b': (1.5, 1), 'r': (1.0, 0)}
    """
    # Each finished subtree: positions relative to its root, and its left and right contours
    # (least and greatest x at each generation below the root).
    done: dict[str, tuple[dict[str, list[float]], list[float], list[float]]] = {}
    stack: list[tuple[str, bool]] = [(root, False)]
    while stack:  # iterative post-order: chains of copies may be deep
        node, expanded = stack.pop()
        kids = children.get(node, [])
        if kids and not expanded:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
            continue
        pos: dict[str, list[float]] = {}
        left: list[float] = []
        right: list[float] = []
        xs = []
        for kid in kids:
            k_pos, k_left, k_right = done.pop(kid)
            common = range(min(len(right), len(k_left)))
            shift = max((right[d] + 1 - k_left[d] for d in common), default=0.0)
            for n, p in k_pos.items():
                p[0] += shift
                pos[n] = p
            for d in range(len(k_left)):
                if d < len(left):
                    left[d], right[d] = min(left[d], k_left[d] + shift), max(right[d], k_right[d] + shift)
                else:
                    left.append(k_left[d] + shift)
                    right.append(k_right[d] + shift)
            xs.append(k_pos[kid][0])
        x = (xs[0] + xs[-1]) / 2 if xs else 0.0
        for p in pos.values():
            p[1] += 1
        pos[node] = [x, 0]
        done[node] = (pos, [x, *left], [x, *right])
    pos, left, _ = done[root]
    least = min(left)
    return {n: (float(p[0] - least), int(p[1])) for n, p in pos.items()}


def _size(node: str, children: dict[str, list[str]]) -> int:
    """Nodes in the subtree under ``node`` (iterative)."""
    count, stack = 0, [node]
    while stack:
        count += 1
        stack.extend(children.get(stack.pop(), []))
    return count


def _pack(blocks: list[_Block]) -> tuple[list[tuple[float, float]], float, float]:
    """Shelf-pack the blocks in rows about 1.5 times as wide as the whole is tall."""
    gap = 0.7
    area = sum((b.width + gap) * NODE_W * (b.depth + 1.6) * LAYER_H for b in blocks)
    row = max(max((b.width for b in blocks), default=1.0), math.sqrt(area * 1.5) / NODE_W)
    origin: list[tuple[float, float]] = []
    x = y = shelf = 0.0
    width = 0.0
    for b in blocks:
        if x > 0 and x + b.width > row:
            x, y, shelf = 0.0, y + shelf, 0.0
        origin.append((x, y))
        width = max(width, x + b.width)
        x += b.width + gap
        shelf = max(shelf, b.depth + 1.6)
    return origin, max(width, 1.0), max(y + shelf, 1.6)


def plural(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1.

    >>> plural(1, "cluster"), plural(3, "cluster")
    ('1 cluster', '3 clusters')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _dpi(w: float, h: float) -> int:
    """Sharp small diagrams, and big ones kept under ~7,000 pixels a side."""
    return int(max(60, min(110, 7000 / max(w, h))))


def _arrow(ax: "Axes", e: "LineageEdge", xy: dict[str, tuple[float, float]], half: dict[str, float], most: int,
           on_tree: bool, labels: dict[str, str] | None) -> None:
    (x1, y1), (x2, y2) = xy[e.source], xy[e.target]
    oriented = e.direction == "forward"
    colour = COLOURS.get(e.relation, "grey")
    if e.secondary and not on_tree:  # "also used": a dotted arc from box to box
        a, b = _ends((x1, y1), (x2, y2), half[e.source], half[e.target])
        _link(ax, a, b, colour=ALSO_USED, width=1.4, style=DOTS, alpha=0.9, rad=0.2, shrink=1)
        return
    if not on_tree:
        _link(ax, (x1, y1), (x2, y2), colour=colour, width=0.7, style="solid", alpha=0.3, rad=0.25, shrink=15)
        return
    width = 0.8 + 4.2 * math.sqrt(e.shared_words / most)
    alpha = 0.3 + 0.7 * e.confidence if oriented else 0.75
    a, b = _ends((x1, y1), (x2, y2), half[e.source], half[e.target])
    _link(ax, a, b, colour=colour, width=width, style="solid" if oriented else DASHES, alpha=alpha, rad=0.0,
          shrink=1)
    if labels is not None:
        inner, outer = (e.source, e.target) if e.source_in_target >= e.target_in_source else (e.target, e.source)
        text = f"{round(100 * max(e.source_in_target, e.target_in_source))}% of {labels[inner]} in {labels[outer]}"
        if not oriented:
            text += f"\n{e.direction}, p={e.confidence:.2f}"
        ax.text((x1 + x2) / 2, (y1 + y2) / 2, text, fontsize=6.5, ha="center", va="center", parse_math=False,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85), zorder=3)


def _ends(a: tuple[float, float], b: tuple[float, float], half_a: float,
          half_b: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Where an arrow between two boxes in different generations leaves and enters them: the
    bottom of the upper box and the top of the lower, so arrowheads stay visible at any slant.

    >>> _ends((0, 0), (3, -1), 0.2, 0.1)
    ((0, -0.2), (3, -0.9))
    """
    (x1, y1), (x2, y2) = a, b
    if y1 == y2:
        return a, b
    sign = 1 if y1 > y2 else -1
    return (x1, y1 - sign * half_a), (x2, y2 + sign * half_b)


def _link(ax: "Axes", a: tuple[float, float], b: tuple[float, float], *, colour: str, width: float, style: str,
          alpha: float, rad: float, shrink: float) -> None:
    ax.annotate("", xy=b, xytext=a, zorder=1, arrowprops=dict(
        arrowstyle="-|>", mutation_scale=8 + 2 * width, color=colour, lw=width, linestyle=style, alpha=alpha,
        shrinkA=shrink, shrinkB=shrink, connectionstyle=f"arc3,rad={rad}"))


def _boxes(result: "TraceResult", xy: dict[str, tuple[float, float]], hidden: dict[str, list[str]],
           labels: dict[str, str], *, detailed: bool) -> dict[str, tuple[str, str, str, str]]:
    """Each node's box: caption, face colour, edge colour, line style."""
    docs = {d.id: d for d in result.documents}
    out = {}
    for node in xy:
        doc = docs.get(node)
        if doc is None:
            text, face, edge, style = f"{labels.get(node, node)}\nhidden source", "white", "#667085", "dashed"
        else:
            root = result.parents.get(node) is None
            # A root names the story for its whole tree, so it keeps its title even in big diagrams.
            text = labels.get(node, node) + "\n" + node_caption(doc.title, doc.outlet, doc.text,
                                                                detailed=detailed or root)
            face, edge, style = ("#fdf2d0" if root else "#eef3fb"), "#555555", "solid"
        out[node] = (text, face, edge, style)
    return out


def node_caption(title: str | None, outlet: str | None, text: str, *, detailed: bool = True) -> str:
    """A node's caption under its id: outlet and title, shortened, shouted titles calmed.

    >>> node_caption("HOT WEATHER PUSHES CBT GRAINS TO NEW HIGHS", "The Market Post", "", detailed=False)
    'The Market Post'
    >>> print(node_caption("HOT WEATHER PUSHES CBT GRAINS TO NEW HIGHS", None, ""))
    Hot Weather Pushes Cbt
    Grains To New Highs
    """
    def clean(s: str) -> str:
        s = " ".join("".join(ch if ch.isprintable() else " " for ch in s).split())
        return s.title() if s.isupper() and len(s) > 12 else s

    opening = text.split()
    head = clean(title) if title else clean(" ".join(opening[:8]) + (" …" if len(opening) > 8 else ""))
    lines = [textwrap.shorten(clean(outlet), 24, placeholder="…")] if outlet else []
    if detailed or not lines:
        lines += textwrap.wrap(head, 23, max_lines=2, placeholder=" …")
    return "\n".join(lines) if lines else "(empty)"


def _legend(fig, fig_w: float, with_hidden: bool, with_off_tree: bool, with_also_used: bool = False) -> int:
    """Put the legend under the diagram, as many columns as the width holds; return its rows."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Line2D([0], [0], color=c, lw=3, label=r) for r, c in COLOURS.items()]
    handles += [
        Line2D([0], [0], color="#333", lw=2, label="direction inferred (fainter = less confident)"),
        Line2D([0], [0], color="#333", lw=2, ls=DASHES, label="direction unresolved / common source"),
        Patch(fc="#fdf2d0", ec="#555555", label="original (no parent)"),
        Patch(fc="#eef3fb", ec="#555555", label="copy; arrow width = words shared"),
    ]
    if with_hidden:
        handles.append(Patch(fc="white", ec="#667085", ls="dashed", label="hidden source"))
    if with_off_tree:
        handles.append(Line2D([0], [0], color="#2c6fbb", lw=0.8, alpha=0.4, label="link off the lineage tree"))
    if with_also_used:
        handles.append(Line2D([0], [0], color=ALSO_USED, lw=1.4, ls=DOTS,
                              label="also used: material the parent lacks"))
    ncol = max(1, min(len(handles), int(fig_w / 2.9)))
    fig.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=7, frameon=False,
               bbox_to_anchor=(0.5, 0.0))
    return math.ceil(len(handles) / ncol)


def render_dot_plot(edge: "LineageEdge | None", source: "Tokens", target: "Tokens",
                    path: str | os.PathLike[str], *, k: int = 5, names: tuple[str, str] = ("source", "target")) -> None:
    """Draw a pair's dot plot: every shared word ``k``-shingle as a dot at (position in source,
    position in target), in words, and each passage of ``edge`` as a coloured segment.

    One diagonal is a copy; a diagonal across part of the source is an excerpt; breaks down the
    target are expansions; segments out of order are reordering. ``edge`` may be None (nothing
    shared): the plot then shows only the dots, if any.
    """
    from matplotlib.figure import Figure

    from lineage.shingles import shingle_hashes

    xs, ys = shared_shingle_positions(shingle_hashes(source, k=k), shingle_hashes(target, k=k))
    fig = Figure(figsize=(6.4, 6.4), dpi=110)
    ax = fig.add_subplot()
    ax.scatter(xs, ys, s=2, c="#98a2b3", linewidths=0, label=f"shared {k}-word shingle")
    for n, p in enumerate(edge.passages if edge is not None else ()):
        x0, x1 = (int(np.searchsorted(source.starts, c, side="right")) - 1 for c in (p.source[0], p.source[1] - 1))
        y0, y1 = (int(np.searchsorted(target.starts, c, side="right")) - 1 for c in (p.target[0], p.target[1] - 1))
        ax.plot([x0, x1], [y0, y1], color=passage_colour(n, p.quoted), lw=3, alpha=0.85,
                ls="--" if p.quoted else "-", solid_capstyle="round",
                label=f"passage {n + 1}" if n < 8 else None)
    ax.set_xlim(0, max(1, len(source)))
    ax.set_ylim(max(1, len(target)), 0)  # target read top-down, like the report
    ax.set_xlabel(f"{names[0]}: word position", fontsize=8)
    ax.set_ylabel(f"{names[1]}: word position", fontsize=8)
    ax.tick_params(labelsize=7)
    shared = edge.shared_words if edge is not None else 0
    ax.set_title(f"{names[0]} vs {names[1]}: {len(edge.passages) if edge else 0} passages, {shared} words",
                 fontsize=9, parse_math=False)
    ax.legend(fontsize=7, loc="lower right", frameon=False)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    write_atomic(path, lambda f: f.write(buffer.getvalue()))


def shared_shingle_positions(a: np.ndarray, b: np.ndarray, *, max_repeats: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(i, j)`` with ``a[i] == b[j]``; a hash repeated more than ``max_repeats`` times on
    either side (boilerplate, lists) is left out so it cannot flood the plot.

    >>> xs, ys = shared_shingle_positions(np.array([1, 2, 3]), np.array([3, 1, 9]))
    >>> xs.tolist(), ys.tolist()
    ([0, 2], [1, 0])
    """
    in_a, in_b = Counter(a.tolist()), Counter(b.tolist())
    keep = {v for v, n in in_a.items() if n <= max_repeats and 0 < in_b.get(v, 0) <= max_repeats}
    where_b: dict[int, list[int]] = {}
    for j, v in enumerate(b.tolist()):
        if v in keep:
            where_b.setdefault(v, []).append(j)
    pairs = [(i, j) for i, v in enumerate(a.tolist()) for j in where_b.get(v, ())]
    xs = np.array([i for i, _ in pairs], dtype=np.int64)
    ys = np.array([j for _, j in pairs], dtype=np.int64)
    return xs, ys
