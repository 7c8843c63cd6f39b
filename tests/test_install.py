"""bench installed from its wheel into a fresh virtual environment, run from an empty directory.

The wheel must carry configs/ and seeds/ (as the packages bench._configs and bench._seeds, by the build
mapping in pyproject.toml, not by symlinks), every file at every depth, install nothing but the ``bench``
package, find its configs through Hydra's ``pkg://`` and run the seed experiment from any directory with
results in ./results; a user's own config directory joins the search path (``--config-dir``). An editable
install maps the same package names onto the checkout's folders.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _packaging_copy(src: Path) -> Path:
    """The files a build reads (tracked bench/, configs/, seeds/ and the packaging files), copied to ``src``.

    A build in the checkout itself writes build/ and bench.egg-info there, and two workers building at once
    race on those folders (one deletes what the other is copying: ENOENT)."""
    for rel in [*_tracked("bench", "configs", "seeds"), "pyproject.toml", "setup.py", "README.md"]:
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_bytes((ROOT / rel).read_bytes())
    return src


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    src = _packaging_copy(tmp_path_factory.mktemp("wheel-src"))
    # --no-build-isolation: setuptools of this environment builds it (no index needed)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
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
    # --ignore-installed: the .pth shows pip this environment's bench (an editable install) as installed
    # already; without it pip would skip the wheel, and --force-reinstall would uninstall that bench
    proc = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q",
                           str(wheel)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return env_dir


def _tracked(*folders: str) -> list[str]:
    """Files git tracks under ``folders`` (what a fresh clone has), as repository-relative paths."""
    proc = subprocess.run(["git", "ls-files", "-z", *folders], cwd=ROOT, capture_output=True, text=True, check=True)
    return [p for p in proc.stdout.split("\0") if p]


def test_the_repository_holds_no_symlink():
    proc = subprocess.run(["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert [line for line in proc.stdout.splitlines() if line.startswith("120000")] == []


def test_wheel_carries_every_config_and_seed_at_every_depth_and_only_bench(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"bench", f"{wheel.name.split('-py')[0]}.dist-info"}
    shipped = _tracked("configs", "seeds")
    assert "configs/metrics/rouge.yaml" in shipped and "seeds/000_b397174ee7933813.txt" in shipped
    assert any(p.count("/") >= 2 for p in shipped)  # a group (depth 2) at least: the globs must reach it
    for rel in shipped:
        inside = f"bench/_{rel}"
        assert inside in names, inside
        assert zipfile.ZipFile(wheel).read(inside) == (ROOT / rel).read_bytes()
    packaged = {n.removeprefix("bench/_") for n in names if n.startswith(("bench/_configs/", "bench/_seeds/"))}
    assert packaged == set(shipped)
    code = [n for n in names if n.startswith("bench/") and not n.startswith(("bench/_configs/", "bench/_seeds/"))]
    assert sorted(n for n in code if n.endswith(".py")) == sorted(
        p for p in _tracked("bench") if p.endswith(".py"))
    assert not [n for n in names if n.startswith(("benchmarks/", "tests/"))]


def test_nested_config_groups_reach_the_wheel(tmp_path):
    """A config group two folders deep (configs/<group>/<sub>/x.yaml) is carried too: the build mapping, not a
    fixed list of depths. Built from a copy of the packaging files with one such group added."""
    src = _packaging_copy(tmp_path / "src")
    (src / "configs" / "dataset" / "extra" / "deeper").mkdir(parents=True)
    (src / "configs" / "dataset" / "extra" / "deeper" / "x.yaml").write_text("name: x\n")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation",
                           "-q", "-w", str(tmp_path / "out")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (built,) = (tmp_path / "out").glob("bench-*.whl")
    assert "bench/_configs/dataset/extra/deeper/x.yaml" in zipfile.ZipFile(built).namelist()


def _clean_env() -> dict[str, str]:
    """This environment without what would make the checkout win over the installed copy."""
    return {k: v for k, v in os.environ.items() if k not in ("BENCH_HOME", "PYTHONPATH")}


def _run(installed: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = _clean_env()
    env.update(HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TQDM_DISABLE="1")
    return subprocess.run([str(installed / "bin" / "bench"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_installed_bench_runs_the_seed_experiment_from_an_empty_directory(installed, tmp_path):
    where = subprocess.run([str(installed / "bin" / "python"), "-c", "import bench; print(bench.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True, env=_clean_env()).stdout
    assert str(installed) in where  # the installed copy, not the checkout
    proc = _run(installed, "run", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    run_dir = Path(proc.stdout.strip().splitlines()[-1])
    assert run_dir.parts[:2] == ("results", "seed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results"]
    assert "bertscore" in proc.stdout and "rouge1" in proc.stdout
    no_benchmarks = subprocess.run([str(installed / "bin" / "python"), "-c", "import benchmarks"], cwd=tmp_path,
                                   capture_output=True, text=True, env=_clean_env())
    assert no_benchmarks.returncode != 0


@pytest.mark.slow  # builds and installs the wheel (~11 s)
def test_installed_bench_finds_its_configs_through_pkg(installed, tmp_path):
    code = ("from bench import paths; import importlib.resources as r; "
            "print(paths.config_search_path(), paths.config_dir(), r.files('bench._configs').joinpath('config.yaml').is_file())")
    out = subprocess.run([str(installed / "bin" / "python"), "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         check=True, env=_clean_env())
    search, folder, found = out.stdout.split()
    assert search == "pkg://bench._configs" and found == "True"
    assert Path(folder).is_relative_to(installed) and Path(folder, "metrics", "rouge.yaml").is_file()
    cfg = _run(installed, "run", "--cfg", "job", "experiment=seed", cwd=tmp_path)
    assert cfg.returncode == 0, cfg.stderr
    assert "name: seed" in cfg.stdout and "rouge" in cfg.stdout
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_an_editable_install_maps_the_packages_onto_the_checkout(tmp_path):
    """``pip install -e``: setuptools' editable finder maps bench._configs onto the checkout's configs/ (so
    pkg://bench._configs works there too); bench itself reads configs/ and seeds/ from the checkout."""
    src = _packaging_copy(tmp_path / "checkout")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "_bench_test_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    for old in Path(site).glob("setuptools*"):  # the venv's own (older) setuptools would build instead of ours
        shutil.rmtree(old)
    proc = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--no-build-isolation",
                           "--ignore-installed", "-q", "-e", str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    code = ("import importlib.resources as r; from bench import paths; "
            "print(r.files('bench._configs').joinpath('metrics/rouge.yaml'), "
            "paths.config_dir(), paths.seeds_dir(), paths.config_search_path())")
    empty = tmp_path / "empty"
    empty.mkdir()
    out = subprocess.run([str(python), "-c", code], cwd=empty, capture_output=True, text=True, env=_clean_env(),
                         timeout=120)
    assert out.returncode == 0, out.stderr
    rouge, config_dir, seeds_dir, search = out.stdout.split()
    assert Path(rouge) == src / "configs" / "metrics" / "rouge.yaml"  # what pkg://bench._configs would read
    assert (Path(config_dir), Path(seeds_dir), search) == (src / "configs", src / "seeds", str(src / "configs"))


@pytest.mark.slow  # needs the installed wheel (~11 s to build and install)
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
