"""``lineage serve``: an HTTP API over an index (FastAPI, served by uvicorn).

Endpoints (the OpenAPI schema is at ``/openapi.json``, interactive docs at ``/docs``):

* ``POST /documents`` — add a document; answers its matches and lineage
  (201 when added, 200 when it was already indexed with the same content,
  409 when the id is indexed with other content).
* ``POST /query`` — the same matching and a preview of the lineage, without adding.
* ``GET /documents/{id}`` — a document's live lineage and its cluster (404 if unknown).
* ``DELETE /documents/{id}`` — remove a document; its cluster's lineage is recomputed.
* ``GET /stats``, ``GET /health``.

Writes are serialised in this process (one writer, as the store wants);
reads and queries run in parallel threads, each with its own store
connection, so they never wait for a write (SQLite WAL). Bodies larger than
``max_bytes`` are refused with 413 before they are read; malformed JSON or
fields give 422 with a message naming the field.

>>> import tempfile, os
>>> from fastapi.testclient import TestClient
>>> client = TestClient(create_app(os.path.join(tempfile.mkdtemp(), "x.db"), create=True))
>>> client.post("/documents", json={"id": "a", "text": "Talks in Moscow went on."}).status_code
201
>>> client.get("/documents/nope").json()["error"]
"no document 'nope' in the index"
"""

from __future__ import annotations

import threading
from typing import Any, Optional

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from lineage import __version__
from lineage.corpus import normalise_timestamp
from lineage.errors import LineageError
from lineage.index import Index
from lineage.model import Document

MAX_BYTES = 2_000_000


class DocumentIn(BaseModel):
    """A news article: its text and optional metadata (unknown fields are ignored)."""

    model_config = ConfigDict(extra="ignore")
    id: Optional[str] = Field(None, min_length=1, max_length=512, description="Unique id; required to add.")
    text: str = Field(..., description="The article text (plain text).")
    title: Optional[str] = None
    outlet: Optional[str] = None
    url: Optional[str] = None
    published: Optional[str] = Field(None, description="ISO 8601 publication time.")

    @field_validator("text")
    @classmethod
    def _has_words(cls, text: str) -> str:
        if not any(ch.isalnum() for ch in text):
            raise ValueError("text has no words")
        return text


class Containment(BaseModel):
    source_in_target: float
    target_in_source: float


class PassageOut(BaseModel):
    source: list[int]
    target: list[int]
    words: int
    quoted: bool


class EdgeOut(BaseModel):
    """A verified pair, as in lineage.json ``edges[]``."""

    source: str
    target: str
    relation: str
    direction: str
    confidence: float
    jaccard: float
    containment: Containment
    passages: list[PassageOut]
    evidence: list[str]
    tree: bool
    secondary: bool = False  # an "also used" source of the target (lineage.json schema 1.1)


class Member(BaseModel):
    id: str
    parent: Optional[str]


class Moved(BaseModel):
    id: str
    parent: Optional[str]
    would_be: Optional[str]


class LineageOut(BaseModel):
    """A document's place in the lineage."""

    id: str
    indexed: bool
    title: Optional[str]
    outlet: Optional[str]
    url: Optional[str]
    published: Optional[str]
    path: str
    words: int
    parent: Optional[str]
    cluster: Optional[str]
    duplicate_of: Optional[str]
    relation: Optional[str]
    confidence: Optional[float]
    stale: bool
    matches: list[EdgeOut]
    members: list[Member] = []
    reparented: list[Moved] = []


class AddOut(BaseModel):
    status: str
    lineage: LineageOut


class ErrorOut(BaseModel):
    error: str
    details: list[str] = []


class BodyLimit:
    """ASGI middleware: 413 for a body over ``max_bytes`` (declared or streamed), before the app reads it."""

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        try:
            too_big = declared is not None and int(declared) > self.max_bytes
        except ValueError:
            await _send_error(send, 400, "invalid Content-Length header")
            return
        if too_big:
            await _send_error(send, 413, f"request body over {self.max_bytes} bytes")
            return
        # Read the whole body here (at most max_bytes of it) and replay it to the app: the app's
        # own body parsing turns any error into a 400, so the limit must be enforced before it.
        chunks, seen, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message]), send)
                return
            chunks.append(message.get("body", b""))
            seen += len(chunks[-1])
            more = message.get("more_body", False)
            if seen > self.max_bytes:
                await _send_error(send, 413, f"request body over {self.max_bytes} bytes")
                return
        await self.app(scope, _replay([{"type": "http.request", "body": b"".join(chunks), "more_body": False}],
                                      receive), send)


def _replay(messages: list[dict], then: Any = None) -> Any:
    """An ASGI ``receive`` that hands out ``messages``, then defers to ``then`` (e.g. for a disconnect)."""
    queue = list(messages)

    async def receive() -> dict:
        if queue:
            return queue.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}

    return receive


async def _send_error(send: Any, status: int, message: str) -> None:
    body = JSONResponse({"error": message}, status_code=status).body
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _document(body: DocumentIn) -> Document:
    return Document(id=body.id or "query", text=body.text, path="<http>", title=body.title, outlet=body.outlet,
                    url=body.url, published=normalise_timestamp(body.published))


def create_app(location: str, name: str | None = None, *, create: bool = False, max_bytes: int = MAX_BYTES) -> FastAPI:
    """The API over the index at ``location`` (a SQLite path or a ``redis://`` URL with index ``name``)."""
    writer = Index.open(location, name, create=create)
    lock = threading.Lock()
    local = threading.local()

    def reader() -> Index:
        if not hasattr(local, "index"):
            local.index = Index.open(location, name, cache=64)
        return local.index

    app = FastAPI(title="lineage", version=__version__,
                  description="Match news articles against an index of earlier ones: near-duplicates, reused "
                              "passages, who copied whom, and the lineage of each story.")
    app.add_middleware(BodyLimit, max_bytes=max_bytes)
    errors = {400: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut},
              413: {"model": ErrorOut}, 422: {"model": ErrorOut}}

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            details.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse({"error": "invalid request: " + "; ".join(details), "details": details}, status_code=422)

    @app.exception_handler(LineageError)
    async def _lineage_error(request: Request, exc: LineageError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.post("/documents", response_model=AddOut, status_code=201, responses=errors)
    def add_document(body: DocumentIn) -> Any:
        """Add a document and return its matches and lineage."""
        if not body.id:
            return JSONResponse({"error": "invalid request: id is required to add a document",
                                 "details": ["id: give every document a unique id"]}, status_code=422)
        doc = _document(body)
        with lock:
            outcome = writer.add([doc])[0]
            view = writer.lineage(doc.id, members=True)
        if outcome.status == "conflict":
            return JSONResponse({"error": f"id {doc.id!r} is indexed with other content",
                                 "details": ["remove it first (DELETE /documents/{id}) or use another id"]},
                                status_code=409)
        payload = {"status": outcome.status, "lineage": view.to_json()}  # type: ignore[union-attr]
        return JSONResponse(payload, status_code=201 if outcome.status == "added" else 200)

    @app.post("/query", response_model=LineageOut, responses=errors)
    def query_document(body: DocumentIn) -> Any:
        """Match a document against the index and preview its lineage, without adding it."""
        return reader().query(_document(body)).to_json()

    @app.get("/documents/{doc_id:path}", response_model=LineageOut, responses=errors)
    def get_document(doc_id: str, members: bool = True) -> Any:
        """The live lineage of an indexed document (and its cluster's members)."""
        view = reader().lineage(doc_id, members=members)
        if view is None:
            return JSONResponse({"error": f"no document {doc_id!r} in the index"}, status_code=404)
        return view.to_json()

    @app.delete("/documents/{doc_id:path}", responses=errors)
    def delete_document(doc_id: str) -> Any:
        """Remove a document; the lineage of its cluster is recomputed."""
        with lock:
            removed = writer.remove([doc_id])
        if not removed:
            return JSONResponse({"error": f"no document {doc_id!r} in the index"}, status_code=404)
        return {"removed": doc_id}

    @app.get("/stats")
    def stats() -> Any:
        """Sizes, relations and configuration of the index."""
        return reader().stats()

    @app.get("/health")
    def health() -> Any:
        return {"status": "ok", "documents": reader().count()}

    return app


def serve(location: str, name: str | None = None, *, host: str = "127.0.0.1", port: int = 8000,
          create: bool = False, max_bytes: int = MAX_BYTES) -> None:  # pragma: no cover - runs a server
    """Run the API with uvicorn until interrupted."""
    import uvicorn

    uvicorn.run(create_app(location, name, create=create, max_bytes=max_bytes), host=host, port=port,
                log_level="warning")
