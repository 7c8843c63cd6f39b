"""The ``@hydra.main`` entry point: config -> pipeline.run -> store.

The only module that sees Hydra. ``execute`` takes a composed config and
returns the run directory, so tests can call it with ``compose``.
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

import hydra
from omegaconf import DictConfig, OmegaConf

from bench.errors import BenchError
from bench.paths import config_dir

log = logging.getLogger("bench")


def _hydra_files() -> dict[str, str]:
    """Hydra's own record of the run (what it would write to .hydra/), when run through Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return {}
    hc = HydraConfig.get()
    return {
        ".hydra/overrides.yaml": OmegaConf.to_yaml(OmegaConf.create(list(hc.overrides.task))),
        ".hydra/hydra.yaml": OmegaConf.to_yaml(OmegaConf.create({"hydra": OmegaConf.to_container(hc)})),
    }


def _to_plain(cfg: DictConfig) -> dict[str, Any]:
    try:
        return OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except Exception as exc:  # MissingMandatoryValue, InterpolationResolutionError
        key = getattr(exc, "full_key", None) or "a required option"
        raise BenchError(f"{key} is not set", f"pass {key}=VALUE on the command line") from None


def execute(cfg: DictConfig, out: TextIO | None = None) -> Path:
    """Score -> store -> print the summary to ``out`` (stdout); returns the new run directory."""
    from bench import pipeline, record, report, run_cache, store
    from bench.config import parse

    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = out or sys.stdout
    plain = _to_plain(cfg)
    config = parse(plain)
    built = pipeline.build_metrics(config)  # cheap (models load on first use); bad options fail before loading data
    t_load = time.perf_counter()
    inputs = pipeline.prepare_inputs(config)
    load_s = time.perf_counter() - t_load
    key = run_cache.run_key(plain, config, input_fingerprints(inputs), pipeline.declare(config, built, inputs))
    cached = None if config.force else store.find_indexed(config.results_dir, key)
    if cached is not None:
        log.info("answered from the store: same config, inputs and software as %s (force=true recomputes)", cached)
        rec = store.load_run(cached)
        print(f"experiment {config.name}: {rec['inputs']['items']} items, CACHED run {rec['volatile']['run_id']}", file=out)
        print(report.table(rec["metrics"], rec.get("higher_is_better")), file=out)
        print(cached, file=out)
        return cached
    result = pipeline.run(config, metrics=built, inputs=inputs)
    result = replace(result, timings={**result.timings, "load_s": load_s})
    run_id = store.new_run_id()
    volatile = {
        "run_id": run_id,
        "started_at": started_at,
        "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "duration_s": time.perf_counter() - started,
    }
    rec = {**record.build_record(result, plain, volatile), "run_key": key}
    files = {"config.yaml": OmegaConf.to_yaml(OmegaConf.create(plain)), **_hydra_files()}
    run_dir = store.write_run(config.results_dir, config.name, rec, record.build_samples(result), files, run_id, key=key)
    print(f"experiment {config.name}: {len(result.items)} items, inputs {result.inputs_fingerprint[:19]}…", file=out)
    print(report.table(rec["metrics"], rec.get("higher_is_better")), file=out)
    print(run_dir, file=out)
    return run_dir


def input_fingerprints(inputs) -> list[str]:
    """What a run key says was scored: the corpus, and the shard when sharded."""
    return [inputs.fingerprint, *([inputs.shard_fingerprint] if inputs.shard_fingerprint else [])]


def compose(overrides: list[str]) -> DictConfig:
    """The config ``bench run OVERRIDES`` would use, through Hydra's compose API."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=list(overrides))
    except HydraException as exc:
        from bench.hydra_errors import translate

        raise translate(exc) from None


def run_overrides(overrides: list[str], out: TextIO | None = None) -> Path:
    """``bench run OVERRIDES`` for other commands (check runs the experiment first)."""
    return execute(compose(overrides), out=out)


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="[bench] %(message)s")


@hydra.main(config_path=str(config_dir()), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> str:
    setup_logging()
    try:
        return str(execute(cfg))
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
