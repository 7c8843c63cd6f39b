"""``bench baseline RUN_DIR``: make (or deliberately replace) the committed baseline of a run's experiment."""

from __future__ import annotations

from pathlib import Path

from bench.cli.commands.common import Parser, handles_errors
from bench.gate import baselines
from bench.results import run_record


@handles_errors
def main(argv: list[str]) -> int:
    """``bench baseline RUN_DIR [--output FILE] [--update]``; returns the exit code."""
    parser = Parser(prog="bench baseline", description=__doc__)
    parser.add_argument("run_dir", help="a run directory printed by `bench run`")
    parser.add_argument("--output", help="baseline file (default: results/baselines/<experiment>.json)")
    parser.add_argument("--update", action="store_true", help="replace an existing baseline")
    args = parser.parse_args(argv)
    run = run_record.load(args.run_dir)  # validated: a damaged run never becomes a baseline
    path = Path(args.output) if args.output else baselines.default_baseline(run.experiment)
    baselines.write_baseline(run, path, args.update)
    print(f"baseline for {run.experiment} written from run {run.run_id}")
    print(path)
    return 0
