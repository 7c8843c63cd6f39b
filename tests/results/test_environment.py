"""Provenance: the git state of the project bench ran in (the working directory) beside bench's own."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench.results import environment


def _git(where: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t",
           "HOME": str(where), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", "-C", str(where), *args], capture_output=True, text=True, check=True, env=env).stdout.strip()


@pytest.fixture
def project(tmp_path):
    """A user's project: a git checkout with one commit."""
    root = tmp_path / "project"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "notes.txt").write_text("v1\n")
    _git(root, "add", "notes.txt")
    _git(root, "commit", "-q", "-m", "one")
    return root


def test_the_project_is_the_working_directory(project, monkeypatch):
    monkeypatch.chdir(project)
    head = _git(project, "rev-parse", "HEAD")
    assert environment.git_state() == {"commit": head, "dirty": False}
    (project / "notes.txt").write_text("v2\n")  # a tracked file changed: dirty
    assert environment.git_state() == {"commit": head, "dirty": True}
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")  # anywhere inside the checkout
    assert environment.capture()["git"] == {"commit": head, "dirty": True}


def test_outside_git_the_project_state_is_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert environment.git_state() == {"commit": None, "dirty": None}


def test_reading_the_git_state_writes_nothing_in_the_project(project, monkeypatch):
    monkeypatch.chdir(project)
    (project / "notes.txt").write_text("v2\n")
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*")}
    environment.git_state()
    assert {p: p.stat().st_mtime_ns for p in project.rglob("*")} == before  # GIT_OPTIONAL_LOCKS=0: no index refresh


def test_bench_records_its_own_version_and_source_commit(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    state = environment.capture()["bench"]
    assert state["version"] == environment.package_version("bench")
    source = Path(environment.__file__).resolve().parents[2]
    if (source / ".git").exists():  # a checkout (the tests' case); an installed wheel records no commit
        assert state["commit"] == _git(source, "rev-parse", "HEAD") and isinstance(state["dirty"], bool)
    else:
        assert state["commit"] is None


def test_show_labels_project_and_bench(tmp_path):
    from bench.cli.commands.show import render

    from bench.results.model import Run

    record = {"experiment": "e", "volatile": {"run_id": "r"}, "signatures": {},
              "inputs": {"items": 1, "references": 1, "fingerprint": "sha256:i", "references_fingerprint": "sha256:r"},
              "metrics": {}, "config": {"dataset": {"name": "seed"}},
              "environment": {"git": {"commit": "abc123", "dirty": True},
                              "bench": {"version": "0.1.0", "commit": "def456", "dirty": False}}}
    lines = render(Run.of(record, [], tmp_path)).splitlines()
    assert any(line.split() == ["project", "abc123", "(dirty)"] for line in lines), lines
    assert any(line.split() == ["bench", "0.1.0", "def456"] for line in lines), lines
    record["environment"]["git"] = {"commit": None, "dirty": None}
    lines = render(Run.of(record, [], tmp_path)).splitlines()
    assert any(line.split() == ["project", "not", "a", "git", "checkout"] for line in lines)
