"""Check that a change leaves lineage.json byte for byte as a base commit writes it.

Traces each corpus with the base commit (a temporary ``git worktree``) and
with this tree, each in its own process, and compares the lineage.json texts.
This tree runs twice: as a corpus of that size runs it, and with the compiled
kernels (alignment, tokenising, shingling, quotations) loaded first, so both paths are compared with
the base. A corpus folder holding ``docs/`` and ``metadata.jsonl`` (a
``lineage synth`` corpus) is traced with and without timestamps; the PAN 2013
folder (``src/``, ``susp/``) as its two folders; any other folder as it is.

Usage::

    python scripts/compare_outputs.py --base a555604 CORPUS [CORPUS ...]
    python scripts/compare_outputs.py --base a555604 --synth 0     # the quality benchmark's corpus

Exit status 1 on any difference.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_TRACE = """
import sys
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import lineage
assert lineage.__file__.startswith(sys.argv[1]), lineage.__file__
from lineage.export import json_layout, to_json
from lineage.pipeline import Config, trace
if sys.argv[4] == "kernels":
    from lineage.alignment import load_kernel
    from lineage.kernels import load
    from lineage import shingles
    assert load_kernel() is not None and load(*shingles.TOKEN_KERNEL) is not None
    if hasattr(shingles, "COMBINE_KERNEL"):  # a base commit may predate it
        assert load(*shingles.COMBINE_KERNEL) is not None
    from lineage import quotes
    if hasattr(quotes, "load_kernel"):
        assert quotes.load_kernel() is not None
corpus, out = Path(sys.argv[2]), Path(sys.argv[3])
if (corpus / "metadata.jsonl").exists():
    runs = {f"timestamps-{use}": dict(paths=[corpus / "docs"], metadata=corpus / "metadata.jsonl",
                                      config=Config(workers=2, use_timestamps=use)) for use in (True, False)}
elif (corpus / "src").is_dir() and (corpus / "susp").is_dir():
    runs = {"pan": dict(paths=[corpus / "src", corpus / "susp"], config=Config(workers=2))}
else:
    runs = {"folder": dict(paths=[corpus], config=Config(workers=2))}
for name, kw in runs.items():
    (out / f"{name}.json").write_text(json_layout(to_json(trace(kw.pop("paths"), **kw))), encoding="utf-8")
"""


def traced(tree: Path, corpus: Path, out: Path, mode: str) -> dict[str, str]:
    """lineage.json texts of ``corpus`` traced by the ``lineage`` in ``tree``, by run name."""
    out.mkdir(parents=True)
    subprocess.run([sys.executable, "-c", _TRACE, str(tree), str(corpus), str(out), mode], check=True, cwd=tree)
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(out.glob("*.json"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with")
    parser.add_argument("--synth", type=int, action="append", default=[],
                        help="also a 2,000-document synth corpus of this seed (0: the quality benchmark's)")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("corpora", nargs="*", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpora = [c.resolve() for c in args.corpora]
        for seed in args.synth:
            from lineage.synth import synthesize

            synthesize([args.data / "reuters21578"], work / f"synth-{seed}", seed=seed, docs=2000)
            corpora.append(work / f"synth-{seed}")
        base = work / "base"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base), args.base], check=True, cwd=ROOT)
        failed = 0
        try:
            for n, corpus in enumerate(corpora):
                want = traced(base, corpus, work / f"out-{n}-base", "plain")
                for mode in ("plain", "kernels"):
                    got = traced(ROOT, corpus, work / f"out-{n}-{mode}", mode)
                    for name in want:
                        same = got.get(name) == want[name]
                        failed += not same
                        print(f"{corpus.name} {name} ({mode}): {'identical' if same else 'DIFFERS'}", flush=True)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
