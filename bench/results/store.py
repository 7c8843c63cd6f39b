"""The only module that writes results.

A run directory is built in a staging folder and moved into place with one
``rename``, so a crash never leaves a half-written run, and a fresh name is
chosen for every run, so no run overwrites another::

    results/<experiment>/<YYYYmmdd-HHMMSS>-<6 hex>/
        result.json     schema-versioned summary (see RESULT_SCHEMA in the README)
        samples.jsonl   one line per item: id, candidate, metadata, per-metric scores
        config.yaml     the resolved config
        .hydra/         Hydra's own record (overrides.yaml, hydra.yaml) when run through Hydra
    results/.index/<run key hex>                  which run a run key produced (the result cache)
    results/.verified/<experiment>/<run id>.json  its samples' hash, size and mtime, for listings (below)

Every key is sorted and floats are written with ``repr`` (shortest exact), so
two runs of the same config differ only inside the ``volatile`` block.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from bench import faults, interrupts, jsonio
from bench.atomic import write_atomic, write_file
from bench.errors import BenchError
from bench.paths import inside, safe_component

log = logging.getLogger("bench")

SCHEMA_VERSION = 1  # result.json's (bench.results.envelope.WRITES["run"])
RESULT = "result.json"
SAMPLES = "samples.jsonl"


def dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, indented, shortest exact floats, no NaN."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _make_parent(path: Path) -> None:
    for attempt in range(5):  # a concurrent run may remove an empty .staging between our two mkdirs
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            return
        except FileNotFoundError:
            if attempt == 4:
                raise


def _sample_lines(samples: Iterable[Mapping[str, Any]], digest: Any, batch: int = 1024) -> Iterator[bytes]:
    """``samples.jsonl``'s bytes, ``batch`` lines at a time, each added to ``digest`` as it is yielded."""
    lines: list[str] = []
    # json.dumps(sample, sort_keys=True, ensure_ascii=False, allow_nan=False), its encoder made once
    encode = json.JSONEncoder(sort_keys=True, ensure_ascii=False, allow_nan=False).encode
    for sample in samples:
        lines.append(encode(sample) + "\n")
        if len(lines) == batch:
            data = "".join(lines).encode("utf-8")
            digest.update(data)
            yield data
            lines = []
    data = "".join(lines).encode("utf-8")
    digest.update(data)
    yield data


sample_lines = _sample_lines  # what a streamed run's spool writes (bench.results.spool): the same bytes


def _write(path: Path, text: str | Iterable[bytes]) -> None:
    """One file of a run in its staging folder (published whole by the folder's rename), fsynced."""
    faults.point("write_file")
    _make_parent(path)
    write_file(path, text)


def samples_sha256(raw: bytes) -> str:
    """The ``samples_sha256`` a record holds of its ``samples.jsonl`` bytes."""
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def new_run_id() -> str:
    """``YYYYmmdd-HHMMSS-<6 hex>``: unique per run."""
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


# Runs this process has published, so an interrupt can say truthfully whether one was written.
published: list[Path] = []
STAGING = ".staging"


def _staging_name(run_id: str) -> str:
    # host and pid let a later run remove what a killed one left (SIGKILL runs no cleanup)
    return f"{run_id}.{socket.gethostname()}.{os.getpid()}"


from bench.paths import process_alive as _alive  # noqa: E402  (shared with the streamed runs' scratch reaping)


def reap_staging(root: Path) -> list[Path]:
    """Remove staging folders of dead processes on this host (a SIGKILL mid-write leaves one)."""
    removed = []
    host = socket.gethostname()
    try:
        entries = list((root / STAGING).iterdir())
    except OSError:
        return removed
    for entry in entries:
        run_id, _, rest = entry.name.partition(".")
        entry_host, _, pid = rest.rpartition(".")
        if entry_host == host and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


def write_run(
    results_dir: str | Path,
    experiment: str,
    record: Mapping[str, Any],
    samples: Iterable[Mapping[str, Any]],
    files: Mapping[str, str],
    run_id: str,
    key: str | None = None,
) -> Path:
    """Write a complete run atomically, index it under ``key`` (if given), and return its directory.

    Nothing is visible under ``results_dir/<experiment>/`` until the one ``rename``
    that publishes the complete run; SIGINT/SIGTERM are held over that rename and
    the index entry, so an interrupt leaves either no run or a complete, indexed one.
    """
    safe_component(experiment, "experiment name", "set name=<letters, digits, ._->")
    safe_component(run_id, "run id", "run ids come from bench; do not edit them")
    root = Path(results_dir)
    for rel in files:
        if Path(rel).is_absolute() or ".." in Path(rel).parts:
            raise ValueError(f"run file {rel!r} would land outside the run directory")
    staging = root / STAGING / _staging_name(run_id)
    final = root / experiment / run_id
    try:
        reap_staging(root)
        # samples first, streamed and hashed as they are written (no copy of the whole file in memory); then
        # the record, which names the exact bytes of its samples: a reader refuses a samples file that differs
        digest = hashlib.sha256()
        raw = getattr(samples, "raw_blocks", None)  # a streamed run's samples, written as it scored: copied
        _write(staging / SAMPLES, raw(digest) if raw is not None else _sample_lines(samples, digest))
        _write(staging / RESULT, dumps({**record, "samples_sha256": "sha256:" + digest.hexdigest()}))
        for rel, text in files.items():
            _write(staging / rel, text)
        final.parent.mkdir(parents=True, exist_ok=True)
        if not inside(root, final):
            raise BenchError(f"run directory {final} would lie outside {root}", "use a plain experiment name")
        if final.exists():  # rename() would silently replace an empty directory
            raise BenchError(f"run directory {final} already exists", "re-run; run ids are unique per run")
        faults.point("write")
        with interrupts.critical():
            os.rename(staging, final)
            published.append(final)
            faults.point("publish")
            if key is not None:
                _index_published(root, key, final)
        record_published(root, final)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BenchError(f"cannot write results under {root}: {reason}", "check results_dir and free disk space") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            (root / STAGING).rmdir()
        except OSError:
            pass
    return final


_KEY = re.compile(r"sha256:[0-9a-f]{64}")


def _index_file(results_dir: str | Path, key: str) -> Path:
    if not isinstance(key, str) or not _KEY.fullmatch(key):  # a key becomes a file name: never a path
        raise ValueError(f"not a run key: {key!r}")
    return Path(results_dir) / ".index" / key.split(":", 1)[-1]


def _index_published(root: Path, key: str, run_dir: Path) -> None:
    """Index a run that is already published: a failure here loses only the result cache's shortcut."""
    try:
        index_run(root, key, run_dir)
    except (OSError, ValueError) as exc:
        log.warning("run %s was written but not indexed (%s): an identical run will be computed again", run_dir, exc)


def index_run(results_dir: str | Path, key: str, run_dir: Path) -> None:
    """Remember which run a run key produced (see bench.results.run_cache); last writer wins, atomically."""
    path = _index_file(results_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, str(Path(run_dir).resolve().relative_to(Path(results_dir).resolve())), fsync=False)


def find_indexed(results_dir: str | Path, key: str) -> Path | None:
    """The directory of a stored run with this key, if it still exists and its record names the key
    (unvalidated: ``bench.results.run_cache.find`` is the lookup that validates)."""
    try:
        path = _index_file(results_dir, key)
        run_dir = Path(results_dir) / path.read_text(encoding="utf-8").strip()
        if not inside(Path(results_dir), run_dir):  # a hand-edited index entry
            return None
        record = jsonio.loads((run_dir / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("run_key") != key or not (run_dir / SAMPLES).is_file():
        return None
    return run_dir  # not validated here: bench.results.run_cache.find reads it through the validated reader


# --- the verified-samples index: what lets a listing trust a run's samples without reading them ---------
#
#     results/.verified/<experiment>/<run id>.json
#         {"kind": "samples-verified", "version": 1, "record_sha256": "sha256:<of result.json's bytes>",
#          "samples_sha256": "sha256:<of samples.jsonl's bytes>", "size": <bytes>, "mtime_ns": <st_mtime_ns>}
#
# One file per run (written atomically, last writer wins: every writer writes the same facts), so
# concurrent writers and listings never lose each other's entries. An entry says: these samples bytes
# were verified against this exact record (written by the writer that published them, or checked in
# full by a listing, bench.results.run_record.listed). It is trusted only while result.json hashes to record_sha256 and
# samples.jsonl has this size and mtime; it is untrusted input (a hand edit, a copy from elsewhere), so
# any entry that is not exactly this shape is ignored and the run is checked in full again.

VERIFIED = ".verified"
_VERIFIED_KIND = "samples-verified"
_SHA = re.compile(r"sha256:[0-9a-f]{64}")


def verified_file(results_dir: str | Path, run_dir: str | Path) -> Path | None:
    """Where the index keeps a run's verified-samples entry: None for a folder that is not
    ``<results_dir>/<experiment>/<run id>`` (its names come from the folders themselves, never from a record)."""
    root, run = Path(results_dir), Path(run_dir)
    if run.parent.parent != root or run.parent.name.startswith(".") or run.name.startswith("."):
        return None
    return root / VERIFIED / run.parent.name / f"{run.name}.json"


def write_verified(results_dir: str | Path, run_dir: str | Path, record_sha256: str, samples_sha256: str,
                   size: int, mtime_ns: int) -> None:
    """Record that ``run_dir``'s samples (this hash, size and mtime) were verified against its record (this
    hash). Never fatal: without the entry a listing checks the run in full (a read-only store, a full disk)."""
    path = verified_file(results_dir, run_dir)
    if path is None:
        return
    entry = {"kind": _VERIFIED_KIND, "version": 1, "record_sha256": record_sha256,
             "samples_sha256": samples_sha256, "size": size, "mtime_ns": mtime_ns}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(entry, sort_keys=True) + "\n", fsync=False)
    except OSError as exc:
        log.debug("could not record the verified samples of %s (%s): the next listing checks it in full", run_dir, exc)


def read_verified(results_dir: str | Path, run_dir: str | Path) -> dict[str, Any] | None:
    """A run's verified-samples entry if it is exactly the shape ``write_verified`` writes, else None."""
    path = verified_file(results_dir, run_dir)
    if path is None:
        return None
    try:
        entry = jsonio.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(entry, dict) and entry.get("kind") == _VERIFIED_KIND and entry.get("version") == 1
            and all(isinstance(entry.get(k), str) and _SHA.fullmatch(entry[k]) for k in ("record_sha256", "samples_sha256"))
            and all(type(entry.get(k)) is int and entry[k] >= 0 for k in ("size", "mtime_ns"))):
        return None
    return entry


def record_published(root: Path, run_dir: Path) -> None:
    """The writer's entry for a run it has just published: the samples it wrote are the ones its record
    hashes (``samples_sha256``), so nothing is read again but the small record. Never fatal."""
    try:
        raw = (run_dir / RESULT).read_bytes()
        recorded = jsonio.loads(raw.decode("utf-8")).get("samples_sha256")
        stat = (run_dir / SAMPLES).stat()
    except (OSError, ValueError, AttributeError) as exc:
        log.debug("could not record the verified samples of %s (%s)", run_dir, exc)
        return
    if isinstance(recorded, str):
        write_verified(root, run_dir, samples_sha256(raw), recorded, stat.st_size, stat.st_mtime_ns)


def write_json_atomic(path: Path, obj: Any) -> None:
    """For single files (baselines): write beside, then rename over."""
    write_text_atomic(path, dumps(obj))


def write_text_atomic(path: str | Path, text: str) -> None:
    """Any single file bench writes (baselines, reports): written beside, fsynced, renamed over; never half."""
    path = Path(path)
    try:
        faults.point("write_file")
        _make_parent(path)
        write_atomic(path, text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise BenchError(f"cannot write {path}: {exc.strerror or exc}", "check the path and free disk space") from None


def read_versioned(path: Path, fix: str) -> dict[str, Any]:
    """A JSON object with this bench's schema_version, or a one-line error ending in ``fix``."""
    try:
        data = jsonio.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise BenchError(f"{path} is corrupt or unreadable ({exc})", fix) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise BenchError(f"{path} has no schema_version: not written by bench", fix)
    if data["schema_version"] != SCHEMA_VERSION:
        raise BenchError(f"{path} has schema_version {data['schema_version']}, this bench reads {SCHEMA_VERSION}", fix)
    return data
