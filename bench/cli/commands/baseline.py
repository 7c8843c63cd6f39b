"""``bench baseline RUN_DIR``: make (or deliberately replace) the committed baseline of a run's experiment."""

from __future__ import annotations

from bench import api
from bench.cli.commands.common import Parser, handles_errors
from bench.errors import BenchError
from bench.gate.baselines import BaselineExists
from bench.results import run_record


@handles_errors
def main(argv: list[str]) -> int:
    """``bench baseline RUN_DIR [--output FILE] [--update]``; returns the exit code."""
    parser = Parser(prog="bench baseline", description=__doc__)
    parser.add_argument("run_dir", help="a run directory printed by `bench run`")
    parser.add_argument("--output", help="baseline file (default: results/baselines/<experiment>.json)")
    parser.add_argument("--update", action="store_true", help="replace an existing baseline")
    args = parser.parse_args(argv)
    if args.output:
        from bench.paths import output_target

        # never over a device, FIFO, link, folder, run file or another kind of artefact; whether an existing
        # baseline may be replaced is --update's question (bench.gate.baselines.write_baseline)
        output_target(args.output, True, "", kind="bench-baseline")
    run = run_record.load(args.run_dir)  # validated: a damaged run never becomes a baseline
    try:
        path = api.baseline(run, args.output, args.update)
    except BaselineExists as exc:
        raise BenchError(exc.problem, "pass --update to replace it deliberately") from None
    print(f"baseline for {run.experiment} written from run {run.run_id}")
    print(path)
    return 0
