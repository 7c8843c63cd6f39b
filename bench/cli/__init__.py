"""``bench``: command dispatch only. Each command lives in its own module."""

from __future__ import annotations

import sys

from bench.cli.streams import override, stdout_closed as _stdout_closed  # noqa: F401  (override: bench.hints)
from bench.cli.streams import StreamError, guarded, stream_failed

USAGE = """usage: bench <command> [args]

commands:
  run [overrides]       score an experiment (Hydra: overrides, -m sweeps, --cfg job, --help)
                        e.g. bench run dataset=summeval 'metrics=[rouge]'
  check [RUN|overrides] compare a run (or run the experiment first) with its baseline;
                        exit 0 pass, 1 regression, 2 incomparable/usage error
  baseline RUN          create or (--update) replace results/baselines/<experiment>.json
  diff RUN_A RUN_B      metric deltas, items that moved most, signature diff
  reproduce RUN         re-run a stored run from its record: identical (0) or drifted (1)
  merge RUN...          join shard runs (shard.index/shard.count) into one run
  systems RUN [RUN...]  leaderboard: means with CIs, all-pairs paired tests (Holm), clusters
                        e.g. bench systems RUN --by system, or bench systems RUN_A RUN_B
  compare RUN RUN...    runs side by side (labelled by what differs), each vs the first with paired tests
  meta RUN [RUN...]     agreement with human judgments: correlations with CIs, metric tests
  report INPUT...       runs, systems/meta artefacts or a check result as one HTML page with plots
                        (or --format markdown); stored as analyses/report-<hash>.html
  ls [RESULTS_DIR]      stored runs, newest first, with key metrics; --experiment, --since, --where, --json
  show RUN              one run: metrics with CIs and corpus values, descriptive stats, groups,
                        signatures, notes, inputs, environment
  export RUN...         per-item scores as one flat table: --format parquet|csv|jsonl [--output FILE];
                        --wide: a row per item, a column per metric stat; --corpus: corpus BLEU/chrF
                        per run x metric; --csv-safe: no spreadsheet formulas

Run `bench run --help` for the config groups and options, `bench COMMAND --help` for the rest.
"""

COMMANDS = {
    "run": "bench.cli.app",
    "check": "bench.cli.commands.check",
    "baseline": "bench.cli.commands.baseline",
    "diff": "bench.cli.commands.diff",
    "reproduce": "bench.cli.commands.reproduce",
    "merge": "bench.cli.commands.merge",
    "systems": "bench.cli.commands.systems",
    "meta": "bench.cli.commands.meta",
    "compare": "bench.cli.commands.compare",
    "report": "bench.cli.commands.report",
    "ls": "bench.cli.commands.ls",
    "show": "bench.cli.commands.show",
    "export": "bench.cli.commands.export",
}


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns its exit code. Ctrl-C and SIGTERM end it with one line (see bench.interrupts);
    a closed stdout (`| head`) quietly, with 141 (see _stdout_closed); a failed write to stdout or stderr
    (a full disk, an I/O error) with one line and 1 (see bench.cli.streams). Text the terminal cannot
    encode is shown with replacement characters."""
    with guarded():
        return _main(argv)


def _main(argv: list[str] | None) -> int:
    from bench import hints, interrupts

    interrupts.install()
    try:
        with hints.using(override):  # the library's hints name options as this shell's overrides
            code = _dispatch(list(sys.argv[1:] if argv is None else argv))
        if sys.stdout is not None:  # a reader that left early (`| head`) is found here, not at interpreter exit
            sys.stdout.flush()
        return code
    except BrokenPipeError:
        return _stdout_closed()
    except StreamError as exc:
        return stream_failed(exc)
    except KeyboardInterrupt as exc:
        from bench.results import store

        runs = [str(p) for p in store.published]
        if not runs:
            done = "no run was written"
        elif len(runs) == 1:
            done = f"run {runs[0]} was written before it"
        else:
            done = f"{len(runs)} runs were written before it: {' '.join(runs)}"
        print(f"bench: interrupted; {done}", file=sys.stderr)
        return interrupts.exit_code(exc)


def _dispatch(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if argv[0] == "--version":
        from bench import __version__

        print(f"bench {__version__}")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "run":
        return _run(rest)
    if command in COMMANDS:
        import importlib

        return importlib.import_module(COMMANDS[command]).main(rest)
    from bench.errors import unknown_choice

    print(f"bench: error: {unknown_choice('command', command, COMMANDS)}", file=sys.stderr)
    return 2


def _run(overrides: list[str]) -> int:
    import os

    from hydra.errors import HydraException

    from bench.cli import app
    from bench.config.hydra_errors import translate
    from bench.metrics.registry import with_plugin_searchpath

    # Hydra prints composition errors over several lines and exits 1; raised instead, they become
    # bench's one-line errors (exit 2). Errors inside a run are BenchErrors already (bench.cli.app).
    os.environ["HYDRA_FULL_ERROR"] = "1"
    sys.argv = ["bench run", *with_plugin_searchpath(overrides)]  # Hydra reads sys.argv itself; the name is for --help
    sweep = _sweep_log() if {"-m", "--multirun"} & set(overrides) else None
    if sweep is not None:
        # also through the job's config: Hydra's run_job sets hydra.job.env_set in the process that runs the job,
        # which need not inherit this one's environment (a Ray cluster's workers are children of its raylet)
        sys.argv.append(f"++hydra.job.env_set.{app.SWEEP_LOG}={_quoted(str(sweep))}")
    try:
        if {"-h", "--help"} & set(overrides):
            return _run_help(app, [o for o in overrides if o not in ("-h", "--help")])
        app.main()
    except HydraException as exc:
        print(f"bench: error: {translate(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if sweep is not None:  # runs that a sweep's jobs (maybe in other processes) finished before it
            from bench.results import store

            store.published.extend(p for p in _sweep_runs(sweep) if p not in map(str, store.published))
        raise
    finally:
        if sweep is not None:
            os.environ.pop(app.SWEEP_LOG, None)
    if sweep is not None:
        _print_sweep(sweep)
    return 0


def _run_help(app, overrides: list[str]) -> int:
    """Hydra's help (the config groups) with its config dump replaced by every option and its description."""
    import contextlib
    import io

    from omegaconf import OmegaConf

    from bench.cli.options_help import render
    from bench.paths import config_dir

    hydra_help = io.StringIO()
    with contextlib.redirect_stdout(hydra_help), contextlib.suppress(SystemExit):
        app.main()  # Hydra prints its help, then exits 0
    groups = hydra_help.getvalue().split("== Config ==")[0]
    cfg = OmegaConf.to_container(app.compose(overrides), resolve=False)
    print(groups.rstrip() + "\n\n" + render(cfg, config_dir()) + "\nUse --hydra-help for Hydra's own options.")
    return 0


def _sweep_log():
    """A file the jobs of a sweep append their run directories to, in bench's cache dir (any launcher's
    jobs inherit the environment; not every launcher forwards their stdout, e.g. submitit's)."""
    import os
    import tempfile
    import uuid
    from pathlib import Path

    from bench.cli import app
    from bench.paths import usable_cache_dir

    cache = usable_cache_dir()  # None: BENCH_CACHE_DIR cannot be written (said once): the temp dir holds it
    root = cache / "sweeps" if cache is not None else Path(tempfile.gettempdir())
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError:
        root = Path(tempfile.gettempdir())
    path = root / f"bench-sweep-{os.getpid()}-{uuid.uuid4().hex[:8]}.txt"
    os.environ[app.SWEEP_LOG] = str(path)
    return path


def _quoted(value: str) -> str:
    """``value`` as a Hydra override's single-quoted string, read back verbatim: backslashes before a quote or
    at the end doubled, quotes escaped, ``${`` escaped (quoted strings are interpolated)."""
    import re

    escaped = re.sub(r"(\\*)(')", lambda m: m.group(1) * 2 + "\\'", value)
    escaped = re.sub(r"(\\+)$", lambda m: m.group(1) * 2, escaped)
    return "'" + escaped.replace("${", "\\${") + "'"


def _sweep_runs(path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").split()
    except OSError:
        return []
    finally:
        path.unlink(missing_ok=True)


def _print_sweep(path) -> None:
    runs = _sweep_runs(path)
    print(f"bench run -m: {len(runs)} run(s)")
    for run in runs:
        print(f"  {run}")


if __name__ == "__main__":
    sys.exit(main())
