#!/usr/bin/env python3
"""Regenerate tests/golden/seeds_lineage.json from a trace of seeds/ (run from anywhere).

Run this only when a change to the tracer is meant to change its output on the
seeds, and review the diff of the golden file in the same commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    from lineage.pipeline import trace

    os.chdir(ROOT)
    data = trace(["seeds"]).to_json()
    data.pop("version")
    target = ROOT / "tests" / "golden" / "seeds_lineage.json"
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}: {len(data['edges'])} edges")


if __name__ == "__main__":
    main()
