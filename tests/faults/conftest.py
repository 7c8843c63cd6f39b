"""Fixtures of the fault tier: one toy store per session (see faults_support), copied per test, and
``cli`` (bench.cli.main in this process)."""

from __future__ import annotations

import shutil

import pytest

from faults_support import Outcome, Store, overrides, write_toy


@pytest.fixture(scope="session")
def toy_template(tmp_path_factory) -> Store:
    import bench
    from bench.cli import main

    root = tmp_path_factory.mktemp("fault-store")
    data = write_toy(root.parent / f"{root.name}-toy.jsonl")  # outside the copied tree: reproduce reads it
    patch = pytest.MonkeyPatch()
    patch.setenv("HF_DATASETS_CACHE", str(root.parent / f"{root.name}-hf"))  # datasets' Arrow copy: not in HOME
    patch.chdir(root)
    try:
        bench.save(bench.evaluate(overrides(data, "toy")), root / "results")
        bench.save(bench.evaluate(overrides(data, "toy_b", "metrics.rouge.use_stemmer=false")), root / "results")
        for i in (0, 1):
            bench.save(bench.evaluate(overrides(data, "sharded", f"shard.index={i}", "shard.count=2")), root / "results")
        store = Store(root, data)
        small = ["--resamples", "20", "--format", "json"]
        assert main(["baseline", str(store.a), "--output", str(store.baseline)]) == 0
        assert main(["systems", str(store.a), *small, "--ci-resamples", "20"]) == 0
        assert main(["meta", str(store.a), *small, "--test-resamples", "20"]) == 0
    finally:
        patch.undo()
    return store


@pytest.fixture
def toy(toy_template, tmp_path, monkeypatch) -> Store:
    """A fresh copy of the toy store; the test runs in it (cwd)."""
    root = tmp_path / "store"
    shutil.copytree(toy_template.root, root, symlinks=True)
    monkeypatch.chdir(root)
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "hf"))
    return Store(root, toy_template.data)


@pytest.fixture
def cli(capsys):
    """``cli(*argv)`` -> Outcome of ``bench.cli.main(argv)`` in this process (argparse's exit included).
    Any exception other than SystemExit propagates: in-process, that is the traceback a user would see."""
    from bench.cli import main

    def _run(*argv: str) -> Outcome:
        capsys.readouterr()
        try:
            code = main([str(a) for a in argv])
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return _run


