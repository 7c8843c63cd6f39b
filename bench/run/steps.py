"""The steps of a run, shared by ``bench run`` and the library: ``prepare`` -> ``compute`` -> ``save``.

``prepare`` parses and validates a plain config, builds its metrics, loads its inputs and makes its
run key; ``compute`` scores a prepared run into an unsaved ``Run`` (never from the store);
``run_or_reuse`` answers from the store when a run with the same key is there (what ``bench run``
does); ``save`` stores a run. bench's own modules are imported inside the functions for laziness:
``import bench`` should not pay for numpy, Hydra or torch.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from bench.errors import InputError
from bench.results.model import Run, thawed


@dataclass(frozen=True)
class Prepared:
    """A run ready to score: its plain config, parsed config, built metrics, inputs and run key."""

    plain: Mapping[str, Any]
    config: Any
    built: Mapping[str, Any]
    inputs: Any
    key: str
    load_s: float


def prepare(plain: Mapping[str, Any], inputs: Any = None) -> Prepared:
    """Parse and validate ``plain``, build its metrics, load (or take) its inputs, and make its run key."""
    from bench import pipeline
    from bench.results import run_cache
    from bench.config import parse

    config = parse(plain)
    built = pipeline.build_metrics(config)  # cheap (models load on first use); bad options fail before loading data
    t0 = time.perf_counter()
    inputs = inputs if inputs is not None else pipeline.prepare_inputs(config)
    load_s = time.perf_counter() - t0
    key = run_cache.run_key(plain, config, pipeline.input_fingerprints(inputs), pipeline.declare(config, built, inputs))
    return Prepared(plain, config, built, inputs, key, load_s)


def compute(prep: Prepared, files: Mapping[str, str] | None = None) -> Run:
    """Score a prepared run (never from the store) into an unsaved ``Run``."""
    from dataclasses import replace

    from bench import pipeline
    from bench.results import record

    from bench.data.stream import StoredItems
    from bench.results.spool import SampleSpool

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    # a corpus kept on disk is scored in chunks, each chunk's samples written as it is scored
    spool = SampleSpool() if isinstance(prep.inputs.items, StoredItems) else None
    try:
        result = pipeline.run(prep.config, metrics=prep.built, inputs=prep.inputs,
                              on_chunk=None if spool is None else spool.add)
    except BaseException:
        if spool is not None:
            spool.discard()
        raise
    samples = record.build_samples(result)
    if spool is not None:
        if result.chunked:
            samples = spool.close()
        else:  # a family needed the whole corpus: its samples are built from the stored items when written
            spool.discard()
    result = replace(result, timings={**result.timings, "load_s": prep.load_s})
    volatile = {
        "run_id": None,  # given by ``save``
        "started_at": started_at,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started + prep.load_s,
    }
    rec = {**record.build_record(result, prep.plain, volatile), "run_key": prep.key}
    files = {"config.yaml": _yaml(prep.plain), **(files or {})}
    return Run.of(rec, samples, files=files)


def run_or_reuse(prep: Prepared, files: Mapping[str, str] | None = None) -> tuple[Run, bool]:
    """The stored run with ``prep``'s run key if ``results_dir`` holds one (and ``force`` is off), else a new
    run computed and saved there; returns ``(run, reused)`` with ``run.path`` set (what ``bench run`` does)."""
    from dataclasses import replace

    from bench.results import run_cache

    config = prep.config
    cached = None if config.force else run_cache.find(config.results_dir, prep.key)
    if cached is not None:
        return cached, True
    run = compute(prep, files=files)
    return replace(run, path=save(run, config.results_dir)), False


def _yaml(plain: Mapping[str, Any]) -> str:
    from omegaconf import OmegaConf

    return OmegaConf.to_yaml(OmegaConf.create(thawed(plain)))


def save(run: Run, results_dir: str | Path = "results") -> Path:
    """Store ``run`` atomically under ``results_dir/<experiment>/<run id>/`` and index it; returns the directory."""
    from bench.results import store

    if not isinstance(run, Run):
        raise InputError(f"bench.save takes a Run, got {type(run).__name__}", "pass what bench.score or bench.evaluate returned")
    stored = run.with_run_id(store.new_run_id())
    return store.write_run(results_dir, stored.experiment, stored.record_dict(), stored.plain_samples,
                           dict(stored.files), stored.run_id, key=stored.run_key)


def default_plain(metrics: Sequence[str], options: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The composed default config with these metric families (their shipped defaults, updated by ``options``)."""
    from omegaconf import OmegaConf

    from bench.config import compose

    cfg = compose([f"metrics=[{','.join(metrics)}]"])
    plain = OmegaConf.to_container(cfg, resolve=True)
    shipped = OmegaConf.to_container(cfg.metrics, resolve=True)
    # only these: the default (seed) dataset's config adds source_stats, which in-memory texts have no source for
    plain.update(metrics={family: {**shipped[family], **options.get(family, {})} for family in metrics})
    return plain
