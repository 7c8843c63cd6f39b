"""``bench systems RUN --by system`` or ``bench systems RUN_A RUN_B ...``: a leaderboard with
intervals, all-pairs significance tests, a multiple-comparison correction and clusters.

The analysis is stored beside the run(s) as ``analyses/systems-<hash>.json`` (and
``.md``); the runs are only read. Its path is the last line on stderr.
"""

from __future__ import annotations

import sys

from bench.cli.commands.common import Parser, handles_errors


def _parser() -> Parser:
    p = Parser(prog="bench systems", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="one run with a system field, or one run per system")
    p.add_argument("--by", help="metadata field naming the system (one run; default: the dataset's system_key)")
    p.add_argument("--doc", help="metadata field naming the document (one run; default: the dataset's doc_key)")
    p.add_argument("--names", help="comma-separated system names for the runs (default: experiment names)")
    p.add_argument("--metrics", help="comma-separated metrics (default: all)")
    p.add_argument("--stat", help="stat to rank (default: fmeasure/f1, else the metric's only stat; `all` for every stat)")
    p.add_argument("--tests", default="bootstrap,ar", help="paired tests: bootstrap, ar (default: both)")
    p.add_argument("--resamples", type=int, default=10000, help="resamples per test (default 10000)")
    p.add_argument("--ci-resamples", type=int, default=1000, help="bootstrap resamples per interval (default 1000)")
    p.add_argument("--level", type=float, default=0.95, help="interval level (default 0.95)")
    p.add_argument("--correction", default="holm", help="holm (default) | bh | none, over all pairs of one metric and test")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--format", choices=["table", "markdown", "json"], default="table")
    p.add_argument("--no-save", action="store_true", help="print only; store no artefact")
    return p


def _split(text: str | None) -> list[str] | None:
    return [t.strip() for t in text.split(",") if t.strip()] if text else None


@handles_errors
def main(argv: list[str]) -> int:
    """Print the leaderboard; store it beside the first run."""
    from pathlib import Path

    from bench.analysis import artefacts, render_systems, systems
    from bench.stats.leaderboard import SystemsSpec

    args = _parser().parse_args(argv)
    spec = SystemsSpec(tests=tuple(_split(args.tests) or ()), resamples=args.resamples, ci_resamples=args.ci_resamples,
                       seed=args.seed, correction=args.correction, alpha=args.alpha, level=args.level)
    board = systems.build(args.runs, spec, by=args.by, doc=args.doc, metrics=_split(args.metrics), stat=args.stat,
                          names=_split(args.names))
    payload = board.to_json()
    markdown = render_systems.markdown(payload)
    path = None if args.no_save else artefacts.store(artefacts.folder_for(Path(args.runs[0])), "systems", payload, markdown)
    if args.format == "json":
        print(artefacts.canonical(payload), end="")
    elif args.format == "markdown":
        print(markdown, end="")
    else:
        print(render_systems.text(payload))
    if path is not None:
        print(f"bench: leaderboard stored at {path}", file=sys.stderr)
    return 0
