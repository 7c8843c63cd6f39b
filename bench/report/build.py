"""``bench report``'s core: read the inputs, assemble the report, write it atomically.

An input is a run directory (``result.json`` + ``samples.jsonl``), a stored
``bench systems`` or ``bench meta`` artefact (``analyses/<kind>-<hash>.json``)
or a ``bench check --format json`` result. Several runs are shown together;
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
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from bench.errors import BenchError

if TYPE_CHECKING:  # the model is imported lazily at run time, with matplotlib's sections
    from bench.report.model import Report

FORMATS = {"html": ".html", "markdown": ".md"}
KINDS = ("run", "systems", "meta", "check")
FIX = "pass run directories, analyses/systems-*.json or meta-*.json files, or `bench check --format json` output"


@dataclass(frozen=True)
class Input:
    """One input, read: its kind, the path as given, the data and what the record says of it."""
    kind: str
    path: str
    data: Any  # run: (record, samples); otherwise the JSON payload
    source: Mapping[str, Any]


# The row lists of each artefact kind (bench.stats.leaderboard, bench.analysis.meta) that a report reads.
ROWS = {"systems": ("sources", "systems", "pairs"), "meta": ("sources", "correlations")}
LISTS = {"systems": ("notes",), "meta": ("comparisons", "agreement", "notes")}  # lists when present


def _non_finite(name: str) -> float:
    # bench writes its artefacts with allow_nan=False (None for n/a): a NaN or Infinity was put there by hand
    raise ValueError(f"non-finite number {name}")


def _json_kind(data: Any) -> str | None:
    if not isinstance(data, dict):
        return None
    if data.get("kind") in ("systems", "meta") and data.get("schema_version") == 1:
        return data["kind"]
    if {"check_signature", "stats", "verdict", "baseline"} <= data.keys():  # check's JSON has no kind of its own
        return "check"
    return None


def read(path: str) -> Input:
    """Read one input and tell its kind; a one-line BenchError when it is none of them."""
    from bench.analysis.artefacts import source
    from bench.results import run_record

    p = Path(path)
    if p.is_dir():
        record, samples = run_record.plain(run_record.load(p))
        return Input("run", path, (record, samples), {"kind": "run", "path": path, **{
            k: v for k, v in source(p, record).items() if k != "run"}})
    if not p.is_file():
        raise BenchError(f"{path} does not exist", FIX)
    raw = p.read_bytes()
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_non_finite)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BenchError(f"{path} is not a run directory nor JSON ({exc})", FIX) from None
    kind = _json_kind(data)
    if kind is None:
        raise BenchError(f"{path} is not a systems, meta or check result", FIX)
    for key in ROWS.get(kind, ()):  # what the sections iterate over: a list of objects each
        rows = data.get(key)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BenchError(f"{path} is damaged: {key} is {type(rows).__name__}, not a list of objects",
                             f"make it again with `bench {kind}`; bench never repairs an artefact")
    for key in LISTS.get(kind, ()):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            raise BenchError(f"{path} is damaged: {key} is {type(data[key]).__name__}, not a list",
                             f"make it again with `bench {kind}`; bench never repairs an artefact")
    ident = {"kind": kind, "path": path, "sha256": "sha256:" + hashlib.sha256(raw).hexdigest(),
             "signature": data.get("signature") or data.get("check_signature")}
    if kind != "check":
        ident["runs"] = [s.get("run_key") for s in data.get("sources", ())]
    return Input(kind, path, data, ident)


def record(inputs: Sequence[Input]) -> dict[str, Any]:
    """The report's own record: what it was built from and by which renderer."""
    import matplotlib

    from bench import __version__

    return {"schema_version": 1, "kind": "report",
            "signature": f"report|bench:{__version__}|matplotlib:{matplotlib.__version__}",
            "sources": [dict(i.source) for i in inputs]}


def assemble(inputs: Sequence[Input]) -> "Report":
    """All inputs as one report: the runs together first, then each artefact in the order given."""
    from bench.report import sections
    from bench.report.model import Report

    from bench.progress import stage

    runs = [(i.path, *i.data) for i in inputs if i.kind == "run"]
    artefacts = [i for i in inputs if i.kind in ("systems", "meta", "check")]
    with stage("report: sections", (1 if runs else 0) + len(artefacts), unit="section") as bar:
        parts = sections.runs(runs) if runs else []
        bar.update(1 if runs else 0)
        for i in artefacts:
            name = Path(i.path).name
            if i.kind == "systems":
                parts.append(sections.systems(i.data, name))
            elif i.kind == "meta":
                parts.append(sections.meta(i.data, name))
            else:
                parts.append(sections.check(i.data, name))
            bar.update(1)
    kinds = list(dict.fromkeys(i.kind for i in inputs))
    experiments = list(dict.fromkeys(_experiment(i) for i in inputs if _experiment(i)))
    title = f"bench report: {', '.join(experiments) or 'results'} ({', '.join(kinds)})"
    return Report(title, tuple(parts), record(inputs))


def _experiment(i: Input) -> str | None:
    if i.kind == "run":
        return i.data[0].get("experiment")
    if i.kind == "check":
        return i.data.get("experiment")
    return next((s.get("experiment") for s in i.data.get("sources", ())), None)


def render(report: "Report", fmt: str) -> str:
    """The report's text in ``fmt`` (``html`` or ``markdown``)."""
    from bench.report import html, markdown

    return (html if fmt == "html" else markdown).render(report)


def default_folder(first: Input) -> Path:
    """``analyses/`` beside the first input: a run's experiment folder, or the artefact's own folder."""
    from bench.analysis.artefacts import ANALYSES, folder_for

    p = Path(first.path)
    if first.kind == "run":
        return folder_for(p)
    parent = p.resolve().parent
    return parent if parent.name == ANALYSES else parent / ANALYSES


def write(paths: Sequence[str], fmt: str = "html", output: str | None = None) -> tuple[Path | None, str]:
    """Build and write a report; returns (path written or None for stdout, text).

    ``output``: a file, ``-`` (stdout, nothing written) or None (the default
    ``analyses/report-<hash>`` beside the first input, with its JSON record).
    """
    from bench.analysis.artefacts import canonical
    from bench.results.store import write_text_atomic

    if fmt not in FORMATS:
        raise BenchError(f"unknown format {fmt!r}", f"use one of {', '.join(FORMATS)}")
    inputs = [read(p) for p in paths]
    report = assemble(inputs)
    text = render(report, fmt)
    if output == "-":
        return None, text
    if output:
        write_text_atomic(output, text)
        return Path(output), text
    rec = canonical(report.record)
    folder = default_folder(inputs[0])
    name = f"report-{hashlib.sha256(rec.encode()).hexdigest()[:12]}"
    path = folder / f"{name}{FORMATS[fmt]}"
    write_text_atomic(path, text)
    write_text_atomic(folder / f"{name}.json", rec)  # the record last: its presence means the report is complete
    return path, text
