"""The ``@hydra.main`` entry point: config -> ``bench.api`` (prepare, compute, save) -> printed summary.

The only module that sees Hydra. ``execute`` takes a composed config and
returns the run directory, so tests can call it with ``compose``.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TextIO

import hydra
from omegaconf import DictConfig, OmegaConf

from bench import api
from bench.cli import summary
from bench.config import compose, to_plain  # re-exported: older callers import them from here
from bench.errors import BenchError
from bench.paths import config_search_path

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


def execute(cfg: DictConfig, out: TextIO | None = None) -> Path:
    """Score -> store -> print the summary to ``out`` (stdout); returns the new run directory.

    A thin shell over ``bench.api``: ``prepare`` (config, metrics, inputs, run key), then
    ``run_or_reuse`` (the store's answer if an identical run is there, else ``compute`` and ``save``).
    """
    out = out or sys.stdout
    prep = api.prepare(to_plain(cfg))
    run, reused = api.run_or_reuse(prep, files=_hydra_files())
    if reused:
        log.info("answered from the store: same config, inputs and software as %s (force=true recomputes)", run.path)
        print(f"experiment {prep.config.name}: {run.inputs.items} items, CACHED run {run.run_id}", file=out)
    else:
        print(f"experiment {prep.config.name}: {len(run)} items, inputs {prep.inputs.fingerprint[:19]}…", file=out)
    print(summary.of_run(run), file=out)
    print(run.path, file=out)
    return run.path


def run_overrides(overrides: list[str], out: TextIO | None = None) -> Path:
    """``bench run OVERRIDES`` for other commands (check runs the experiment first)."""
    return execute(compose(overrides), out=out)


SWEEP_LOG = "BENCH_SWEEP_LOG"  # set by `bench run -m`: each job appends its run directory (see bench.cli)


def _log_sweep_run(run_dir: str) -> None:
    import os

    path = os.environ.get(SWEEP_LOG)
    if path:
        # one short line per write with O_APPEND: jobs in other processes append without tearing
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, (str(Path(run_dir).resolve()) + "\n").encode())
        finally:
            os.close(fd)


def setup_logging() -> None:
    """bench's log lines go to stderr with a ``[bench]`` prefix; stdout stays parseable.

    Only bench's own loggers speak at INFO: a library's INFO lines (torch logs FakeTensor cache statistics
    at exit once it has imported that module) would otherwise come out as bench's, with its prefix."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="[bench] %(message)s")
    logging.getLogger("bench").setLevel(logging.INFO)


@hydra.main(config_path=config_search_path(), config_name="config", version_base="1.3")
def main(cfg: DictConfig) -> str:
    """``bench run``: Hydra composes the config; one run per job (a sweep runs several)."""
    from bench import interrupts

    interrupts.install()  # again: a launcher may run this job in a worker process of its own
    setup_logging()
    from bench import hints
    from bench.cli.streams import StreamError, guarded, override, stream_failed

    try:
        # again: a launcher's worker process did not start in bench.cli.main
        with hints.using(override), guarded():
            run_dir = str(execute(cfg))
            sys.stdout.flush()  # a full disk behind stdout is found here, inside the guard
        _log_sweep_run(run_dir)
        return run_dir
    except BenchError as exc:
        print(f"bench: error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
    except BrokenPipeError:  # `bench run | head -1`: stdout's reader left; Hydra would log it as a failed job
        from bench.cli.streams import stdout_closed

        sys.exit(stdout_closed())
    except StreamError as exc:  # stdout on a full disk: one line, not a failed job's traceback
        sys.exit(stream_failed(exc))
