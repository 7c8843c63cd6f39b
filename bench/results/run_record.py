"""The one way bench reads a stored run: ``result.json`` + ``samples.jsonl``, validated, as a typed ``Run``.

Stored files are untrusted input (a hand edit, a truncated copy, a disk fault),
so ``load`` checks everything a reader relies on before any reader sees it: the
schema version, the shape and type of every block (metrics, signatures,
higher_is_better, primary, intervals, groups, inputs, environment, volatile,
corpus), finite numbers, the SHA-256 of ``samples.jsonl`` that the store wrote
into ``result.json``, and every samples line (a JSON object with a unique id,
its texts' facts, and a finite score for every metric and stat of the record),
as many lines as ``inputs.items``. Damage is a ``DamagedRun``: one line, naming
the run and what is wrong.

A run stored before ``samples_sha256`` existed still loads (with one notice);
one stored before ``primary`` existed gets the old rule (F-measure, else F1,
else a metric's only stat), and one stored before ``facts`` existed gets the facts of its
time (``bench.results.model.legacy_facts``): the rules for old records live in the reader alone.
The checks themselves are in ``bench.results.validate``.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench import jsonio
from bench.errors import BenchError
from bench.results.model import Run, facts_of, frozen, thawed  # noqa: F401  (frozen/thawed: re-exported)
from bench.results.store import RESULT, SAMPLES, samples_sha256
from bench.results.validate import (FIX, READS, Damage, DamagedRun, parse_samples,  # noqa: F401
                                    validate_ids, validate_record, validate_run, validate_sample)
from bench.values import legacy_primary  # noqa: F401  (re-exported)

log = logging.getLogger("bench")
_noticed: set[str] = set()


def checked(record: Mapping[str, Any], samples: Sequence[Mapping[str, Any]], path: Path | None = None,
            hashed: bool = True) -> Run:
    """A validated ``Run`` of plain ``record`` and ``samples`` (deep copies: the caller keeps its data)."""
    validate_run(record, samples, path)
    return _validated(Run.of(thawed(record), [thawed(s) for s in samples], path, hashed=hashed))


def _validated(run: Run) -> Run:
    """``run``, known valid: its ``validated`` view is itself (an analysis does not check it a second time)."""
    run.__dict__["validated"] = run
    return run


def load(run_dir: str | Path) -> Run:
    """Read and validate a stored run; a ``BenchError`` (``DamagedRun`` for damage) if it is not one."""
    path = Path(run_dir)
    if path.name == RESULT and path.is_file():
        path = path.parent
    if not (path / RESULT).is_file():
        if (path / RESULT).exists():  # a directory (or other non-file) where the record belongs
            raise DamagedRun(path, f"{RESULT} is not a regular file")
        raise BenchError(f"{run_dir} is not a run (no {RESULT})", "pass a directory printed by `bench run`")
    try:
        data = jsonio.loads((path / RESULT).read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise DamagedRun(path, f"{RESULT} is corrupt or unreadable ({_reason(exc)})") from None
    try:
        validate_record(data)
    except Damage as exc:
        raise DamagedRun(path, f"{RESULT}: {exc}") from None
    try:
        raw = (path / SAMPLES).read_bytes()
    except OSError as exc:
        raise DamagedRun(path, f"{SAMPLES} is missing or unreadable ({_reason(exc)})") from None
    recorded = data.get("samples_sha256")
    if recorded is not None and samples_sha256(raw) != recorded:
        raise DamagedRun(path, f"{SAMPLES} does not match the SHA-256 recorded in {RESULT} (edited or cut short)")
    try:
        samples = parse_samples(raw, data)
    except Damage as exc:
        raise DamagedRun(path, str(exc)) from None
    if recorded is None:
        _notice(path)
    return _validated(Run.of(data, samples, path, hashed=recorded is not None))


def _reason(exc: Exception) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)


def _notice(path: Path) -> None:
    key = str(path.resolve())
    if key not in _noticed:  # once per run and process: a listing of old runs says it once each
        _noticed.add(key)
        log.warning("run %s was stored before samples were hashed: its samples are validated, not verified", path)


def plain(record: Run) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(record, samples) as plain dicts, for the pure functions that take them (merge, export, baselines)."""
    return record.record_dict(), record.samples_list()
