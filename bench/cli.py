"""``bench``: command dispatch only. Each command lives in its own module."""

from __future__ import annotations

import sys

USAGE = """usage: bench <command> [args]

commands:
  run [overrides]   score an experiment (Hydra: overrides, -m sweeps, --cfg job, --help)
                    e.g. bench run dataset=summeval 'metrics=[rouge]'

Run `bench run --help` for the config groups and options.
"""

COMMANDS = {"run": "bench.app"}


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
    from bench.errors import unknown_choice

    print(f"bench: error: {unknown_choice('command', command, COMMANDS)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
