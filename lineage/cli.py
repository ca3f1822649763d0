"""The ``lineage`` command line: a thin layer over the library.

Library errors (:class:`~lineage.errors.LineageError`) become one line on
stderr and exit status 1, here and nowhere else; usage errors exit 2 (click).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from lineage import __version__
from lineage.errors import LineageError
from lineage.direction import FAMILIES
from lineage.pipeline import ENGINES, Config


class LineageGroup(click.Group):
    """Turns library errors into a clean message and exit status 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except LineageError as exc:
            click.echo(f"lineage: error: {exc}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("lineage: interrupted", err=True)
            ctx.exit(130)


@click.group(cls=LineageGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lineage")
def main() -> None:
    """Trace near-duplicate and syndicated text: who reused which passages from whom."""


class StageProgress:
    """A progress bar per pipeline stage on stderr (silent with --quiet)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        if stage != self.stage:
            self.close()
            self.stage = stage
            self.bar = click.progressbar(length=max(total, 1), label=f"{stage:<10}", file=sys.stderr,
                                         show_pos=True, width=30)
            self.bar.__enter__()
            self.done = 0
        if self.bar is not None:
            self.bar.update(done - self.done)
            self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def config_options(func=None, *, engine: bool = False):
    """The trace parameters as options; names equal :class:`Config` field names.

    ``engine=True`` adds ``--engine`` and ``--spark-master`` (for ``trace``).
    """
    if func is None:
        return lambda f: config_options(f, engine=engine)
    defaults = Config()
    options = [
        click.option("--k", type=int, default=defaults.k, show_default=True, help="Words per shingle."),
        click.option("--num-perm", type=int, default=defaults.num_perm, show_default=True, help="MinHash permutations."),
        click.option("--bands", type=int, default=defaults.bands, show_default=True, help="LSH bands."),
        click.option("--rows", type=int, default=defaults.rows, show_default=True, help="Rows per LSH band."),
        click.option("--sample", type=int, default=defaults.sample, show_default=True,
                     help="1 in SAMPLE shingles is a containment fingerprint."),
        click.option("--min-shared", type=int, default=defaults.min_shared, show_default=True,
                     help="Fingerprints two documents must share to be compared."),
        click.option("--max-df", type=int, default=defaults.max_df, show_default=True,
                     help="Shingles in more documents are boilerplate (0: max(50, 1% of documents))."),
        click.option("--max-gap", type=int, default=defaults.max_gap, show_default=True,
                     help="Differing words merged inside one passage."),
        click.option("--min-words", type=int, default=defaults.min_words, show_default=True,
                     help="Shortest passage reported, in words."),
        click.option("--quote-words", type=int, default=defaults.quote_words, show_default=True,
                     help="Pairs sharing fewer unquoted words are quote-only."),
        click.option("--threshold", type=float, default=None,
                     help="Confidence below which a direction is 'unresolved' [default: the fitted one]."),
        click.option("--ablate", multiple=True, type=click.Choice(sorted(FAMILIES)),
                     help="Leave out an evidence family (for experiments; repeatable)."),
        click.option("--no-timestamps", "no_timestamps", is_flag=True, help="Ignore publication times."),
        click.option("--seed", type=int, default=defaults.seed, show_default=True, help="MinHash seed."),
        click.option("--workers", type=int, default=defaults.workers, show_default=True,
                     help="Processes for tokenising, signing and aligning (0: all cores); never changes the result."),
    ]
    if engine:
        options += [
            click.option("--engine", type=click.Choice(ENGINES), default=defaults.engine, show_default=True,
                         help="Where the stages run: this machine's cores, or Apache Spark (pip install "
                              "'lineage[spark]'); never changes the result."),
            click.option("--spark-master", default=None,
                         help="Spark master URL for --engine spark, e.g. local[4] or spark://host:7077 "
                              "[default: spark-submit's, else local[*]]."),
        ]
    for option in reversed(options):
        func = option(func)
    return func


@main.command("trace")
@click.argument("paths", nargs=-1, required=True)
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default="output", show_default=True,
              help="Folder for lineage.json, lineage.graphml and lineage.png.")
@click.option("--metadata", type=click.Path(), default=None,
              help="CSV or JSONL keyed by id adding published, outlet, url, title.")
@click.option("--max-nodes", type=int, default=60, show_default=True,
              help="Documents drawn in lineage.png (largest clusters first).")
@click.option("--per-cluster", is_flag=True,
              help="Also draw each cluster on its own: lineage-c1.png, lineage-c2.png, ...")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary table.")
@click.option("--profile", is_flag=True, help="Print the seconds spent in each stage to stderr.")
@config_options(engine=True)
def trace_cmd(paths, output, metadata, max_nodes, per_cluster, quiet, profile, no_timestamps, **params) -> None:
    """Trace reuse in PATHS (folders, files, or - for JSONL on stdin) and write the lineage.

    Example: lineage trace seeds/ -o output/
    """
    from lineage.export import write_outputs
    from lineage.parallel import default_workers
    from lineage.pipeline import trace

    config = Config(use_timestamps=not no_timestamps, **params)
    progress = StageProgress(quiet)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        result = trace(paths, metadata=metadata, config=config, progress=progress, profile=timings)
    finally:
        progress.close()
    written = time.perf_counter()
    for skipped in result.skipped:
        click.echo(f"lineage: warning: skipped {skipped.describe()}", err=True)
    out = Path(output)
    outputs = write_outputs(result, out, max_nodes=max_nodes, per_cluster=per_cluster,
                            workers=config.workers or default_workers())
    if profile:
        timings["write"] = time.perf_counter() - written
        timings["total"] = time.perf_counter() - started
        click.echo(profile_table(timings), err=True)
    if not quiet:
        click.echo(summary_table(result))
        click.echo(f"wrote {', '.join(map(str, outputs[:4]))}"
                   + (f" and {len(outputs) - 4} cluster diagrams" if per_cluster else ""))


PROFILE_STAGES = (("read", "read"), ("shingle", "normalise+shingle"), ("sign", "sign"),
                  ("candidates", "candidates"), ("align", "align"), ("direction", "direction"),
                  ("graph", "graph"), ("write", "write"), ("total", "total"))


def profile_table(timings: dict[str, float]) -> str:
    """The ``--profile`` lines: one ``profile: STAGE SECONDS`` line per stage, in pipeline order.

    >>> print(profile_table({"read": 1.0, "total": 1.5, "shuffle:align": 2.5e6}))
    profile: read                 1.00 s
    profile: total                1.50 s
    profile: shuffle align         2.5 MB
    """
    lines = [f"profile: {label:<18} {timings[key]:>6.2f} s" for key, label in PROFILE_STAGES if key in timings]
    # the Spark engine adds the bytes its stages shuffled
    lines += [f"profile: shuffle {stage:<10} {timings['shuffle:' + stage] / 1e6:>6.1f} MB"
              for stage, _ in PROFILE_STAGES if f"shuffle:{stage}" in timings]
    return "\n".join(lines)


def summary_table(result) -> str:
    """A plain-text table of the verified pairs, copies first."""
    from lineage.graph import is_copy
    from lineage.render import shorten_ids

    short = shorten_ids([d.id for d in result.documents])
    lines = [
        f"{len(result.documents)} documents, {len(result.edges)} related pairs, "
        f"{len(result.clusters)} clusters, {len(result.skipped)} skipped",
    ]
    if result.edges:
        lines.append(f"{'source':<14} {'target':<14} {'relation':<15} {'direction':<14} {'conf':>5} "
                     f"{'s_in_t':>6} {'t_in_s':>6} {'passages':>8}")
        for e in sorted(result.edges, key=lambda e: (not is_copy(e), e.source, e.target)):
            lines.append(
                f"{short[e.source][:14]:<14} {short[e.target][:14]:<14} {e.relation:<15} {e.direction:<14} "
                f"{e.confidence:>5.2f} {e.source_in_target:>6.2f} {e.target_in_source:>6.2f} {len(e.passages):>8}"
            )
    return "\n".join(lines)


def _register_quality_commands() -> None:
    from lineage.cli_quality import eval_cmd, synth

    main.add_command(synth)
    main.add_command(eval_cmd)


_register_quality_commands()


def _register_index_commands() -> None:
    from lineage.cli_index import build

    for command in build(config_options):
        main.add_command(command)


_register_index_commands()


def _register_view_commands() -> None:
    from lineage.cli_view import compare

    main.add_command(compare)


_register_view_commands()

if __name__ == "__main__":  # pragma: no cover
    main()
