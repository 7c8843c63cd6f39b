"""``bench show RUN``: one stored run, readable: metrics with intervals and corpus values, descriptive
statistics in a block of their own, groups, signatures, notes, inputs and environment. ``--format
markdown`` and ``--format latex`` print the metrics as a paper table (intervals, corpus values, the
descriptive statistics apart, the signatures); ``--format json`` (or ``--json``) prints the record itself.

RUN is a run directory, ``<experiment>/<run id>`` or a bare run id under ``--results-dir``.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping

from bench.cli.commands.common import Parser, add_format, handles_errors, interval_of
from bench.results.model import GitState, MetricSummary, Run


def _parser() -> Parser:
    p = Parser(prog="bench show", description=__doc__)
    p.add_argument("run", metavar="RUN", help="a run directory, <experiment>/<run id>, or a run id")
    p.add_argument("--results-dir", default="results", help="where to look up a run id (default: results)")
    p.add_argument("--json", action="store_true", help="print result.json as stored (as --format json)")
    add_format(p)
    return p


def _pairs(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(k) for k, _ in rows), default=0)
    return [f"{indent}{k.ljust(width)}  {v}".rstrip() for k, v in rows]


def _ci(ci: Any) -> str:
    return "n/a" if ci is None else ci.text(6)


def _rows(m: MetricSummary, with_intervals: bool, facts: bool) -> list[tuple[str, str]]:
    """One row per stat (mean, interval), then one per corpus value (BLEU, chrF: from summed statistics,
    not a mean) with its interval; the first row says the direction and, with ``facts``, the range."""
    notes = [] if m.higher_is_better else ["lower is better"]
    if m.missing:  # items without a value (unparsed LLM-judge answers): the mean is over the others
        notes.append(f"{m.missing} missing")
    if facts:
        notes.insert(0, f"range {m.facts.range_text()}")
    first_note = f"  ({', '.join(notes)})" if notes else ""
    rows = []
    for i, (stat, mean) in enumerate(m.items()):
        ci = f"  {_ci(m.interval_of(stat))}" if with_intervals else ""
        shown = "n/a" if mean != mean else f"{mean:.6f}"  # NaN: no item has a value of this stat
        rows.append((m.name if i == 0 else "", f"{stat.ljust(11)}{shown}{ci}{first_note if i == 0 else ''}"))
    for stat, value in (m.corpus or {}).items():
        label = "corpus" if len(m.corpus) == 1 else f"corpus {stat}"
        ci = f"  {_ci(m.corpus_intervals.get(stat))}" if with_intervals else ""
        rows.append(("", f"{label.ljust(11)}{value:.6f}{ci}"))
    return rows


def metrics_lines(run: Run) -> list[str]:
    """Every metric x stat with its mean (6 decimals) and interval, and each corpus value with its interval;
    the interval's signature first; descriptive statistics (not gated) in a block of their own."""
    from bench.cli.summary import DESCRIPTIVE_HEADING, ordered

    info = run.interval_info
    if info is not None:
        unit = f"{info.n_units} {info.unit}s"
        head = [f"metrics (bootstrap interval over {unit}: {info.signature})"]
    else:
        head = ["metrics (no intervals: ci.resamples=0)"]
    quality = [m for m in ordered(run.metrics.values()) if not m.facts.descriptive]
    descriptive = [m for m in ordered(run.metrics.values()) if m.facts.descriptive]
    lines = head + _pairs([row for m in quality for row in _rows(m, info is not None, facts=False)])
    if descriptive:
        lines += ["", DESCRIPTIVE_HEADING,
                  *_pairs([row for m in descriptive for row in _rows(m, info is not None, facts=True)])]
    return lines


def _section(title: str, mapping: Mapping[str, Any] | None) -> list[str]:
    if not mapping:
        return []
    rows = []
    for key, value in mapping.items():
        if value is None:
            continue
        if isinstance(value, Mapping):
            value = "  ".join(f"{k}={v}" for k, v in value.items()) or "-"
        rows.append((str(key), str(value)))
    return ["", title, *_pairs(rows)]


def _git_label(state: GitState, none: str) -> str:
    """``<commit> (dirty)``, or ``none`` without a commit."""
    return f"{state.commit}" + (" (dirty)" if state.dirty else "") if state.commit else none


def _fields(obj: Any) -> dict[str, Any]:
    """A typed block's fields as a section's rows (nested dataclasses as ``key=value`` pairs)."""
    return {f.name: dataclasses.asdict(v) if dataclasses.is_dataclass(v) else v
            for f in dataclasses.fields(obj) for v in [getattr(obj, f.name)]}


def render(run: Run) -> str:
    """The readable view of one run."""
    from bench.cli.summary import groups_table
    from bench.results import catalog

    row = catalog.listed(run)
    inputs, env = run.inputs, run.environment
    duration = run.volatile.duration_s
    started = row.started_at.isoformat() if row.started_at else "?"
    bench_git = GitState(env.bench.get("commit"), env.bench.get("dirty"))
    head = [
        ("run", str(run.path)),
        ("experiment", run.experiment),
        ("run id", row.run_id),
        ("started", started + (f" ({duration:.1f} s)" if isinstance(duration, (int, float)) else "")),
        ("dataset", f"{row.dataset}: {inputs.items} items, {inputs.references if inputs.references is not None else '?'}"
                    " references"),
        ("project", _git_label(env.git, "not a git checkout")),
        ("bench", " ".join(x for x in (env.bench.get("version"), _git_label(bench_git, "")) if x) or "?"),
    ]
    lines = _pairs(head, indent="") + [""] + metrics_lines(run)
    if run.groups:
        lines += ["", f"groups by {run.group_by} ({run.groups_signature})", groups_table(run.groups, run.group_by)]
    lines += _section("signatures", run.signatures)
    lines += _section("notes", run.notes)
    lines += _section("inputs", _fields(inputs))
    lines += _section("environment", {k: v for k, v in _fields(env).items() if k not in ("git", "bench")})
    return "\n".join(lines)


@handles_errors
def main(argv: list[str]) -> int:
    """Print one run."""
    import bench
    from bench.results import catalog, store

    parser = _parser()
    args = parser.parse_args(argv)
    if args.json and args.format not in ("table", "json"):  # "table" is the default: --json alone
        parser.error(f"--json prints the record as JSON, not --format {args.format}; drop one of them")
    fmt = "json" if args.json else args.format
    args.format = fmt
    interval = interval_of(parser, args)
    run = bench.load_run(catalog.resolve(args.run, args.results_dir))
    if fmt == "json":
        print(store.dumps(run.record_dict()), end="")
    elif fmt == "markdown":
        from bench.analysis import render_run
        print(render_run.markdown(run), end="")
    elif fmt == "latex":
        from bench.analysis import render_latex
        print(render_latex.run(run, interval), end="")
    else:
        print(render(run))
    return 0
