"""``bench compare RUN RUN [RUN ...]``: runs of the same items side by side, labelled by what differs in
their configs: each metric's main stat with the run's interval, and each run's difference from the first
with the paired tests and correction of ``bench systems``. Stored beside the first run as
``analyses/compare-<hash>.json`` (and ``.md``); the runs are only read."""

from __future__ import annotations

from bench.cli.commands.common import Parser, add_selection_and_output, emit, handles_errors
from bench.cli.commands.common import split_list as _split


def _parser() -> Parser:
    p = Parser(prog="bench compare", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="two or more runs of the same items (the first is the reference)")
    p.add_argument("--names", help="comma-separated names for the runs (default: the config keys that differ)")
    p.add_argument("--tests", default="bootstrap,ar", help="paired tests: bootstrap, ar (default: both)")
    p.add_argument("--test", default="ar", help="the test that decides significance, as bench systems --cluster-test: "
                                                "ar (default) | bootstrap | max")
    p.add_argument("--resamples", type=int, default=10000, help="resamples per test (default 10000)")
    p.add_argument("--correction", default="holm", help="holm (default) | bh | none, over the runs of one metric and test")
    p.add_argument("--alpha", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    add_selection_and_output(p)
    return p


@handles_errors
def main(argv: list[str]) -> int:
    """Print the comparison; store it beside the first run."""
    from bench.analysis import compare, render_compare
    from bench.errors import BenchError
    from bench.stats.leaderboard import SystemsSpec

    args = _parser().parse_args(argv)
    if len(args.runs) < 2:
        raise BenchError("bench compare needs at least two runs", "pass RUN RUN [RUN ...]")
    if args.stat:
        raise BenchError("bench compare shows each metric's main stat", "drop --stat (bench diff shows every stat)")
    spec = SystemsSpec(tests=tuple(_split(args.tests) or ()), resamples=args.resamples, seed=args.seed,
                       correction=args.correction, alpha=args.alpha, cluster_test=args.test)
    result = compare.compare(compare.load(args.runs), spec, metrics=_split(args.metrics), names=_split(args.names))
    payload = result.to_json()
    emit("compare", args.runs[0], payload, render_compare.markdown(payload), render_compare.text(payload), args.format,
         not args.no_save)
    return 0
