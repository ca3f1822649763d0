"""lineage.png and friends: tree layout, cluster selection, per-cluster files, hostile titles, dot plots."""

from __future__ import annotations

import struct
import warnings

import numpy as np
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from lineage.cli import main
from lineage.model import Document, LineageEdge, Passage
from lineage.normalise import tokenize
from lineage.pipeline import assemble
from lineage.render import (
    _layout,
    cluster_forest,
    hidden_sources,
    render_cluster_pngs,
    render_dot_plot,
    render_png,
    shared_shingle_positions,
    shorten_ids,
    tidy_tree,
)
from tests.conftest import SEEDS


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def edge(source: str, target: str, relation="derived", direction="forward", confidence=0.9, words=20):
    return LineageEdge(source, target, relation, direction, confidence, 0.3, 0.5, 0.9,
                       (Passage((0, 10), (0, 10), words, False),), ("e",))


def forest(n_trees: int, size: int, *, title: str | None = None):
    """``n_trees`` clusters, each a root with a chain and a fan: deterministic, no text pipeline."""
    docs, edges = [], []
    for t in range(n_trees):
        ids = [f"t{t:03d}n{k:02d}" for k in range(size)]
        docs += [Document(i, f"text of {i}", i, title=title or f"Story {t} copy {k}", outlet=f"Outlet {k}")
                 for k, i in enumerate(ids)]
        edges += [edge(ids[0], i) for i in ids[1:size // 2]]
        edges += [edge(ids[k], ids[k + 1], relation="near-duplicate") for k in range(size // 2 - 1, size - 1)]
    return assemble(docs, edges, skipped=[], params={}, words={d.id: 3 for d in docs})


def brute_force_shorten(ids, minimum=3):
    out = {}
    for doc_id in ids:
        size = min(minimum, len(doc_id))
        while size < len(doc_id) and any(o != doc_id and o.startswith(doc_id[:size]) for o in ids):
            size += 1
        out[doc_id] = doc_id[:size]
    return out


@given(st.lists(st.text(alphabet="ab_0", min_size=1, max_size=6), min_size=1, max_size=12, unique=True))
def test_shorten_ids_equals_the_quadratic_definition(ids):
    assert shorten_ids(ids) == brute_force_shorten(ids)


def test_layout_puts_each_copy_one_generation_below_its_parent_and_centres_parents():
    result = forest(1, 8)
    units, parent = _layout(result, 1, result.clusters[0], {}, max_nodes=100)
    assert len(units) == 1
    pos = units[0].pos
    for child, par in parent.items():
        assert pos[child][1] == pos[par][1] + 1
    _, children, roots = cluster_forest(result, result.clusters[0], {})
    for node, kids in children.items():
        xs = [pos[k][0] for k in kids]
        assert pos[node][0] == (min(xs) + max(xs)) / 2
    for gen in {g for _, g in pos.values()}:
        xs = sorted(x for x, g in pos.values() if g == gen)
        assert all(b - a >= 1 for a, b in zip(xs, xs[1:]))  # boxes of one generation never overlap
    assert roots == ["t000n00"] and pos["t000n00"][1] == 0


def test_tidy_tree_tucks_a_deep_chain_under_a_wide_fan():
    # r has a fan child f (5 leaves) and a chain c -> c1 -> c2 -> c3: the chain's lower
    # generations may sit under the fan's space only if they do not collide with it.
    children = {"r": ["f", "c"], "f": [f"f{n}" for n in range(5)], "c": ["c1"], "c1": ["c2"], "c2": ["c3"]}
    pos = tidy_tree("r", children)
    assert max(x for x, _ in pos.values()) + 1 == 6  # 5 fan leaves + the chain, not more
    assert pos["c3"][1] == 4 and pos["c"][0] == pos["c3"][0]
    wide = {"r": ["a", "b"], "a": ["a1"], "a1": [f"x{n}" for n in range(4)], "b": [f"y{n}" for n in range(4)]}
    pos = tidy_tree("r", wide)
    # b's leaves (generation 2) only need to clear a1 at generation 2, not x0..x3 at generation 3
    assert max(x for x, _ in pos.values()) + 1 < 8


def test_layout_cuts_big_clusters_by_generation():
    result = forest(1, 12)
    units, _ = _layout(result, 1, result.clusters[0], {}, max_nodes=5)
    drawn = {n for u in units for n in u.pos}
    assert len(drawn) == 5 and "t000n00" in drawn
    assert "7 deeper not drawn" in units[0].label
    deepest_drawn = max(g for u in units for _, g in u.pos.values())
    assert all(result.parents[m] in drawn or m in drawn for m in drawn)
    assert deepest_drawn <= 2


def test_hidden_sources_become_nodes_with_their_children():
    result = assemble([Document(x, "t", x) for x in "ab"],
                      [edge("a", "b", direction="common-source", confidence=0.8)],
                      skipped=[], params={}, words={})
    assert result.parents == {"a": "hidden-1", "b": "hidden-1"}  # inferred by the lineage forest
    assert hidden_sources(result) == {"hidden-1": ["a", "b"]}
    parent, children, roots = cluster_forest(result, result.clusters[0], hidden_sources(result))
    assert parent == {"a": "hidden-1", "b": "hidden-1"} and children == {"hidden-1": ["a", "b"]}
    assert roots == ["hidden-1"]


def test_seeds_png(tmp_path, seeds_result):
    target = tmp_path / "lineage.png"
    render_png(seeds_result, target)
    w, h = png_size(target)
    assert 600 < w < 2000 and 300 < h < 2000


def test_big_graph_draws_up_to_max_nodes_within_a_bounded_image(tmp_path, monkeypatch):
    result = forest(40, 8)  # 320 documents in 40 clusters
    seen = {}
    from lineage import render

    real = render._draw

    def spy(result, chosen, max_nodes, heading, path, **options):
        seen["chosen"], seen["heading"] = chosen, heading
        return real(result, chosen, max_nodes, heading, path, **options)

    monkeypatch.setattr(render, "_draw", spy)
    render_png(result, tmp_path / "big.png", max_nodes=200)
    assert sum(len(m) for _, m in seen["chosen"]) == 200
    assert "15 smaller clusters (120 documents) left out" in seen["heading"]
    assert max(png_size(tmp_path / "big.png")) <= 7000


def test_the_edges_among_the_drawn_documents_draw_the_same_diagram(tmp_path):
    from lineage.render import drawn_documents

    result = forest(12, 6)
    shown = drawn_documents(result, max_nodes=30)
    assert 0 < len(shown) <= 30 and len(shown) < len(result.documents)
    among = [e for e in result.edges if e.source in shown and e.target in shown]
    assert 0 < len(among) < len(result.edges)
    render_png(result, tmp_path / "all.png", max_nodes=30)
    render_png(result, tmp_path / "among.png", max_nodes=30, edges=among)
    render_png(result, tmp_path / "fewer.png", max_nodes=30, edges=among[1:])
    assert (tmp_path / "all.png").read_bytes() == (tmp_path / "among.png").read_bytes()
    assert (tmp_path / "all.png").read_bytes() != (tmp_path / "fewer.png").read_bytes()  # the edges are drawn


def test_titles_with_dollars_and_control_characters_draw_without_glyph_warnings(tmp_path):
    # "$x_$" is broken mathtext: matplotlib raises ValueError when it parses it; \x1b has no glyph.
    result = forest(1, 3, title="Costs rise $x_$ \x1b[31m\tper share")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # mathtext parsing or a missing glyph would warn or raise
        render_png(result, tmp_path / "x.png")


def test_empty_result_draws_a_message(tmp_path):
    result = assemble([Document("a", "t", "a")], [], skipped=[], params={}, words={})
    render_png(result, tmp_path / "empty.png")
    assert png_size(tmp_path / "empty.png")[0] > 0


def test_render_cluster_pngs_writes_one_file_per_cluster(tmp_path):
    result = forest(3, 4)
    paths = render_cluster_pngs(result, tmp_path)
    assert [p.name for p in paths] == ["lineage-c1.png", "lineage-c2.png", "lineage-c3.png"]
    assert all(png_size(p) for p in paths)


def test_trace_per_cluster_option(tmp_path):
    out = tmp_path / "out"
    run = CliRunner().invoke(main, ["trace", str(SEEDS), "-o", str(out), "-q", "--per-cluster"])
    assert run.exit_code == 0, run.output
    assert {p.name for p in out.glob("lineage-c*.png")} == {"lineage-c1.png"}
    assert (out / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_shared_shingle_positions_skip_repeated_hashes():
    a = np.array([1, 2, 7, 7, 7, 3], dtype=np.uint64)
    b = np.array([3, 7, 1, 9], dtype=np.uint64)
    xs, ys = shared_shingle_positions(a, b, max_repeats=2)
    assert sorted(zip(xs.tolist(), ys.tolist())) == [(0, 2), (5, 0)]
    xs, ys = shared_shingle_positions(a, b, max_repeats=3)
    assert len(xs) == 5


def test_dot_plot_with_and_without_passages(tmp_path):
    a = tokenize(" ".join(f"w{n}" for n in range(60)))
    b = tokenize(" ".join(f"w{n}" for n in range(30, 60)) + " tail words")
    e = LineageEdge("a", "b", "derived", "forward", 0.9, 0.4, 0.5, 0.9,
                    (Passage((int(a.starts[30]), int(a.ends[59])), (int(b.starts[0]), int(b.ends[29])), 30, False),),
                    ())
    render_dot_plot(e, a, b, tmp_path / "dots.png", names=("a", "b"))
    render_dot_plot(None, a, tokenize("nothing in common at all"), tmp_path / "none.png")
    assert png_size(tmp_path / "dots.png") and png_size(tmp_path / "none.png")
