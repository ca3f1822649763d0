"""Worker processes: the result never depends on the number of workers or the batching."""

from __future__ import annotations

import json
import os
import pickle

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from lineage.cli import main
from lineage.errors import ConfigError
from lineage.model import Document
from lineage.parallel import batch_size, chunks, run_batches, shingle_batch, verify_batch, verify_tasks
from lineage.pipeline import Config, trace
from lineage.representatives import components
from tests.conftest import SEEDS, paragraphs


def _corpus(folder, n_stories: int = 40) -> None:
    """Stories with excerpts, commented and appended copies: enough documents and pairs for several batches."""
    for s in range(n_stories):
        story = paragraphs(4, seed=s, size=30)
        (folder / f"s{s:03d}.txt").write_text("\n\n".join(story), encoding="utf-8")
        (folder / f"s{s:03d}-excerpt.txt").write_text("\n\n".join(story[:2]), encoding="utf-8")
        comment = "Comment: " + " ".join(paragraphs(1, seed=1000 + s, size=25))
        (folder / f"s{s:03d}-comment.txt").write_text("\n\n".join(story + [comment]), encoding="utf-8")
        other = paragraphs(2, seed=2000 + s, size=30)
        (folder / f"s{s:03d}-appended.txt").write_text("\n\n".join(story[:3] + other), encoding="utf-8")


def test_workers_do_not_change_the_result(tmp_path, monkeypatch):
    _corpus(tmp_path)
    # small batches, so that two workers really get several batches each
    monkeypatch.setattr("lineage.parallel.batch_size", lambda total, workers, most, least=1: 16)
    one = trace([tmp_path], config=Config(workers=1)).to_json()
    two = trace([tmp_path], config=Config(workers=2)).to_json()
    assert one["edges"] and one["params"]["candidates"] > 32
    assert json.dumps(one, sort_keys=True) == json.dumps(two, sort_keys=True)
    assert "workers" not in one["params"]  # never part of the result


def test_seeds_the_same_with_two_workers():
    assert trace([SEEDS], config=Config(workers=2)).to_json()["edges"] == trace([SEEDS], config=Config(workers=1)).to_json()["edges"]


def test_run_batches_keeps_order_and_runs_in_process_for_one_worker():
    assert list(run_batches(abs, list(range(-20, 0)), workers=2)) == list(range(20, 0, -1))
    assert list(run_batches(len, ["ab"], workers=4)) == [2]


def test_batch_functions_are_picklable_and_pure():
    texts = ["The talks in Moscow went well, the minister said.", "", "Talks in Moscow went well."]
    batch = shingle_batch(texts, k=5, num_perm=16, seed=1)
    again = pickle.loads(pickle.dumps(batch))
    assert np.array_equal(again.values, batch.values) and np.array_equal(again.signatures, batch.signatures)
    assert batch.words.tolist() == [9, 0, 5]
    docs = [Document(f"d{i}", t or "x", f"d{i}.txt") for i, t in enumerate(texts)]
    tasks, order = verify_tasks(docs, [(0, 2), (0, 1)], Config(), np.zeros(0, np.uint64), workers=2)
    assert sorted(order.tolist()) == [0, 1]
    assert np.array_equal(pickle.loads(pickle.dumps(tasks[0])).pairs, tasks[0].pairs)
    assert set(tasks[0].docs) == {0, 1, 2}  # only the documents the pairs need


def test_components_match_networkx():
    rng = np.random.default_rng(0)
    pairs = rng.integers(0, 300, size=(250, 2))
    label = components(300, pairs)
    g = nx.Graph()
    g.add_nodes_from(range(300))
    g.add_edges_from(pairs.tolist())
    for comp in nx.connected_components(g):
        assert {int(label[c]) for c in comp} == {min(comp)}


def test_helpers():
    assert chunks("abcde", 2) == ["ab", "cd", "e"]
    assert batch_size(10, 2, most=500, least=4) == 4
    with pytest.raises(ConfigError, match="workers"):
        Config(workers=-1)


def test_cli_workers_and_profile(tmp_path):
    result = CliRunner().invoke(main, ["trace", str(SEEDS), "-o", str(tmp_path / "out"), "-q", "--profile",
                                       "--workers", "2"])
    assert result.exit_code == 0, result.output
    stages = [line.split()[1] for line in result.stderr.splitlines() if line.startswith("profile:")]
    assert stages == ["read", "normalise+shingle", "sign", "candidates", "align", "direction", "graph", "write",
                      "total"]


def test_run_forked_returns_the_value_or_raises_the_error():
    import os

    from lineage.parallel import run_forked

    assert run_forked(sorted, [3, 1, 2]).result() == [1, 2, 3]
    assert run_forked(sorted, [2, 1], enabled=False).result() == [1, 2]
    with pytest.raises(ConfigError, match="too many") as caught:
        run_forked(_raise_config_error, None).result()
    assert caught.value.fix == "use fewer"
    with pytest.raises(RuntimeError, match="exit code 3"):
        run_forked(os._exit, 3).result()  # a child that dies without a word


def _raise_config_error(_):
    raise ConfigError("too many", fix="use fewer")


def test_shared_documents_travel_as_indices():
    from lineage.parallel import Inherited, _SHARED, shared_with_workers

    docs = [Document(f"d{i}", " ".join(f"w{j % 700}" for j in range(800)), f"d{i}.txt") for i in range(3)]
    with shared_with_workers("docs", docs, workers=2) as shared:
        assert shared  # Linux forks
        tasks, _ = verify_tasks(docs, [(0, 2)], Config(), np.zeros(0, np.uint64), workers=2, shared=shared)
        blob = pickle.dumps(tasks[0])
        assert len(blob) < 2000  # the two 4,000-character texts are not in it
        again = pickle.loads(blob).docs
        assert isinstance(again, Inherited) and dict(again) == {0: docs[0], 2: docs[2]}
        with pytest.raises(KeyError):
            again[1]  # not a document of this batch
        # the workers of a stage run inside the block see the texts: the same results as in-process
        assert list(run_batches(verify_batch, tasks * 2, 2)) == [verify_batch(tasks[0])] * 2
    assert "docs" not in _SHARED


def test_a_name_already_shared_is_not_shared_twice():
    from lineage.parallel import _SHARED, shared_with_workers

    with shared_with_workers("texts", ["a"], workers=2) as first:
        with shared_with_workers("texts", ["b"], workers=2) as second:  # another thread's stage, say
            assert first and not second and _SHARED["texts"] == ["a"]
        assert _SHARED["texts"] == ["a"]  # the second block leaves the first one's data alone
    assert "texts" not in _SHARED


def test_trace_pauses_the_cyclic_collector_and_restores_it(tmp_path):
    import gc

    from lineage.errors import InputError

    seen = []
    assert gc.isenabled()
    trace([SEEDS], progress=lambda stage, done, total: seen.append(gc.isenabled()))
    assert seen and not any(seen) and gc.isenabled()
    with pytest.raises(InputError):
        trace([tmp_path / "missing"])
    assert gc.isenabled()
    gc.disable()
    try:  # a caller's own pause is left as it was
        trace([SEEDS])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_stages_that_make_many_objects_pause_the_collector_on_their_own():
    import gc

    from lineage.corpus import load_corpus
    from lineage.pipeline import find_candidates, orient, prepare, verify_pairs

    seen = {}
    config = Config(workers=1)
    docs, _ = load_corpus([SEEDS])
    prepared = prepare(docs, config, lambda *a: None)
    pairs, boilerplate, _ = find_candidates(prepared, config, lambda stage, *a: seen.setdefault(stage, gc.isenabled()))
    verified = verify_pairs(prepared, pairs, config, boilerplate, lambda stage, *a: seen.setdefault(stage, gc.isenabled()))
    orient(prepared, verified, config, boilerplate, lambda stage, *a: seen.setdefault(stage, gc.isenabled()))
    assert seen == {"sign": False, "candidates": False, "align": False, "direction": False} and gc.isenabled()


def test_prepare_is_the_same_with_two_workers_and_leaves_no_spill_folder(monkeypatch):
    import glob

    from lineage import parallel

    texts = ["\n\n".join(paragraphs(4, seed=i)) for i in range(12)] + [""]
    before = set(glob.glob("/dev/shm/lineage-*"))
    monkeypatch.setattr(parallel, "batch_size", lambda *a, **k: 3)  # several batches, so a child
    alone = list(parallel.shingle_all(texts, k=5, num_perm=16, seed=1, workers=1))
    forked = list(parallel.shingle_all(texts, k=5, num_perm=16, seed=1, workers=2))
    assert len(alone) == len(forked) == 5 and sum(len(b.words) for b in forked) == len(texts)
    for a, b in zip(alone, forked):
        for name in ("values", "offsets", "words", "signatures"):
            x, y = getattr(a, name), getattr(b, name)
            assert np.array_equal(x, y) and x.dtype == y.dtype and x.shape == y.shape
    # a killed process's folder from before may have been removed meanwhile: none is new
    assert set(glob.glob("/dev/shm/lineage-*")) <= before


def _slow_pid(x):
    import time

    time.sleep(0.01)  # no CPU: the child gets batches however busy the machine is
    return os.getpid(), x


def test_this_process_is_one_of_the_workers_and_the_child_hands_results_over_in_files(monkeypatch):
    from lineage import parallel

    loaded = []
    real = parallel._InFile.load
    monkeypatch.setattr(parallel._InFile, "load", lambda self: loaded.append(self.path) or real(self))
    results = list(run_batches(_slow_pid, list(range(60)), workers=2))
    assert [x for _, x in results] == list(range(60))  # in order
    pids = [pid for pid, _ in results]
    assert os.getpid() in pids and len(set(pids)) == 2  # this process and one child took batches
    from_child = sum(pid != os.getpid() for pid in pids)
    assert len(loaded) == (from_child if os.access("/dev/shm", os.W_OK) else 0)
    assert all(not os.path.exists(path) for path in loaded)  # each file removed once read


def test_the_batches_run_here_leave_no_free_heap_behind(monkeypatch):
    import multiprocessing

    from lineage import parallel

    trims = []  # each trim, with the number of worker processes alive at that moment
    monkeypatch.setattr(parallel, "release_free_memory", lambda: trims.append(len(multiprocessing.active_children())))
    assert list(run_batches(abs, [-1, -2, -3], workers=1)) == [1, 2, 3] and trims == [0]
    # forking: once before the children exist (they would copy the free pages they write), once after
    assert list(run_batches(_slow_pid, [1, 2, 3], workers=2))[2][1] == 3 and trims == [0, 0, 0]
    stopped = run_batches(abs, [-1, -2], workers=1)
    next(stopped)
    stopped.close()  # also when the caller stops early
    assert len(trims) == 4


def test_without_room_in_shared_memory_results_come_through_the_pipe(monkeypatch):
    from lineage import parallel

    def full(value, f, protocol=None):
        f.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(parallel.pickle, "dump", full)  # the child inherits the full memory
    loaded = []
    monkeypatch.setattr(parallel._InFile, "load", lambda self: loaded.append(self) or None)
    results = list(run_batches(_slow_pid, list(range(40)), workers=2))
    assert [x for _, x in results] == list(range(40)) and len({pid for pid, _ in results}) == 2
    assert loaded == []


def _fails_in_child(parent_and_x):
    import time

    parent, x = parent_and_x
    time.sleep(0.01)
    if os.getpid() != parent:
        raise ConfigError("bad batch", fix="none")
    return x


def _dies_in_child(parent_and_x):
    import time

    parent, x = parent_and_x
    time.sleep(0.01)
    if os.getpid() != parent:
        os._exit(3)
    return x


def test_a_childs_error_or_death_is_raised_here_and_no_child_is_left():
    import multiprocessing

    batches = [(os.getpid(), x) for x in range(40)]
    with pytest.raises(ConfigError, match="bad batch"):
        list(run_batches(_fails_in_child, batches, workers=2))
    with pytest.raises(RuntimeError, match="exit code 3"):
        list(run_batches(_dies_in_child, batches, workers=2))
    first = run_batches(_slow_pid, list(range(40)), workers=3)
    assert next(first)[1] == 0
    assert len(multiprocessing.active_children()) == 2
    first.close()  # the caller stops early: the children are stopped
    assert multiprocessing.active_children() == []


def test_a_forked_child_leaves_what_it_inherits_to_the_collector_frozen():
    import gc

    from lineage.parallel import run_forked

    held = [[i] for i in range(1000)]  # objects the child inherits
    frozen_in_child = run_forked(lambda _: gc.get_freeze_count(), None).result()
    assert frozen_in_child >= len(held) and gc.get_freeze_count() == 0  # thawed here at once


def test_spill_folders_of_processes_that_died_are_removed(tmp_path):
    import subprocess
    import sys

    from lineage.parallel import _remove_orphans

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    orphan = tmp_path / f"lineage-{dead.stdout.strip()}-abc"
    mine = tmp_path / f"lineage-{os.getpid()}-def"
    other = tmp_path / "lineage-notapid"
    for folder in (orphan, mine, other):
        folder.mkdir()
    _remove_orphans(str(tmp_path))
    assert not orphan.exists() and mine.exists() and other.exists()


def test_grown_array_holds_every_batch_in_order_whatever_its_first_capacity():
    import random

    from lineage.pipeline import _Grown

    for trial in range(100):
        rng = random.Random(trial)
        grown = _Grown(np.int64, rng.randrange(0, 50))
        parts = [np.arange(rng.randrange(0, 30)) + 100 * k for k in range(rng.randrange(0, 10))]
        for k, part in enumerate(parts):
            grown.extend(part, share=(k + 1) / len(parts))
        assert grown.array().tolist() == (np.concatenate(parts).tolist() if parts else [])
