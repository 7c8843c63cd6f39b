"""The CPU install line for torch: one line, the same in .ci/run, the README and docs/ (so they cannot
drift), from PyTorch's CPU index, pinned to the torch this environment runs.

Why each part (measured in docs/plugins.md and docs/benchmarks.md): ``--index-url`` rather than ``--extra-index-url``
(on the command line the latter replaces the extra indexes in pip's own config, i.e. a local mirror);
not in a requirements file (an index option there replaces every configured index: the mirror's torch
dependencies are then not found); ``--retries 1 --timeout 15`` (an unreachable index costs seconds, not a
minute and a half of retries).
"""

from __future__ import annotations

import re
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"python -m pip install .*torch==\S+")
EXPECTED = ("python -m pip install --retries 1 --timeout 15 --index-url https://download.pytorch.org/whl/cpu "
            "torch==")


def _lines(path: Path) -> list[str]:
    return [m.group(0) for m in LINE.finditer(path.read_text(encoding="utf-8"))]


def test_ci_installs_torch_from_the_cpu_index_pinned_to_this_torch():
    (line,) = _lines(ROOT / ".ci" / "run")
    assert line.startswith(EXPECTED)
    assert line.removeprefix(EXPECTED) == torch.__version__.split("+")[0]  # 2.13.0 matches 2.13.0+cpu


def test_every_documented_torch_install_line_is_the_ci_line():
    (ci,) = _lines(ROOT / ".ci" / "run")
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    found = {str(p.relative_to(ROOT)): _lines(p) for p in docs}
    assert any(found.values())  # the set-up guide shows it somewhere
    assert {line for lines in found.values() for line in lines} == {ci}, found
    # and no bare pin that PyPI would answer with the CUDA build
    for path in docs:
        for bare in re.findall(r"pip install torch==\S+", path.read_text(encoding="utf-8")):
            raise AssertionError(f"{path.relative_to(ROOT)}: {bare!r} is the CUDA build on PyPI; use {ci!r}")


def test_the_readme_set_up_is_what_ci_runs():
    """The README's set-up block is not run by tests/test_docs.py because .ci/run runs it: line for line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Set up", 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    commands = [line.removeprefix("$ ") for line in block.splitlines() if line.startswith("$ ")]
    ci = [line.replace(" -q ", " ") for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()]
    steps = [part.strip() for c in commands for part in c.split("&&")]
    assert len(steps) >= 4
    for step in steps:
        assert step in ci, f"README set-up step {step!r} is not a line of .ci/run"
