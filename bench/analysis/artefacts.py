"""Analysis artefacts: JSON (the contract for scripts) and Markdown, stored beside the runs.

An artefact lives in ``<results_dir>/<experiment>/analyses/`` next to the run
directories it was computed from, named by kind and a hash of its content, so
the same analysis of the same runs writes the same file (no clock, no run id
of its own). Each file is put in place atomically; the runs are only read.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Mapping

ANALYSES = "analyses"


def source(run_dir: Path, record: Mapping[str, Any]) -> dict[str, Any]:
    """What an artefact says of one run it read: where, which experiment and run, its fingerprints."""
    return {
        "run": str(run_dir),
        "experiment": record.get("experiment"),
        "run_id": (record.get("volatile") or {}).get("run_id", run_dir.name),
        "run_key": record.get("run_key"),
        "inputs_fingerprint": record.get("inputs", {}).get("fingerprint"),
    }


def folder_for(run_dir: Path) -> Path:
    """``<results_dir>/<experiment>/analyses`` for a run at ``<results_dir>/<experiment>/<run id>``."""
    return run_dir.resolve().parent / ANALYSES


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
