"""``bench report INPUT... [--output FILE] [--format html|markdown] [--worst N | --no-items]``: runs, a sweep's
runs, a ``bench systems`` or ``bench meta`` artefact, or a ``bench check --format json`` result as one
self-contained HTML page (plots inline as SVG, an inline script for the item browser, no URL) or as Markdown
(tables, for PR comments and $GITHUB_STEP_SUMMARY).

With runs among the inputs, the HTML page ends with an item browser: every item's candidate, references and
source beside its scores, sortable and filterable, the N worst items per system (``--worst N``, default 10)
and, with two runs or more, the items that moved most between the first two. References and sources are read
again from each run's dataset and shown only where their hash matches the run's. ``--no-items`` leaves it out.

By default the report is stored beside the first input as ``analyses/report-<hash>.html`` (or ``.md``) with
``report-<hash>.json``, the runs and files it was built from; the inputs are only read. ``--output -``
prints it instead; without ``--format`` the ``--output`` suffix decides (``.md`` Markdown, ``.html`` HTML). An existing ``--output`` file is replaced only with ``--force``, and never when it is a
file bench wrote (a baseline, a run's file, an analysis artefact) or not a regular file (a device, a FIFO,
a symbolic link, a folder): use ``--output -`` and send stdout there. The path written is the last line on stdout.

``--figures DIR`` also writes each figure for a paper as SVG, PDF and PNG (300 dpi) into DIR (created if
absent; never inside a run directory): per metric stat of a ``bench systems`` leaderboard, per level of a
``bench meta`` meta-evaluation, per metric of a run whose items name their system. An existing figure file
is replaced only with ``--force``. Each file written is listed on stderr (docs/figures.md).
"""

from __future__ import annotations

import sys

from bench.cli.commands.common import Parser, handles_errors
from bench.errors import BenchError


def _parser() -> Parser:
    p = Parser(prog="bench report", description=__doc__)
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="run directory, analyses/systems-*.json, analyses/meta-*.json, or bench check JSON")
    p.add_argument("--format", choices=["html", "markdown"], default=None,
                   help="default: from the --output suffix (.md markdown, .html/.htm html), else html")
    p.add_argument("--output", help="file to write (default: analyses/report-<hash> beside the first input; - for stdout)")
    p.add_argument("--worst", type=int, default=10, metavar="N",
                   help="the item browser lists the N worst items per system (default 10)")
    p.add_argument("--no-items", action="store_true",
                   help="leave the item browser out of the HTML report (it holds every item's texts)")
    p.add_argument("--figures", metavar="DIR", help="also write each figure as SVG, PDF and PNG (300 dpi) into DIR")
    p.add_argument("--force", action="store_true", help="replace an existing --output file and existing figure files "
                   "in --figures DIR (never a bench baseline, run file or analysis artefact, a device, a FIFO, a "
                   "symbolic link or a folder)")
    return p


SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}


def _format(given: str | None, output: str | None) -> str:
    """The format: ``--format``, else the one the ``--output`` suffix names, else html; a suffix that names the
    other format than an explicit ``--format`` is refused (x.md holding HTML would mislead every reader)."""
    from pathlib import Path

    from bench.errors import BenchError

    implied = SUFFIXES.get(Path(output).suffix.lower()) if output and output != "-" else None
    if given and implied and given != implied:
        raise BenchError(f"--output {output} names a {implied} file but --format {given} was given",
                         f"drop --format, or give an --output ending in {'.md' if given == 'markdown' else '.html'}")
    return given or implied or "html"


@handles_errors
def main(argv: list[str]) -> int:
    """Build the report and write it; prints its path (or, with ``--output -``, the report)."""
    from bench.report import build

    from bench.paths import output_target

    args = _parser().parse_args(argv)
    fmt = _format(args.format, args.output)
    if args.worst < 1 and not args.no_items:  # --no-items: no browser, so no count to check
        raise BenchError(f"--worst {args.worst} lists no item", "pass --worst N with N >= 1, or --no-items")
    if args.output and args.output != "-":  # before any work: refused targets cost nothing
        output_target(args.output, args.force, "pass --force to replace it")
    if args.figures is not None:
        from bench.report.figures import folder_fix, folder_problem

        problem = folder_problem(args.figures)
        if problem is not None:
            raise BenchError(f"--figures: {problem}", folder_fix(problem))
    path, text, figures = build.write_all(args.inputs, fmt, args.output, args.figures, args.force,
                                          "pass --force to replace it", None if args.no_items else args.worst)
    for figure in figures:
        print(f"figure: {figure}", file=sys.stderr)
    if args.figures is not None and not figures:
        print("bench: note: no figure for a paper in these inputs (they come from a bench systems or bench meta "
              "artefact, or a run whose items name their system)", file=sys.stderr)
    if path is None:
        print(text, end="")
    else:
        print(path)
    return 0
