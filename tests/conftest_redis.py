"""Fixtures for the index tests: a real redis-server, fresh stores of both kinds, a small synth corpus.

Import the fixtures into a test module (``from tests.conftest_redis import ...``).
redis-server is started once per session on a free port (no persistence);
without it the Redis tests skip, except in CI (``CI`` set) where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import synth_corpus_from


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url():
    """A redis:// URL of a redis-server this session started (stopped at the end)."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing in CI: apt-get install -y redis-server")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    else:  # pragma: no cover
        proc.kill()
        pytest.fail("redis-server did not start")
    yield f"redis://127.0.0.1:{port}/0"
    client.close()
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def location(request, tmp_path):
    """``(location, name)`` of a fresh, empty index: a SQLite file, or a new name in the test Redis."""
    if request.param == "sqlite":
        yield str(tmp_path / "index.db"), None
        return
    url = request.getfixturevalue("redis_url")
    name = f"t{uuid.uuid4().hex[:10]}"
    yield url, name
    from lineage.store_redis import RedisStore

    store = RedisStore(url, name, create=True)
    store.drop()
    store.close()


@pytest.fixture(scope="session")
def synth_corpus(tmp_path_factory) -> Path:
    """A 60-document syndication corpus made by ``lineage.synth`` from pseudo-random base stories."""
    return synth_corpus_from(tmp_path_factory, "index", stories=80, docs=60, seed=1)


def snapshot(index) -> dict:
    """Everything an index stores, keyed by document id instead of seq (comparable across builds)."""
    store = index.store
    docs = store.documents(store.all_seqs())
    name = {s: d.document.id for s, d in docs.items()}
    bands, fps, df = store.postings()
    return {
        "docs": {d.document.id: (d.digest, d.words, d.parent, d.cluster, d.shingles.tobytes(), d.document.text)
                 for d in docs.values()},
        "bands": sorted((k, name[s]) for k, s in bands),
        "fingerprints": sorted((h, name[s]) for h, s in fps),
        "df": df,
        "pairs": sorted((tuple(sorted((name[p.a], name[p.b]))), p.context, p.verified, p.relation, p.edge)
                        for p in store.all_pairs()),
        "dirty": store.dirty(),
        "count": index.count(),
    }
