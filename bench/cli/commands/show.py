"""``bench show RUN``: one stored run, readable: metrics with intervals, groups, signatures, notes,
inputs and environment. ``--json`` prints the record itself.

RUN is a run directory, ``<experiment>/<run id>`` or a bare run id under ``--results-dir``.
"""

from __future__ import annotations

from typing import Any, Mapping

from bench.cli.commands.common import Parser, handles_errors


def _parser() -> Parser:
    p = Parser(prog="bench show", description=__doc__)
    p.add_argument("run", metavar="RUN", help="a run directory, <experiment>/<run id>, or a run id")
    p.add_argument("--results-dir", default="results", help="where to look up a run id (default: results)")
    p.add_argument("--json", action="store_true", help="print result.json as stored")
    return p


def _pairs(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(k) for k, _ in rows), default=0)
    return [f"{indent}{k.ljust(width)}  {v}".rstrip() for k, v in rows]


def _ci(ci: Any) -> str:
    return "n/a" if ci is None else f"[{ci[0]:.6f}, {ci[1]:.6f}]"


def metrics_lines(record: Mapping[str, Any]) -> list[str]:
    """Every metric x stat with its mean (6 decimals) and interval; the interval's signature first."""
    from bench.results import catalog

    block = record.get("intervals")
    if block:
        unit = f"{block.get('n_units')} {'documents' if block.get('unit_field') else 'items'}"
        head = [f"metrics (bootstrap interval over {unit}: {block.get('signature')})"]
    else:
        head = ["metrics (no intervals: ci.resamples=0)"]
    rows = []
    for metric, stats in sorted(record["metrics"].items(), key=lambda kv: catalog.metric_order(kv[0])):
        direction = "" if (record.get("higher_is_better") or {}).get(metric, True) else "  (lower is better)"
        for i, (stat, mean) in enumerate(stats.items()):
            ci = f"  {_ci(catalog.interval(record, metric, stat))}" if block else ""
            rows.append((metric if i == 0 else "", f"{stat.ljust(11)}{mean:.6f}{ci}{direction if i == 0 else ''}"))
    return head + _pairs(rows)


def _section(title: str, mapping: Mapping[str, Any] | None) -> list[str]:
    if not mapping:
        return []
    rows = []
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            value = "  ".join(f"{k}={v}" for k, v in value.items()) or "-"
        rows.append((str(key), str(value)))
    return ["", title, *_pairs(rows)]


def _git_label(state: Mapping[str, Any], none: str) -> str:
    """``<commit> (dirty)``, or ``none`` without a commit."""
    commit = state.get("commit")
    return f"{commit}" + (" (dirty)" if state.get("dirty") else "") if commit else none


def render(path: str, record: Mapping[str, Any]) -> str:
    """The readable view of one record."""
    from bench.cli import summary
    from bench.results import catalog

    from pathlib import Path

    facts = catalog.summary(catalog.StoredRun(Path(path), record))
    volatile, inputs = record.get("volatile") or {}, record.get("inputs") or {}
    env = record.get("environment") or {}
    git = env.get("git") or {}
    duration = volatile.get("duration_s")
    head = [
        ("run", str(path)),
        ("experiment", record["experiment"]),
        ("run id", str(facts["run_id"])),
        ("started", f"{facts['started_at'] or '?'}" + (f" ({duration:.1f} s)" if isinstance(duration, (int, float)) else "")),
        ("dataset", f"{facts['dataset']}: {inputs.get('items', '?')} items, {inputs.get('references', '?')} references"),
        ("project", _git_label(git, "not a git checkout")),
        ("bench", " ".join(x for x in ((env.get("bench") or {}).get("version"), _git_label(env.get("bench") or {}, "")) if x)
         or "?"),
    ]
    lines = _pairs(head, indent="") + [""] + metrics_lines(record)
    if record.get("groups"):
        groups = record["groups"]
        lines += ["", f"groups by {groups.get('by')} ({groups.get('signature')})",
                  summary.groups_table(groups, record.get("higher_is_better"), record.get("primary"))]
    lines += _section("signatures", record.get("signatures"))
    lines += _section("notes", record.get("notes"))
    lines += _section("inputs", inputs)
    lines += _section("environment", {k: v for k, v in env.items() if k not in ("git", "bench")})
    return "\n".join(lines)


@handles_errors
def main(argv: list[str]) -> int:
    """Print one run."""
    from bench.results import catalog, store

    args = _parser().parse_args(argv)
    run_dir = catalog.resolve(args.run, args.results_dir)
    record = store.load_run(run_dir)
    if args.json:
        print(store.dumps(record), end="")
    else:
        print(render(str(run_dir), record))
    return 0
