"""``bench check``: compare a run with its experiment's baseline.

    bench check RUN_DIR [options] [check.* overrides]   check a stored run
    bench check [options] [overrides...]                run the experiment first (same overrides as `bench run`)

The settings (alpha, resamples, min_items, drift bands and minimum effects, allowed
signature changes, gated descriptive metrics) are this invocation's: configs/check/
with its check.* overrides, whether the run was computed now, answered from the
store, or given as a directory. docs/gate.md states the rules.

Exit codes: 0 pass (unchanged or improved), 1 regression, 2 incomparable or usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench import api
from bench.cli.commands.common import Parser, handles_errors
from bench.errors import BenchError
from bench.gate import render
from bench.results.store import write_text_atomic


def _is_check_override(override: str) -> bool:
    key = override.lstrip("+~").split("=", 1)[0]
    return key == "check" or key.startswith("check.")


def _targets(targets: list[str]) -> tuple[Path | None, list[str]]:
    """(RUN_DIR or None, overrides)."""
    dirs = [t for t in targets if "=" not in t and Path(t).is_dir()]
    if len(dirs) > 1:
        raise BenchError(f"more than one run directory: {' '.join(dirs)}", "check one run at a time")
    if dirs:
        run_dir, rest = Path(dirs[0]), [t for t in targets if t != dirs[0]]
        other = [o for o in rest if not _is_check_override(o)]
        if other:
            raise BenchError(
                f"with a run directory only check settings apply, not {' '.join(other)}",
                "pass check.* overrides only, or run the experiment with `bench check OVERRIDES`",
            )
        return run_dir, rest
    bad = [t for t in targets if "=" not in t]
    if bad:
        raise BenchError(f"{bad[0]} is neither a run directory nor a config override", "pass RUN_DIR or key=value overrides")
    return None, targets


def _run(overrides: list[str]) -> Path:
    from bench.cli.app import run_overrides, setup_logging

    setup_logging()
    return run_overrides(overrides, out=sys.stderr)  # stdout carries the report only


def _fix(report, run_dir: Path) -> str:
    """What resolves the blocking signature differences, as commands."""
    comps = list(dict.fromkeys(d.component for d in report.blocking))
    allow = " ".join(f"--allow {c}" for c in comps)
    return (f"if the change is intended, pass {allow} (or check.allow_signature_changes=[{','.join(comps)}]), "
            f"or re-make the baseline from this run: bench baseline {run_dir} --output {report.baseline} --update")


@handles_errors
def main(argv: list[str]) -> int:
    """``bench check``: compare a run with its baseline; returns 0 pass, 1 regression, 2 incomparable."""
    parser = Parser(prog="bench check", description=__doc__, formatter_class=__import__("argparse").RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="RUN_DIR, or overrides for running the experiment first")
    parser.add_argument("--baseline", help="baseline file (default: results/baselines/<experiment>.json)")
    parser.add_argument("--format", choices=sorted(render.FORMATS), default="table", help="report format on stdout")
    parser.add_argument("--output", help="also write the report (in --format) to this file")
    parser.add_argument("--junit", help="also write JUnit XML to this file")
    parser.add_argument("--force", action="store_true",
                        help="replace existing --output/--junit files (never a baseline, a run's file, an analysis "
                             "artefact, a device, a FIFO, a symbolic link or a folder)")
    parser.add_argument("--allow", action="append", default=[], metavar="COMPONENT",
                        help="signature component allowed to differ (repeatable), e.g. --allow transformers")
    # intermixed: options and overrides in any order (`RUN --baseline B check.alpha=0.01`, as --help
    # shows); plain parse_args binds the nargs="*" positional once and calls later overrides unrecognized
    args = parser.parse_intermixed_args(argv)

    from bench.paths import output_target

    # before the run and the comparison: a refused target costs nothing. A JSON --output may replace an
    # earlier check result (kind check); nothing else bench wrote.
    if args.output:
        output_target(args.output, args.force, "pass --force to replace it", kind="check" if args.format == "json" else None)
    if args.junit:
        output_target(args.junit, args.force, "pass --force to replace it")
    if args.output and args.junit and Path(args.output).absolute() == Path(args.junit).absolute():
        raise BenchError(f"--output and --junit name the same file {args.output}", "name two files")
    given, overrides = _targets(args.targets)
    if given is None:  # bad check.* settings fail before the experiment runs, not after its work
        from bench.gate.settings import settings as check_settings

        check_settings([o for o in overrides if _is_check_override(o) or o.lstrip("+~").startswith("experiment=")])
    run_dir = given or _run(overrides)
    report = api.check(run_dir, args.baseline, overrides=overrides, allow=args.allow)

    def fix(r):
        return _fix(r, run_dir)

    text = render.FORMATS[args.format](report, fix)
    print(text)
    if args.output:
        write_text_atomic(args.output, text)
    if args.junit:
        write_text_atomic(args.junit, render.junit(report, fix))
    return report.status
