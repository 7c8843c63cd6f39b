"""Analysis artefacts: JSON (the contract for scripts) and Markdown, stored beside the runs; and their one reader.

An artefact lives in ``<results_dir>/<experiment>/analyses/`` next to the run
directories it was computed from, named by kind and a hash of its content, so
the same analysis of the same runs writes the same file (no clock, no run id
of its own). Each file is put in place atomically; the runs are only read.

Every artefact is a frozen dataclass (``systems.Leaderboard``, ``meta.MetaEvaluation``,
``compare.Comparison``) whose JSON form is its fields, in bench's envelope
(``bench.results.envelope``: ``kind`` and ``schema_version``). ``plain`` writes that form;
``read`` (a file) and ``parse`` (loaded JSON) build the dataclass back from it, field by field,
from the dataclass's own annotations: the JSON keys are the field names, so no reader
spells a key, and a missing or mistyped field is a one-line error naming it.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import json
import math
import types
import typing
from pathlib import Path
from typing import Any, Mapping

from bench import jsonio
from bench.errors import BenchError
from bench.results import envelope
from bench.values import Interval

ANALYSES = "analyses"


@dataclasses.dataclass(frozen=True)
class Source:
    """What an artefact says of one run it read: where, which experiment and run, its run key and inputs."""

    run: str
    experiment: str
    run_id: str | None
    run_key: str | None
    inputs_fingerprint: str

    @classmethod
    def of(cls, run: Any, where: str | Path | None = None) -> "Source":
        """The source entry of a ``Run`` (``where``: its directory, or a name for an unsaved run)."""
        place = where if where is not None else run.path
        return cls(str(place), run.experiment, run.run_id or (Path(run.path).name if run.path is not None else None),
                   run.run_key, run.inputs.fingerprint)


def where(runs: Any) -> list[Path]:
    """Each run's directory, or ``<unsaved run k>`` for a run not saved (how messages and sources name it)."""
    return [r.path if r.path is not None else Path(f"<unsaved run {k + 1}>") for k, r in enumerate(runs)]


def folder_for(run_dir: Path) -> Path:
    """``<results_dir>/<experiment>/analyses`` for a run at ``<results_dir>/<experiment>/<run id>``."""
    return run_dir.resolve().parent / ANALYSES


def plain(kind: str, artefact: Any) -> dict[str, Any]:
    """The JSON form of an artefact dataclass in the envelope of ``kind``: its fields as plain data
    (an ``Interval`` as ``[lo, hi]``, tuples as lists)."""
    return envelope.wrap(kind, _plain(artefact))


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Interval):
        return [float(obj.lo), float(obj.hi)]
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if isinstance(obj, bool) or obj is None or isinstance(obj, (str, int)):
        return obj
    if isinstance(obj, float) or hasattr(obj, "__float__"):  # numpy scalars too
        return float(obj)
    raise TypeError(f"{type(obj).__name__} is not artefact data")


def canonical(obj: Any) -> str:
    """The artefact's JSON text: sorted keys, no NaN, one trailing newline."""
    return json.dumps(obj, sort_keys=True, indent=1, allow_nan=False) + "\n"


def store(folder: Path, kind: str, payload: Mapping[str, Any], markdown: str) -> Path:
    """Write ``<kind>-<hash>.json`` and ``.md`` atomically into ``folder``; returns the JSON path."""
    from bench.results.store import write_text_atomic

    text = canonical(payload)
    name = f"{kind}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    path = folder / f"{name}.json"
    write_text_atomic(folder / f"{name}.md", markdown)
    write_text_atomic(path, text)  # the JSON last: its presence means the pair is complete
    return path


# --- the codec: JSON back into the artefact dataclasses (``bench.analysis.stored`` names the kinds) -----------


def decode(cls: type, data: Any, where: str, kind: str) -> Any:
    """Loaded JSON ``data`` as an artefact dataclass ``cls`` of ``kind``: its envelope checked
    (``bench.results.envelope``), then every field built from ``cls``'s annotations; a one-line
    ``BenchError`` naming ``where`` and the first bad field."""
    fix = f"make it again with `bench {kind}`; bench never repairs an artefact"
    body = envelope.check(data, kind, where, fix)
    return _build(cls, {k: v for k, v in body.items() if k not in ("kind", "schema_version")}, where, fix, kind)


def load_json(path: str | Path) -> Any:
    """A JSON file bench wrote (no NaN or Infinity), or a one-line ``BenchError``."""
    p = Path(path)
    try:
        return jsonio.loads(p.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise BenchError(f"{p} does not exist", "pass a stored analyses/<kind>-<hash>.json") from None
    except IsADirectoryError:
        raise BenchError(f"{p} is a directory, not an artefact", "pass a stored analyses/<kind>-<hash>.json") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BenchError(f"{p} is not JSON ({exc})", "pass a stored analyses/<kind>-<hash>.json") from None


class _Damaged(Exception):
    def __init__(self, field: str, problem: str):
        super().__init__(field, problem)
        self.field, self.problem = field, problem


def _build(cls: type, data: Any, where: str, fix: str, name: str) -> Any:
    try:
        return _value(cls, data, name)
    except _Damaged as exc:
        raise BenchError(f"{where} is damaged: {exc.field} {exc.problem}", fix) from None


def _dataclass(cls: type, data: Any, name: str) -> Any:
    if not isinstance(data, dict):
        raise _Damaged(name, f"is {type(data).__name__}, not an object")
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name in data:
            values[f.name] = _value(hints[f.name], data[f.name], f"{name}.{f.name}")
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _Damaged(f"{name}.{f.name}", "is missing")
    unknown = sorted(set(data) - {f.name for f in dataclasses.fields(cls)})
    if unknown:
        raise _Damaged(f"{name}.{unknown[0]}", "is not a field of it")
    return cls(**values)


def _value(tp: Any, data: Any, name: str) -> Any:
    """``data`` as the annotated type ``tp`` (dataclasses, tuples, mappings, Interval, optionals, scalars)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _value(inner, data, name)
    if tp is Interval:
        if not (isinstance(data, list) and len(data) == 2 and all(_number(x) for x in data)):
            raise _Damaged(name, "is not an interval [lo, hi]")
        return Interval(float(data[0]), float(data[1]))
    if dataclasses.is_dataclass(tp):
        return _dataclass(tp, data, name)
    if origin is tuple:
        if not isinstance(data, list):
            raise _Damaged(name, f"is {type(data).__name__}, not a list")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_value(args[0], v, f"{name}[{k}]") for k, v in enumerate(data))
        if len(data) != len(args):
            raise _Damaged(name, f"has {len(data)} entries, not {len(args)}")
        return tuple(_value(a, v, f"{name}[{k}]") for k, (a, v) in enumerate(zip(args, data)))
    if origin in (dict, collections.abc.Mapping) or tp in (dict, Mapping):
        if not isinstance(data, dict):
            raise _Damaged(name, f"is {type(data).__name__}, not an object")
        value_type = args[1] if args else Any
        return types.MappingProxyType({k: _value(value_type, v, f"{name}.{k}") for k, v in data.items()})
    if tp is float:
        if not _number(data):
            raise _Damaged(name, f"is {json.dumps(data)[:40]}, not a number")
        return float(data)
    if tp is bool:
        if not isinstance(data, bool):
            raise _Damaged(name, f"is {json.dumps(data)[:40]}, not true or false")
        return data
    if tp in (int, str):
        if isinstance(data, bool) or not isinstance(data, tp):
            raise _Damaged(name, f"is {json.dumps(data)[:40]}, not {'an integer' if tp is int else 'text'}")
        return data
    raise TypeError(f"no reader for {tp!r}")


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)
