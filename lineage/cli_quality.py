"""Click commands for ground-truth tooling: ``lineage synth`` and ``lineage eval``.

Thin layers: parse options, call :func:`lineage.synth.synthesize` or
:func:`lineage.evaluate.evaluate`, print. Library errors are raised as
:class:`~lineage.errors.LineageError` for the CLI group to report.

>>> from click.testing import CliRunner
>>> CliRunner().invoke(eval_cmd, ["--help"]).output.splitlines()[0]
'Usage: eval [OPTIONS] LINEAGE_JSON TRUTH_JSON'
"""

from __future__ import annotations

import json

import click

from lineage.evaluate import evaluate, format_report, load_lineage, load_truth
from lineage.synth import synthesize
from lineage.synth_passages import synthesize_passages
from lineage.synth_tradition import synthesize_traditions

__all__ = ["eval_cmd", "synth"]


@click.command("synth")
@click.argument("base", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Output folder (docs/, metadata.jsonl, truth.json).",
)
@click.option(
    "--seed",
    default=0,
    show_default=True,
    help="Random seed; the same seed gives byte-identical output.",
)
@click.option(
    "--stories",
    type=click.IntRange(min=1),
    default=None,
    help="Number of copy trees [default: enough to fill ~60% of --docs].",
)
@click.option(
    "--docs",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="Target number of documents; negatives and distractors fill the rest.",
)
@click.option(
    "--min-words",
    type=click.IntRange(min=20),
    default=None,
    help="Smallest body a copy tree's base story may have [default: 150 news, 300 tradition, 600 passages].",
)
@click.option("--no-timestamps", is_flag=True, help="Leave 'published' out of metadata.jsonl.")
@click.option(
    "--kind",
    type=click.Choice(["news", "tradition", "passages"]),
    default="news",
    show_default=True,
    help="news: syndicated copies; tradition: hand-copied manuscripts (scribal slips, no metadata); "
         "passages: short texts lifting revised passages from long ones (no metadata).",
)
def synth(
    base: tuple[str, ...],
    out_dir: str,
    seed: int,
    stories: int | None,
    docs: int,
    min_words: int | None,
    no_timestamps: bool,
    kind: str,
) -> None:
    """Generate a corpus with known lineage from real articles.

    BASE is a folder of .txt articles (read recursively) or the Reuters-21578
    folder (reut2-*.sgm). With --kind news (the default) each copy tree grows
    from one base story by republishing, excerpts, updates, comments, appended
    stories, rewritten leads, spinning and house-style edits; some originals
    are hidden, and independent reports sharing only quotations are added as
    negatives. With --kind tradition each story is a manuscript tradition: 15
    whole copies, each a scribe's transcription of an earlier one, with the
    slips scribes make (--stories traditions, by default about --docs / 11);
    a quarter of the copies are lost. There is no metadata: only the texts
    say who copied whom. With --kind passages each story is a long source
    (600-2,000 words) and 6-12 short pieces that lift one to three passages
    from it, as they are, lightly or heavily revised, or take nothing
    (--stories sources, by default about --docs / 10); no metadata either.
    """
    if kind == "passages":
        sources = stories or max(1, round(docs / 10))
        click.echo(synthesize_passages(list(base), out_dir, seed=seed, sources=sources,
                                       min_words=min_words or 600).describe())
        return
    if kind == "tradition":
        traditions = stories or max(1, round(docs / 11))
        click.echo(synthesize_traditions(list(base), out_dir, seed=seed, traditions=traditions,
                                         min_words=min_words or 300).describe())
        return
    summary = synthesize(
        list(base),
        out_dir,
        seed=seed,
        stories=stories,
        docs=docs,
        min_words=min_words or 150,
        timestamps=not no_timestamps,
    )
    click.echo(summary.describe())


@click.command("eval")
@click.argument("lineage_json", type=click.Path(exists=True))
@click.argument("truth_json", type=click.Path(exists=True))
@click.option(
    "--json", "as_json", is_flag=True, help="Print the scores as JSON instead of a table."
)
def eval_cmd(lineage_json: str, truth_json: str, as_json: bool) -> None:
    """Score a lineage.json against a ground-truth truth.json.

    Either argument may be a folder holding lineage.json or truth.json.
    Reports pair precision/recall, false copies on negatives, direction
    accuracy and coverage, calibration (Brier, ECE), parent and root scores,
    and PAN plagdet on passages when the truth has cases.
    """
    report = evaluate(load_lineage(lineage_json), load_truth(truth_json))
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else format_report(report))
