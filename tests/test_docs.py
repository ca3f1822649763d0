"""The README documents what the CLI offers, and starts with the two commands a new user needs."""

from __future__ import annotations

import re

from lineage.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_install_run_and_install_test():
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    assert "pip install -e ." in blocks[0] and "lineage trace seeds/" in blocks[0]
    assert "pip install -e '.[test]'" in blocks[1] and "python -m pytest" in blocks[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install -e '.[test]' && python -m pytest" in ci


def test_every_command_and_option_is_documented():
    for name, command in main.commands.items():
        assert f"lineage {name}" in README, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert f"`{opt}" in README or f", {opt}`" in README, f"{name} {opt}"
