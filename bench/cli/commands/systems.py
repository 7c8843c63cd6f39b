"""``bench systems RUN --by system`` or ``bench systems RUN_A RUN_B ...``: a leaderboard with
intervals, all-pairs significance tests, a multiple-comparison correction and clusters.

The analysis is stored beside the run(s) as ``analyses/systems-<hash>.json`` (and
``.md``); the runs are only read. Its path is the last line on stderr.
"""

from __future__ import annotations

from bench.cli.commands.common import Parser, add_selection_and_output, emit, handles_errors, interval_of
from bench.cli.commands.common import split_list as _split


def _parser() -> Parser:
    from bench.stats.leaderboard import SystemsSpec

    d = SystemsSpec()  # the defaults are the library's: bench.systems(...) and `bench systems` agree
    p = Parser(prog="bench systems", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="one run with a system field, or one run per system")
    p.add_argument("--by", help="metadata field naming the system (one run; default: the dataset's system_key)")
    p.add_argument("--doc", help="metadata field naming the document (one run; default: the dataset's doc_key)")
    p.add_argument("--names", help="comma-separated system names for the runs (default: experiment names)")
    p.add_argument("--tests", default=",".join(d.tests), help="paired tests: bootstrap, ar (default: both)")
    p.add_argument("--cluster-test", default=d.cluster_test,
                   help=f"the test clusters and ranks come from: ar | bootstrap | max (both must separate: the larger "
                        f"adjusted p); the other tests are reported beside it (default {d.cluster_test})")
    p.add_argument("--resamples", type=int, default=d.resamples, help=f"resamples per test (default {d.resamples})")
    p.add_argument("--ci-resamples", type=int, default=d.ci_resamples,
                   help=f"bootstrap resamples per interval (default {d.ci_resamples})")
    p.add_argument("--level", type=float, default=d.level, help=f"interval level (default {d.level})")
    p.add_argument("--correction", default=d.correction, help="holm (default) | bh | none, over all pairs of one metric and test")
    p.add_argument("--alpha", type=float, default=d.alpha)
    p.add_argument("--seed", type=int, default=d.seed)
    add_selection_and_output(p)
    return p


@handles_errors(flags={"names": "--names", "by": "--by", "doc": "--doc", "cluster_test": "--cluster-test",
                       # the spec's numbers: `--seed -1` is told `use e.g. --seed 0`, not the keyword seed=0
                       "seed": "--seed", "alpha": "--alpha", "resamples": "--resamples", "ci_resamples": "--ci-resamples",
                       "level": "--level"})
def main(argv: list[str]) -> int:
    """Print the leaderboard (``bench.systems``); store it beside the first run."""
    from bench import api
    from bench.analysis import render_latex, render_systems

    parser = _parser()
    args = parser.parse_args(argv)
    interval = interval_of(parser, args)
    board = api.systems(*args.runs, by=args.by, doc=args.doc, metrics=_split(args.metrics), stat=args.stat,
                        names=_split(args.names), tests=tuple(_split(args.tests) or ()), resamples=args.resamples,
                        ci_resamples=args.ci_resamples, seed=args.seed, correction=args.correction, alpha=args.alpha,
                        level=args.level, cluster_test=args.cluster_test)
    emit("systems", args.runs[0], board.to_json(), render_systems.markdown(board), render_systems.text(board),
         args.format, not args.no_save,
         latex=lambda: render_latex.systems(board, interval))
    return 0
