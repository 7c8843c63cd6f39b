"""The only module that writes results.

A run directory is built in a staging folder and moved into place with one
``rename``, so a crash never leaves a half-written run, and a fresh name is
chosen for every run, so no run overwrites another::

    results/<experiment>/<YYYYmmdd-HHMMSS>-<6 hex>/
        result.json     schema-versioned summary (see RESULT_SCHEMA in the README)
        samples.jsonl   one line per item: id, candidate, metadata, per-metric scores
        config.yaml     the resolved config
        .hydra/         Hydra's own record (overrides.yaml, hydra.yaml) when run through Hydra

Every key is sorted and floats are written with ``repr`` (shortest exact), so
two runs of the same config differ only inside the ``volatile`` block.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from pathlib import Path
from typing import Any, Mapping

from bench.errors import BenchError

SCHEMA_VERSION = 1
RESULT = "result.json"
SAMPLES = "samples.jsonl"


def dumps(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


def write_run(
    results_dir: str | Path,
    experiment: str,
    record: Mapping[str, Any],
    samples: list[Mapping[str, Any]],
    files: Mapping[str, str],
    run_id: str,
) -> Path:
    """Write a complete run atomically and return its directory."""
    root = Path(results_dir)
    staging = root / ".staging" / run_id
    try:
        _write(staging / RESULT, dumps(record))
        _write(staging / SAMPLES, "".join(json.dumps(s, sort_keys=True, ensure_ascii=False) + "\n" for s in samples))
        for rel, text in files.items():
            _write(staging / rel, text)
        final = root / experiment / run_id
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # rename() would silently replace an empty directory
            raise BenchError(f"run directory {final} already exists", "re-run; run ids are unique per run")
        os.rename(staging, final)
    except OSError as exc:
        raise BenchError(f"cannot write results under {root}: {exc.strerror}", "check results_dir and free disk space") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        try:
            (root / ".staging").rmdir()
        except OSError:
            pass
    return final


def _index_file(results_dir: str | Path, key: str) -> Path:
    return Path(results_dir) / ".index" / key.split(":", 1)[-1]


def index_run(results_dir: str | Path, key: str, run_dir: Path) -> None:
    """Remember which run a run key produced (see bench.run_cache)."""
    path = _index_file(results_dir, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    tmp.write_text(str(Path(run_dir).resolve().relative_to(Path(results_dir).resolve())), encoding="utf-8")
    os.replace(tmp, path)


def find_indexed(results_dir: str | Path, key: str) -> Path | None:
    """A stored run with this key, if it still exists and really has the key."""
    path = _index_file(results_dir, key)
    try:
        run_dir = Path(results_dir) / path.read_text(encoding="utf-8").strip()
        record = json.loads((run_dir / RESULT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("run_key") != key or not (run_dir / SAMPLES).is_file():
        return None
    return run_dir


def write_json_atomic(path: Path, obj: Any) -> None:
    """For single files (baselines): write beside, then rename over."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        _write(tmp, dumps(obj))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read_versioned(path: Path, fix: str) -> dict[str, Any]:
    """A JSON object with this bench's schema_version, or a one-line error ending in ``fix``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, OSError) as exc:
        raise BenchError(f"{path} is corrupt or unreadable ({exc})", fix) from None
    if not isinstance(data, dict) or "schema_version" not in data:
        raise BenchError(f"{path} has no schema_version: not written by bench", fix)
    if data["schema_version"] != SCHEMA_VERSION:
        raise BenchError(f"{path} has schema_version {data['schema_version']}, this bench reads {SCHEMA_VERSION}", fix)
    return data


def load_run(run_dir: str | Path) -> dict[str, Any]:
    """Read a run's result.json, with clear errors for things that are not runs."""
    path = Path(run_dir)
    result = path / RESULT if path.is_dir() else path
    if not result.is_file():
        raise BenchError(f"{run_dir} is not a run (no {RESULT})", "pass a directory printed by `bench run`")
    return read_versioned(result, "re-run the experiment with this bench to regenerate it")


def load_samples(run_dir: str | Path) -> list[dict[str, Any]]:
    path = Path(run_dir) / SAMPLES
    if not path.is_file():
        raise BenchError(f"{run_dir} has no {SAMPLES}", "pass a complete run directory")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]
