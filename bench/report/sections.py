"""Inputs (already read) -> report sections: the tables to show and the figures to draw.

Pure: runs are ``bench.results.model.Run``s, leaderboards and meta-evaluations the analysis's own
results (``bench.analysis.systems.Leaderboard``, ``bench.analysis.meta.MetaEvaluation``, read by
``bench.analysis.stored``) and a check the ``bench.report.inputs.Check`` of the gate's rows, all read
by attribute; figures come from ``bench.report.plots``. One function per kind of input: runs
(with a sweep plot when they differ in one config key), a ``bench systems`` leaderboard, a
``bench meta`` meta-evaluation and a ``bench check`` result.

What a number is (direction, range, kind, primary stat, corpus value) comes from each metric's facts
in the run; nothing here assumes it. Descriptive statistics (lengths, coverage, density, ...) get a
table of their own, and corpus values (BLEU, chrF from summed statistics) sit beside the means.
"""

from __future__ import annotations

from typing import Any, Sequence

from bench import dotted
from bench.analysis import labels as run_labels
from bench.gate.compare import MEAN, StatCheck
from bench.report import plots
from bench.analysis.meta import Correlation, MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench.report.inputs import Check
from bench.report.model import Figure, Section, Table
from bench.results.model import MetricSummary, Run
from bench.signature import Signature
from bench.stats.intervals import natural_key
from bench.text import code, lit
from bench.values import Facts, Interval

# Paragraphs and captions are report markup (`code`, **bold**: bench.text.inline); every value from the
# user or the data goes in through ``lit`` or ``code``, so that its own backticks and stars stay text.
# Table cells and section titles are plain text, escaped by the renderers.


def _f(x: float | None) -> str:
    return "n/a" if x is None or x != x else f"{x:.4f}"  # None / NaN: no value (no item has one)


def _ci(ci: Interval | None) -> str:
    return "n/a" if ci is None else ci.text()


def _natural(names: Any) -> list[str]:
    """Names in natural order (M0, M1, M2, ..., M10), as every table and legend lists them."""
    return sorted(names, key=lambda n: (natural_key(n), n))


def _short(fingerprint: str | None) -> str:
    return "-" if not fingerprint else fingerprint.split(":")[-1][:12]


def _level(run: Run) -> str:
    level = dotted.get(run.config, "ci.level", None)
    return f"{round(level * 100)}%" if isinstance(level, (int, float)) else "95%"


def _run_signature(run: Run) -> str:
    intervals = run.interval_info.signature if run.interval_info else "no intervals (ci.resamples=0)"
    return "\n".join([intervals] + [run.signatures[m] for m in sorted(run.signatures)])


def _names(items: Sequence[Run]) -> tuple[list[str], tuple[str, ...]]:
    """Each run's name in the tables: its ``experiment/run_id`` alone, or, among several runs, the config
    keys and values that tell it apart (``bench.analysis.labels``, as every view that lists runs), with
    the legend of labels too long for a table."""
    if len(items) < 2:
        return [r.name for r in items], ()
    names = run_labels.of(items)
    return list(names.short), names.legend


def _direction(facts: Facts) -> str:
    return "higher" if facts.higher_is_better else "lower"


def _ordered(run: Run) -> tuple[list[str], list[str]]:
    """The run's quality metrics and its descriptive statistics, each in natural order of their names."""
    quality = _natural(m for m, s in run.metrics.items() if not s.facts.descriptive)
    return quality, _natural(m for m, s in run.metrics.items() if s.facts.descriptive)


def _corpus(summary: MetricSummary, stat: str) -> tuple[str, str]:
    """(corpus value, its interval) cells of one stat: ``-`` for a metric whose corpus value is its mean,
    ``n/a`` for an interval not recorded."""
    if summary.corpus is None or stat not in summary.corpus:
        return "-", "-"
    return _f(summary.corpus[stat]), _ci(summary.corpus_intervals.get(stat))


def runs(items: Sequence[Run]) -> list[Section]:
    """Sections for stored runs: an overview, means with intervals (and corpus values), descriptive
    statistics, per-item distributions, groups, a sweep."""
    labels, legend = _names(items)
    keys = run_labels.differing_keys([r.config for r in items]) if len(items) > 1 else []
    same_experiment = len({r.experiment for r in items}) == 1
    swept = keys[0] if len(keys) == 1 and same_experiment else None
    overview = Table(
        ("run", "experiment", "items", "run key", "inputs"),
        tuple((label if r.name in label else f"{label} ({r.name})", r.experiment, str(r.inputs.items),
               _short(r.run_key), _short(r.inputs.fingerprint)) for label, r in zip(labels, items)),
        "llrll")
    notes = []
    if len(items) > 1 and not swept:
        notes.append("The runs differ in " + (", ".join(code(k) for k in keys) if keys else "no config key")
                     + ("" if same_experiment else " and are of different experiments") + ": no sweep plot "
                     "(a sweep plot needs runs of one experiment that differ in exactly one config key).")
    elif swept:
        notes.append(f"The runs are a sweep over {code(swept)} (the only config key that differs).")
    if legend:
        notes.append("Runs named by letter (their labels are longer than a table cell): "
                     + "; ".join(code(line) for line in legend) + ".")
    level = _level(items[0])
    series, facts, quality_rows, descriptive_rows = [], {}, [], []
    corpus = any(s.corpus is not None for r in items for s in r.metrics.values())
    for label, run in zip(labels, items):
        values = {}
        quality, descriptive = _ordered(run)
        for metric in quality + descriptive:
            summary = run.metrics[metric]
            for stat, mean in summary.stats.items():
                ci = summary.intervals.get(stat)
                values[f"{metric} {stat}"] = (mean, ci)
                facts[f"{metric} {stat}"] = summary.facts
                if summary.facts.descriptive:
                    descriptive_rows.append((label, metric, stat, summary.facts.range_text(), _f(mean), _ci(ci)))
                else:
                    quality_rows.append((label, metric, stat, summary.facts.range_text(), _direction(summary.facts),
                                         _f(mean), _ci(ci), *(_corpus(summary, stat) if corpus else ())))
        series.append((label, values))
        for metric in quality + descriptive:
            count = run.metrics[metric].missing
            if count:  # unparsed LLM-judge answers: counted and shown, never turned into a number
                notes.append(f"{label}: {code(metric)} has {count} item{'s' if count != 1 else ''} without a value "
                             "(unparsed judge answers); its means and intervals are over the other items.")
    if any(s.facts.descriptive for r in items for s in r.metrics.values()):
        notes.append("Descriptive statistics (lengths, compression, coverage, density, n-gram ratios) describe the "
                     "summaries and have no better or worse: they are listed apart from the quality metrics and "
                     "marked `descriptive` in the figures.")
    if corpus:
        notes.append("Corpus values (BLEU, chrF) are computed once from the statistics summed over all items, as "
                     "papers report them; they are not the mean of per-item scores. `-`: the metric has no corpus "
                     "value apart from its mean; `n/a`: no interval was recorded.")
    signature = "\n".join(dict.fromkeys(_run_signature(r) for r in items))
    what = "run" if len(items) == 1 else f"{len(items)} runs"
    tables: list[tuple[str, Table]] = [("Runs", overview)]
    more: list[tuple[str, Table]] = []
    if quality_rows:
        columns = ("run", "metric", "stat", "range", "better", "mean", f"{level} CI")
        columns += ("corpus", f"corpus {level} CI") if corpus else ()
        tables.append((f"Means with {level} intervals" + (" and corpus values" if corpus else ""),
                       Table(columns, tuple(quality_rows), "lllllrr" + ("rr" if corpus else ""))))
    if descriptive_rows:
        (tables if not quality_rows else more).append((f"Descriptive statistics (information, no direction): means with {level} intervals",
                       Table(("run", "metric", "stat", "range", "mean", f"{level} CI"), tuple(descriptive_rows),
                             "llllrr")))
    per_item = []
    for label, run in zip(labels, items):
        quality, descriptive = _ordered(run)
        # the items with a value (NaN: an unparsed LLM-judge answer has none to plot)
        per_item.append((label, {f"{m} {run.metrics[m].primary}": tuple(v for v in run.scores(m) if v == v)
                                 for m in quality + descriptive}))
    sections = [Section(
        f"Runs: {', '.join(dict.fromkeys(r.experiment for r in items))}",
        paragraphs=tuple(notes),
        figures=(Figure("means", f"Metric means of the {what} with {level} bootstrap intervals, a panel per range "
                                 "(hollow marker: too few units for an interval).",
                        plots.means(series, f"Metric means with {level} intervals ({what})", signature, level,
                                    facts)),
                 Figure("distributions", "Per-item scores (main stat of each metric) from samples.jsonl.",
                        plots.distributions(per_item, f"Per-item score distributions ({what})", signature, facts))),
        tables=tuple(tables),
        more=(*more, *_groups(labels, items)),
        signature=signature,
        summary=_runs_summary(items))]
    if swept:
        sections.append(_sweep(swept, items, level, signature))
    return sections


def _interval_text(run: Run) -> str:
    """How a run's intervals were drawn, in words: ``with 95% bootstrap intervals over 100 documents (1000 resamples)``."""
    info = run.interval_info
    if info is None:
        return "without intervals (ci.resamples=0)"
    parts = dict(Signature.parse(info.signature).components) if info.signature else {}
    units = f" over {info.n_units} {info.unit}{'s' if info.n_units != 1 else ''}" if info.n_units else ""
    resamples = f" ({parts['boot']} resamples)" if "boot" in parts else ""
    return f"with {info.level}% bootstrap intervals{units}{resamples}"


def _runs_summary(items: Sequence[Run]) -> str:
    """``1 run of `summeval_rouge`: 1600 items scored by 4 metrics (rouge1, ...); means with 95% bootstrap
    intervals over 100 documents (1000 resamples).`` -- what was scored, by what, and how sure."""
    experiments = ", ".join(code(e) for e in dict.fromkeys(r.experiment for r in items))
    counts = list(dict.fromkeys(r.inputs.items for r in items))
    each = "" if len(items) == 1 else " each" if len(counts) == 1 else ""
    n_items = (f"{counts[0]} item{'s' if counts[0] != 1 else ''}{each}" if len(counts) == 1
               else f"{', '.join(map(str, counts))} items")
    quality = _natural({m for r in items for m in _ordered(r)[0]})
    descriptive = {m for r in items for m in _ordered(r)[1]}
    metrics = (f"{len(quality)} metric{'s' if len(quality) != 1 else ''} ({', '.join(lit(m) for m in quality)})"
               if quality else "no quality metric")
    if descriptive:
        metrics += f" and {len(descriptive)} descriptive statistic{'s' if len(descriptive) != 1 else ''}"
    intervals = list(dict.fromkeys(_interval_text(r) for r in items))
    runs = "1 run" if len(items) == 1 else f"{len(items)} runs"
    return f"{runs} of {experiments}: {n_items} scored by {metrics}; means {' / '.join(intervals)}."


def _groups(labels: Sequence[str], items: Sequence[Run]) -> list[tuple[str, Table]]:
    out = []
    for label, run in zip(labels, items):
        if not run.groups:
            continue
        metrics = _natural(next(iter(run.groups.values())).metrics)
        rows = []
        for name in _natural(run.groups):
            group = run.groups[name]
            rows.append((name, str(group.n_items),
                         *(f"{_f(group.metrics[m].value)} {_ci(group.metrics[m].interval)}" for m in metrics)))
        out.append((f"{lit(label)}: groups by {code(run.group_by)} (main stat, interval)",
                    Table((str(run.group_by), "items", *metrics), tuple(rows), "lr" + "r" * len(metrics))))
    return out


def _sweep(key: str, items: Sequence[Run], level: str, signature: str) -> Section:
    values = [dotted.get(r.config, key, None) for r in items]
    series: dict[str, list[tuple[float, Interval | None]]] = {}
    facts: dict[str, Facts] = {}
    for run in items:
        quality, descriptive = _ordered(run)
        for metric in quality + descriptive:
            summary = run.metrics[metric]
            name = f"{metric} {summary.primary}"
            series.setdefault(name, []).append((summary.value, summary.interval))
            facts[name] = summary.facts
    series = {k: v for k, v in series.items() if len(v) == len(items)}  # metrics every run has
    rows = tuple((run_labels.value_text(v), *(f"{_f(series[m][i][0])} {_ci(series[m][i][1])}" for m in series))
                 for i, v in enumerate(values))
    return Section(
        f"Sweep over {key}",
        figures=(Figure("sweep", f"Each metric's main stat against {code(key)}, with {level} intervals.",
                        plots.sweep(key, values, series, f"{key} against each metric ({len(items)} runs)",
                                    signature, level, facts)),),
        tables=((f"Means by {code(key)}", Table((key, *series), rows, "l" + "r" * len(series))),),
        signature=signature)


def _ci_level(signature: str) -> str:
    for part in signature.split("|"):
        if part.startswith("ci:"):
            return f"{part[3:]}%"
    return "95%"


def _metric_signatures(signature: str, metric_signatures: Any) -> str:
    return signature + "\n" + "\n".join(metric_signatures[m] for m in sorted(metric_signatures))


CORPUS_CAPTION = ("Corpus values per system with {level} intervals (BLEU, chrF: computed once from the statistics "
                  "summed over the system's items, as papers report them; not the mean of per-item scores)")


def _ranking(board: Leaderboard, level: str) -> tuple[str, Table]:
    """The headline table: one row per system, best first by the first metric stat ranked (its rank and
    cluster), then each metric stat's mean with its interval, ``*`` where the system is in that metric stat's
    top cluster."""
    blocks = board.blocks()
    first = f"{blocks[0][0]} {blocks[0][1]}"
    order = list(dict.fromkeys(r.system for r in blocks[0][2]))
    order += _natural({r.system for _, _, rs in blocks for r in rs} - set(order))  # ranked on another stat only
    cells = {(r.system, m, st): r for m, st, rs in blocks for r in rs}
    ranked = {r.system: r for r in blocks[0][2]}

    def cell(system: str, metric: str, stat: str) -> str:
        r = cells.get((system, metric, stat))
        return "-" if r is None else f"{_f(r.mean)} {_ci(r.ci)}" + (" *" if r.cluster == 1 else "")

    rows = tuple((str(ranked[s].rank) if s in ranked else "-", str(ranked[s].cluster) if s in ranked else "-", s,
                  *(cell(s, m, st) for m, st, _ in blocks)) for s in order)
    caption = (f"Ranking by {lit(first)} (systems no test separates share a cluster and a rank), with each metric "
               f"stat's mean and {level} interval; `*`: in that metric stat's top cluster (no test separates any "
               "two of its systems)")
    return caption, Table(("rank", "cluster", "system", *(f"{m} {st}" for m, st, _ in blocks)), rows,
                          "rrl" + "r" * len(blocks))


def systems(board: Leaderboard, name: str) -> Section:
    """A ``bench systems`` leaderboard: the ranking with clusters open (best first, each metric stat's mean
    and interval), each metric stat's headline sentence (``Leaderboard.headline``), then the tidy rows, how many
    pairs differ and each system's corpus values (BLEU, chrF from its items' summed statistics) below."""
    boards = {f"{metric} {stat}": list(rows) for metric, stat, rows in board.blocks()}
    level = _ci_level(board.signature)
    signature = _metric_signatures(board.signature, board.metric_signatures)
    rows = tuple((key, str(r.rank), str(r.cluster), r.system, _f(r.mean), _ci(r.ci), str(r.n_docs))
                 for key, rs in boards.items() for r in rs)
    counts = []
    for key, rs in boards.items():
        metric, stat = rs[0].metric, rs[0].stat
        for test in dict.fromkeys(p.test for p in board.pairs):
            ps = [p for p in board.pairs if (p.metric, p.stat, p.test) == (metric, stat, test)]
            counts.append((key, test, f"{sum(p.significant for p in ps)}/{len(ps)}"))
    more = [("Systems per metric stat (rank order)",
             Table(("metric", "rank", "cluster", "system", "mean", f"{level} CI", "docs"), rows, "lrrlrrr")),
            ("Significant pairs (after correction)", Table(("metric", "test", "significant"), tuple(counts), "llr"))]
    if board.corpus:
        stats = list(dict.fromkeys((c.metric, c.stat) for c in board.corpus))
        corpus = sorted(board.corpus, key=lambda c: (stats.index((c.metric, c.stat)), natural_key(c.system), c.system))
        more.append((CORPUS_CAPTION.format(level=level), Table(
            ("metric", "system", "corpus", f"{level} CI", "items"),
            tuple((f"{c.metric} {c.stat}", c.system, _f(c.value), _ci(c.ci), str(c.n_items)) for c in corpus),
            "llrrr")))
    figures = ()
    if boards:
        figures = (Figure("leaderboard", "Systems ranked by mean with bootstrap intervals; colour: significance "
                                         "cluster (systems no test separates share a cluster and a rank).",
                          plots.leaderboard(boards, f"Leaderboard: {len(next(iter(boards.values())))} systems",
                                            signature, level)),)
    blocks = board.blocks()
    headlines = [lit(f"{m} {st}: {board.headline(m, st)}") for m, st, _ in blocks]
    return Section(
        f"Leaderboard ({name})",
        summary=headlines[0] if headlines else "No systems ranked.",
        paragraphs=(*headlines[1:], *(lit(n) for n in board.notes)),
        figures=figures,
        tables=(_ranking(board, level),) if blocks else (),
        more=tuple(more),
        signature=signature)


def _corr(r: Correlation) -> str:
    """``0.221 [0.106, 0.310]``: a correlation and its interval to three places, as papers print them."""
    if r.value is None or r.value != r.value:
        return "n/a"
    return f"{r.value:.3f} " + ("[n/a]" if r.ci is None else r.ci.text(3))


def _by_level(rows: Sequence[tuple[str, Correlation]], level: str) -> list[tuple[str, Table]]:
    """One headline table per level: a row per human dimension and metric (metrics in natural order), a column
    per coefficient (``-``: not computed at that level), and each tested coefficient's cluster."""
    out = []
    for lvl in dict.fromkeys(r.level for _, r in rows):
        here = [(n, r) for n, r in rows if r.level == lvl]
        coefficients = list(dict.fromkeys(r.coefficient for _, r in here))
        tested = list(dict.fromkeys(r.coefficient for _, r in here if r.cluster is not None))
        cells = {(r.human, n, r.coefficient): r for n, r in here}
        humans = list(dict.fromkeys(r.human for _, r in here))
        metrics = _natural(dict.fromkeys(n for n, _ in here))
        table_rows = []
        for h in humans:
            for m in metrics:
                if not any((h, m, c) in cells for c in coefficients):
                    continue
                row = [h, m, *(_corr(cells[h, m, c]) if (h, m, c) in cells else "-" for c in coefficients)]
                row += [str(cells[h, m, c].cluster) if (h, m, c) in cells and cells[h, m, c].cluster is not None
                        else "-" for c in tested]
                table_rows.append(tuple(row))
        caption = f"Correlations at the {lit(lvl)} level with {level} intervals"
        if tested:
            caption += ("; cluster: metrics no test separates on that dimension share one, 1 is the top "
                        f"({', '.join(lit(c) for c in tested)} tested)")
        out.append((caption, Table(("human", "metric", *coefficients, *(f"{c} cluster" for c in tested)),
                                   tuple(table_rows), "ll" + "r" * (len(coefficients) + len(tested)))))
    return out


def _meta_summary(rows: Sequence[tuple[str, Correlation]]) -> str:
    """Which metric correlates best with each human dimension, per level: the top cluster where metrics were
    tested against each other, else the highest value (and then it says the ranking is untested)."""
    tested_anywhere = list(dict.fromkeys(r.coefficient for _, r in rows if r.cluster is not None))
    parts = []
    for lvl in dict.fromkeys(r.level for _, r in rows):
        here = [(n, r) for n, r in rows if r.level == lvl]
        tested = [(n, r) for n, r in here if r.cluster is not None]
        if tested:
            coefficient = tested[0][1].coefficient
            how = f"top {lit(coefficient)} cluster"
        else:
            present = list(dict.fromkeys(r.coefficient for _, r in here))
            # the coefficient tested elsewhere reads alike across levels; a share (pairwise accuracy) is no correlation
            coefficient = next((c for c in tested_anywhere if c in present),
                               next((c for c in present if c != "pairwise_accuracy"), present[0]))
            how = f"highest {lit(coefficient)}, not tested"
        best_of: dict[str, tuple[str, ...]] = {}
        humans = list(dict.fromkeys(r.human for _, r in here))
        for h in humans:
            cands = [(n, r) for n, r in here if r.coefficient == coefficient and r.human == h]
            if tested:
                best = [n for n, r in cands if r.cluster == 1]
            else:
                defined = [(n, r.value) for n, r in cands if r.value is not None and r.value == r.value]
                top = max((v for _, v in defined), default=None)
                best = [n for n, v in defined if v == top]
            if best:
                best_of[h] = tuple(_natural(dict.fromkeys(best)))
        groups: dict[tuple[str, ...], list[str]] = {}
        for h, best in best_of.items():  # dimensions with the same best metrics read as one clause
            groups.setdefault(best, []).append(h)
        clauses = [f"{'/'.join(lit(n) for n in best)} on "
                   + (f"all {len(hs)} dimensions" if len(hs) == len(humans) > 1 else " and ".join(lit(h) for h in hs))
                   for best, hs in groups.items()]
        if clauses:
            parts.append(f"{lit(lvl)} level ({how}): {', '.join(clauses)}")
    if not parts:
        return "No correlation is defined."
    return "Best-correlating metric per human dimension: " + "; ".join(parts) + "."


def meta(payload: MetaEvaluation, name: str) -> Section:
    """A ``bench meta`` meta-evaluation: which metrics correlate best (the summary), one open table per level
    with the coefficients as columns, the figure, then the tidy correlations, the metric-vs-metric tests,
    human agreement, and the legend of runs named by letter."""
    names = payload.labels()
    rows: list[tuple[str, Correlation]] = [(names[r.metric, r.stat], r) for r in payload.correlations]
    plotted = [(n, r) for n, r in rows if r.coefficient != "pairwise_accuracy"]  # a share, not a correlation
    levels = list(dict.fromkeys(r.level for _, r in plotted))
    humans = list(dict.fromkeys(r.human for _, r in plotted))
    cells: dict[tuple[str, str], list[tuple[str, Correlation]]] = {}
    for n, r in plotted:
        cells.setdefault((r.level, r.human), []).append((n, r))
    level = _ci_level(payload.signature)
    signature = _metric_signatures(payload.signature, payload.metric_signatures)
    table = Table(("level", "coefficient", "human", "metric", "value", f"{level} CI", "groups used/skipped"),
                  tuple((r.level, r.coefficient, r.human, n, _f(r.value), _ci(r.ci),
                         f"{r.groups_used}/{r.groups_skipped}") for n, r in rows), "lllrrrr")
    more = [("All correlations, one per row", table)]
    if payload.comparisons:
        more.append(("Metric comparisons (corrected)", Table(
            ("level", "coefficient", "human", "a", "b", "test", "p", "p adjusted", "significant"),
            tuple((c.level, c.coefficient, c.human, names.get((c.a, c.a_stat), c.a), names.get((c.b, c.b_stat), c.b),
                   c.test, "n/a" if c.p is None else f"{c.p:.4g}",
                   f"{c.p_adjusted:.4g}", "yes" if c.significant else "no") for c in payload.comparisons),
            "llllllrrl")))
    if payload.agreement:
        at = f", {payload.agreement_level} level" if payload.agreement_level else ""
        more.append((f"Human agreement (Krippendorff's alpha{at})", Table(
            ("field", "alpha"), tuple((k, _f(v) if isinstance(v, (int, float)) else str(v))
                                      for k, v in sorted(payload.agreement.items())), "lr")))
    figures = ()
    if plotted:
        figures = (Figure("correlations", "Correlation of each metric with each human dimension, per level; "
                                          f"{level} bootstrap intervals; colour: the value (0 white, one scale for all levels).",
                          plots.correlations(cells, levels, humans,
                                             f"Meta-evaluation: {payload.systems} systems x "
                                             f"{payload.documents} documents", signature, level)),)
    paragraphs = ()
    if payload.legend:
        paragraphs = ("Runs named by letter (their labels are longer than a table cell): "
                      + "; ".join(code(line) for line in payload.legend) + ".",)
    return Section(f"Meta-evaluation ({name})", summary=_meta_summary(rows), paragraphs=paragraphs,
                   figures=figures, tables=tuple(_by_level(rows, level)), more=tuple(more), signature=signature)


GATED_CAPTION = "Gated stats (band: the drift band with the same candidates, the minimum effect with changed candidates)"
INFORMATION_CAPTION = "Information (not gated: descriptive statistics, and the means of a metric gated on its corpus value)"


def _check_metric(s: StatCheck) -> str:
    """A row's metric: a corpus value (BLEU, chrF from summed statistics) is named as one."""
    return s.metric if s.level == MEAN else f"{s.metric} ({s.level})"


def _p_cell(s: StatCheck) -> str:
    return "-" if s.p_value is None else f"{s.p_value:.4g}"


def _verdict(result: Check) -> str:
    """The check in one sentence: its verdict, what was checked against what, and which gated stats decided it."""
    head = (f"Verdict **{lit(result.verdict.upper())}** (exit {result.exit_code}) for experiment "
            f"{code(result.experiment)}" + (f" (run {code(result.run)})" if result.run else "")
            + f" against {code(result.baseline)}")
    gated = result.gated
    if result.verdict == "incomparable" or not gated:
        blocking = sum(not d.allowed for d in result.signature_differences)
        why = [f"{n} {what}{'s' if n != 1 else ''}" for n, what in
               ((blocking, "blocking signature difference"), (len(result.problems), "problem")) if n]
        return head + ": nothing gated was compared" + (f" ({', '.join(why)} below)." if why else ".")
    regressed = [s for s in gated if s.verdict == "regression"]
    improved = sum(s.verdict == "improved" for s in gated)
    named = ", ".join(lit(f"{_check_metric(s)} {s.stat}") for s in regressed)
    moved = f"{len(regressed)} of {len(gated)} gated stats regressed ({named})" if regressed else \
        f"none of {len(gated)} gated stat{'s' if len(gated) != 1 else ''} regressed"
    return head + f": {moved}" + (f", {improved} improved." if improved else ".")


def check(result: Check, name: str) -> Section:
    """A ``bench check`` result: the verdict; each gated stat with its band, p-value, verdict and the rule that
    decided it; the stats shown but not gated (descriptive ones) in a table of their own; each signature
    difference once and what resolves the blocking ones."""
    signature = f"{result.check_signature}\nbaseline: {result.baseline}"
    paragraphs = [f"Problem: {lit(p)}" for p in result.problems]
    paragraphs += [f"Signature difference{' (allowed)' if d.allowed else ''}: {lit(d.text)}"
                   for d in result.signature_differences]
    if result.resolution:
        paragraphs.append(f"To resolve: {lit(result.resolution)}")
    paragraphs += [f"Note: {lit(n)}" for n in result.notes]
    gated, information = result.gated, result.information
    rules = any(s.rule for s in result.stats)  # check JSON from before rows named their rule has none
    rows = tuple((_check_metric(s), s.stat, _f(s.baseline), _f(s.run),
                  "n/a" if s.delta is None or s.delta != s.delta else f"{s.delta:+.2e}", f"{s.band:.2e}", _p_cell(s),
                  s.verdict, *((s.rule or "-", s.reason or "-") if rules else ())) for s in gated)
    columns = ("metric", "stat", "baseline", "run", "delta", "band", "p", "verdict") + (("rule", "reason") if rules else ())
    tables: list[tuple[str, Table]] = []
    more: list[tuple[str, Table]] = []
    if gated:
        tables.append((GATED_CAPTION, Table(columns, rows, "llrrrrrl" + ("ll" if rules else ""))))
    if information:
        info = tuple((_check_metric(s), s.stat, s.kind, _f(s.baseline), _f(s.run), f"{s.delta:+.2e}", s.rule, s.reason)
                     for s in information)
        more.append((INFORMATION_CAPTION, Table(("metric", "stat", "kind", "baseline", "run", "delta", "rule", "reason"),
                                                  info, "lllrrrll")))
    figures = ()
    if gated:
        figures = (Figure("check", "Baseline vs run per gated stat; grey: its band in the worse direction (with the "
                                   "same candidates a move past it is a regression; with changed candidates a "
                                   "significant move past it is).",
                          plots.check(gated, f"Regression check: {result.experiment} ({result.verdict})",
                                      signature)),)
    return Section(f"Regression check ({name})", summary=_verdict(result), paragraphs=tuple(paragraphs),
                   figures=figures, tables=tuple(tables), more=tuple(more), signature=signature)
