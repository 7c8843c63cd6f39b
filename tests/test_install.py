"""bench installed from its wheel into a fresh virtual environment, run from an empty directory.

The wheel must carry configs/ and seeds/ (as bench/_configs and bench/_seeds), install nothing but the
``bench`` package, and run the seed experiment from any directory with results in ./results; a user's own
config directory joins the search path (``--config-dir``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # --no-build-isolation: setuptools of this environment builds it (no index needed)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (found,) = out.glob("bench-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv with the wheel installed; the dependencies come from this environment's site-packages
    through a .pth line (so nothing is downloaded), never bench itself (its editable finder is not loaded)."""
    env_dir = tmp_path_factory.mktemp("venv") / "fresh"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_bench_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    proc = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return env_dir


def test_wheel_carries_configs_and_seeds_and_only_bench(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"bench", f"{wheel.name.split('-py')[0]}.dist-info"}
    for rel in ("configs/config.yaml", "configs/metrics/rouge.yaml", "configs/experiment/seed.yaml",
                "seeds/000_b397174ee7933813.txt", "seeds/001_2b5b015d8d3b2a6c.txt"):
        folder, _, rest = rel.partition("/")
        inside = f"bench/_{folder}/{rest}"
        assert inside in names, inside
        assert zipfile.ZipFile(wheel).read(inside) == (ROOT / rel).read_bytes()
    assert not [n for n in names if n.startswith(("benchmarks/", "tests/"))]


def _run(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("BENCH_HOME", "PYTHONPATH")}
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TQDM_DISABLE="1")
    return subprocess.run([str(installed / "bin" / "bench"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_installed_bench_runs_the_seed_experiment_from_an_empty_directory(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import bench; print(bench.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout
    assert str(installed) in where  # the installed copy, not the checkout
    proc = _run(installed, "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    assert run_dir.parts[:2] == ("results", "seed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert "bertscore" in proc.stdout and "rouge1" in proc.stdout
    no_benchmarks = subprocess.run([str(installed / "bin" / "python"), "-c", "import benchmarks"], cwd=tmp_path,
                                   capture_output=True, text=True)
    assert no_benchmarks.returncode != 0


def test_a_users_config_dir_joins_the_search_path(installed, tmp_path):
    user = tmp_path / "my-configs"
    (user / "experiment").mkdir(parents=True)
    (user / "experiment" / "mine.yaml").write_text(
        "# @package _global_\ndefaults:\n  - override /metrics: [rouge]\nname: mine\nmultiref: first\n")
    work = tmp_path / "work"
    work.mkdir()
    proc = _run(installed, "run", "--config-dir", str(user), "experiment=mine", cwd=work)
    assert proc.returncode == 0, proc.stderr
    assert Path(proc.stdout.strip().splitlines()[-1]).parts[:2] == ("results", "mine")
    unknown = _run(installed, "run", "experiment=nope", cwd=work)
    assert unknown.returncode == 2 and "valid choices: geval_rouge, seed, summeval, summeval_rouge" in unknown.stderr
