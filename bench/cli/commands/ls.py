"""``bench ls [RESULTS_DIR]``: one line per stored run, newest first, with its key metrics.

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


def _metric_text(entry: dict, has_intervals: bool) -> str:
    ci = entry["ci"]
    if ci:
        return f"{entry['mean']:.4f} [{ci[0]:.4f}, {ci[1]:.4f}]"
    return f"{entry['mean']:.4f}" + (" [n/a]" if has_intervals else "")  # n/a: too few units for an interval


def render(summaries: list[dict]) -> str:
    """The aligned table: experiment, run id, start (UTC), items, dataset, the project's git commit, what tells
    the experiment's listed runs apart (``setting``), metrics."""
    rows = [["experiment", "run", "started (UTC)", "items", "dataset", "project", "setting", "metrics"]]
    for s in summaries:
        start = (s["started_at"] or "?")[:19].replace("T", " ")
        git = (s["git_commit"] or "-")[:10] + (" (dirty)" if s["git_dirty"] else "")
        metrics = "  ".join(f"{name} {_metric_text(m, bool(s['ci_signature']))}" for name, m in s["metrics"].items())
        rows.append([s["experiment"], s["run_id"], start, str(s["items"] if s["items"] is not None else "?"),
                     str(s["dataset"] or "?"), git, s.get("label") or "-", metrics])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(c.ljust(w) for c, w in zip(r, widths)), r[-1]]).rstrip() for r in rows)


def _labels(runs: list) -> list[str | None]:
    """Per run, the config keys and values that tell it apart from the other listed runs of its experiment
    (``bench.analysis.labels``, as bench meta/systems/compare/report name a sweep's runs); None when alone."""
    from bench.analysis.labels import differing_keys, record_labels

    by_experiment: dict[str, list[int]] = {}
    for k, r in enumerate(runs):
        by_experiment.setdefault(str(r.record.get("experiment")), []).append(k)
    out: list[str | None] = [None] * len(runs)
    for members in by_experiment.values():
        records = [runs[k].record for k in members]
        if len(members) > 1 and differing_keys([rec.get("config") or {} for rec in records]):
            ids = [(rec.get("volatile") or {}).get("run_id") or runs[k].path.name for k, rec in zip(members, records)]
            for k, label in zip(members, record_labels(records, ids)):
                out[k] = label
    return out


@handles_errors
def main(argv: list[str]) -> int:
    """List the runs under RESULTS_DIR that pass the filters."""
    from bench.results import catalog

    args = _parser().parse_args(argv)
    filters = [catalog.parse_where(w) for w in args.where]  # parsed first: a typo fails before any reading
    if args.since:
        filters.append(catalog.since(catalog.parse_since(args.since)))
    if args.experiment:
        filters.append(catalog.experiment(args.experiment))
    runs, problems = catalog.scan(args.results_dir)
    for problem in problems:
        print(f"bench ls: {problem}", file=sys.stderr)
    chosen = catalog.select(runs, filters)
    summaries = [dict(catalog.summary(r), label=label) for r, label in zip(chosen, _labels(chosen))]
    if args.json:
        print(json.dumps(summaries, indent=1, sort_keys=True, allow_nan=False))
    elif summaries:
        print(render(summaries))
    else:
        print(f"bench ls: no runs under {args.results_dir}" + (" match the filters" if filters else ""), file=sys.stderr)
    return 0
