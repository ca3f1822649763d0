"""Click commands for pipelines: ``lineage index ...``, ``lineage dedup`` and ``lineage serve``.

Thin layers over :mod:`lineage.index`, :mod:`lineage.dedup` and
:mod:`lineage.serve`; library errors reach the ``lineage`` group, which prints
them as one line and exits 1.

>>> from click.testing import CliRunner
>>> from lineage.cli import main
>>> CliRunner().invoke(main, ["index", "add", "--help"]).output.splitlines()[0]
'Usage: main index add [OPTIONS] DB PATHS...'
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from lineage.errors import ConfigError

_built: list[click.Command] = []

STORE_HELP = ("Where the index lives: 'sqlite' (DB is a file path) or a redis://host:port/db URL "
              "(DB names the index inside that Redis). Also read from LINEAGE_STORE.")


def store_option(func):
    return click.option("--store", default="sqlite", show_default=True, envvar="LINEAGE_STORE", help=STORE_HELP)(func)


def locate(db: str, store: str) -> tuple[str, str | None]:
    """``(location, name)`` for :func:`lineage.store.open_store` from the DB argument and ``--store``."""
    if store == "sqlite":
        return db, None
    if store.startswith(("redis://", "rediss://", "unix://")):
        return store, db
    raise ConfigError(f"unknown --store {store!r}", fix="use sqlite, or a URL like redis://localhost:6379/0")


def open_index(db: str, store: str, *, create: bool = False, settings: dict | None = None):
    from lineage.index import Index

    location, name = locate(db, store)
    return Index.open(location, name, create=create, settings=settings)


def explicit_settings(ctx: click.Context, params: dict, no_timestamps: bool) -> dict[str, object]:
    """The configuration options given on the command line (defaults left out)."""
    out = {k: (tuple(v) if isinstance(v, (list, tuple)) else v) for k, v in params.items()
           if ctx.get_parameter_source(k) not in (ParameterSource.DEFAULT, None)}
    if no_timestamps:
        out["use_timestamps"] = False
    return out


def warn(message: str) -> None:
    click.echo(f"lineage: warning: {message}", err=True)


@click.group("index")
def index_group() -> None:
    """A persistent index that new documents are matched against and added to.

    DB is a SQLite file (created by the first `add`), or with --store redis://...
    the name of an index in a Redis server shared by several processes.
    """


def _add(ctx, db, paths, store, metadata, batch, as_json, quiet, no_timestamps, **params) -> None:
    """Add the documents under PATHS (like `trace` reads them) to the index DB.

    Adding a document that is already indexed changes nothing; re-running an
    interrupted add completes it. Options such as --k set the index's
    configuration when it is created and must match it afterwards.

    Example: lineage index add news.db seeds/
    """
    from lineage.cli import StageProgress
    from lineage.corpus import load_corpus

    docs, skipped = load_corpus(paths, metadata=metadata)
    for s in skipped:
        warn(f"skipped {s.describe()}")
    index = open_index(db, store, create=True, settings=explicit_settings(ctx, params, no_timestamps))
    progress = StageProgress(quiet or as_json)
    try:
        outcomes = index.add(docs, batch=batch, progress=progress)
    finally:
        progress.close()
    for o in outcomes:
        if o.status == "conflict":
            warn(f"{o.id}: already indexed with other content; left as it was (remove it first to replace it)")
    if as_json:
        for o in outcomes:
            view = index.lineage(o.id)
            if view is not None:
                click.echo(json.dumps({"status": o.status, **view.to_json()}, ensure_ascii=False))
    elif not quiet:
        added = sum(o.status == "added" for o in outcomes)
        same = sum(o.status == "unchanged" for o in outcomes)
        related = sum(o.related for o in outcomes)
        click.echo(f"added {added} documents ({same} already indexed, {len(outcomes) - added - same} conflicts), "
                   f"{related} related pairs found; the index holds {index.count()} documents")
    index.close()


@index_group.command("query")
@click.argument("db")
@click.argument("paths", nargs=-1, required=True)
@store_option
@click.option("--metadata", type=click.Path(), default=None, help="CSV or JSONL keyed by id adding metadata.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per document.")
def query_cmd(db, paths, store, metadata, as_json) -> None:
    """Match the documents under PATHS against the index DB without adding them.

    Each is compared with the indexed documents only (not with the others
    queried) and its lineage previewed as if it were added.
    """
    from lineage.corpus import load_corpus

    docs, skipped = load_corpus(paths, metadata=metadata)
    for s in skipped:
        warn(f"skipped {s.describe()}")
    index = open_index(db, store)
    for doc in docs:
        view = index.query(doc)
        if as_json:
            click.echo(json.dumps(view.to_json(), ensure_ascii=False))
            continue
        matches = view.matches()
        click.echo(f"{doc.id}: {len(matches)} matches, parent {view.parent or '-'}, cluster {view.cluster or '-'}"
                   + (f", duplicate of {view.duplicate_of}" if view.duplicate_of else ""))
        for e in matches:
            other = e.target if e.source == doc.id else e.source
            arrow = "<-" if e.target == doc.id else "->"
            click.echo(f"  {arrow} {other:<24} {e.relation:<15} {e.direction:<13} {e.confidence:5.2f} "
                       f"{e.source_in_target:5.2f} {e.target_in_source:5.2f} {e.shared_words:>5} words")
    index.close()


@index_group.command("remove")
@click.argument("db")
@click.argument("ids", nargs=-1, required=True)
@store_option
def remove_cmd(db, ids, store) -> None:
    """Remove documents by id; the lineage of their clusters is recomputed."""
    index = open_index(db, store)
    removed = index.remove(ids)
    for doc_id in ids:
        if doc_id not in removed:
            warn(f"{doc_id}: not in the index")
    click.echo(f"removed {len(removed)} documents; the index holds {index.count()}")
    index.close()


@index_group.command("stats")
@click.argument("db")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print the statistics as JSON.")
def stats_cmd(db, store, as_json) -> None:
    """Sizes, relations and configuration of the index DB."""
    index = open_index(db, store)
    stats = index.stats()
    index.close()
    if as_json:
        click.echo(json.dumps(stats, indent=2))
        return
    click.echo(f"store      {stats['store']}")
    for key in ("documents", "clusters", "pairs", "related", "shingles", "heavy", "dirty", "max_df_effective",
                "bytes"):
        click.echo(f"{key:<10} {stats[key]}")
    for relation, n in sorted(stats["relations"].items()):  # type: ignore[union-attr]
        click.echo(f"  {relation:<15} {n}")


@index_group.command("export")
@click.argument("db")
@store_option
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Folder for lineage.json, lineage.graphml, lineage.png (and report.html).")
@click.option("--max-nodes", type=int, default=60, show_default=True,
              help="Documents drawn in lineage.png (largest clusters first).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary.")
def export_cmd(db, store, output, max_nodes, quiet) -> None:
    """Write the lineage of every indexed document, exactly as `trace` would on them.

    Example: lineage index export news.db -o out/
    """
    from lineage.cli import StageProgress
    from lineage.export import write_outputs
    from lineage.parallel import default_workers

    index = open_index(db, store)
    progress = StageProgress(quiet)
    try:
        result, report = index.export(progress)
    finally:
        progress.close()
    index.close()
    written = write_outputs(result, Path(output), max_nodes=max_nodes, workers=default_workers())
    if not quiet:
        click.echo(report.describe())
        click.echo("wrote " + ", ".join(str(p) for p in written))


def _dedup(ctx, files, index_db, store, window, batch, no_timestamps, **params) -> None:
    """Read JSONL records (FILES, or stdin) and write each with its duplicate/copy fields added.

    Adds duplicate_of, parent, relation, confidence and cluster to every
    record, in input order. Records need a `text` field; `id`, `title`,
    `outlet`, `url` and `published` are used when present.

    Example: cat feed.jsonl | lineage dedup > marked.jsonl
    """
    from lineage.dedup import DedupFilter, IndexMatcher, MemoryMatcher
    from lineage.pipeline import Config

    settings = explicit_settings(ctx, params, no_timestamps)
    if index_db is not None:
        index = open_index(index_db, store, create=True, settings=settings)
        matcher = IndexMatcher(index)
    else:
        matcher = MemoryMatcher(Config(**settings), window=window)  # type: ignore[arg-type]
    sources = list(files) or ["-"]
    for source in sources:
        name = "stdin" if source == "-" else source
        stream = click.open_file(source, encoding="utf-8", errors="replace")
        with stream:
            DedupFilter(matcher, batch=batch, source=name).run(stream, sys.stdout)
    if index_db is not None:
        index.close()


@click.command("serve")
@click.argument("db")
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True, help="TCP port.")
@click.option("--max-bytes", type=click.IntRange(min=1024), default=2_000_000, show_default=True,
              help="Largest request body accepted (413 above).")
@click.option("--create", is_flag=True, help="Create the index DB if it does not exist.")
def serve_cmd(db, store, host, port, max_bytes, create) -> None:
    """Serve an HTTP API over the index DB: POST documents, GET lineages (OpenAPI at /docs).

    Example: lineage serve news.db --port 8000
    """
    try:
        from lineage.serve import serve
    except ImportError as exc:
        raise ConfigError(f"lineage serve needs {exc.name}", fix="pip install 'lineage[serve]'") from None
    location, name = locate(db, store)
    click.echo(f"lineage: serving {location} on http://{host}:{port} (OpenAPI: /docs)", err=True)
    serve(location, name, host=host, port=port, create=create, max_bytes=max_bytes)


def build(config_options) -> list[click.Command]:
    """The commands to register: ``index`` (with ``add``), ``dedup`` and ``serve``.

    ``config_options`` (from :mod:`lineage.cli`) is passed in rather than
    imported, so this module and the CLI do not import each other.
    """
    if _built:
        return _built
    add = _stack(
        _add,
        index_group.command("add"),
        click.argument("db"),
        click.argument("paths", nargs=-1, required=True),
        store_option,
        click.option("--metadata", type=click.Path(), default=None,
                     help="CSV or JSONL keyed by id adding published, outlet, url, title."),
        click.option("--batch", type=click.IntRange(min=1), default=256, show_default=True,
                     help="Documents between lineage recomputations (a crash loses no committed document)."),
        click.option("--json", "as_json", is_flag=True, help="Print one JSON line per document: matches and lineage."),
        click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary."),
        config_options,
        click.pass_context,
    )
    dedup = _stack(
        _dedup,
        click.command("dedup"),
        click.argument("files", nargs=-1, type=click.Path(allow_dash=True)),
        click.option("--index", "index_db", default=None,
                     help="Back the filter with a persistent index DB (aligned, oriented, kept across runs)."),
        store_option,
        click.option("--window", type=click.IntRange(min=1), default=100_000, show_default=True,
                     help="Without --index: documents remembered (about 2 KB each); older ones are forgotten."),
        click.option("--batch", type=click.IntRange(min=1), default=64, show_default=True,
                     help="Records matched (and with --index committed) together before they are written."),
        config_options,
        click.pass_context,
    )
    assert add.name == "add"
    _built.extend([index_group, dedup, serve_cmd])
    return _built


def _stack(func, *decorators):
    """``func`` decorated as if the decorators were written above it in this order."""
    for decorator in reversed(decorators):
        func = decorator(func)
    return func
