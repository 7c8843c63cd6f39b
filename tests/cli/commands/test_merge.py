"""Sharding and `bench merge`: 4 shards through Hydra's joblib, submitit_local and Ray launchers equal the single run."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

import pytest

from tests import _cli

from bench.errors import BenchError
from bench.pipeline import shard_bounds
from bench.results.merge import merge



def bench(*args, cwd):
    """A process of its own: the sweeps start Hydra launchers (joblib workers, submitit jobs)."""
    return _cli.process(*args, cwd=cwd, timeout=600)


@pytest.mark.parametrize("n, count", [(1600, 4), (10, 3), (7, 7), (5, 2)])
def test_shard_bounds_partition_in_order(n, count):
    bounds = [shard_bounds(n, i, count) for i in range(count)]
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert max(hi - lo for lo, hi in bounds) - min(hi - lo for lo, hi in bounds) <= 1


def _runs(results: Path) -> list[Path]:
    return sorted(p.parent for p in results.glob("*/*/result.json"))


@pytest.mark.slow
@pytest.mark.summeval
@pytest.mark.parametrize(
    "options",
    [
        ["metrics=[rouge]", "group_by=system"],  # intervals over documents, and per-system groups
        # 80 items (5 documents, the fewest that get intervals) in shards of 20 cut documents (16 systems each)
        # apart; the embedding cache is off so that every shard embeds its own texts in its own batches, and
        # still gets the single run's bits.
        ["metrics=[rouge,bertscore]", "limit=80", "metrics.bertscore.cache=false", "metrics.bertscore.progress=false"],
    ],
    ids=["rouge-all-summeval", "rouge-bertscore-80-items"],
)
def test_four_joblib_shards_merge_to_the_single_run(tmp_path, summeval_path, options, bench_main):
    common = ["dataset=summeval", f"dataset.path={summeval_path}", *options]
    # the launcher's sweep needs processes of its own; the single run and the merge do not
    single = bench_main("run", *common, f"results_dir={tmp_path}/single", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    sharded = bench("run", "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", *common,
                    "shard.count=4", "shard.index=0,1,2,3", f"results_dir={tmp_path}/shards", cwd=tmp_path)
    assert sharded.returncode == 0, sharded.stderr
    shard_dirs = _runs(tmp_path / "shards")
    assert len(shard_dirs) == 4
    _assert_sweep_tidy(sharded, tmp_path, shard_dirs)
    merged = bench_main("merge", *shard_dirs, "--results-dir", tmp_path / "merged", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    (single_dir,) = _runs(tmp_path / "single")
    merged_dir = Path(merged.stdout.strip().splitlines()[-1])
    a = json.loads((single_dir / "result.json").read_text())
    merged_dir = merged_dir if merged_dir.is_absolute() else tmp_path / merged_dir
    b = json.loads((merged_dir / "result.json").read_text())
    a.pop("volatile"), b.pop("volatile")
    assert a["config"].pop("results_dir") != b["config"].pop("results_dir")  # the only config difference here
    assert a == b  # aggregates, intervals, groups, signatures, inputs, config, run key: all exactly equal
    assert a["intervals"]["unit_field"] == "doc_id" and a["intervals"]["metrics"]["rouge1"]["fmeasure"] is not None
    if "group_by=system" in options:
        assert len(a["groups"]["values"]) == 16
    assert (single_dir / "samples.jsonl").read_bytes() == (merged_dir / "samples.jsonl").read_bytes()


def _assert_sweep_tidy(proc, cwd: Path, shard_dirs: list[Path]) -> None:
    """The sweep's summary names every run; Hydra's bookkeeping is under results_dir, not in the cwd."""
    lines = proc.stdout.strip().splitlines()
    k = lines.index(f"bench run -m: {len(shard_dirs)} run(s)")
    # the summary's lines are indented; a Ray driver may print its workers' forwarded output after them
    listed = [x.strip() for x in lines[k + 1:k + 1 + len(shard_dirs)] if x.startswith("  ")]
    assert sorted(map(Path, listed)) == sorted(d.resolve() for d in shard_dirs)
    assert sorted(p.name for p in cwd.iterdir() if p.name not in ("single", "shards", "merged")) == []
    assert list(cwd.glob("shards/.multirun/*/multirun.yaml"))


def _four_shards_merge_to_the_single_run(tmp_path: Path, summeval_path: Path, bench_main, launcher: list[str],
                                         env: dict | None = None) -> Path:
    """4 shards of 200 SummEval items (ROUGE, intervals over documents) through ``launcher``, merged: the
    record and samples of the single run, bit for bit. Returns the sweep's results_dir."""
    common = ["dataset=summeval", f"dataset.path={summeval_path}", "metrics=[rouge]", "limit=200"]
    single = bench_main("run", *common, f"results_dir={tmp_path}/single", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    # absolute results_dir: a launcher's job may run in another working directory (a Ray worker does)
    sharded = _cli.process("run", "-m", *launcher, *common, "shard.count=4", "shard.index=0,1,2,3",
                           f"results_dir={tmp_path}/shards", cwd=tmp_path, env=env, timeout=600)
    assert sharded.returncode == 0, sharded.stderr
    shard_dirs = _runs(tmp_path / "shards")
    assert len(shard_dirs) == 4
    _assert_sweep_tidy(sharded, tmp_path, shard_dirs)
    merged = bench_main("merge", *shard_dirs, "--results-dir", tmp_path / "merged", cwd=tmp_path)
    assert merged.returncode == 0, merged.stderr
    (single_dir,) = _runs(tmp_path / "single")
    merged_dir = tmp_path / merged.stdout.strip().splitlines()[-1]
    a, b = (json.loads((d / "result.json").read_text()) for d in (single_dir, merged_dir))
    for r in (a, b):
        r.pop("volatile"), r["config"].pop("results_dir")
    assert a == b  # aggregates, intervals, signatures, inputs, config, run key: all exactly equal
    assert a["inputs"]["items"] == 200 and a["intervals"]["metrics"]["rouge1"]["fmeasure"] is not None
    assert (single_dir / "samples.jsonl").read_bytes() == (merged_dir / "samples.jsonl").read_bytes()
    return tmp_path / "shards"


@pytest.mark.slow
@pytest.mark.summeval
def test_four_submitit_local_shards_merge_to_the_single_run(tmp_path, summeval_path, bench_main):
    """The submitit launcher's local executor: the code path SLURM jobs take (submitit pickles the job,
    runs it in a fresh process, and does not forward its stdout: the summary comes from the sweep log)."""
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="pip install -e '.[submitit]'")
    shards = _four_shards_merge_to_the_single_run(tmp_path, summeval_path, bench_main,
                                                  ["hydra/launcher=submitit_local"])
    assert list(shards.glob(".multirun/*/.submitit"))  # submitit's own logs, under results_dir too


def _ray_launcher() -> Path:
    """The `ray` command beside this interpreter, with hydra-ray-launcher importable; skipped where the
    optional extra is not installed, a failure under CI=true (.ci/run installs it)."""
    exe = Path(sys.executable).with_name("ray")
    try:
        import hydra_plugins.hydra_ray_launcher  # noqa: F401
        import ray  # noqa: F401
    except ImportError as exc:
        missing = f"{exc.name} is not installed"
    else:
        if exe.is_file():
            return exe
        missing = f"{exe} is missing"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{missing}; CI=true requires the ray extra (.ci/run installs it)")
    pytest.skip(f"{missing} (pip install -c constraints.txt -e '.[ray]'); the Ray sweep test needs it")


def _group(pgid: int) -> list[psutil.Process]:
    """The live processes of process group ``pgid`` (zombies awaiting their reaper are gone already)."""
    found = []
    for p in psutil.process_iter():
        try:
            if os.getpgid(p.pid) == pgid and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except (psutil.Error, ProcessLookupError):
            pass
    return found


@pytest.fixture
def ray_cluster():
    """A one-node Ray cluster on loopback, started as a real cluster is (``ray start --head``), in a process
    group of its own: the finaliser stops that group and no other Ray (``ray stop`` would stop every Ray
    runtime of the machine), and checks that nothing of it is left. Its session files go to a temp dir of
    its own (short: Ray's unix socket paths must fit in 107 bytes), removed afterwards."""
    exe = _ray_launcher()
    temp = Path(tempfile.mkdtemp(prefix="bench-ray-"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": str(temp)}
    start = subprocess.Popen([str(exe), "start", "--head", "--node-ip-address=127.0.0.1", f"--port={port}",
                              "--num-cpus=2", "--include-dashboard=false", "--disable-usage-stats",
                              f"--temp-dir={temp}"], cwd=temp, env=env, start_new_session=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = start.communicate(timeout=120)
        assert start.returncode == 0, out[-3000:]
        yield {"address": f"127.0.0.1:{port}", "env": {"RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": str(temp)}}
    finally:
        if start.poll() is None:
            start.kill()
        for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, 10)):
            if not _group(start.pid):
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(start.pid, sig)
            deadline = time.monotonic() + wait
            while _group(start.pid) and time.monotonic() < deadline:
                time.sleep(0.2)
        left = _group(start.pid)
        shutil.rmtree(temp, ignore_errors=True)
        assert not left, f"Ray processes left running: {[p.pid for p in left]}"


@pytest.mark.slow
@pytest.mark.summeval
def test_four_ray_shards_merge_to_the_single_run(tmp_path, summeval_path, bench_main, ray_cluster):
    """hydra-ray-launcher on a running cluster (what docs/scale-out.md tells Ray users): each job runs in a Ray
    worker, a child of the cluster's raylet, so it inherits nothing of the driver's environment; the sweep's
    summary still lists every run (bench passes its sweep log through hydra.job.env_set)."""
    _four_shards_merge_to_the_single_run(
        tmp_path, summeval_path, bench_main,
        # object_store_memory=null: the plugin sets a default that Ray refuses when joining a running cluster
        ["hydra/launcher=ray", f"hydra.launcher.ray.init.address={ray_cluster['address']}",
         "+hydra.launcher.ray.init.object_store_memory=null"],
        env=ray_cluster["env"])


def _shard(index, count=2, fp="sha256:x", sig="rouge1|inputs:x"):
    record = {
        "experiment": "e", "config": {"shard": {"index": index, "count": count}}, "metrics": {"rouge1": {"fmeasure": 0.5}},
        "signatures": {"rouge1": f"{sig}|shard:{index + 1}/{count}"}, "notes": {},
        "inputs": {"fingerprint": fp, "items": 1, "references": 1, "shard": {"index": index, "count": count}},
        "volatile": {"run_id": str(index)},
    }
    return record, [{"id": str(index), "scores": {"rouge1": {"fmeasure": 0.25 + index / 2}}}]


def test_merge_recomputes_means_and_strips_the_shard_component():
    record, samples = merge([_shard(1), _shard(0)])
    assert [s["id"] for s in samples] == ["0", "1"]
    assert record["metrics"]["rouge1"]["fmeasure"] == 0.5
    assert record["signatures"]["rouge1"] == "rouge1|inputs:x"
    assert record["config"]["shard"] == {"index": 0, "count": 1}


@pytest.mark.parametrize(
    "shards, message",
    [
        ([_shard(0), _shard(0)], "exactly once"),
        ([_shard(0), _shard(1, fp="sha256:y")], "different inputs"),
        ([_shard(0), _shard(1, sig="rouge1|stem:no")], "different signatures"),
        ([_shard(0, count=3), _shard(1, count=3)], "exactly once"),
    ],
)
def test_merge_refuses_mismatched_shards(shards, message):
    with pytest.raises(BenchError, match=message):
        merge(shards)
