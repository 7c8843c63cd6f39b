"""``bench report INPUT... [--output FILE] [--format html|markdown]``: runs, a sweep's runs, a ``bench systems``
or ``bench meta`` artefact, or a ``bench check --format json`` result as one self-contained HTML page (plots
inline as SVG, no script, no URL) or as Markdown (tables, for PR comments and $GITHUB_STEP_SUMMARY).

By default the report is stored beside the first input as ``analyses/report-<hash>.html`` (or ``.md``) with
``report-<hash>.json``, the runs and files it was built from; the inputs are only read. ``--output -``
prints it instead. The path written is the last line on stdout.
"""

from __future__ import annotations


from bench.cli.commands.common import Parser, handles_errors


def _parser() -> Parser:
    p = Parser(prog="bench report", description=__doc__)
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="run directory, analyses/systems-*.json, analyses/meta-*.json, or bench check JSON")
    p.add_argument("--format", choices=["html", "markdown"], default="html")
    p.add_argument("--output", help="file to write (default: analyses/report-<hash> beside the first input; - for stdout)")
    return p


@handles_errors
def main(argv: list[str]) -> int:
    """Build the report and write it; prints its path (or, with ``--output -``, the report)."""
    from bench.report import build

    args = _parser().parse_args(argv)
    path, text = build.write(args.inputs, args.format, args.output)
    if path is None:
        print(text, end="")
    else:
        print(path)
    return 0
