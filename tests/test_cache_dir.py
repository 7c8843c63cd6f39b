"""bench's cache dir (``BENCH_CACHE_DIR``) when it cannot be written: a regular file, a path under a file,
a folder without write permission, a read-only mount.

Before: ``cannot read …/c.jsonl as jsonl: [Errno 20] Not a directory: …/datasets-scratch; check that the
file is valid jsonl`` (the data file blamed), ``bench run -m`` ended in a ``NotADirectoryError``
traceback, and BERTScore printed one "cannot read" line per text. Now the folder is checked at its first
use (``bench.paths.usable_cache_dir``): one warning naming BENCH_CACHE_DIR per run, every cache degrades
to no cache, and the numbers are the ones a run with a working cache gives.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from bench import paths


@pytest.fixture(autouse=True)
def _fresh_warnings(monkeypatch):
    """Each test sees the once-per-process warning afresh."""
    monkeypatch.setattr(paths, "_warned", set())


def _no_write_access(monkeypatch, folder: Path) -> None:
    """``folder`` unwritable as os.access reports it (what a read-only mount or mode 0o500 gives a
    non-root user; as root, chmod does not stop writes, so the test cannot use it)."""
    real = os.access

    def access(path, mode, *args, **kwargs):
        if Path(path) == folder and mode & os.W_OK:
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


# --- the check itself ------------------------------------------------------------------------------------


def test_a_writable_folder_or_one_to_be_made_is_usable(tmp_path):
    assert paths.cache_problem(tmp_path) is None
    assert paths.cache_problem(tmp_path / "not" / "yet") is None  # mkdir(parents=True) will make it
    assert not (tmp_path / "not").exists(), "the check created something"


def test_a_file_is_not_a_cache_dir(tmp_path):
    blocker = tmp_path / "cache"
    blocker.write_text("x")
    assert paths.cache_problem(blocker) == f"{blocker} is not a folder"
    assert paths.cache_problem(blocker / "sub" / "dir") == f"{blocker}, on its path, is not a folder"


def test_an_unwritable_folder_is_not_a_cache_dir(tmp_path, monkeypatch):
    _no_write_access(monkeypatch, tmp_path)
    assert paths.cache_problem(tmp_path) == f"{tmp_path} is not writable"
    assert paths.cache_problem(tmp_path / "below") == f"{tmp_path} is not writable"  # where it would be made


@pytest.mark.skipif(os.geteuid() == 0, reason="as root, mode 0o500 does not stop writes (the monkeypatched "
                    "os.access test above covers the unwritable branch)")
def test_a_read_only_folder_is_not_a_cache_dir(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        assert paths.cache_problem(folder) == f"{folder} is not writable"
    finally:
        folder.chmod(0o700)


def test_the_warning_is_said_once_and_names_bench_cache_dir(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "cache"
    blocker.write_text("x")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(blocker))
    with caplog.at_level(logging.WARNING, logger="bench"):
        assert [paths.usable_cache_dir() for _ in range(3)] == [None, None, None]
    said = [r.getMessage() for r in caplog.records]
    assert said == [f"BENCH_CACHE_DIR: {blocker} is not a folder; running without a cache "
                    "(set BENCH_CACHE_DIR to a writable folder)"]
    assert blocker.read_text() == "x"


def test_a_usable_cache_dir_is_returned_silently(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "c"))
    with caplog.at_level(logging.WARNING, logger="bench"):
        assert paths.usable_cache_dir() == tmp_path / "c"
    assert not caplog.records


# --- bench run with such a cache dir ---------------------------------------------------------------------


def _data(folder: Path) -> Path:
    path = folder / "c.jsonl"
    path.write_text("".join(json.dumps({"id": f"i{k}", "candidate": f"the cat sat on mat {k}",
                                        "reference": f"a cat sat on the mat {k}"}) + "\n" for k in range(8)))
    return path


def _scores(run_dir: Path) -> list[str]:
    return [json.dumps(json.loads(line)["scores"], sort_keys=True) for line in (run_dir / "samples.jsonl").open()]


def _run(bench_main, tmp_path: Path, cache: Path, name: str, *extra: str, flags: tuple[str, ...] = ()):
    data = tmp_path / "c.jsonl" if (tmp_path / "c.jsonl").exists() else _data(tmp_path)
    return bench_main("run", *flags, "dataset=files", f"dataset.path={data}", "metrics=[rouge,bleu]", f"name={name}",
                      f"results_dir={tmp_path / 'results'}", *extra, cwd=tmp_path, env={"BENCH_CACHE_DIR": str(cache)})


def _made(proc) -> Path:
    return Path(proc.stdout.strip().splitlines()[-1])


def _blocked(tmp_path: Path, how: str, monkeypatch) -> Path:
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    if how == "file":
        return blocker
    if how == "under_a_file":
        return blocker / "cache"
    folder = tmp_path / "cache-ro"
    folder.mkdir()
    _no_write_access(monkeypatch, folder)
    return folder


@pytest.mark.parametrize("how", ["file", "under_a_file", "unwritable"])
def test_run_with_an_unusable_cache_dir_warns_once_and_scores_the_same(bench_main, tmp_path, monkeypatch, how):
    good = _run(bench_main, tmp_path, tmp_path / "good-cache", "good")
    assert good.returncode == 0, good.stderr
    cache = _blocked(tmp_path, how, monkeypatch)
    proc = _run(bench_main, tmp_path, cache, "blocked")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    warned = [line for line in proc.stderr.splitlines() if "BENCH_CACHE_DIR" in line]
    assert len(warned) == 1 and str(cache.parent if how == "under_a_file" else cache) in warned[0], proc.stderr
    assert "c.jsonl" not in proc.stderr  # the data file is not blamed
    assert _scores(_made(proc)) == _scores(_made(good))
    assert (tmp_path / "cache-file").read_text() == "x"
    if how == "unwritable":
        assert list(cache.iterdir()) == []  # nothing written where bench was told it may not write


def test_sweep_with_a_file_as_cache_dir(bench_main, tmp_path):
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    proc = _run(bench_main, tmp_path, blocker, "sweep", "metrics.rouge.use_stemmer=true,false", flags=("-m",))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert "bench run -m: 2 run(s)" in proc.stdout
    assert sum("BENCH_CACHE_DIR" in line for line in proc.stderr.splitlines()) == 1, proc.stderr
    assert blocker.read_text() == "x"


# --- BERTScore's embedding cache -------------------------------------------------------------------------


def test_embedding_cache_under_a_file_warns_once_not_per_text(tmp_path, caplog):
    from bench.metrics import embed_cache

    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = embed_cache.EmbeddingCache(blocker, {})
    with caplog.at_level(logging.WARNING):
        assert all(cache.get(f"text {k}", [1]) is None for k in range(20))
    assert sum("cannot read" in r.getMessage() for r in caplog.records) == 1


def test_embedding_cache_dir_follows_the_check(tmp_path, monkeypatch):
    from bench.metrics import embed_cache

    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path))
    assert embed_cache.default_dir() == tmp_path / "embeddings"
    (tmp_path / "f").write_text("x")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path / "f"))
    assert embed_cache.default_dir() is None


@pytest.mark.slow  # loads the BERTScore model
def test_bertscore_with_a_file_as_cache_dir_scores_as_without_a_cache(tmp_path, monkeypatch, caplog):
    from bench.data.items import Item, fingerprint
    from bench.metrics.bertscore import BertScore, BertScoreSpec

    items = [Item(id=f"i{k}", candidate=f"the cat sat on mat {k}", references=(f"a cat sat on the mat {k}",))
             for k in range(8)]

    def score(**options):
        metric = BertScore(BertScoreSpec(progress=False, **options))
        return {r.name: r.per_item for r in metric.score(items, "max_each", fingerprint(items))}

    uncached = score(cache=False)
    blocker = tmp_path / "cache-file"
    blocker.write_text("x")
    monkeypatch.setenv("BENCH_CACHE_DIR", str(blocker))
    with caplog.at_level(logging.WARNING):
        assert score() == uncached
        assert score(cache_dir=str(blocker / "embeddings")) == uncached  # the option, not the variable
    said = [r.getMessage() for r in caplog.records if "cannot" in r.getMessage() or "without a cache" in r.getMessage()]
    assert len(said) == 2 and "BENCH_CACHE_DIR" in said[0] and "bertscore cache_dir" in said[1], said
    assert blocker.read_text() == "x"
