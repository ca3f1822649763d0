"""pytest: the docstring examples (``--doctest-modules``) make their scratch files under pytest's own
temporary folder, which pytest prunes, instead of leaving one folder per example in the system's."""

from __future__ import annotations

import tempfile

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctest_scratch(request, tmp_path, monkeypatch):
    if isinstance(request.node, DoctestItem):
        monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
