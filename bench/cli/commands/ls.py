"""``bench ls [RESULTS_DIR]``: one line per stored run, newest first, with its key metrics (``bench.ls``).

Filters: ``--experiment NAME``, ``--since DATE``, ``--where KEY=VALUE`` (repeatable;
a config key such as ``dataset.name=summeval`` or a metric such as
``rouge1.fmeasure>0.4``). ``--json`` prints a list of objects for scripts. A
damaged ``result.json`` is reported on stderr, one line each, and skipped.
"""

from __future__ import annotations

import json
import sys

from bench.cli.commands.common import Parser, handles_errors


def _parser() -> Parser:
    p = Parser(prog="bench ls", description=__doc__)
    p.add_argument("results_dir", nargs="?", default="results", help="the results directory (default: results)")
    p.add_argument("--experiment", help="only runs of this experiment")
    p.add_argument("--since", help="only runs started at or after this ISO date or time (UTC unless it has an offset)")
    p.add_argument("--where", action="append", default=[], metavar="KEY=VALUE",
                   help="config key (dataset.name=summeval, metrics.bertscore.layer=5) or metric (rouge1.fmeasure>0.4);"
                        " operators = != > >= < <=; repeat to require all")
    p.add_argument("--json", action="store_true", help="print a JSON list of runs")
    return p


def _metric_text(m, has_intervals: bool) -> str:
    value = "n/a" if m.value != m.value else f"{m.value:.4f}"  # NaN: no item has a value (unparsed judge answers)
    missing = f" ({m.missing} missing)" if m.missing else ""
    if m.interval is not None:
        return f"{value} {m.interval.text()}{missing}"
    return value + (" [n/a]" if has_intervals else "") + missing  # n/a: too few units for an interval


def render(rows) -> str:
    """The aligned table of ``bench.ls`` rows: experiment, run id, start (UTC), items, dataset, the project's git
    commit, what tells the experiment's listed runs apart (``setting``), metrics."""
    table = [["experiment", "run", "started (UTC)", "items", "dataset", "project", "setting", "metrics"]]
    for row in rows:
        run, git = row.run, row.run.environment.git
        start = row.started_at.isoformat()[:19].replace("T", " ") if row.started_at else "?"
        commit = (git.commit or "-")[:10] + (" (dirty)" if git.dirty else "")
        metrics = "  ".join(f"{m.name} {_metric_text(m, run.interval_info is not None)}" for m in row.metrics)
        table.append([run.experiment, row.run_id, start, str(run.inputs.items), str(row.dataset or "?"), commit,
                      row.label or "-", metrics])
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip() for r in table)


@handles_errors
def main(argv: list[str]) -> int:
    """List the runs under RESULTS_DIR that pass the filters."""
    import bench

    args = _parser().parse_args(argv)
    filtered = bool(args.where or args.since or args.experiment)
    listing = bench.ls(args.results_dir, experiment=args.experiment, since=args.since, where=args.where)
    for problem in listing.problems:
        print(f"bench ls: {problem}", file=sys.stderr)
    if args.json:
        print(json.dumps(listing.to_json(), indent=1, sort_keys=True, allow_nan=False))
    elif listing:
        print(render(listing))
        for line in listing.legend:  # labels longer than a table cell: each letter spelled out
            print(line)
    else:
        print(f"bench ls: no runs under {args.results_dir}" + (" match the filters" if filtered else ""), file=sys.stderr)
    return 0
