"""``bench reproduce RUN_DIR``: re-run a stored run from its own record and say whether it is identical.

The inputs are rebuilt once from the recorded config and must have the
recorded fingerprints (a shard run: the corpus's and its shard's); then every
metric is recomputed (never answered from the store, with on-disk metric caches
off) and compared exactly:
signatures component by component, aggregates, and per-item values, naming
the item that moved most. Works for shard and merged runs and any metric mix.
Exit 0 identical, 1 drifted, 2 usage error. The work is ``bench.results.reproduce``.
"""

from __future__ import annotations

from bench.cli.commands.common import Parser, handles_errors
from bench.results.reproduce import compare, reproduce  # noqa: F401  (compare: older callers import it from here)


@handles_errors
def main(argv: list[str]) -> int:
    """``bench reproduce RUN_DIR``: 0 identical, 1 drifted, 2 usage error."""
    parser = Parser(prog="bench reproduce", description=__doc__)
    parser.add_argument("run_dir")
    args = parser.parse_args(argv)
    from bench.cli.app import setup_logging

    setup_logging()
    found = reproduce(args.run_dir)
    if not found.identical:
        print(f"DRIFTED: {args.run_dir}")
        print("\n".join(f"  {d}" for d in found.drift))
        return 1
    print(f"IDENTICAL: {args.run_dir} ({found.items} items, {found.metrics} metrics, signatures equal)")
    return 0
