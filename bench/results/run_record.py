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

A listing reads less (``listed``): the record, checked as above, and the store's verified-samples index,
which vouches for the samples by hash, size and mtime; the samples are read, and checked in full, when
the listed run is used. ``load`` never consults the index.
"""

from __future__ import annotations

import logging
import os
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from bench import jsonio
from bench.errors import BenchError
from bench.results import store
from bench.results.model import Run, Unloaded, facts_of, frozen, thawed  # noqa: F401  (frozen/thawed: re-exported)
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
    """Read and validate a stored run; a ``BenchError`` (``DamagedRun`` for damage) if it is not one.

    Always in full: the record, and every byte of ``samples.jsonl`` hashed and parsed (the readers that
    use a run's samples never trust the verified-samples index; only a listing does, ``listed``)."""
    path = _run_path(run_dir)
    _, data = _record(path)
    samples, _, _ = _samples(path, data)
    return _whole(path, data, samples)


def listed(run_dir: str | Path, results_dir: str | Path) -> Run:
    """A stored run for a listing: its record read and validated, its samples verified once and then
    trusted, without being read, while the store's verified-samples index vouches for them
    (``bench.results.store.read_verified``).

    The index vouches when its entry names this exact record (SHA-256 of ``result.json``) and the
    ``samples.jsonl`` it verified (the record's ``samples_sha256``, and the file's size and mtime now).
    Otherwise the run is checked in full, as ``load`` checks it (the hash, then every line against the
    record), and on success the entry is (re)written, so a store written before the index, or a run copied
    or touched since, costs one full check and then none. The samples are read, and verified in full by
    ``load``'s checks, the first time anything uses them (``len`` excepted: the record's item count); a run
    that changed since is then a ``DamagedRun``."""
    path = _run_path(run_dir)
    raw, data = _record(path)
    record_sha = samples_sha256(raw)
    recorded = data.get("samples_sha256")
    entry = store.read_verified(results_dir, path)
    try:
        stat = (path / SAMPLES).stat()
    except OSError:
        stat = None  # missing or unreadable: the check below says which
    trusted = (entry is not None and stat is not None and entry["record_sha256"] == record_sha
               and entry["size"] == stat.st_size and entry["mtime_ns"] == stat.st_mtime_ns
               and (recorded is None or entry["samples_sha256"] == recorded))
    if not trusted:
        # load's full check (hash, then every line against the record), once; the lines are dropped after
        # it: a listing holds at most one run's samples at a time, and only while checking it
        _, digest, facts = _samples(path, data)
        if facts is not None:  # the file did not change while it was read: what was verified is what is there
            store.write_verified(results_dir, path, record_sha, digest, *facts)
    elif recorded is None:
        _notice(path)
    samples = Unloaded(partial(_samples_of_listed, path, record_sha), data["inputs"]["items"])
    return _validated(Run(data, samples, path, MappingProxyType({}), hashed=recorded is not None))


def _samples_of_listed(path: Path, record_sha: str) -> tuple[dict[str, Any], ...]:
    """The samples of a listed run, on first use: verified in full against the record that was listed."""
    raw, data = _record(path)
    if samples_sha256(raw) != record_sha:
        raise DamagedRun(path, f"{RESULT} changed since the run was listed (list the runs again)")
    return tuple(_samples(path, data)[0])


def _run_path(run_dir: str | Path) -> Path:
    path = Path(run_dir)
    if path.name == RESULT and path.is_file():
        path = path.parent
    if not (path / RESULT).is_file():
        if (path / RESULT).exists():  # a directory (or other non-file) where the record belongs
            raise DamagedRun(path, f"{RESULT} is not a regular file")
        raise BenchError(f"{run_dir} is not a run (no {RESULT})", "pass a directory printed by `bench run`")
    return path


def _record(path: Path) -> tuple[bytes, dict[str, Any]]:
    """``result.json``'s bytes and its validated content."""
    try:
        raw = (path / RESULT).read_bytes()
        data = jsonio.loads(raw)
    except (ValueError, OSError) as exc:
        raise DamagedRun(path, f"{RESULT} is corrupt or unreadable ({_reason(exc)})") from None
    try:
        validate_record(data)
    except Damage as exc:
        raise DamagedRun(path, f"{RESULT}: {exc}") from None
    return raw, data


def _samples(path: Path, data: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str, tuple[int, int] | None]:
    """The lines of ``samples.jsonl``, verified against the record's ``samples_sha256`` and parsed against
    the record; with their SHA-256 and the file's (size, mtime_ns), None when the file changed while read."""
    try:
        with open(path / SAMPLES, "rb") as f:
            before = os.fstat(f.fileno())
            raw = f.read()
            after = os.fstat(f.fileno())
    except OSError as exc:
        raise DamagedRun(path, f"{SAMPLES} is missing or unreadable ({_reason(exc)})") from None
    recorded = data.get("samples_sha256")
    digest = samples_sha256(raw)
    if recorded is not None and digest != recorded:
        raise DamagedRun(path, f"{SAMPLES} does not match the SHA-256 recorded in {RESULT} (edited or cut short)")
    try:
        samples = parse_samples(raw, data)
    except Damage as exc:
        raise DamagedRun(path, str(exc)) from None
    if recorded is None:
        _notice(path)
    facts = (after.st_size, after.st_mtime_ns)
    return samples, digest, facts if (before.st_size, before.st_mtime_ns) == facts and len(raw) == facts[0] else None


def _whole(path: Path, data: dict[str, Any], samples: list[dict[str, Any]]) -> Run:
    return _validated(Run.of(data, samples, path, hashed=data.get("samples_sha256") is not None))


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
