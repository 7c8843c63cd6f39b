"""Figures for papers: each one as SVG, PDF and PNG (300 dpi) files (``bench report ... --figures DIR``).

Three kinds, from the report's inputs (already read, ``bench.report.inputs``):

- ``systems-<metric>-<stat>``: a ``bench systems`` leaderboard, one figure per metric stat: systems in rank
  order with their means and intervals, colour and marker per significance cluster, the top cluster shaded
  (``plots.draw_systems``, the HTML report's own drawing);
- ``correlations-<level>``: a ``bench meta`` meta-evaluation, one heat map per level: rows
  ``coefficient · metric``, columns the human dimensions, colour = coefficient on a diverging colour-blind-safe
  map centred at 0 with limits fitted to the data, text = value over interval (``plots.draw_heatmap``);
- ``distributions-<metric>-<stat>``: a run whose items name their system (the dataset's ``system_key``),
  one figure per metric (its primary stat): a box plot of the per-item scores per system, in natural
  order (M0, M1, M2, ..., M10).

Paper style: a column (3.3 in) or a page (6.9 in) wide, every text at least 8 pt at that size
(``plots.MIN_FONT``), the Okabe-Ito palette (``plots.PALETTE``), axes fitted to the data, units on the axes.
The signature(s) the numbers came from go in each file's metadata (SVG ``<desc>`` and its Dublin Core
description, PDF ``Subject``, PNG ``Description`` text chunk), not under the plot. The same inputs give the
same bytes: no dates (the PDF's ``CreationDate`` is left out), fixed SVG ids.

Pure except ``write``: ``build`` makes matplotlib ``Figure``s (no pyplot, no global state), ``encode`` turns
one into bytes, ``plan`` checks every target before anything is written, ``write`` puts them in place atomically.
"""

from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from bench.errors import BenchError
from bench.report import plots

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from bench.analysis.meta import MetaEvaluation
    from bench.analysis.systems import Leaderboard
    from bench.results.model import Run

COLUMN, PAGE = 3.3, 6.9  # inches: one column and the full text width of a two-column paper
DPI = 300
FORMATS = ("svg", "pdf", "png")


@dataclass
class PaperFigure:
    """One figure to save: its file stem, title (file metadata), the signature(s) of its numbers, the figure."""
    name: str
    title: str
    signature: str
    figure: "Figure"

    @property
    def size(self) -> tuple[float, float]:
        """(width, height) in inches."""
        w, h = self.figure.get_size_inches()
        return float(w), float(h)


def _stem(*parts: str) -> str:
    """A file stem from names (metrics, levels): anything but letters, digits, '.', '_' and '-' becomes '-'."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(parts)).strip("-.") or "figure"


def _new(name: str, width: float, height: float) -> "Figure":
    os.environ.setdefault("MPLBACKEND", "Agg")  # never a GUI backend
    from matplotlib.figure import Figure

    # constrained layout fits labels inside the declared size (a tight bounding box would change it)
    return Figure(figsize=(width, height), dpi=DPI, layout="constrained")


def _rc(name: str):
    import matplotlib

    return matplotlib.rc_context(plots.style(name))


def systems(board: "Leaderboard") -> list[PaperFigure]:
    """One figure per metric stat of a leaderboard, a column wide (``plots.draw_systems``)."""
    by_stat = {(metric, stat): list(rows) for metric, stat, rows in board.blocks()}
    level = f"{board.setting('ci', '95')}%"
    out = []
    for (metric, stat), rows in by_stat.items():
        name = _stem("systems", metric, stat)
        with _rc(name):
            fig = _new(name, COLUMN, 1.3 + 0.17 * len(rows))
            ax = fig.add_subplot()
            plots.draw_systems(ax, rows, level)
            ax.set_title(f"{metric} {stat}: {len(rows)} systems", loc="left")
            ax.set_xlabel(f"mean {plots.unit_label([r.mean for r in rows])},\n{level} bootstrap interval")
        signature = "\n".join([board.signature] + ([board.metric_signatures[metric]]
                                                    if metric in board.metric_signatures else []))
        out.append(PaperFigure(name, f"{metric} {stat}: systems ranked", signature, fig))
    return out


def correlations(meta: "MetaEvaluation") -> list[PaperFigure]:
    """One heat map per level of a meta-evaluation, a page wide (a column for one human dimension;
    ``plots.draw_heatmap``); one colour scale
    for every level, fitted to the data (``plots.heat_limit``). Pairwise accuracy, a share and not a
    correlation, is left out (the report's tables list it)."""
    rows = [r for r in meta.correlations if r.coefficient != "pairwise_accuracy"]
    names = meta.labels(" (negated)")  # the heat map's row labels are short: "(negated)" says the same
    labelled = [(names[r.metric, r.stat], r) for r in rows]
    limit = plots.heat_limit([r.value for r in rows])
    from bench.signature import Signature

    level_ci = f"{Signature.parse(meta.signature).as_dict().get('ci', '95')}%"
    signature = "\n".join([meta.signature] + [meta.metric_signatures[m] for m in sorted(meta.metric_signatures)])
    out = []
    for level in dict.fromkeys(r.level for r in rows):
        names, humans, cells = plots.correlation_grid([lr for lr in labelled if lr[1].level == level])
        name = _stem("correlations", level)
        with _rc(name):
            # a page for a table of human dimensions; one dimension's column fits a column
            fig = _new(name, COLUMN if len(humans) == 1 else PAGE, 1.2 + 0.36 * len(names))
            ax = fig.add_subplot()
            image = plots.draw_heatmap(ax, names, humans, cells, limit)
            # from the figure's left edge: over a single column the axes alone are narrower than the title
            fig.suptitle(f"{level} level: correlation with human judgments, {level_ci} bootstrap interval"
                         if len(humans) > 1 else f"{level} level, {level_ci} intervals", x=0.01, ha="left",
                         fontsize=9)
            ax.set_xlabel("human dimension")
            ax.set_ylabel("coefficient · metric" if " · " in names[0] else "metric")
            # beside a page-wide table; under a single column, where the width is the cell's
            bar = fig.colorbar(image, ax=ax, fraction=0.05, pad=0.02, **({"location": "right"} if len(humans) > 1
                               else {"location": "bottom", "shrink": 0.8}))  # end ticks inside the figure
            bar.set_label("correlation (unitless)")
            bar.solids.set_rasterized(False)  # vector throughout: the PDF and SVG scale without a raster
        out.append(PaperFigure(name, f"{level} level: metric-human correlations", signature, fig))
    return out


def system_key(run: "Run") -> str | None:
    """The metadata field naming each item's system (the dataset's ``system_key``), or None."""
    from bench import dotted

    key = dotted.get(run.config, "dataset.system_key", None)
    return key if isinstance(key, str) and key else None


def distributions(run: "Run", prefix: str = "distributions") -> list[PaperFigure]:
    """One box plot per metric (its primary stat) of a run whose items name a system: the per-item scores of
    each system, systems in natural order; a page wide past 8 systems, else a column. None without a
    system key (a run of one system has no per-system distribution to show)."""
    from bench import dotted
    from bench.stats.intervals import natural_key

    key = system_key(run)
    if key is None:
        return []
    systems = [str(dotted.get(s.metadata, key, "?")) for s in run.samples]
    order = sorted(set(systems), key=natural_key)
    out = []
    for metric in sorted(run.metrics):
        summary = run.metrics[metric]
        stat = summary.primary
        values: dict[str, list[float]] = {s: [] for s in order}
        for system, v in zip(systems, run.scores(metric, stat)):
            if v == v:  # NaN: an unparsed judge answer has no value to plot
                values[system].append(v)
        shown = [s for s in order if values[s]]
        if not shown:
            continue
        name = _stem(prefix, metric, stat)
        with _rc(name):
            fig = _new(name, COLUMN if len(shown) <= 8 else PAGE, 2.6)
            ax = fig.add_subplot()
            plots.draw_boxes(ax, shown, [values[s] for s in shown])
            ax.set_title(f"{metric} {stat} by system", loc="left")  # the run is named in the metadata
            ax.set_ylabel(f"per-item {metric} {stat},\n{plots.unit_of(summary.facts)}")
            ax.set_xlabel("system" if key == "system" else f"system ({key})")
        out.append(PaperFigure(name, f"{metric} {stat} per system ({run.name})", summary.signature or run.run_key or "",
                               fig))
    return out


def build(values: Sequence[Any]) -> list[PaperFigure]:
    """Every figure the inputs give, in input order; a name met twice gets ``-2``, ``-3``, ..."""
    from bench.analysis.meta import MetaEvaluation
    from bench.analysis.systems import Leaderboard
    from bench.results.model import Run

    out: list[PaperFigure] = []
    for value in values:
        if isinstance(value, Leaderboard):
            out += systems(value)
        elif isinstance(value, MetaEvaluation):
            out += correlations(value)
        elif isinstance(value, Run):
            out += distributions(value)
    seen: dict[str, int] = {}
    for f in out:
        seen[f.name] = seen.get(f.name, 0) + 1
        if seen[f.name] > 1:
            f.name = f"{f.name}-{seen[f.name]}"
    return out


def encode(fig: PaperFigure) -> dict[str, bytes]:
    """The figure's bytes per format (``svg``, ``pdf``, ``png`` at 300 dpi), with its signature as metadata."""
    out = {}
    with _rc(fig.name):
        for fmt in FORMATS:
            buf = io.BytesIO()
            metadata: dict[str, Any]
            if fmt == "svg":
                metadata = {"Date": None, "Title": fig.title, "Description": fig.signature}
            elif fmt == "pdf":
                metadata = {"CreationDate": None, "Title": fig.title, "Subject": fig.signature,
                            "Keywords": "bench figure"}
            else:
                metadata = {"Title": fig.title, "Description": fig.signature}
            fig.figure.savefig(buf, format=fmt, dpi=DPI, metadata=metadata)
            data = buf.getvalue()
            if fmt == "svg":
                text = data.decode("utf-8")
                start = text.index("<svg")
                data = (text[:start] + plots.described(text[start:], fig.signature)).encode("utf-8")
            out[fmt] = data
    return out


def folder_problem(folder: str | Path) -> str | None:
    """Why figures cannot go in ``folder`` (it is a file, lies under one, or lies inside a stored run), or None."""
    from bench.paths import cache_problem

    path = Path(folder)
    resolved = path.resolve()
    for place in (resolved, *resolved.parents):
        if (place / "result.json").is_file() and (place / "samples.jsonl").is_file():
            return f"{folder} lies inside the stored run {place}"
    return cache_problem(path)


def folder_fix(problem: str) -> str:
    """What resolves a ``folder_problem``: a folder outside the runs, or one that can be written."""
    return "name a folder outside any run directory" if "stored run" in problem else "name a folder you can write to"


def check_folder(folder: str | Path) -> Path:
    """``folder`` if figures may go there, else a one-line BenchError (before any work is done)."""
    problem = folder_problem(folder)
    if problem is not None:
        raise BenchError(f"cannot put figures in {folder}: {problem}", folder_fix(problem))
    return Path(folder)


def plan(folder: str | Path, figures: Sequence[PaperFigure], force: bool, force_fix: str) -> list[Path]:
    """Every file the figures will be written to, each checked as ``bench.paths.output_target`` checks an
    output (an existing one only with ``force``; never a link, a folder or a file bench wrote of another kind)."""
    from bench.paths import output_target

    root = check_folder(folder)
    return [output_target(root / f"{f.name}.{fmt}", force, force_fix) for f in figures for fmt in FORMATS]


def encode_all(figures: Sequence[PaperFigure]) -> list[dict[str, bytes]]:
    """Every figure's bytes (``encode``), with a progress bar on stderr (a page of figures takes seconds)."""
    from bench.progress import stage

    out = []
    with stage("report: figures", len(figures), unit="figure") as bar:
        for f in figures:
            out.append(encode(f))
            bar.update(1)
    return out


def put(folder: str | Path, targets: Sequence[Path], encoded: Sequence[dict[str, bytes]]) -> list[Path]:
    """Put the encoded figures at their ``plan``ned targets (``folder`` created if absent): all of them or none.

    Every file is first written into a staging folder inside ``folder`` (where a full disk or an I/O error
    shows), then each is renamed onto its target (a rename within one folder: atomic, and no new space); the
    staging folder goes either way, and a folder this call created goes again if nothing was put in it."""
    import os
    import shutil
    import tempfile

    if not encoded:
        return []  # no figure: no folder either
    root = Path(folder)
    created = not root.exists()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bench-figures-", dir=root))
    except OSError as exc:
        raise BenchError(f"cannot create {folder}: {exc.strerror or exc}", "check the path") from None
    paths = list(targets)
    written: list[Path] = []
    try:
        staged = []
        k = 0
        for data in encoded:
            for fmt in FORMATS:
                part = staging / f"{k}.{fmt}"
                k += 1
                with open(part, "wb") as fh:
                    fh.write(data[fmt])
                    fh.flush()
                    os.fsync(fh.fileno())
                staged.append(part)
        for part, path in zip(staged, paths):
            os.replace(part, path)
            written.append(path)
    except OSError as exc:
        raise BenchError(f"cannot write the figures in {folder}: {exc.strerror or exc}",
                         "check the folder and free disk space") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not written:
            shutil.rmtree(root, ignore_errors=True)
    return written


def write(folder: str | Path, figures: Sequence[PaperFigure], force: bool = False, force_fix: str = "") -> list[Path]:
    """Write every figure in every format into ``folder`` (created if absent), atomically, after checking
    every target (``plan``) and drawing every figure; returns the paths written."""
    targets = plan(folder, figures, force, force_fix)
    return put(folder, targets, encode_all(figures))
