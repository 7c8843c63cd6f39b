"""The report's figures: plain data in, SVG text out (matplotlib, imported lazily).

Pure functions: no file is read or written and no global matplotlib state is
touched (pyplot is never imported; each figure is a ``matplotlib.figure.Figure``
drawn on the SVG canvas inside an ``rc_context``), so the same data always give
the same bytes: ``svg.hashsalt`` is fixed per figure (its element ids) and the
SVG carries no date. Glyphs are drawn as paths, so a figure needs no font.

The SVG returned is a fragment for inlining in HTML: no XML declaration, no
DOCTYPE, no RDF metadata and no namespace URLs (the HTML parser puts ``<svg>``
in the SVG namespace itself), so a report holds no URL at all.

Every figure has a title and axis labels with units; every text is at least 8 pt (``MIN_FONT``) at the
figure's own size. The signature(s) its numbers came from go in the SVG's ``<desc>`` (the section prints
them as text below its figures), not under the plot. A run's figures take each metric's range and kind from
its ``Facts`` (``bench.values``): metrics of different ranges (ROUGE 0-1, BLEU 0-100) get panels of
their own, and descriptive statistics are marked as such.
"""

from __future__ import annotations

import html
import io
import math
import os
import re
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
    from matplotlib.axes import Axes
    from matplotlib.collections import QuadMesh

    from bench.analysis.meta import Correlation
    from bench.stats.leaderboard import SystemRow

# Colour-blind-safe palette (Okabe-Ito); series cycle through it in order.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
# Every verdict of the gate (bench.gate.compare), and "within tolerance" of check JSON from before its rules.
VERDICT_COLOURS = {REGRESSED: "#D55E00", IMPROVED: "#009E73", UNCHANGED: "#0072B2", WITHIN_DRIFT: "#56B4E9",
                   WITHIN_NOISE: "#CC79A7", BELOW_EFFECT: "#E69F00", WITHIN_EFFECT: "#F0E442", INFORMATION: "#000000",
                   "within tolerance": "#56B4E9"}
UNKNOWN_VERDICT = "#999999"  # a verdict a newer bench may add
# Markers beside the colours, so that clusters stay apart in greyscale print and past the palette's 8 colours.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
DIVERGING = "RdBu"  # ColorBrewer's red-blue: colour-blind safe; negative red, positive blue, white at 0
TOP_SHADE = "#e8e8e8"  # behind the top significance cluster
MIN_FONT = 8.0  # points: the smallest text in any figure, here and in the paper figures (bench.report.figures)
WIDTH = 9.0  # inches; 864 px at the SVG's 96 dpi, which fits a 1200 px page with margins
LEFT, RIGHT, TOP = 1.9, 0.3, 0.55  # inches of margin: category labels such as "rougeLsum fmeasure" on the left


def style(name: str) -> dict[str, Any]:
    """The rc settings of every figure, HTML or paper: text sizes of at least ``MIN_FONT``, glyphs as paths
    in SVG and TrueType in PDF (publishers refuse Type 3 fonts), ``svg.hashsalt`` fixed per figure (its
    element ids: deterministic, and distinct between figures inlined in one page)."""
    return {"svg.hashsalt": f"bench-report:{name}", "svg.fonttype": "path", "pdf.fonttype": 42,
            "font.size": MIN_FONT, "axes.titlesize": 9, "axes.labelsize": MIN_FONT, "xtick.labelsize": MIN_FONT,
            "ytick.labelsize": MIN_FONT, "legend.fontsize": MIN_FONT, "legend.title_fontsize": MIN_FONT,
            "figure.titlesize": 10, "axes.spines.top": False, "axes.spines.right": False}


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


class _Canvas:
    """A figure with room for a title and ``rows x cols`` panels (inches, fixed margins); ``signature``
    goes in the SVG's ``<desc>``."""

    def __init__(self, name: str, title: str, signature: str, rows: int = 1, cols: int = 1, panel_h: float = 3.0,
                 hspace: float = 0.75, wspace: float = 0.45, left: float = LEFT, bottom: float = 0.6,
                 right: float = RIGHT):
        os.environ.setdefault("MPLBACKEND", "Agg")  # never a GUI backend, even if someone imports pyplot later
        import matplotlib
        from matplotlib.figure import Figure

        self.name, self.signature = name, signature
        height = TOP + rows * panel_h + (rows - 1) * hspace + bottom
        self.rc = matplotlib.rc_context({**style(name), "figure.dpi": 96})
        self.rc.__enter__()
        self.fig = Figure(figsize=(WIDTH, height))
        self.fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left", y=1 - 0.12 / height)
        grid = self.fig.add_gridspec(rows, cols, left=left / WIDTH, right=1 - right / WIDTH,
                                     top=1 - TOP / height, bottom=bottom / height,
                                     hspace=hspace / panel_h, wspace=wspace)
        self.axes = [[self.fig.add_subplot(grid[r, c]) for c in range(cols)] for r in range(rows)]

    def svg(self) -> str:
        """The figure as an inline SVG fragment (see the module docstring)."""
        buf = io.StringIO()
        try:
            self.fig.savefig(buf, format="svg", metadata={"Date": None})
        finally:
            self.rc.__exit__(None, None, None)
        return described(_inline(buf.getvalue()), self.signature)


def described(svg: str, signature: str) -> str:
    """``svg`` with ``signature`` as its first child ``<desc>`` (escaped; an SVG element, so no namespace):
    what a figure's numbers came from travels with it, out of the reader's way."""
    start = svg.index("<svg")
    end = svg.index(">", start) + 1
    return f"{svg[:end]}\n <desc>{html.escape(signature, quote=False)}</desc>{svg[end:]}"


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


def means(series: Sequence[tuple[str, Mapping[str, tuple[float, Interval | None]]]], title: str, signature: str,
          level: str = "95%", facts: Mapping[str, Facts] | None = None) -> str:
    """Means with their intervals: one row per ``metric stat``, one marker colour per series (run).

    ``facts``: ``metric stat`` -> its metric's facts; rows of one unit share a panel (ROUGE's 0-1 apart
    from BLEU's 0-100, descriptive statistics apart from scores)."""
    keys = list(dict.fromkeys(k for _, values in series for k in values))
    panels = _panels(keys, facts, [v[0] for _, s in series for v in s.values()])
    heights = [max(1.1, 0.24 * len(rows) * (1 + 0.25 * (len(series) - 1))) for _, rows in panels]
    c = _Canvas("means", title, signature, rows=len(panels), panel_h=max(heights), hspace=0.75)
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
            ax.legend(loc="best", frameon=False)
    return c.svg()


def distributions(series: Sequence[tuple[str, Mapping[str, Sequence[float]]]], title: str, signature: str,
                  facts: Mapping[str, Facts] | None = None) -> str:
    """Per-item score histograms: one panel per metric (its main stat), one outline per series (run).

    ``facts``: ``metric stat`` -> its metric's facts: the panel's unit, and 20 bins over a bounded range."""
    metrics = list(dict.fromkeys(k for _, values in series for k in values))
    cols = min(2, len(metrics))
    rows = math.ceil(len(metrics) / cols)
    c = _Canvas("distributions", title, signature, rows=rows, cols=cols, panel_h=1.9, hspace=0.75, left=0.8)
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
            ax.legend(frameon=False)
    for n in range(len(metrics), rows * cols):
        c.axes[n // cols][n % cols].set_visible(False)
    return c.svg()


def sweep(parameter: str, values: Sequence[Any], series: Mapping[str, Sequence[tuple[float, Interval | None]]],
          title: str, signature: str, level: str = "95%", facts: Mapping[str, Facts] | None = None) -> str:
    """A swept config value against each metric's mean (with intervals), one line per metric; with
    ``facts``, one panel per unit (as ``means``)."""
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
    xs = [float(v) for v in values] if numeric else list(range(len(values)))
    order = sorted(range(len(values)), key=lambda i: xs[i])
    panels = _panels(list(series), facts, [p[0] for pts in series.values() for p in pts])
    c = _Canvas("sweep", title, signature, rows=len(panels), panel_h=3.2 if len(panels) == 1 else 2.2, left=0.8)
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
        ax.legend(frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    return c.svg()


def draw_systems(ax: "Axes", rows: Sequence["SystemRow"], level: str = "95%") -> None:
    """One metric stat's systems, best first from the top: mean with interval; colour and marker per
    significance cluster (legend); the top cluster (cluster 1: no test separates its systems) shaded and its
    names in bold. The x axis is fitted to the intervals drawn, not to the metric's range. Used by the HTML
    report's leaderboard and the paper figure (``bench.report.figures``)."""
    clusters = list(dict.fromkeys(r.cluster for r in rows))
    top = [j for j, r in enumerate(rows) if r.cluster == 1]
    for j in top:
        ax.axhspan(j - 0.5, j + 0.5, color=TOP_SHADE, linewidth=0, zorder=0)
    labelled: set[int] = set()
    for j, r in enumerate(rows):
        k = (r.cluster - 1) % len(PALETTE)
        label = None if r.cluster in labelled else f"cluster {r.cluster}" + (" (top)" if r.cluster == 1 else "")
        labelled.add(r.cluster)
        _errorbar(ax, j, r.mean, r.ci, PALETTE[k], label, MARKERS[(r.cluster - 1) % len(MARKERS)])
    ax.set_yticks(range(len(rows)), [r.system for r in rows])
    for j in top:
        ax.get_yticklabels()[j].set_fontweight("bold")
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlabel(f"mean {unit_label([r.mean for r in rows])} over documents, {level} bootstrap interval")
    ax.set_ylabel("system (best first)")
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    if len(clusters) > 1:
        # best first: with higher-is-better the top rows hold the largest means (right), so the top left
        # corner is empty; with lower-is-better, the top right
        corner = "upper left" if rows[0].mean >= rows[-1].mean else "upper right"
        legend = ax.legend(loc=corner, handletextpad=0.2, borderaxespad=0.3, ncols=1 if len(clusters) <= 4 else 2,
                           columnspacing=0.8, frameon=True, facecolor="white", edgecolor="none", framealpha=0.85)
        legend.set_zorder(5)


def leaderboard(boards: Mapping[str, Sequence["SystemRow"]], title: str, signature: str,
                level: str = "95%") -> str:
    """Systems ranked per metric (``draw_systems``): mean with interval, colour and marker = significance
    cluster, the top cluster shaded."""
    c = _Canvas("leaderboard", title, signature, rows=len(boards),
                panel_h=max(1.2, 0.2 * max(len(r) for r in boards.values())), hspace=0.8, left=1.0)
    for n, (name, rows) in enumerate(boards.items()):
        ax = c.axes[n][0]
        draw_systems(ax, rows, level)
        clusters = len({r.cluster for r in rows})
        ax.set_title(f"{name}: {len(rows)} systems, {clusters} significance cluster(s); shaded: the top cluster",
                     loc="left")
    return c.svg()


Cell = tuple[float | None, Interval | None]  # a correlation's value and interval


def heat_limit(values: Sequence[float | None]) -> float:
    """The colour limit of a heat map: the largest |value|, rounded up to 0.01, so that the colours span
    the data (0.1 to 0.3 is not washed out on a -1..1 scale) and 0 stays white; 0.01 when all are 0."""
    finite = [abs(v) for v in values if v is not None and math.isfinite(v)]
    return max(0.01, math.ceil(round(max(finite, default=0.0) * 100, 9)) / 100)


def cell_text(value: float | None, ci: Interval | None) -> str:
    """A heat-map cell's text: ``0.22`` over ``[0.11, 0.31]``; ``n/a`` for an undefined value."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:.2f}" + ("" if ci is None else f"\n[{ci.lo:.2f}, {ci.hi:.2f}]")


def draw_heatmap(ax: "Axes", rows: Sequence[str], columns: Sequence[str], cells: Mapping[tuple[str, str], Cell],
                 limit: float) -> "QuadMesh":
    """A correlation table as a heat map: ``rows`` x ``columns``, colour = value on a diverging colour-blind-safe
    map centred at 0 and limited to +-``limit`` (``heat_limit``), text = value and interval. A cell with no
    correlation (unpaired) stays blank. Returns the mesh, for a colour bar."""
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    grid = np.full((len(rows), len(columns)), np.nan)
    for (r, c), (value, _) in cells.items():
        if value is not None and math.isfinite(value):
            grid[rows.index(r), columns.index(c)] = value
    cmap = colormaps[DIVERGING]
    # vector cells (pcolormesh), not imshow's raster: an inline SVG must not carry a data: image; a masked
    # (unpaired) cell is not drawn at all, so it stays blank
    image = ax.pcolormesh(np.arange(len(columns) + 1) - 0.5, np.arange(len(rows) + 1) - 0.5,
                          np.ma.masked_invalid(grid), cmap=cmap, norm=Normalize(-limit, limit),
                          edgecolors="white", linewidth=1.5)
    for (r, c), (value, ci) in cells.items():
        i, j = rows.index(r), columns.index(c)
        dark = value is not None and math.isfinite(value) and abs(value) > 0.6 * limit
        ax.text(j, i, cell_text(value, ci), ha="center", va="center", fontsize=MIN_FONT, linespacing=1.1,
                color="white" if dark else "#111111")
    ax.set_xticks(range(len(columns)), columns)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xlim(-0.5, len(columns) - 0.5)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row on top, as in a table
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    return image


def correlation_grid(rows: Sequence[tuple[str, "Correlation"]]) -> tuple[list[str], list[str],
                                                                             dict[tuple[str, str], Cell]]:
    """One level's correlations as a heat map's rows (``coefficient · metric`` where several coefficients,
    else the metric), columns (human dimensions) and cells."""
    coefficients = list(dict.fromkeys(r.coefficient for _, r in rows))
    several = len(coefficients) > 1

    def name(label: str, r: "Correlation") -> str:
        return f"{r.coefficient} · {label}" if several else label

    ordered = sorted(rows, key=lambda lr: coefficients.index(lr[1].coefficient))  # stable: metrics keep their order
    names = list(dict.fromkeys(name(label, r) for label, r in ordered))
    humans = list(dict.fromkeys(r.human for _, r in rows))
    return names, humans, {(name(label, r), r.human): (r.value, r.ci) for label, r in rows}


def correlations(cells: Mapping[tuple[str, str], Sequence[tuple[str, "Correlation"]]], levels: Sequence[str],
                 humans: Sequence[str], title: str, signature: str, level: str = "95%") -> str:
    """Metric-human correlations with intervals as heat maps (``draw_heatmap``): one panel per level, rows
    ``coefficient · metric``, columns the human dimensions; one colour scale for all panels, fitted to the data.

    ``cells``: (level, human) -> (metric label, correlation row) pairs."""
    grids = [correlation_grid([lr for h in humans for lr in cells.get((lvl, h), ())]) for lvl in levels]
    limit = heat_limit([r.value for rows in cells.values() for _, r in rows])
    n_rows = max(len(g[0]) for g in grids)
    c = _Canvas("correlations", title, signature, rows=len(levels), panel_h=0.34 * n_rows, hspace=0.9, left=1.9,
                right=1.3)
    image = None
    for ax_row, lvl, (names, columns, grid) in zip(c.axes, levels, grids):
        ax = ax_row[0]
        image = draw_heatmap(ax, names, humans, grid, limit)
        ax.set_title(f"{lvl} level: correlation with {level} bootstrap interval", loc="left")
        ax.set_ylabel("coefficient · metric")
    c.axes[-1][0].set_xlabel("human dimension")
    if image is not None:
        bar = c.fig.colorbar(image, ax=[row[0] for row in c.axes], fraction=0.04, pad=0.02)
        bar.set_label(f"correlation (colour scale ±{limit:.2f})")
        bar.solids.set_rasterized(False)  # a long colour bar is a raster by default: a data: image in the page
    return c.svg()


def draw_boxes(ax: "Axes", names: Sequence[str], values: Sequence[Sequence[float]]) -> None:
    """Per-item scores per system as box plots (median, quartiles, 1.5 IQR whiskers, outliers as dots) with
    each mean as a white diamond; the y axis is fitted to the values, not to the metric's range."""
    box = ax.boxplot(values, tick_labels=list(names), widths=0.6, patch_artist=True, showmeans=True,
                     medianprops={"color": "#000000", "linewidth": 1},
                     meanprops={"marker": "D", "markerfacecolor": "white", "markeredgecolor": "#000000",
                                "markersize": 3.5},
                     flierprops={"marker": ".", "markersize": 3, "markerfacecolor": PALETTE[0],
                                 "markeredgecolor": "none", "alpha": 0.6},
                     whiskerprops={"linewidth": 0.8}, capprops={"linewidth": 0.8})
    for patch in box["boxes"]:
        patch.set(facecolor=PALETTE[5], edgecolor=PALETTE[0], linewidth=0.8)
    if len(names) > 8:
        ax.tick_params(axis="x", labelrotation=90)
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)


def check(stats: Sequence[StatCheck], title: str, signature: str) -> str:
    """Baseline vs run per gated stat (left) and the change with its band (right; worse side shaded).

    ``band`` is the rule's: the drift band with the same candidates, the minimum effect with changed ones.
    The legend names only the verdicts drawn."""
    labels = [f"{s.metric} {s.stat}" if s.level == MEAN else f"{s.metric} {s.stat} ({s.level})" for s in stats]
    c = _Canvas("check", title, signature, cols=2, panel_h=max(1.4, 0.24 * len(stats)), wspace=0.08)
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
    left.legend(frameon=False, loc="lower right")
    right.legend(frameon=False, loc="lower right")
    return c.svg()
