"""The report's figures: plain data in, SVG text out (matplotlib, imported lazily).

Pure functions: no file is read or written and no global matplotlib state is
touched (pyplot is never imported; each figure is a ``matplotlib.figure.Figure``
drawn on the SVG canvas inside an ``rc_context``), so the same data always give
the same bytes: ``svg.hashsalt`` is fixed per figure (its element ids) and the
SVG carries no date. Glyphs are drawn as paths, so a figure needs no font.

The SVG returned is a fragment for inlining in HTML: no XML declaration, no
DOCTYPE, no RDF metadata and no namespace URLs (the HTML parser puts ``<svg>``
in the SVG namespace itself), so a report holds no URL at all.

Every figure has a title, axis labels with units and, in small print at the
bottom, the signature(s) its numbers came from. A run's figures take each metric's range and kind from
its ``Facts`` (``bench.values``): metrics of different ranges (ROUGE 0-1, BLEU 0-100) get panels of
their own, and descriptive statistics are marked as such.
"""

from __future__ import annotations

import io
import math
import os
import re
import textwrap
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from bench.gate.compare import (
    BELOW_EFFECT,
    IMPROVED,
    INFORMATION,
    MEAN,
    REGRESSED,
    UNCHANGED,
    WITHIN_DRIFT,
    WITHIN_EFFECT,
    WITHIN_NOISE,
    StatCheck,
)
from bench.values import Facts, Interval

if TYPE_CHECKING:
    from bench.analysis.meta import Correlation
    from bench.stats.leaderboard import SystemRow

# Colour-blind-safe palette (Okabe-Ito); series cycle through it in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Every verdict of the gate (bench.gate.compare), and "within tolerance" of check JSON from before its rules.
VERDICT_COLOURS = {REGRESSED: "#D55E00", IMPROVED: "#009E73", UNCHANGED: "#0072B2", WITHIN_DRIFT: "#56B4E9",
                   WITHIN_NOISE: "#CC79A7", BELOW_EFFECT: "#E69F00", WITHIN_EFFECT: "#F0E442", INFORMATION: "#000000",
                   "within tolerance": "#56B4E9"}
UNKNOWN_VERDICT = "#999999"  # a verdict a newer bench may add
WIDTH = 9.0  # inches; 864 px at the SVG's 96 dpi, which fits a 1200 px page with margins
LEFT, RIGHT, TOP = 1.9, 0.3, 0.55  # inches of margin: category labels such as "rougeLsum fmeasure" on the left
FOOTER_WIDTH = 150  # characters per small-print line


def unit_label(values: Sequence[float], name: str = "score") -> str:
    """``"score (0-1)"`` when every value lies in [0, 1] (ROUGE, unrescaled BERTScore), else ``"score"``."""
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return f"{name} (0-1)" if finite and all(0.0 <= v <= 1.0 for v in finite) else name


def unit_of(facts: Facts, name: str = "score") -> str:
    """A metric's unit from its facts: ``score (0-1)``, ``score (0-100)``; a descriptive statistic is a
    ``value``, marked as descriptive (``value (>= 0), descriptive``)."""
    if facts.descriptive:
        return f"value ({facts.range_text()}), descriptive"
    return f"{name} ({facts.range_text()})"


def _panels(keys: Sequence[str], facts: Mapping[str, Facts] | None, values: Sequence[float]) -> list[tuple[str, list[str]]]:
    """(unit, keys) per panel: one panel per unit the facts give (in order of first appearance); without
    facts, one panel labelled from the values."""
    if facts is None:
        return [(unit_label(values), list(keys))]
    panels: dict[str, list[str]] = {}
    for k in keys:
        panels.setdefault(unit_of(facts[k]), []).append(k)
    return list(panels.items())


def _footer_lines(footer: str) -> list[str]:
    lines: list[str] = []
    for part in footer.splitlines():
        lines += textwrap.wrap(part, FOOTER_WIDTH, break_long_words=True, break_on_hyphens=False) or [""]
    return lines


class _Canvas:
    """A figure with room for a title, ``rows x cols`` panels and a small-print footer (inches, fixed margins)."""

    def __init__(self, name: str, title: str, footer: str, rows: int = 1, cols: int = 1, panel_h: float = 3.0,
                 hspace: float = 0.75, wspace: float = 0.45, left: float = LEFT, bottom: float = 0.6):
        os.environ.setdefault("MPLBACKEND", "Agg")  # never a GUI backend, even if someone imports pyplot later
        import matplotlib
        from matplotlib.figure import Figure

        self.name = name
        self.lines = _footer_lines(footer)
        foot_h = 0.11 * len(self.lines) + 0.1
        height = TOP + rows * panel_h + (rows - 1) * hspace + bottom + foot_h
        self.rc = matplotlib.rc_context({
            "svg.hashsalt": f"bench-report:{name}",  # element ids: deterministic, and distinct between figures
            "svg.fonttype": "path", "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8,
            "axes.spines.top": False, "axes.spines.right": False, "figure.dpi": 96,
        })
        self.rc.__enter__()
        self.fig = Figure(figsize=(WIDTH, height))
        self.fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left", y=1 - 0.12 / height)
        grid = self.fig.add_gridspec(rows, cols, left=left / WIDTH, right=1 - RIGHT / WIDTH,
                                     top=1 - TOP / height, bottom=(bottom + foot_h) / height,
                                     hspace=hspace / panel_h, wspace=wspace)
        self.axes = [[self.fig.add_subplot(grid[r, c]) for c in range(cols)] for r in range(rows)]
        self.fig.text(0.01, 0.08 / height, "\n".join(self.lines), fontsize=5.5, color="#555555", ha="left",
                      va="bottom", family="monospace", linespacing=1.3)

    def svg(self) -> str:
        """The figure as an inline SVG fragment (see the module docstring)."""
        buf = io.StringIO()
        try:
            self.fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            self.rc.__exit__(None, None, None)
        return _inline(buf.getvalue())


def _inline(svg: str) -> str:
    svg = svg[svg.index("<svg"):]  # drops <?xml ...?> and the DOCTYPE (which names a DTD URL)
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)  # RDF with Dublin Core namespace URLs
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg, count=2)
    svg = svg.replace("xlink:href=", "href=")  # SVG 2 href: no xlink namespace needed
    return svg.strip() + "\n"


def _arms(value: float, ci: Interval) -> list[list[float]]:
    """The error bar's two arm lengths, never negative: matplotlib refuses a negative one, and a run stored
    before intervals were made to hold their mean (bench.stats.aggregate) can have a bound an ulp beside its
    mean when every item scored alike. A zero-width interval draws as the marker with its caps."""
    return [[max(0.0, value - ci.lo)], [max(0.0, ci.hi - value)]]


def _errorbar(ax, y: float, x: float, ci: Interval | None, colour: str, label: str | None, marker: str = "o") -> None:
    if ci is None:  # no interval (too few units): a hollow marker says so
        ax.plot([x], [y], marker=marker, color=colour, markerfacecolor="white", linestyle="none", label=label)
        return
    ax.errorbar([x], [y], xerr=_arms(x, ci), fmt=marker, color=colour, capsize=2.5,
                markersize=4, elinewidth=1, label=label)


def means(series: Sequence[tuple[str, Mapping[str, tuple[float, Interval | None]]]], title: str, footer: str,
          level: str = "95%", facts: Mapping[str, Facts] | None = None) -> str:
    """Means with their intervals: one row per ``metric stat``, one marker colour per series (run).

    ``facts``: ``metric stat`` -> its metric's facts; rows of one unit share a panel (ROUGE's 0-1 apart
    from BLEU's 0-100, descriptive statistics apart from scores)."""
    keys = list(dict.fromkeys(k for _, values in series for k in values))
    panels = _panels(keys, facts, [v[0] for _, s in series for v in s.values()])
    heights = [max(1.1, 0.24 * len(rows) * (1 + 0.25 * (len(series) - 1))) for _, rows in panels]
    c = _Canvas("means", title, footer, rows=len(panels), panel_h=max(heights), hspace=0.75)
    step = 0.7 / max(1, len(series))
    for p, (unit, rows) in enumerate(panels):
        ax = c.axes[p][0]
        for i, (label, values) in enumerate(series):
            offset = (i - (len(series) - 1) / 2) * step
            labelled = False  # one legend entry per series
            for j, key in enumerate(rows):
                if key in values:
                    mean, ci = values[key]
                    _errorbar(ax, j + offset, mean, ci, PALETTE[i % len(PALETTE)],
                              None if labelled or p else label)
                    labelled = True
        ax.set_yticks(range(len(rows)), rows)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlabel(f"mean {unit}, {level} bootstrap interval")
        ax.set_ylabel("metric, stat")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        if len(series) > 1 and p == 0:
            ax.legend(fontsize=7, loc="best", frameon=False)
    return c.svg()


def distributions(series: Sequence[tuple[str, Mapping[str, Sequence[float]]]], title: str, footer: str,
                  facts: Mapping[str, Facts] | None = None) -> str:
    """Per-item score histograms: one panel per metric (its main stat), one outline per series (run).

    ``facts``: ``metric stat`` -> its metric's facts: the panel's unit, and 20 bins over a bounded range."""
    metrics = list(dict.fromkeys(k for _, values in series for k in values))
    cols = min(2, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    c = _Canvas("distributions", title, footer, rows=rows, cols=cols, panel_h=1.9, hspace=0.75, left=0.8)
    allv = [v for _, s in series for vals in s.values() for v in vals]
    for n, metric in enumerate(metrics):
        ax = c.axes[n // cols][n % cols]
        if facts is None:
            unit = unit_label(allv)
            bins: Any = [i / 20 for i in range(21)] if unit.endswith("(0-1)") else 20
        else:
            f = facts[metric]
            unit = unit_of(f)
            bins = 20 if f.span is None else [f.lo + f.span * i / 20 for i in range(21)]
        for i, (label, values) in enumerate(series):
            if metric in values and values[metric]:
                ax.hist(values[metric], bins=bins, histtype="step" if len(series) > 1 else "stepfilled",
                        color=PALETTE[i % len(PALETTE)], alpha=1.0 if len(series) > 1 else 0.75, linewidth=1.1,
                        label=label)
        ax.set_title(metric, loc="left")
        ax.set_xlabel(f"per-item {unit}")
        ax.set_ylabel("items (count)")
        if len(series) > 1 and n == 0:
            ax.legend(fontsize=6.5, frameon=False)
    for n in range(len(metrics), rows * cols):
        c.axes[n // cols][n % cols].set_visible(False)
    return c.svg()


def sweep(parameter: str, values: Sequence[Any], series: Mapping[str, Sequence[tuple[float, Interval | None]]],
          title: str, footer: str, level: str = "95%", facts: Mapping[str, Facts] | None = None) -> str:
    """A swept config value against each metric's mean (with intervals), one line per metric; with
    ``facts``, one panel per unit (as ``means``)."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    xs = [float(v) for v in values] if numeric else list(range(len(values)))
    order = sorted(range(len(values)), key=lambda i: xs[i])
    panels = _panels(list(series), facts, [p[0] for pts in series.values() for p in pts])
    c = _Canvas("sweep", title, footer, rows=len(panels), panel_h=3.2 if len(panels) == 1 else 2.2, left=0.8)
    colour_of = {metric: PALETTE[i % len(PALETTE)] for i, metric in enumerate(series)}
    for p, (unit, metrics) in enumerate(panels):
        ax = c.axes[p][0]
        for metric in metrics:
            points, colour = series[metric], colour_of[metric]
            ax.plot([xs[j] for j in order], [points[j][0] for j in order], color=colour, linewidth=1, label=metric)
            for j in order:
                mean, ci = points[j]
                if ci is None:
                    _errorbar(ax, mean, xs[j], None, colour, None)
                else:
                    ax.errorbar([xs[j]], [mean], yerr=_arms(mean, ci), fmt="o", color=colour,
                                markersize=3.5, capsize=2.5, elinewidth=1)
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in values])
        ax.set_xlabel(f"{parameter} (config value)")
        ax.set_ylabel(f"mean {unit}, {level} interval")
        ax.grid(color="#eeeeee", linewidth=0.6)
        ax.legend(fontsize=7, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return c.svg()


def leaderboard(boards: Mapping[str, Sequence["SystemRow"]], title: str, footer: str,
                level: str = "95%") -> str:
    """Systems ranked per metric: mean with interval, colour = significance cluster, label = rank."""
    c = _Canvas("leaderboard", title, footer, rows=len(boards),
                panel_h=max(1.2, 0.2 * max(len(r) for r in boards.values())), hspace=0.8, left=1.0)
    for n, (name, rows) in enumerate(boards.items()):
        ax = c.axes[n][0]
        for j, r in enumerate(rows):
            _errorbar(ax, j, r.mean, r.ci, PALETTE[(r.cluster - 1) % len(PALETTE)], None)
        ax.set_yticks(range(len(rows)), [f"{r.rank:>2}  {r.system}" for r in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        clusters = len({r.cluster for r in rows})
        ax.set_title(f"{name}: {len(rows)} systems, {clusters} significance cluster(s) (colour)", loc="left")
        ax.set_xlabel(f"mean {unit_label([r.mean for r in rows])} over documents, {level} bootstrap interval")
        ax.set_ylabel("rank, system")
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    return c.svg()


def correlations(cells: Mapping[tuple[str, str], Sequence[tuple[str, "Correlation"]]], levels: Sequence[str],
                 humans: Sequence[str], title: str, footer: str, level: str = "95%") -> str:
    """Metric-human correlations with intervals: a panel per (level, human dimension), a colour per coefficient.

    ``cells``: (level, human) -> (metric label, correlation row) pairs."""
    metrics = list(dict.fromkeys(label for rows in cells.values() for label, _ in rows))
    coefficients = list(dict.fromkeys(r.coefficient for rows in cells.values() for _, r in rows))
    cols = len(humans)
    c = _Canvas("correlations", title, footer, rows=len(levels), cols=cols, panel_h=max(1.1, 0.28 * len(metrics)),
                hspace=0.8, wspace=0.15, left=1.5)
    step = 0.7 / max(1, len(coefficients))
    for r_i, lvl in enumerate(levels):
        for c_i, human in enumerate(humans):
            ax = c.axes[r_i][c_i]
            for k, coef in enumerate(coefficients):
                offset = (k - (len(coefficients) - 1) / 2) * step
                for label, row in cells.get((lvl, human), ()):
                    if row.coefficient == coef and row.value is not None:
                        first = r_i == 0 and c_i == 0 and label == metrics[0]
                        _errorbar(ax, metrics.index(label) + offset, row.value, row.ci,
                                  PALETTE[k % len(PALETTE)], coef if first else None)
            ax.axvline(0, color="#999999", linewidth=0.6)
            ax.set_xlim(-1, 1)
            ax.set_xticks([-1, -0.5, 0, 0.5, 1], ["-1", "", "0", "", "1"])  # full labels collide between panels
            ax.set_yticks(range(len(metrics)), metrics if c_i == 0 else [""] * len(metrics))
            ax.set_ylim(len(metrics) - 0.5, -0.5)
            ax.set_title(f"{lvl} · {human}", loc="left", fontsize=7)
            ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
            if r_i == len(levels) - 1:
                ax.set_xlabel(f"correlation (-1 to 1), {level} CI")
            if c_i == 0:
                ax.set_ylabel("metric")
    c.fig.legend(loc="upper right", fontsize=7, frameon=False, ncols=len(coefficients))
    return c.svg()


def check(stats: Sequence[StatCheck], title: str, footer: str) -> str:
    """Baseline vs run per gated stat (left) and the change with its band (right; worse side shaded).

    ``band`` is the rule's: the drift band with the same candidates, the minimum effect with changed ones.
    The legend names only the verdicts drawn."""
    labels = [f"{s.metric} {s.stat}" if s.level == MEAN else f"{s.metric} {s.stat} ({s.level})" for s in stats]
    c = _Canvas("check", title, footer, cols=2, panel_h=max(1.4, 0.24 * len(stats)), wspace=0.08)
    left, right = c.axes[0]
    for j, s in enumerate(stats):
        colour = VERDICT_COLOURS.get(s.verdict, UNKNOWN_VERDICT)
        worse = -1.0 if s.higher_is_better else 1.0  # the check's own direction of the metric, never assumed
        limit = s.baseline + worse * s.band
        left.plot([min(s.baseline, limit), max(s.baseline, limit)], [j, j], color="#bbbbbb", linewidth=6,
                  solid_capstyle="butt", label="band" if j == 0 else None)
        left.plot([s.baseline], [j], marker="|", color="#333333", markersize=12, linestyle="none",
                  label="baseline" if j == 0 else None)
        left.plot([s.run], [j], marker="o", color=colour, markersize=4.5, linestyle="none")
        # right: run - baseline; the band on the worse side
        right.barh(j, worse * s.band, left=0, height=0.6, color="#dddddd", edgecolor="#aaaaaa", linewidth=0.5)
        right.plot([s.delta], [j], marker="o", color=colour, markersize=4.5, linestyle="none")
    for verdict in dict.fromkeys(s.verdict for s in stats):  # legend entries for the verdicts drawn
        right.plot([], [], marker="o", color=VERDICT_COLOURS.get(verdict, UNKNOWN_VERDICT), linestyle="none",
                   label=f"run: {verdict}")
    right.axvline(0, color="#333333", linewidth=0.8)
    for ax in (left, right):
        ax.set_yticks(range(len(stats)), labels if ax is left else [""] * len(stats))
        ax.set_ylim(len(stats) - 0.5, -0.5)
        ax.grid(axis="x", color="#eeeeee", linewidth=0.6)
    left.set_xlabel(f"mean {unit_label([s.baseline for s in stats] + [s.run for s in stats])}")
    left.set_ylabel("metric, stat")
    left.set_title("baseline (|), run (o), band (grey)", loc="left")
    right.set_xlabel("run - baseline (score units)")
    right.set_title("change; grey: the band on the worse side", loc="left")
    # a NaN delta (a side without any value: unparsed LLM-judge answers) draws nothing and sets no limit
    span = max([abs(s.delta) for s in stats if s.delta == s.delta] + [s.band for s in stats] + [1e-6])
    right.set_xlim(-1.3 * span, 1.3 * span)
    left.legend(fontsize=6.5, frameon=False, loc="lower right")
    right.legend(fontsize=6.5, frameon=False, loc="lower right")
    return c.svg()
