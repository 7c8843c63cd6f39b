"""``bench compare RUN RUN [RUN ...]``: runs of the same items side by side, labelled by what differs in
their configs: each metric's main stat with the run's interval, and each run's difference from the first
with the paired tests and correction of ``bench systems``. Stored beside the first run as
``analyses/compare-<hash>.json`` (and ``.md``); the runs are only read."""

from __future__ import annotations

from bench.cli.commands.common import Parser, add_selection_and_output, emit, handles_errors, interval_of
from bench.cli.commands.common import split_list as _split


def _parser() -> Parser:
    from bench.stats.leaderboard import SystemsSpec

    d = SystemsSpec()  # the defaults are the library's: bench.compare(...) and `bench compare` agree
    p = Parser(prog="bench compare", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="two or more runs of the same items (the first is the reference)")
    p.add_argument("--names", help="comma-separated names for the runs (default: the config keys that differ)")
    p.add_argument("--tests", default=",".join(d.tests), help=f"paired tests: bootstrap, ar (default: {','.join(d.tests)})")
    p.add_argument("--test", default=d.cluster_test, help="the test that decides significance, as bench systems "
                                                         f"--cluster-test: ar | bootstrap | max (default {d.cluster_test})")
    p.add_argument("--resamples", type=int, default=d.resamples, help=f"resamples per test (default {d.resamples})")
    p.add_argument("--correction", default=d.correction,
                   help=f"holm | bh | none, over the runs of one metric and test (default {d.correction})")
    p.add_argument("--alpha", type=float, default=d.alpha)
    p.add_argument("--seed", type=int, default=d.seed)
    add_selection_and_output(p)
    return p


@handles_errors(flags={"seed": "--seed", "alpha": "--alpha", "resamples": "--resamples"})  # `--seed -1`: `use e.g. --seed 0`
def main(argv: list[str]) -> int:
    """Print the comparison (``bench.compare``); store it beside the first run."""
    from bench import api
    from bench.analysis import render_latex, render_compare
    from bench.errors import BenchError

    parser = _parser()
    args = parser.parse_args(argv)
    interval = interval_of(parser, args)
    if args.stat:
        raise BenchError("bench compare shows each metric's main stat", "drop --stat (bench diff shows every stat)")
    result = api.compare(*args.runs, metrics=_split(args.metrics), names=_split(args.names),
                         tests=tuple(_split(args.tests) or ()), resamples=args.resamples, seed=args.seed,
                         correction=args.correction, alpha=args.alpha, cluster_test=args.test)
    emit("compare", args.runs[0], result.to_json(), render_compare.markdown(result), render_compare.text(result),
         args.format, not args.no_save,
         latex=lambda: render_latex.compare(result, interval))
    return 0
