"""lineage.json's layout: the same JSON value as a plain dump, one line per document and edge."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from lineage.export import json_layout, write_json
from lineage.pipeline import trace
from tests.conftest import SEEDS

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                      max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(), values, max_size=6))
def test_layout_is_the_same_json_value(data):
    text = json_layout(data)
    assert json.loads(text) == data
    assert text.endswith("}\n")


def test_lineage_json_has_one_line_per_document_and_edge(tmp_path):
    result = trace([SEEDS])
    write_json(result, tmp_path / "lineage.json")
    text = (tmp_path / "lineage.json").read_text(encoding="utf-8")
    assert json.loads(text) == result.to_json()
    lines = text.splitlines()
    for edge in result.to_json()["edges"]:
        assert "    " + json.dumps(edge, ensure_ascii=False) in {line.rstrip(",") for line in lines}
    assert len(lines) >= len(result.documents) + len(result.edges)


def test_outputs_written_in_a_forked_process_are_the_same_files(tmp_path):
    from lineage.export import write_outputs

    result = trace([SEEDS])
    one = write_outputs(result, tmp_path / "one", workers=1, per_cluster=True)
    two = write_outputs(result, tmp_path / "two", workers=2, per_cluster=True)
    assert [p.name for p in one] == [p.name for p in two]
    assert [p.name for p in one][:4] == ["lineage.json", "lineage.graphml", "lineage.png", "report.html"]
    assert len(one) > 4  # the cluster diagrams
    for a, b in zip(one, two):
        assert a.exists() and b.exists()
        if a.suffix != ".png":  # PNGs carry no timestamp either, but compare the texts exactly
            assert a.read_bytes() == b.read_bytes(), a.name


def test_a_failure_in_the_forked_writer_reaches_the_caller(tmp_path, monkeypatch):
    import pytest

    from lineage import render
    from lineage.errors import OutputError
    from lineage.export import write_outputs

    def refuse(result, path, **options):
        raise OutputError(f"cannot write to {path}", fix="choose another -o folder")

    monkeypatch.setattr(render, "render_png", refuse)  # the forked child inherits the patch
    with pytest.raises(OutputError) as caught:
        write_outputs(trace([SEEDS]), tmp_path, workers=2)
    assert caught.value.fix == "choose another -o folder"
    # the other half still finished
    assert (tmp_path / "lineage.json").exists() and (tmp_path / "report.html").exists()


def test_graphml_keys_read_from_the_graph_are_those_of_its_scalars(tmp_path_factory):
    """write_graphml declares its keys from the graph's own attributes (no scalar dicts made
    for that pass): the same keys, order and types as a pass over the scalars gives."""
    from lineage.export import _declared_keys, _graphml_type, graphml_items
    from tests.conftest import synth_corpus_from

    corpus = synth_corpus_from(tmp_path_factory, "graphml", stories=200, docs=240, seed=3, first_story_seed=7)
    result = trace([corpus / "docs"], metadata=corpus / "metadata.jsonl")
    # attributes the corpus may not produce: None (left out), a list (joined), a node key of its own
    first = next(iter(result.graph.nodes))
    result.graph.add_node("hidden-9", title="hidden source", hidden=True, note=None, tags=["a", "b"])
    result.graph.add_edge("hidden-9", first, relation="derived", evidence=("x", "y"), story=None, weight=0.5)
    nodes, edges = graphml_items(result)
    want: dict = {}
    for kind, items in (("node", (a for _, a in nodes)), ("edge", (a for _, _, a in edges))):
        for attrs in items:
            for name, value in attrs.items():
                want.setdefault((kind, name), (f"d{len(want)}", _graphml_type(value)))
    assert _declared_keys(nodes.source, edges.source) == want


def test_graphml_from_the_edges_is_the_graphml_of_the_graph(tmp_path_factory, tmp_path):
    """A trace does not make its networkx graph: write_graphml makes each node and edge from the
    result in the graph's order. The file must be the one the graph itself gives, for a traced
    corpus and for a lineage with a hidden source."""
    import dataclasses

    from lineage.export import write_graphml
    from lineage.model import Document, LineageEdge
    from lineage.pipeline import assemble
    from tests.conftest import synth_corpus_from

    corpus = synth_corpus_from(tmp_path_factory, "graphml", stories=200, docs=240, seed=3, first_story_seed=7)
    traced = trace([corpus / "docs"], metadata=corpus / "metadata.jsonl")
    common = LineageEdge("a", "b", "derived", "common-source", 0.8, 0.5, 0.6, 0.6, (), ("both from one",))
    hidden = assemble([Document(x, "Text.", f"{x}.txt") for x in "abc"], [common], skipped=[], params={},
                      words={"a": 1})
    assert hidden.parents["a"] == "hidden-1"
    for name, result in (("traced", traced), ("hidden", hidden)):
        assert not result.graph_made
        write_graphml(result, tmp_path / f"{name}-streamed.graphml")
        assert not result.graph_made  # written without it
        made = dataclasses.replace(result, graph=None)
        made.graph  # read once: made, and written from
        assert made.graph_made
        write_graphml(made, tmp_path / f"{name}-graph.graphml")
        streamed = (tmp_path / f"{name}-streamed.graphml").read_bytes()
        assert streamed.count(b"<edge ") == made.graph.number_of_edges() >= len(result.edges) > 0
        assert streamed == (tmp_path / f"{name}-graph.graphml").read_bytes()
