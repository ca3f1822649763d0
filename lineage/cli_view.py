"""``lineage compare A B``: align two documents with the trace's own stages and explain the result.

The pair is always aligned (no candidate stage can drop it), with the same
functions and default :class:`~lineage.pipeline.Config` as ``lineage trace``,
so what ``compare`` prints is what ``trace`` would report for the pair. There
is no corpus, so nothing counts as boilerplate and there are no witnesses.

>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> story = " ".join(f"Sentence {n} of the wire story says the talks went on." for n in range(40))
>>> _ = (d / "a.txt").write_text(story)
>>> _ = (d / "b.txt").write_text(story[:300])
>>> c = compare_documents(d / "a.txt", d / "b.txt")
>>> c.edge.relation, c.edge.source, c.edge.passages[0].target
('derived', 'a', (0, 293))
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace

import click
import numpy as np

from lineage.corpus import load_corpus
from lineage.errors import InputError
from lineage.model import Document, LineageEdge
from lineage.pipeline import Config, Prepared, TraceResult, assemble, orient, prepare, verify_pairs

__all__ = ["Comparison", "compare", "compare_documents"]

EXCERPT = 72  # characters of each side shown per passage


@dataclass
class Comparison:
    """Two documents, their alignment as a lineage edge (None when they share no passage)."""

    a: Document
    b: Document
    edge: LineageEdge | None
    result: TraceResult  # the pair as a one-edge trace, for lineage.json-shaped output
    prepared: Prepared
    shared_shingles: int  # distinct word shingles in both texts (boilerplate not removed)
    config: Config


def compare_documents(a: str | os.PathLike[str], b: str | os.PathLike[str], *,
                      config: Config | None = None) -> Comparison:
    """Read one document from each file and align them exactly, as ``lineage trace`` would.

    Raises :class:`~lineage.errors.InputError` when a file is unreadable or holds
    more than one document.
    """
    config = config or Config()
    da, db = _one_document(a), _one_document(b)
    # Two files may share a stem (x/a.txt, y/a.txt): tell them apart by the path given.
    if da.id == db.id:
        da, db = replace(da, id=str(a)), replace(db, id=str(b))
    if da.id == db.id:
        da, db = replace(da, id=f"{da.id} (A)"), replace(db, id=f"{db.id} (B)")

    def quiet(stage: str, done: int, total: int) -> None:
        return None

    prepared = prepare([da, db], config, quiet)
    no_boilerplate = np.zeros(0, dtype=np.uint64)  # a pair is no corpus: nothing is boilerplate
    verified = verify_pairs(prepared, [(0, 1)], config, no_boilerplate, quiet)
    edges = orient(prepared, verified, config, no_boilerplate, quiet)
    result = assemble([da, db], edges, skipped=[], params=asdict(config),
                      words={d.id: len(t) for d, t in zip(prepared.docs, prepared.tokens)})
    shared = len(np.intersect1d(prepared.unique[0], prepared.unique[1]))
    return Comparison(da, db, result.edges[0] if result.edges else None, result, prepared, shared, config)


def _one_document(path: str | os.PathLike[str]) -> Document:
    docs, _skipped = load_corpus([path])
    if len(docs) != 1:
        raise InputError(f"{path}: holds {len(docs)} documents; compare takes one document per file",
                         fix="pass two single documents, or trace the whole set with lineage trace")
    return docs[0]


def format_comparison(c: Comparison) -> str:
    """The comparison as terminal text: documents, verdict, containment, passages, evidence."""
    words = c.result.words
    lines = [f"A  {c.a.path}  ({c.a.id}, {words.get(c.a.id, 0)} words{_title(c.a)})",
             f"B  {c.b.path}  ({c.b.id}, {words.get(c.b.id, 0)} words{_title(c.b)})", ""]
    e = c.edge
    if e is None:
        lines.append(f"no reuse: A and B share no passage of {c.config.min_words} words or more "
                     f"({c.shared_shingles} {c.config.k}-word shingles in common)")
        return "\n".join(lines)
    by_id = {c.a.id: c.a, c.b.id: c.b}
    src, tgt = by_id[e.source], by_id[e.target]
    lines.append(verdict_line(e))
    lines.append(f"containment: {e.source_in_target:.0%} of {e.source} is in {e.target}; "
                 f"{e.target_in_source:.0%} of {e.target} is in {e.source}; Jaccard {e.jaccard:.3f}")
    quoted = sum(p.words for p in e.passages if p.quoted)
    lines.append(f"{len(e.passages)} passages, {e.shared_words} shared words ({quoted} inside quotation marks):")
    lines.append(f"  {'#':>3}  {'source [start, end)':<20} {'target [start, end)':<20} {'words':>5}  quoted")
    for n, p in enumerate(e.passages, start=1):
        s_span, t_span = f"[{p.source[0]}, {p.source[1]})", f"[{p.target[0]}, {p.target[1]})"
        lines.append(f"  {n:>3}  {s_span:<20} {t_span:<20} {p.words:>5}  {'yes' if p.quoted else ''}")
        lines.append(f"       source: {_excerpt(src.text, p.source)}")
        lines.append(f"       target: {_excerpt(tgt.text, p.target)}")
    lines.append("evidence:")
    lines += [f"  - {x}" for x in e.evidence] or ["  (none)"]
    return "\n".join(lines)


def verdict_line(e: LineageEdge) -> str:
    """One sentence: relation and who derives from whom, how sure.

    >>> e = LineageEdge("a", "b", "derived", "forward", 0.91, 0.3, 0.4, 0.9, (), ())
    >>> verdict_line(e)
    'derived: b derives from a (confidence 0.91)'
    """
    conf = f"{e.confidence:.2f}"
    if e.relation == "quote-only":
        return f"quote-only: {e.source} and {e.target} share only quotations (independent reports, not a copy)"
    if e.direction == "common-source":
        return f"{e.relation}: {e.source} and {e.target} likely both copy an unseen source (p = {conf})"
    if e.direction == "forward":
        return f"{e.relation}: {e.target} derives from {e.source} (confidence {conf})"
    return (f"{e.relation}: direction unresolved; {e.target} deriving from {e.source} is the likelier "
            f"reading (confidence {conf})")


def _title(doc: Document) -> str:
    title = _one_line(doc.title or "")
    return f', "{title if len(title) <= 60 else title[:59].rstrip() + "…"}"' if title else ""


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def _excerpt(text: str, span: tuple[int, int]) -> str:
    """The start of a passage on one line, and its end when it is long."""
    body = _one_line(text[span[0]:span[1]])
    if len(body) <= EXCERPT:
        return body
    half = EXCERPT // 2 - 2
    head, tail = body[:half], body[-half:]
    # Cut at word boundaries so the excerpt can be searched for in the text.
    head = head.rsplit(" ", 1)[0] if " " in head else head
    tail = tail.split(" ", 1)[1] if " " in tail else tail
    return f"{head} … {tail}"


@click.command("compare")
@click.argument("a", type=click.Path(exists=True, dir_okay=False))
@click.argument("b", type=click.Path(exists=True, dir_okay=False))
@click.option("--plot", type=click.Path(dir_okay=False), default=None,
              help="Write the pair's dot plot (shared shingles and passages, A against B) to this PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print the pair as an edge of lineage.json (null if none).")
def compare(a: str, b: str, plot: str | None, as_json: bool) -> None:
    """Align two documents A and B and show their shared passages, containment and verdict.

    A and B may be in any format lineage reads (one document each). Two texts
    that share nothing are reported as such (exit status 0).

    Example: lineage compare seeds/000_f6518dbf4f8562ef.txt seeds/001_6e52ad6ce1578199.txt
    """
    from lineage.render import render_dot_plot, shorten_ids

    c = compare_documents(a, b)
    if as_json:
        edge = c.result.to_json()["edges"]
        click.echo(json.dumps(edge[0] if edge else None, ensure_ascii=False, indent=2))  # type: ignore[index]
    else:
        click.echo(format_comparison(c))
    if plot:
        e = c.edge
        src, tgt = (e.source, e.target) if e is not None else (c.a.id, c.b.id)
        index = {d.id: n for n, d in enumerate(c.prepared.docs)}
        short = shorten_ids([src, tgt], minimum=12)
        render_dot_plot(e, c.prepared.tokens[index[src]], c.prepared.tokens[index[tgt]], plot, k=c.config.k,
                        names=(short[src], short[tgt]))
        if not as_json:
            click.echo(f"wrote {plot}")
