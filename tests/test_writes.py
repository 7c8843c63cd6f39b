"""The write rule: ``bench run`` writes nothing outside ``results_dir`` and bench's cache dir.

HOME, the temp dir, the working directory and every cache root the libraries consult are moved
into ``tmp_path``; after the run, a file anywhere in that tree outside ``results_dir`` and
``BENCH_CACHE_DIR`` fails the test (e.g. ``datasets`` putting an Arrow copy of the input under
``~/.cache/huggingface/datasets``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

# variables that would send a library's cache somewhere other than HOME (outside the walked tree)
REDIRECTS = ("HF_HOME", "HF_DATASETS_CACHE", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "XDG_CACHE_HOME",
             "TRANSFORMERS_CACHE", "NLTK_DATA", "TORCH_HOME")


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if not p.is_dir()}


def _sandbox(tmp_path: Path) -> tuple[dict[str, str], dict[str, Path]]:
    dirs = {name: tmp_path / name for name in ("home", "tmp", "work", "cache", "results", "data")}
    for d in dirs.values():
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in REDIRECTS}
    env.update(HOME=str(dirs["home"]), TMPDIR=str(dirs["tmp"]), BENCH_CACHE_DIR=str(dirs["cache"]),
               HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", TQDM_DISABLE="1")
    return env, dirs


def _data(path: Path) -> Path:
    rows = [{"id": f"i{k}", "candidate": f"the cat sat on mat {k}", "reference": f"a cat sat on the mat {k}"}
            for k in range(6)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize("args", [
    ["experiment=seed", "metrics=[rouge]"],
    ["dataset=files", "dataset.path={data}", "metrics=[rouge]"],
    ["dataset=files", "dataset.path={data_csv}", "metrics=[rouge]"],
], ids=["seed", "files-jsonl", "files-csv"])
def test_bench_run_writes_only_results_and_cache(tmp_path, bench_exe, args):
    import subprocess

    env, dirs = _sandbox(tmp_path)
    data = _data(dirs["data"] / "items.jsonl")
    csv = dirs["data"] / "items.csv"
    csv.write_text("id,candidate,reference\n" + "".join(f"i{k},the cat sat {k},a cat sat {k}\n" for k in range(6)))
    before = _files(tmp_path)
    argv = [a.format(data=data, data_csv=csv) for a in args]
    proc = subprocess.run([bench_exe, "run", *argv, f"results_dir={dirs['results']}"], cwd=dirs["work"], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    new = _files(tmp_path) - before
    outside = sorted(str(p.relative_to(tmp_path)) for p in new
                     if dirs["results"] not in p.parents and dirs["cache"] not in p.parents)
    assert not outside, f"bench run wrote outside results_dir and BENCH_CACHE_DIR: {outside}"
    assert any(p.name == "result.json" for p in new)  # the check can fail: the run did write, where it may


def test_files_source_keeps_no_copy_of_the_input(tmp_path, monkeypatch):
    """The Arrow copy datasets makes of a file lives in a scratch folder of bench's cache, removed after loading."""
    from bench.data import DatasetSpec, load_items

    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "cache"))
    items = load_items(DatasetSpec(name="x", source="files", path=str(_data(tmp_path / "items.jsonl"))))
    assert [it.id for it in items] == [f"i{k}" for k in range(6)]
    assert _files(tmp_path / "cache") == set()
