"""Check that the speed work (issue 5) leaves every result unchanged, against a git worktree of a base commit.

Two checks, both on a corpus folder (default: a ``lineage synth`` corpus of
2,000 documents, seed 0, made here if missing) and on ``seeds/``:

1. **Stage outputs**, base modules against current ones, each in its own
   process: every document's tokens (words and spans), unique shingle set,
   MinHash signature, the boilerplate set, the candidate pairs and, for every
   candidate pair, the alignment (passages, Jaccard, containments, coverage)
   and its relation. The current side runs the real parallel stages
   (``prepare``/``find_candidates``/``verify_pairs`` with 2 workers). These
   are all the inputs the direction and graph stages get from the stages
   issue 5 changed, so they cannot change what those stages produce.
2. **End to end with the same direction code on both sides**: an overlay
   tree = the base commit with the current versions of the modules issue 5
   owns (normalise, shingles, signatures, candidates, alignment, quotes,
   parallel, representatives, the kernel) and the current ``prepare``,
   ``find_candidates``, ``verify_pairs`` spliced into the base
   ``pipeline.py``. Its whole ``lineage.json`` (edges with direction,
   confidence, evidence, tree flags; clusters; documents) must equal the
   base commit's, and the base golden test must pass in it.

Usage: ``python scripts/check_equivalence.py [--base COMMIT] [--corpus DIR]``
(exit status 1 on any difference). The worktree is made with
``git worktree add --detach`` in a temporary folder and removed at the end.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_COMMIT = "0b32cde"  # the commit issue 5 started from
OWNED = ("normalise.py", "shingles.py", "signatures.py", "candidates.py", "alignment.py", "quotes.py",
         "parallel.py", "representatives.py", "_minhash_kernel.py")
SPLICED = ("_OnDemand", "Prepared", "_workers", "prepare", "find_candidates", "verify_pairs")


def dump(corpus: str, out: str, new: bool) -> None:
    """Stage outputs of the ``lineage`` importable in this process, pickled to ``out``."""
    import numpy as np

    import lineage
    from lineage.alignment import align_pair, quoted_tokens
    from lineage.corpus import load_corpus
    from lineage.normalise import tokenize
    from lineage.relation import classify
    from lineage.shingles import shingle_hashes

    docs, _ = load_corpus([corpus])
    digest = lambda *parts: hashlib.sha1(repr(parts).encode()).hexdigest()  # noqa: E731
    tokens = [tokenize(d.text) for d in docs]
    hashes = [shingle_hashes(t, k=5) for t in tokens]
    unique = [np.unique(h) for h in hashes]
    result: dict[str, object] = {
        "lineage": lineage.__file__,
        "docs": [digest(d.id, d.text) for d in docs],
        "tokens": [digest(t.norms, t.starts.tolist(), t.ends.tolist()) for t in tokens],
    }
    if new:
        from lineage.pipeline import Config, find_candidates, prepare, verify_pairs

        config = Config(workers=2)
        quiet = lambda *a: None  # noqa: E731
        prepared = prepare(docs, config, quiet)
        sigs = prepared.signatures
        result["unique"] = [digest(prepared.unique[i].tolist()) for i in range(len(docs))]
        result["words"] = prepared.words.tolist()
        pairs, boilerplate, _ = find_candidates(prepared, config, quiet)
        verified = verify_pairs(prepared, pairs, config, boilerplate, quiet)
        # the alignments the parallel verify stage computed, where its result type carries them
        result["verified_alignments"] = {
            (v.i, v.j): v.alignment for v in verified if hasattr(v, "alignment") and hasattr(v, "i")
        }
    else:
        from lineage.candidates import candidate_pairs, document_frequency_filter
        from lineage.signatures import signatures

        sigs = signatures(unique, num_perm=128, seed=1)
        result["unique"] = [digest(u.tolist()) for u in unique]
        result["words"] = [len(t) for t in tokens]
        max_df = max(50, len(docs) // 100)
        boilerplate = document_frequency_filter(unique, max_df)
        pairs = candidate_pairs(unique, sigs, max_df=max_df, boilerplate=boilerplate)
    result["signatures"] = np.asarray(sigs)
    result["boilerplate"] = np.asarray(boilerplate).tolist()
    result["pairs"] = list(map(tuple, pairs))
    alignments = {}
    for i, j in pairs:
        al = align_pair(docs[i].id, tokens[i], docs[j].id, tokens[j], k=5, max_gap=8, min_words=8,
                        a_hashes=hashes[i], b_hashes=hashes[j], ignore=boilerplate,
                        a_quoted=quoted_tokens(tokens[i]), b_quoted=quoted_tokens(tokens[j]),
                        a_unique=unique[i], b_unique=unique[j])
        alignments[(i, j)] = (al, classify(al))
    result["alignments"] = alignments
    Path(out).write_bytes(pickle.dumps(result))


def compare_dumps(base: dict, new: dict) -> list[str]:
    """Differences between two stage dumps, as readable lines (empty when identical)."""
    import numpy as np

    problems = []
    for key in ("docs", "tokens", "unique", "words", "boilerplate", "pairs"):
        if list(base[key]) != list(new[key]):
            diff = sum(a != b for a, b in zip(base[key], new[key])) + abs(len(base[key]) - len(new[key]))
            problems.append(f"{key}: {diff} of {len(base[key])} differ")
    if not np.array_equal(base["signatures"], new["signatures"]):
        problems.append("signatures differ")
    if base["alignments"] != new["alignments"]:
        problems.append(f"alignments differ ({sum(base['alignments'].get(p) != a for p, a in new['alignments'].items())})")
    for pair, al in new["verified_alignments"].items():
        if base["alignments"].get(pair, (None,))[0] != al:
            problems.append(f"the parallel verify stage aligned {pair} differently")
            break
    return problems


def overlay(base_tree: Path, target: Path) -> None:
    """The base tree with issue 5's modules and pipeline functions (see the module docstring)."""
    shutil.copytree(base_tree, target, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    for name in OWNED:
        shutil.copy(ROOT / "lineage" / name, target / "lineage" / name)
    current = (ROOT / "lineage" / "pipeline.py").read_text(encoding="utf-8")
    base = (target / "lineage" / "pipeline.py").read_text(encoding="utf-8")
    current_lines = current.splitlines()

    def first_line(node: ast.stmt) -> int:  # 1-based, decorators included
        return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])

    segments = {n.name: "\n".join(current_lines[first_line(n) - 1 : n.end_lineno])
                for n in ast.parse(current).body if getattr(n, "name", None) in SPLICED}
    # replace base definitions from the bottom up so earlier offsets stay valid
    nodes = sorted((n for n in ast.parse(base).body if getattr(n, "name", None) in SPLICED),
                   key=lambda n: n.lineno, reverse=True)
    lines = base.splitlines(keepends=True)
    for node in nodes:
        lines[first_line(node) - 1 : node.end_lineno] = [segments[node.name] + "\n"]
    base = "".join(lines)
    extra = "\n\n".join(segments[n] for n in ("_OnDemand", "_workers"))
    base = base.replace("@dataclass\nclass Prepared", extra + "\n\n\n@dataclass\nclass Prepared", 1)
    base = base.replace("import os\n", "import os\nimport time\nfrom collections import OrderedDict\n", 1)
    base = base.replace(
        "from lineage.corpus import load_corpus\n",
        "from lineage.corpus import load_corpus\nfrom lineage.parallel import default_workers, run_batches, "
        "shingle_all, verify_batch, verify_tasks\nfrom lineage.representatives import PackedSets, pack\n"
        "from lineage.signatures import packed_signatures\n", 1)
    base = base.replace("    seed: int = 1\n", "    seed: int = 1\n    workers: int = 0\n", 1)
    base = base.replace("params = asdict(config) |",
                        "params = {n: v for n, v in asdict(config).items() if n != 'workers'} |", 1)
    (target / "lineage" / "pipeline.py").write_text(base, encoding="utf-8")


def run(cmd: list[str], tree: Path, **kw) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True, **kw)


def trace_json(tree: Path, corpus: str, out: Path) -> dict:
    code = ("import json, sys; from lineage.pipeline import trace; d = trace([sys.argv[1]]).to_json(); "
            "d.pop('version'); print(json.dumps(d, sort_keys=True))")
    proc = run([sys.executable, "-c", code, corpus], tree)
    if proc.returncode:
        raise SystemExit(f"trace failed in {tree}:\n{proc.stderr[-3000:]}")
    out.write_text(proc.stdout)
    return json.loads(proc.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default=BASE_COMMIT)
    parser.add_argument("--corpus", default=None, help="folder to trace (default: a 2,000-document synth corpus)")
    parser.add_argument("--dump", nargs=2, metavar=("CORPUS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--new", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.dump:
        dump(args.dump[0], args.dump[1], args.new)
        return
    work = Path(tempfile.mkdtemp(prefix="lineage-equiv-"))
    corpus = args.corpus
    if corpus is None:
        corpus = str(work / "synth" / "docs")
        subprocess.run([sys.executable, "-m", "lineage.cli", "synth", str(ROOT.parent / "shared" / "data" / "reuters21578"),
                        "-o", str(work / "synth"), "--docs", "2000", "--seed", "0"], check=True, capture_output=True)
    base_tree = work / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_tree), args.base],
                   check=True, capture_output=True)
    problems: list[str] = []
    try:
        for name, folder in (("seeds", str(ROOT / "seeds")), ("corpus", corpus)):
            dumps = {}
            for side, tree, flags in (("base", base_tree, []), ("new", ROOT, ["--new"])):
                out = work / f"{name}-{side}.pkl"
                proc = run([sys.executable, str(Path(__file__).resolve()), "--dump", folder, str(out), *flags], tree)
                if proc.returncode:
                    raise SystemExit(f"dump failed ({side}):\n{proc.stderr[-3000:]}")
                dumps[side] = pickle.loads(out.read_bytes())
            assert str(base_tree) in dumps["base"]["lineage"] and str(ROOT) in dumps["new"]["lineage"]
            found = compare_dumps(dumps["base"], dumps["new"])
            print(f"stage outputs, {name}: {len(dumps['new']['pairs'])} candidate pairs, "
                  f"{len(dumps['new']['verified_alignments'])} verified by the parallel stage: "
                  + ("identical" if not found else "; ".join(found)))
            problems += [f"{name}: {p}" for p in found]
        mixed = work / "overlay"
        overlay(base_tree, mixed)
        for name, folder in (("seeds", str(ROOT / "seeds")), ("corpus", corpus)):
            before = trace_json(base_tree, folder, work / f"{name}-base.json")
            after = trace_json(mixed, folder, work / f"{name}-overlay.json")
            same = before == after
            print(f"lineage.json, {name}: {len(before['edges'])} edges, base direction code on both sides: "
                  + ("identical" if same else "DIFFERENT"))
            if not same:
                problems.append(f"{name}: lineage.json differs (see {work})")
        golden = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                      "tests/test_seeds.py::test_golden_lineage_json"], mixed)
        print("golden test in the overlay: " + ("passed" if golden.returncode == 0 else "FAILED"))
        if golden.returncode:
            problems.append("golden test failed in the overlay:\n" + golden.stdout[-2000:])
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base_tree)], capture_output=True)
    if problems:
        print("\n".join(problems))
        raise SystemExit(1)
    shutil.rmtree(work, ignore_errors=True)
    print("all identical")


if __name__ == "__main__":
    main()
