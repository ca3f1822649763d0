"""``lineage serve``: the HTTP API through FastAPI's test client, and one real server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from fastapi.testclient import TestClient

from lineage.cli import main
from lineage.pipeline import trace
from lineage.serve import create_app
from tests.conftest import ROOT, SEEDS

SEED = {p.stem[:3]: {"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in sorted(SEEDS.glob("*.txt"))}


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(str(tmp_path / "api.db"), create=True, max_bytes=100_000)) as c:
        yield c


def test_add_get_query_delete(client):
    first = client.post("/documents", json=SEED["000"])
    assert first.status_code == 201 and first.json()["status"] == "added"
    added = client.post("/documents", json={**SEED["001"], "outlet": "Wire", "unknown_field": 1})
    assert added.status_code == 201
    body = added.json()["lineage"]
    assert body["outlet"] == "Wire" and body["cluster"] == SEED["000"]["id"]
    assert [m["relation"] for m in body["matches"]] == ["derived"]
    again = client.post("/documents", json=SEED["000"])
    assert again.status_code == 200 and again.json()["status"] == "unchanged"
    clash = client.post("/documents", json={"id": SEED["000"]["id"], "text": "Different words entirely here."})
    assert clash.status_code == 409 and "other content" in clash.json()["error"]
    # which of the two copies the other is the tracer's verdict (test_seeds), not this test's
    traced = trace(sorted(SEEDS.glob("*.txt"))[:2]).parents
    copy, original = next((c, p) for c, p in traced.items() if p is not None)
    got = client.get(f"/documents/{copy}")
    assert got.status_code == 200
    view = got.json()
    assert view["parent"] == original and view["relation"] == "derived" and 0 < view["confidence"] <= 1
    assert {m["id"] for m in view["members"]} == {SEED["000"]["id"], SEED["001"]["id"]}
    query = client.post("/query", json={"text": SEED["000"]["text"][:1500]})
    assert query.status_code == 200 and query.json()["indexed"] is False and query.json()["matches"]
    assert client.get("/health").json()["documents"] == 2  # a query adds nothing
    assert client.delete(f"/documents/{original}").json() == {"removed": original}
    assert client.get(f"/documents/{copy}").json()["parent"] is None
    assert client.delete(f"/documents/{original}").status_code == 404
    missing = client.get("/documents/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "no document 'nope' in the index"
    assert client.get("/stats").json()["documents"] == 1


def test_bad_payloads_get_clear_4xx_errors(client):
    cases = [
        (dict(content=b"{not json", headers={"content-type": "application/json"}), 422, "JSON"),
        (dict(json={"id": "x"}), 422, "text: Field required"),
        (dict(json={"id": "x", "text": " ... "}), 422, "text has no words"),
        (dict(json={"id": "x", "text": 42}), 422, "text: Input should be a valid string"),
        (dict(json=["a", "list"]), 422, "invalid request"),
        (dict(json={"text": "An article without an id."}), 422, "id is required"),
    ]
    for kwargs, status, message in cases:
        r = client.post("/documents", **kwargs)
        assert r.status_code == status and message in r.json()["error"], (kwargs, r.text)
    big = client.post("/documents", json={"id": "big", "text": "word " * 30_000})
    assert big.status_code == 413 and "100000 bytes" in big.json()["error"]
    streamed = client.post("/documents", content=iter([b'{"id": "s", "text": "', b"w " * 60_000, b'"}']),
                           headers={"content-type": "application/json"})
    assert streamed.status_code == 413  # no Content-Length: counted while reading
    assert client.get("/health").json()["documents"] == 0


def test_openapi_schema_describes_the_api(client):
    schema = client.get("/openapi.json").json()
    assert {"/documents", "/query", "/documents/{doc_id}", "/stats", "/health"} <= set(schema["paths"])
    post = schema["paths"]["/documents"]["post"]
    assert {"201", "409", "413", "422"} <= set(post["responses"])
    assert "text" in schema["components"]["schemas"]["DocumentIn"]["required"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_binds_localhost_by_default_and_answers(tmp_path):
    host = next(p for p in main.commands["serve"].params if p.name == "host")
    assert host.default == "127.0.0.1"
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-c", "from lineage.cli import main; main()", "serve",
                             str(tmp_path / "live.db"), "--create", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as r:
                    assert json.load(r)["status"] == "ok"
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(proc.stderr.read().decode())
                time.sleep(0.05)
        request = urllib.request.Request(url + "/documents", data=json.dumps(SEED["000"]).encode(),
                                         headers={"content-type": "application/json"}, method="POST")
        with urllib.request.urlopen(request, timeout=30) as r:
            assert r.status == 201
    finally:
        proc.terminate()
        proc.wait(timeout=10)
