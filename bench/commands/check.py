"""``bench check``: compare a run with its experiment's baseline.

    bench check RUN_DIR [options]          check a stored run
    bench check [options] [overrides...]   run the experiment first (same overrides as `bench run`)

Exit codes: 0 pass (unchanged or improved), 1 regression, 2 incomparable or usage error.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from bench import compare, render, runs
from bench.commands.common import Parser, handles_errors, write_text_atomic
from bench.config import build
from bench.errors import BenchError


def _spec(record: dict, allow: list[str]) -> compare.CheckSpec:
    spec = build(compare.CheckSpec, record["config"].get("check"), "check")
    return replace(spec, allow_signature_changes=(*spec.allow_signature_changes, *allow))


def _run_dir(targets: list[str]) -> Path:
    if len(targets) == 1 and Path(targets[0]).is_dir():
        return Path(targets[0])
    if len(targets) == 1 and "=" not in targets[0]:
        raise BenchError(f"{targets[0]} is neither a run directory nor a config override", "pass RUN_DIR or key=value overrides")
    from bench.app import run_overrides, setup_logging

    setup_logging()
    return run_overrides(targets, out=sys.stderr)  # stdout carries the report only


@handles_errors
def main(argv: list[str]) -> int:
    parser = Parser(prog="bench check", description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="RUN_DIR, or overrides for running the experiment first")
    parser.add_argument("--baseline", help="baseline file (default: results/baselines/<experiment>.json)")
    parser.add_argument("--format", choices=sorted(render.FORMATS), default="table", help="report format on stdout")
    parser.add_argument("--output", help="also write the report (in --format) to this file")
    parser.add_argument("--junit", help="also write JUnit XML to this file")
    parser.add_argument("--allow", action="append", default=[], metavar="COMPONENT",
                        help="signature component allowed to differ (repeatable), e.g. --allow transformers")
    args = parser.parse_args(argv)

    run_dir = _run_dir(args.targets)
    record, run_side = runs.load_run_side(run_dir)
    baseline_path = Path(args.baseline) if args.baseline else runs.default_baseline(record["experiment"])
    base_record, base_side = runs.load_baseline(baseline_path)
    if base_record["experiment"] != record["experiment"]:
        raise BenchError(
            f"baseline {baseline_path} is for experiment {base_record['experiment']!r}, the run is {record['experiment']!r}",
            "pass --baseline for the run's experiment",
        )
    report = compare.check(record["experiment"], base_side, run_side, _spec(record, args.allow))
    text = render.FORMATS[args.format](report, str(baseline_path))
    print(text)
    if args.output:
        write_text_atomic(args.output, text)
    if args.junit:
        write_text_atomic(args.junit, render.junit(report, str(baseline_path)))
    return report.status
