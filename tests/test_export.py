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
