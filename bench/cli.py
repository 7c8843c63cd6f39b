"""``bench``: command dispatch only. Each command lives in its own module."""

from __future__ import annotations

import sys

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

Run `bench run --help` for the config groups and options, `bench COMMAND --help` for the rest.
"""

COMMANDS = {
    "run": "bench.app",
    "check": "bench.commands.check",
    "baseline": "bench.commands.baseline",
    "diff": "bench.commands.diff",
    "reproduce": "bench.commands.reproduce",
    "merge": "bench.commands.merge",
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(USAGE, end="")
        return 0
    if argv[0] == "--version":
        from bench import __version__

        print(f"bench {__version__}")
        return 0
    command, rest = argv[0], argv[1:]
    if command == "run":
        from bench import app

        # Hydra reads sys.argv itself; give it the overrides, and a program name for --help.
        sys.argv = ["bench run", *rest]
        app.main()
        return 0
    if command in COMMANDS:
        import importlib

        return importlib.import_module(COMMANDS[command]).main(rest)
    from bench.errors import unknown_choice

    print(f"bench: error: {unknown_choice('command', command, COMMANDS)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
