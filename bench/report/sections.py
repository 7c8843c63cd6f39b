"""Inputs (already read) -> report sections: the tables to show and the figures to draw.

Pure: records, samples and artefact payloads are plain dicts; figures come from
``bench.report.plots``. One function per kind of input: runs (with a sweep plot
when they differ in one config key), a ``bench systems`` leaderboard, a
``bench meta`` meta-evaluation and a ``bench check`` result.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from bench import dotted
from bench.report import plots
from bench.analysis.labels import NOT_PARAMETERS  # noqa: F401  (config keys a sweep is never "over")
from bench.report.model import Figure, Section, Table


Run = tuple[str, Mapping[str, Any], Sequence[Mapping[str, Any]]]  # (path as given, record, samples)


def _f(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4f}"


def _ci(ci: Sequence[float] | None) -> str:
    return "n/a" if ci is None else f"[{ci[0]:.4f}, {ci[1]:.4f}]"


def _short(fingerprint: str | None) -> str:
    return "-" if not fingerprint else fingerprint.split(":")[-1][:12]


def main_stat(record: Mapping[str, Any], metric: str) -> str:
    """The stat one-line views show for ``metric``: the record's primary stat (``bench.results.run_record``)."""
    from bench.results.run_record import primary_of

    return primary_of(record)[metric]


def _labels(rows: Sequence[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    """``metric`` where an analysis shows one stat of it, ``metric.stat`` where it shows several."""
    stats: dict[str, set[str]] = {}
    for r in rows:
        stats.setdefault(r["metric"], set()).add(r["stat"])
    return {(r["metric"], r["stat"]): r["metric"] if len(stats[r["metric"]]) == 1 else f"{r['metric']}.{r['stat']}"
            for r in rows}


def _level(record: Mapping[str, Any]) -> str:
    level = ((record.get("config") or {}).get("ci") or {}).get("level")
    return f"{round(level * 100)}%" if isinstance(level, (int, float)) else "95%"


def _run_id(run: Run) -> str:
    return (run[1].get("volatile") or {}).get("run_id") or run[0].rstrip("/").split("/")[-1]


def differing_keys(records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The config keys (dotted) whose values differ between the records, ignoring keys that never change a score."""
    from bench.analysis.labels import differing_keys as differing  # one definition for every view

    return differing([r.get("config") or {} for r in records])


def _interval(record: Mapping[str, Any], metric: str, stat: str) -> Sequence[float] | None:
    return (((record.get("intervals") or {}).get("metrics") or {}).get(metric) or {}).get(stat)


def _run_signature(record: Mapping[str, Any]) -> str:
    sig = [(record.get("intervals") or {}).get("signature") or "no intervals (ci.resamples=0)"]
    return "\n".join(sig + [record["signatures"][m] for m in sorted(record.get("signatures", {}))])


def runs(items: Sequence[Run]) -> list[Section]:
    """Sections for stored runs: an overview, means with intervals, per-item distributions, groups, a sweep."""
    labels = [_run_id(r) for r in items]
    keys = differing_keys([r[1] for r in items]) if len(items) > 1 else []
    same_experiment = len({r[1].get("experiment") for r in items}) == 1
    swept = keys[0] if len(keys) == 1 and same_experiment else None
    if len(items) > 1:  # runs told apart by what differs in their configs, as every other view names them
        from bench.analysis.labels import record_labels

        labels = record_labels([r[1] for r in items], labels)
    overview = Table(
        ("run", "experiment", "items", "run key", "inputs"),
        tuple((f"{label}" if label == _run_id(r) else f"{label} ({_run_id(r)})", str(r[1].get("experiment")),
               str((r[1].get("inputs") or {}).get("items", len(r[2]))), _short(r[1].get("run_key")),
               _short((r[1].get("inputs") or {}).get("fingerprint"))) for label, r in zip(labels, items)),
        "llrll")
    notes = []
    if len(items) > 1 and not swept:
        notes.append("The runs differ in " + (", ".join(f"`{k}`" for k in keys) if keys else "no config key")
                     + ("" if same_experiment else " and are of different experiments") + ": no sweep plot "
                     "(a sweep plot needs runs of one experiment that differ in exactly one config key).")
    elif swept:
        notes.append(f"The runs are a sweep over `{swept}` (the only config key that differs).")
    level = _level(items[0][1])
    series, table_rows = [], []
    for label, (_, rec, _) in zip(labels, items):
        values = {}
        for metric in sorted(rec.get("metrics", {})):
            for stat, mean in rec["metrics"][metric].items():
                ci = _interval(rec, metric, stat)
                values[f"{metric} {stat}"] = (mean, ci)
                table_rows.append((label, metric, stat, _f(mean), _ci(ci)))
        series.append((label, values))
    signature = "\n".join(dict.fromkeys(_run_signature(r[1]) for r in items))
    what = "run" if len(items) == 1 else f"{len(items)} runs"
    sections = [Section(
        f"Runs: {', '.join(dict.fromkeys(str(r[1].get('experiment')) for r in items))}",
        paragraphs=tuple(notes),
        figures=(Figure("means", f"Metric means of the {what} with {level} bootstrap intervals "
                                 "(hollow marker: too few units for an interval).",
                        plots.means(series, f"Metric means with {level} intervals ({what})", signature, level)),
                 Figure("distributions", "Per-item scores (main stat of each metric) from samples.jsonl.",
                        plots.distributions(
                            [(label, _per_item(rec, samples)) for label, (_, rec, samples) in zip(labels, items)],
                            f"Per-item score distributions ({what})", signature))),
        tables=(("Runs", overview),
                (f"Means with {level} intervals", Table(("run", "metric", "stat", "mean", f"{level} CI"),
                                                         tuple(table_rows), "lllrr")),
                *_groups(labels, items)),
        signature=signature)]
    if swept:
        sections.append(_sweep(swept, items, level, signature))
    return sections


def _per_item(record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]]) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    for metric in sorted(record["metrics"]):  # validated: every sample scores every metric and stat
        stat = main_stat(record, metric)
        out[f"{metric} {stat}"] = [s["scores"][metric][stat] for s in samples]
    return out


def _groups(labels: Sequence[str], items: Sequence[Run]) -> list[tuple[str, Table]]:
    out = []
    for label, (_, rec, _) in zip(labels, items):
        groups = rec.get("groups")
        if not groups:
            continue
        metrics = sorted((next(iter(groups["values"].values())) or {}).get("metrics", {}))
        rows = []
        for name in sorted(groups["values"]):
            g = groups["values"][name]
            cells = [name, str(g.get("n_items"))]
            for m in metrics:
                stat = main_stat(rec, m)
                ci = ((g.get("intervals") or {}).get(m) or {}).get(stat)
                cells.append(f"{_f(g['metrics'][m][stat])} {_ci(ci)}")
            rows.append(tuple(cells))
        out.append((f"{label}: groups by `{groups['by']}` (main stat, interval)",
                    Table((groups["by"], "items", *metrics), tuple(rows), "lr" + "r" * len(metrics))))
    return out


def _sweep(key: str, items: Sequence[Run], level: str, signature: str) -> Section:
    values = [dotted.flatten(r[1].get("config") or {}).get(key) for r in items]
    series: dict[str, list] = {}
    for _, rec, _ in items:
        for metric in sorted(rec.get("metrics", {})):
            stat = main_stat(rec, metric)
            series.setdefault(f"{metric} {stat}", []).append((rec["metrics"][metric][stat],
                                                              _interval(rec, metric, stat)))
    series = {k: v for k, v in series.items() if len(v) == len(items)}  # metrics every run has
    rows = tuple((repr(v), *(f"{_f(series[m][i][0])} {_ci(series[m][i][1])}" for m in series))
                 for i, v in enumerate(values))
    return Section(
        f"Sweep over {key}",
        figures=(Figure("sweep", f"Each metric's main stat against `{key}`, with {level} intervals.",
                        plots.sweep(key, values, series, f"{key} against each metric ({len(items)} runs)",
                                    signature, level)),),
        tables=((f"Means by `{key}`", Table((key, *series), rows, "l" + "r" * len(series))),),
        signature=signature)


def systems(payload: Mapping[str, Any], name: str) -> Section:
    """A ``bench systems`` leaderboard: ranks with intervals and clusters, and how many pairs differ."""
    boards: dict[str, list] = {}
    for row in payload["systems"]:
        boards.setdefault(f"{row['metric']} {row['stat']}", []).append(row)
    level = _ci_level(payload["signature"])
    signature = payload["signature"] + "\n" + "\n".join(payload["metric_signatures"][m]
                                                         for m in sorted(payload["metric_signatures"]))
    rows = tuple((key, str(r["rank"]), str(r["cluster"]), r["system"], _f(r["mean"]), _ci(r["ci"]), str(r["n_docs"]))
                 for key, rs in boards.items() for r in rs)
    counts = []
    for key in boards:
        metric, stat = key.split(" ")
        for test in dict.fromkeys(p["test"] for p in payload["pairs"]):
            ps = [p for p in payload["pairs"] if (p["metric"], p["stat"], p["test"]) == (metric, stat, test)]
            counts.append((key, test, f"{sum(p['significant'] for p in ps)}/{len(ps)}"))
    return Section(
        f"Leaderboard ({name})",
        paragraphs=tuple(payload.get("notes", ())),
        figures=(Figure("leaderboard", "Systems ranked by mean with bootstrap intervals; colour: significance "
                                       "cluster (systems no test separates share a cluster and a rank).",
                        plots.leaderboard(boards, f"Leaderboard: {len(next(iter(boards.values())))} systems",
                                          signature, level)),),
        tables=(("Systems", Table(("metric", "rank", "cluster", "system", "mean", f"{level} CI", "docs"), rows,
                                  "lrrlrrr")),
                ("Significant pairs (after correction)", Table(("metric", "test", "significant"), tuple(counts),
                                                                "llr"))),
        signature=signature)


def _ci_level(signature: str) -> str:
    for part in signature.split("|"):
        if part.startswith("ci:"):
            return f"{part[3:]}%"
    return "95%"


def meta(payload: Mapping[str, Any], name: str) -> Section:
    """A ``bench meta`` meta-evaluation: correlations with intervals per level and human dimension."""
    labels = _labels(payload["correlations"])
    rows = [dict(r, metric_label=labels[r["metric"], r["stat"]]) for r in payload["correlations"]]
    plotted = [r for r in rows if r["coefficient"] != "pairwise_accuracy"]  # a share, not a correlation
    levels = list(dict.fromkeys(r["level"] for r in plotted))
    humans = list(dict.fromkeys(r["human"] for r in plotted))
    cells: dict[tuple[str, str], list] = {}
    for r in plotted:
        cells.setdefault((r["level"], r["human"]), []).append(r)
    level = _ci_level(payload["signature"])
    signature = payload["signature"] + "\n" + "\n".join(payload["metric_signatures"][m]
                                                         for m in sorted(payload["metric_signatures"]))
    table = Table(("level", "coefficient", "human", "metric", "value", f"{level} CI", "groups used/skipped"),
                  tuple((r["level"], r["coefficient"], r["human"], r["metric_label"], _f(r["value"]), _ci(r["ci"]),
                         f"{r['groups_used']}/{r['groups_skipped']}") for r in rows), "lllrrrr")
    tables = [("Correlations", table)]
    if payload.get("comparisons"):
        tables.append(("Metric comparisons (corrected)", Table(
            ("level", "coefficient", "human", "a", "b", "test", "p", "p adjusted", "significant"),
            tuple((c["level"], c["coefficient"], c["human"], c["a"], c["b"], c["test"], f"{c['p']:.4g}",
                   f"{c['p_adjusted']:.4g}", "yes" if c["significant"] else "no") for c in payload["comparisons"]),
            "llllllrrl")))
    if payload.get("agreement"):
        tables.append(("Human agreement (Krippendorff's alpha)", Table(
            ("field", "alpha"), tuple((k, _f(v) if isinstance(v, (int, float)) else str(v))
                                      for k, v in sorted(payload["agreement"].items())), "lr")))
    figures = ()
    if plotted:
        figures = (Figure("correlations", "Correlation of each metric with each human dimension, per level; "
                                          f"{level} bootstrap intervals; colour: coefficient.",
                          plots.correlations(cells, levels, humans,
                                             f"Meta-evaluation: {payload['systems']} systems x "
                                             f"{payload['documents']} documents", signature, level)),)
    return Section(f"Meta-evaluation ({name})", figures=figures, tables=tuple(tables), signature=signature)


def check(payload: Mapping[str, Any], name: str) -> Section:
    """A ``bench check`` result: verdict, baseline vs run per stat with the allowed band."""
    signature = f"{payload['check_signature']}\nbaseline: {payload['baseline']}"
    paragraphs = [f"Verdict: **{payload['verdict'].upper()}** (exit {payload['exit_code']}) for experiment "
                  f"`{payload['experiment']}` against `{payload['baseline']}`."]
    paragraphs += [f"Problem: {p}" for p in payload.get("problems", ())]
    paragraphs += [f"Signature change ({m}): {'; '.join(c)}" for m, c in sorted(payload.get("signature_changes", {}).items())]
    paragraphs += [f"Note: {n}" for n in payload.get("notes", ())]
    stats = payload.get("stats", [])
    rows = tuple((s["metric"], s["stat"], _f(s["baseline"]), _f(s["run"]), f"{s['delta']:+.2e}",
                  f"{s['allowed_drop']:.2e}", "-" if s["p_value"] is None else f"{s['p_value']:.4g}", s["verdict"])
                 for s in stats)
    figures = ()
    if stats:
        figures = (Figure("check", "Baseline vs run per metric stat; grey: the allowed change in the worse "
                                   "direction (a move past it, or a significant smaller one, is a regression).",
                          plots.check(stats, f"Regression check: {payload['experiment']} "
                                             f"({payload['verdict']})", signature)),)
    return Section(f"Regression check ({name})", paragraphs=tuple(paragraphs), figures=figures,
                   tables=(("Stats", Table(("metric", "stat", "baseline", "run", "delta", "allowed drop", "p",
                                            "verdict"), rows, "llrrrrrl")),),
                   signature=signature)
