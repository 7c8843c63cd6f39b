"""``bench meta RUN [RUN ...]``: how well each metric agrees with human judgments: correlations at the
sample, summary and system level with bootstrap intervals (BOOT-BOTH by default), metric-vs-metric tests
(PERM-BOTH, Williams) and clusters. Stored beside the runs as ``analyses/meta-<hash>.json`` (and ``.md``)."""

from __future__ import annotations

from bench.cli.commands.common import Parser, add_selection_and_output, emit, handles_errors, interval_of
from bench.cli.commands.common import split_list as _split


def _parser() -> Parser:
    from bench.analysis.meta import MetaSpec

    d = MetaSpec()  # the defaults are the library's: bench.meta(...) and `bench meta` agree
    p = Parser(prog="bench meta", description=__doc__)
    p.add_argument("runs", nargs="+", metavar="RUN", help="runs of one dataset (e.g. a sweep's runs)")
    p.add_argument("--human", help="comma-separated human-score fields (default: the dataset's `human`)")
    p.add_argument("--judgments", help="a JSONL file of {id, <field>: score} joined by item id")
    p.add_argument("--system", help="metadata field of the system (default: the dataset's system_key)")
    p.add_argument("--doc", help="metadata field of the document (default: the dataset's doc_key)")
    p.add_argument("--levels", default=",".join(d.levels))
    p.add_argument("--coefficients", default=",".join(d.coefficients),
                   help="the tables printed: pearson, spearman, kendall, kendall_c (tau-c), pairwise_accuracy (system level)")
    p.add_argument("--constant", default=d.constant, help="documents with constant scores: skip (default) | zero")
    p.add_argument("--resampling", default=d.scheme, help="interval resampling: both (default) | inputs | systems")
    p.add_argument("--resamples", type=int, default=d.resamples)
    p.add_argument("--level", type=float, default=d.level, help=f"interval level (default {d.level})")
    p.add_argument("--resample-annotators", action="store_true", help="also resample annotators (needs per-annotator scores)")
    p.add_argument("--tests", default=",".join(d.tests), help="perm-both (default) | perm-inputs | perm-systems | williams")
    p.add_argument("--test-resamples", type=int, default=d.test_resamples)
    p.add_argument("--compare", default=",".join(f"{lvl}:{coef}" for lvl, coef in d.compare), help="LEVEL:COEFFICIENT cells where metrics are tested and clustered")
    p.add_argument("--correction", default=d.correction)
    p.add_argument("--alpha", type=float, default=d.alpha)
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--pairing", default=d.pairing, help="dimension (default): a metric that rates one quality (an LLM "
                   "judge's judge_coherence) meets the human dimension of that name only | all: every pair")
    add_selection_and_output(p)
    return p


@handles_errors(flags={"humans": "--human", "system": "--system", "doc": "--doc", "seed": "--seed", "alpha": "--alpha", "resamples": "--resamples",
                       "test_resamples": "--test-resamples", "level": "--level"})  # `--seed -1`: `use e.g. --seed 0`
def main(argv: list[str]) -> int:
    """Print the meta-evaluation (``bench.meta``); store it beside the first run."""
    from bench import api
    from bench.analysis import render_latex, render_meta
    from bench.errors import BenchError

    parser = _parser()
    args = parser.parse_args(argv)
    interval = interval_of(parser, args)
    compare = []
    for cell in _split(args.compare) or []:
        level, _, coef = cell.partition(":")
        if not coef:
            raise BenchError(f"--compare {cell!r} is not LEVEL:COEFFICIENT", "use e.g. --compare summary:kendall")
        compare.append((level, coef))
    result = api.meta(
        *args.runs, humans=_split(args.human), judgments=args.judgments, system=args.system, doc=args.doc,
        metrics=_split(args.metrics), stat=args.stat,
        levels=tuple(_split(args.levels) or ()), coefficients=tuple(_split(args.coefficients) or ()),
        constant=args.constant, scheme=args.resampling, resamples=args.resamples, level=args.level, seed=args.seed,
        tests=tuple(_split(args.tests) or ()), test_resamples=args.test_resamples, compare=tuple(compare),
        correction=args.correction, alpha=args.alpha, resample_annotators=args.resample_annotators, pairing=args.pairing)
    emit("meta", args.runs[0], result.to_json(), render_meta.markdown(result), render_meta.text(result), args.format,
         not args.no_save,
         latex=lambda: render_latex.meta(result, interval))
    return 0
