"""What ``bench report`` reads, as typed objects: a stored run, or a ``systems``, ``meta`` or ``check`` artefact.

A run directory is read by the run's own reader (``bench.results.run_record.load``) into a
``bench.results.model.Run``. An artefact is JSON in bench's envelope (``bench.results.envelope``:
``kind`` ``systems``, ``meta`` or ``check``). A ``systems`` or ``meta`` artefact is read by the
analysis's one reader of its artefacts (``bench.analysis.stored``) into the analysis's own result
(``bench.analysis.systems.Leaderboard``, ``bench.analysis.meta.MetaEvaluation``), so the report shows
exactly what ``bench systems`` and ``bench meta`` decided. A check is read here, by one generic parser
(``parse``) that checks every field it needs is present and of the right type, into the gate's own
types (``bench.gate.compare.StatCheck`` and ``SignatureDifference``), so the report shows exactly what
``bench check`` decided. Either way the sections never subscript a payload and a damaged file is one
line naming the file and the field, not a traceback. A ``compare`` artefact is refused in one line:
``bench compare`` prints its own tables.

A ``bench check --format json`` result written before check JSON had an envelope (and before rows named
their rule) is recognised by its keys and brought to today's shape by ``_from_old_check``: the only
place that knows that format.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

from bench.analysis.meta import MetaEvaluation
from bench.analysis.systems import Leaderboard
from bench import jsonio
from bench.errors import BenchError
from bench.gate.compare import MEAN, SignatureDifference, StatCheck, differences
from bench.report.model import Source
from bench.results.model import Run
from bench.signature import Signature
from bench.values import QUALITY

FIX = "pass run directories, analyses/systems-*.json or meta-*.json files, or `bench check --format json` output"
# the keys a ``bench check --format json`` result had before check JSON carried an envelope
OLD_CHECK_KEYS = frozenset({"check_signature", "stats", "verdict", "baseline"})


class Damaged(ValueError):
    """A field of an artefact is missing or of the wrong type (``where`` says which)."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where} {problem}")


# --- converters: JSON value -> typed value, or Damaged ---------------------------------------------------

Convert = Callable[[Any, str], Any]


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise Damaged(where, f"is {type(value).__name__}, not text")
    return value


def _number(value: Any, where: str) -> float:
    # bench writes artefacts with allow_nan=False and null for n/a; the JSON reader refuses NaN already
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Damaged(where, f"is {value!r}, not a finite number")
    return float(value)


def _mean(value: Any, where: str) -> float:
    """A mean: a finite number, or null where no item had a value (unparsed LLM-judge answers): NaN in memory."""
    return math.nan if value is None else _number(value, where)


def _integer(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Damaged(where, f"is {value!r}, not an integer")
    return value


def _flag(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise Damaged(where, f"is {value!r}, not true or false")
    return value


def _optional(convert: Convert) -> Convert:
    return lambda value, where: None if value is None else convert(value, where)


def _list(convert: Convert) -> Convert:
    def read(value: Any, where: str) -> tuple:
        if not isinstance(value, list):
            raise Damaged(where, f"is {type(value).__name__}, not a list")
        return tuple(convert(v, f"{where}[{i}]") for i, v in enumerate(value))
    return read


def _rows(cls: type) -> Convert:
    return _list(lambda value, where: parse(cls, value, where))


def _field(convert: Convert, default: Any = MISSING) -> Any:
    """A dataclass field read from the JSON key of the same name with ``convert``; without a default it is required."""
    return field(default=default, metadata={"convert": convert})


# Converters of the types another stage owns (the gate's), field by field. Every field listed is
# required: bench writes each of them, and a reader must not default a row's direction or whether it
# was gated.
FOREIGN: dict[type, Mapping[str, Convert]] = {}


def parse(cls: type, data: Any, where: str) -> Any:
    """``cls`` from the JSON object ``data``: each field from the key of its name, through the field's converter.

    Required fields (no default; for a type in ``FOREIGN``, every field it lists) must be present; keys
    the dataclass does not name are ignored (a newer writer may add some, and a value bench derives, such
    as a row's ``delta``, is derived again). ``Damaged`` names the first bad field by its path in the file.
    """
    if not isinstance(data, dict):
        raise Damaged(where, f"is {type(data).__name__}, not an object")
    foreign = FOREIGN.get(cls)
    values = {}
    for f in fields(cls):
        convert = foreign.get(f.name) if foreign is not None else f.metadata["convert"]
        if convert is None:
            continue  # a field of a foreign type that JSON does not carry: its own default
        if f.name in data:
            values[f.name] = convert(data[f.name], f"{where}.{f.name}")
        elif foreign is not None or (f.default is MISSING and f.default_factory is MISSING):
            raise Damaged(where, f"has no {f.name}")
    return cls(**values)


# --- the check (systems and meta artefacts are read by bench.analysis.stored) ---------------------------

FOREIGN[StatCheck] = {
    "metric": _text, "stat": _text, "baseline": _mean, "run": _mean, "verdict": _text, "rule": _text,
    "reason": _text, "p_value": _optional(_number), "test": _text, "band": _number, "higher_is_better": _flag,
    "kind": _text, "gated": _flag, "level": _text, "n_items": _integer,
}
FOREIGN[SignatureDifference] = {"component": _text, "change": _text, "metrics": _list(_text), "allowed": _flag}


@dataclass(frozen=True)
class Check:
    """A ``bench check --format json`` result (``bench.gate.render.as_dict``): the verdict, each stat's row
    with the rule that decided it, each signature difference once and what resolves the blocking ones."""
    experiment: str = _field(_text)
    baseline: str = _field(_text)
    verdict: str = _field(_text)
    exit_code: int = _field(_integer)
    check_signature: str = _field(_text)
    stats: tuple[StatCheck, ...] = _field(_rows(StatCheck))
    run: str = _field(_text, "")  # the run checked (absent before check JSON had an envelope)
    same_candidates: bool | None = _field(_optional(_flag), None)  # None: not recorded (old check JSON)
    problems: tuple[str, ...] = _field(_list(_text), ())
    notes: tuple[str, ...] = _field(_list(_text), ())
    signature_differences: tuple[SignatureDifference, ...] = _field(_rows(SignatureDifference), ())
    resolution: str | None = _field(_optional(_text), None)  # what resolves the blocking differences

    @property
    def gated(self) -> tuple[StatCheck, ...]:
        return tuple(s for s in self.stats if s.gated)

    @property
    def information(self) -> tuple[StatCheck, ...]:
        """Descriptive rows: reported, never gated."""
        return tuple(s for s in self.stats if not s.gated)


OLD_SIGNATURE_PROBLEM = "signature differs: "  # how old check JSON listed a blocking difference among its problems


def _from_old_check(data: dict[str, Any]) -> dict[str, Any]:
    """Check JSON from before the envelope, in today's shape. Its rows had ``allowed_drop`` (today's
    ``band``), no rule or reason, and were all gated quality means (the old gate gated every stat);
    its ``signature_changes`` (metric -> ``key: old -> new`` lines, allowed or not) become one difference
    per component and change, allowed when the check signature's ``allow`` component lists it, and the
    problems that repeated the blocking ones are dropped (each difference is listed once)."""
    out = dict(data)
    rows = data.get("stats")
    if isinstance(rows, list):
        old = {"rule": "", "reason": "", "gated": True, "kind": QUALITY, "level": MEAN, "n_items": 0}
        out["stats"] = [{**old, "band": row.get("allowed_drop"), **row} if isinstance(row, dict) and "allowed_drop" in row
                        else {**old, **row} if isinstance(row, dict) else row for row in rows]
    changes = data.get("signature_changes")
    if isinstance(changes, dict) and all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in changes.values()):
        signature = data.get("check_signature")
        allowed = Signature.parse(signature).as_dict().get("allow", "") if isinstance(signature, str) else ""
        out["signature_differences"] = [
            {"component": d.component, "change": d.change, "metrics": list(d.metrics), "allowed": d.allowed}
            for d in differences(changes, tuple(a for a in allowed.split(",") if a))]
        problems = data.get("problems")
        if isinstance(problems, list):
            out["problems"] = [p for p in problems if not (isinstance(p, str) and p.startswith(OLD_SIGNATURE_PROBLEM))]
    elif changes is not None:
        raise Damaged("check.signature_changes", f"is {changes!r}, not an object of lists of text")
    return out


SHOWN = ("systems", "meta", "check")  # the artefact kinds a report shows
NOT_SHOWN = ("compare",)  # analysis artefacts it refuses: a comparison of runs is read with `bench compare`
Artefact = Leaderboard | MetaEvaluation | Check


@dataclass(frozen=True)
class Input:
    """One input, read: a ``Run`` or an artefact, and what the report's record says of it."""
    value: Run | Artefact
    source: Source

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def path(self) -> str:
        return self.source.path


def artefact_kind(data: Any) -> str | None:
    """``systems``, ``meta`` or ``check`` for JSON the report shows, else None (checked on read)."""
    from bench.results.envelope import kind_of

    kind = kind_of(data)
    if kind is None and isinstance(data, dict) and OLD_CHECK_KEYS <= data.keys():
        return "check"  # check JSON written before it had an envelope
    return kind if kind in SHOWN else None


def _check(path: str, data: Any) -> Check:
    """Check JSON (today's, or from before the envelope) as a ``Check``; a one-line BenchError when damaged."""
    from bench.results import envelope

    enveloped = envelope.kind_of(data) == "check"
    if enveloped:  # a version this bench reads
        envelope.check(data, "check", path, "make it again with this bench's `bench check`")
    try:
        return parse(Check, data if enveloped else _from_old_check(data), "check")
    except Damaged as exc:
        raise BenchError(f"{path} is damaged: {exc}", "make it again with `bench check`; bench never repairs "
                         "an artefact") from None


def read_artefact(path: str, raw: bytes) -> Input:
    """An artefact file's bytes as its typed object; a one-line BenchError when it is none the report shows."""
    from bench.analysis import stored
    from bench.results import envelope

    try:
        data = jsonio.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BenchError(f"{path} is not a run directory nor JSON ({exc})", FIX) from None
    kind = artefact_kind(data)
    if kind is None:
        got = envelope.kind_of(data)
        shown_by = f" (`bench {got}` shows its own tables)" if got in NOT_SHOWN else ""
        raise BenchError(f"{path} is a {got} file, which bench report does not show{shown_by}" if got
                         else f"{path} is not a systems, meta or check result", FIX)
    sha256 = "sha256:" + hashlib.sha256(raw).hexdigest()
    if kind == "check":
        value = _check(path, data)
        return Input(value, Source(kind, path, sha256=sha256, signature=value.check_signature))
    value = stored.parse(data, path, kind)  # the analysis's own reader: its envelope and every field checked
    return Input(value, Source(kind, path, sha256=sha256, signature=value.signature,
                               runs=tuple(s.run_key for s in value.sources)))


def read(path: str) -> Input:
    """Read one input and tell its kind; a one-line BenchError when it is none of them."""
    from bench.results import run_record

    p = Path(path)
    if p.is_dir():
        return of_run(run_record.load(p), path)
    if not p.is_file():
        raise BenchError(f"{path} does not exist", FIX)
    return read_artefact(path, p.read_bytes())


def of_run(run: Run, path: str | None = None) -> Input:
    """A run as an input (``path``: as the user gave it; default the run's own directory)."""
    where = path if path is not None else str(run.path) if run.path is not None else run.name
    return Input(run, Source("run", where, run.experiment, run.run_id, run.run_key, run.inputs.fingerprint))


def experiment(i: Input) -> str | None:
    """The experiment an input belongs to (an analysis: that of its first run)."""
    if isinstance(i.value, (Run, Check)):
        return i.value.experiment
    return next((s.experiment for s in i.value.sources), None)
