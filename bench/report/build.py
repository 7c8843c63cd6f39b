"""``bench report``'s core: read the inputs, assemble the report, write it atomically.

An input is a run directory (``result.json`` + ``samples.jsonl``), a stored
``bench systems`` or ``bench meta`` artefact (``analyses/<kind>-<hash>.json``)
or a ``bench check --format json`` result, each read into a typed object by
``bench.report.inputs`` (an analysis artefact through ``bench.analysis.stored``, into the analysis's
own ``Leaderboard`` or ``MetaEvaluation``). Several runs are shown together;
runs of one experiment that differ in one config key also get a sweep plot.

The default output lies beside the first input, in the same ``analyses/``
folder the other artefacts use (``bench.analysis.artefacts``), as
``report-<hash>.html`` (or ``.md``) with its record ``report-<hash>.json``:
which runs (run keys) and files (SHA-256) it was built from. The hash is the
record's, so the same inputs name the same file, and the rendering is
deterministic, so they also give the same bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from bench.errors import BenchError

if TYPE_CHECKING:  # the model is imported lazily at run time, with matplotlib's sections
    from bench.report.inputs import Input
    from bench.report.model import Report

FORMATS = {"html": ".html", "markdown": ".md"}


def read(path: str) -> "Input":
    """Read one input (a run directory, or a systems, meta or check JSON file) into its typed object; a
    one-line BenchError when it is none of them (``bench.report.inputs``)."""
    from bench.report import inputs

    return inputs.read(path)


def signature() -> str:
    """The renderer: bench's and matplotlib's versions (the same inputs give the same bytes with them)."""
    import matplotlib

    from bench.version import __version__

    return f"report|bench:{__version__}|matplotlib:{matplotlib.__version__}"


def assemble(items: Sequence["Input"], worst: int | None = None) -> "Report":
    """All inputs as one report: the runs together first, then each artefact in the order given; with
    ``worst`` (an int) and runs among the inputs, the item browser last, listing that many worst items per system."""
    from bench.progress import stage
    from bench.report import sections
    from bench.analysis.meta import MetaEvaluation
    from bench.analysis.systems import Leaderboard
    from bench.report.inputs import Check, experiment
    from bench.report.model import Report
    from bench.results.model import Run

    runs = [i.value for i in items if isinstance(i.value, Run)]
    artefacts = [i for i in items if not isinstance(i.value, Run)]
    with stage("report: sections", (1 if runs else 0) + len(artefacts), unit="section") as bar:
        parts = sections.runs(runs) if runs else []
        bar.update(1 if runs else 0)
        for i in artefacts:
            name = Path(i.path).name
            if isinstance(i.value, Leaderboard):
                parts.append(sections.systems(i.value, name))
            elif isinstance(i.value, MetaEvaluation):
                parts.append(sections.meta(i.value, name))
            elif isinstance(i.value, Check):
                parts.append(sections.check(i.value, name))
            bar.update(1)
    if runs and worst is not None:
        from bench.analysis import labels as run_labels
        from bench.report import browser

        names = list(run_labels.of(runs).short) if len(runs) > 1 else [r.name for r in runs]
        parts.append(browser.section(runs, names, worst))
    kinds = list(dict.fromkeys(i.kind for i in items))
    experiments = list(dict.fromkeys(e for e in map(experiment, items) if e))
    title = f"bench report: {', '.join(experiments) or 'results'} ({', '.join(kinds)})"
    # the browser's setting is part of what rendered the page, so a report with it names another file than one without
    sig = signature() + (f"|items:worst={worst}" if runs and worst is not None else "")
    return Report(title, tuple(parts), sig, tuple(i.source for i in items))


def render(report: "Report", fmt: str) -> str:
    """The report's text in ``fmt`` (``html`` or ``markdown``)."""
    from bench.report import html, markdown

    return (html if fmt == "html" else markdown).render(report)


def default_folder(first: "Input") -> Path:
    """``analyses/`` beside the first input: a run's experiment folder, or the artefact's own folder."""
    from bench.analysis.artefacts import ANALYSES, folder_for

    p = Path(first.path)
    if first.kind == "run":
        return folder_for(p)
    parent = p.resolve().parent
    return parent if parent.name == ANALYSES else parent / ANALYSES


def write(paths: Sequence[str], fmt: str = "html", output: str | None = None,
          worst: int | None = None) -> tuple[Path | None, str]:
    """Build and write a report; returns (path written or None for stdout, text).

    ``output``: a file, ``-`` (stdout, nothing written) or None (the default
    ``analyses/report-<hash>`` beside the first input, with its JSON record). ``worst``: an HTML report
    of runs gets the item browser, listing that many worst items per system (None: no browser; Markdown
    never has one).
    """
    path, text, _ = write_all(paths, fmt, output, worst=worst)
    return path, text


def write_all(paths: Sequence[str], fmt: str = "html", output: str | None = None, figures: str | None = None,
              force: bool = False, force_fix: str = "", worst: int | None = None) -> tuple[Path | None, str, list[Path]]:
    """``write``, and with ``figures`` (a folder) each paper figure as SVG, PDF and PNG there
    (``bench.report.figures``): every figure file is checked (an existing one replaced only with ``force``)
    before the report or any figure is written. Returns (report path or None, text, figure files written)."""
    if fmt not in FORMATS:
        raise BenchError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    if worst is not None and worst < 1:
        raise BenchError(f"worst={worst} lists no item", "use worst >= 1")
    if figures is not None:
        from bench.report import figures as paper

        paper.check_folder(figures)  # before reading anything
    inputs = [read(p) for p in paths]
    report = assemble(inputs, worst if fmt == "html" else None)
    text = render(report, fmt)
    if figures is None:
        return (*_put(report, text, inputs, fmt, output), [])
    drawn = paper.build([i.value for i in inputs])
    targets = paper.plan(figures, drawn, force, force_fix)  # every target checked before anything is written
    encoded = paper.encode_all(drawn)  # and every figure drawn
    written = paper.put(figures, targets, encoded)  # all figures or none, before the report
    path, text = _put(report, text, inputs, fmt, output)
    return path, text, written


def _put(report: "Report", text: str, inputs: Sequence["Input"], fmt: str,
         output: str | None) -> tuple[Path | None, str]:
    from bench.analysis.artefacts import canonical
    from bench.results.store import write_text_atomic

    if output == "-":
        return None, text
    if output:
        from bench.paths import output_target

        # never over a device, FIFO, link, folder or another bench file; replacing a plain file is the caller's call
        write_text_atomic(output_target(output, force=True, force_fix=""), text)
        return Path(output), text
    rec = canonical(report.record)
    folder = default_folder(inputs[0])
    name = f"report-{hashlib.sha256(rec.encode()).hexdigest()[:12]}"
    path = folder / f"{name}{FORMATS[fmt]}"
    write_text_atomic(path, text)
    write_text_atomic(folder / f"{name}.json", rec)  # the record last: its presence means the report is complete
    return path, text
