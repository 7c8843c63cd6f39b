"""Every shell command and Python block in README.md and docs/*.md runs as written.

The conventions (docs/README.md, "Writing these pages", says the same for authors):

- Shell commands live in ```console blocks. A line starting with ``$ `` is a command; a command line
  ending in ``\\`` continues on the next line; every other line is example output and is not compared
  (it changes with the code; the lead refreshes it). A command meant to fail ends with ``# exit N``.
- ```python blocks are executed (``exec``), in a fresh working directory like the shell blocks.
- One marker may stand on the line right before a fence: ``<!-- slow -->`` puts the block in the slow
  tier (``-m slow``; .ci/run runs it); ``<!-- not-run: REASON -->`` skips it, printing REASON. not-run
  is for the set-up and test commands that .ci/run itself executes (venv, pip, pytest) and for
  measurements that take minutes (benchmarks/*.py in full) and would not fit CI's 15-minute budget;
  nothing else.
- Commands may not hide elsewhere: ```bash / ```sh / ```shell blocks are refused, and an untagged or
  ```text block with a line that starts like a command (``bench ``, ``python ``, ``pip ``) fails.

Each block runs on its own (one ``bash`` for a console block, so shell variables carry from one command
to the next within a block, never across blocks) in a fresh copy of the repository's files with
``../shared`` linked beside it: ``results/`` and whatever a command writes stay in a temporary folder,
and committed baselines (results/baselines/) are there as in a checkout. A block that needs SummEval
(it names ``../shared``, ``summeval`` or ``geval``) skips when ../shared is absent and fails under CI=true.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHARED = ROOT.parent / "shared"

FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
MARKER = re.compile(r"<!--\s*(slow|not-run:\s*(?P<reason>.+?))\s*-->\s*$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
LOOKS_LIKE_COMMAND = re.compile(r"^\s*(\$ |bench |python3? |pip )")
NEEDS_SUMMEVAL = re.compile(r"\.\./shared|summeval|geval")


@dataclass(frozen=True)
class Block:
    page: str          # path relative to the repo root
    line: int          # line of the opening fence
    lang: str
    body: str
    marker: str        # "", "slow" or "not-run"
    reason: str        # the not-run reason

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for m in FENCE.finditer(text):
        start = text.count("\n", 0, m.start())
        before = text[: m.start()].rstrip("\n").rsplit("\n", 1)[-1]
        mark = MARKER.search(before)
        marker = "" if mark is None else mark.group(1).split(":")[0]
        found.append(Block(str(page.relative_to(ROOT)), start + 1, m.group(1), m.group(2), marker,
                           (mark.group("reason") or "") if mark else ""))
    return found


def commands(block: Block) -> list[tuple[int, str, int]]:
    """(line, command, expected exit code) for each ``$ `` command of a console block."""
    out, lines = [], block.body.splitlines()
    k = 0
    while k < len(lines):
        line = lines[k]
        if not line.startswith("$ "):
            k += 1
            continue
        first, parts = k, [line[2:]]
        while parts[-1].endswith("\\") and k + 1 < len(lines):
            k += 1
            parts.append(lines[k])
        cmd = "\n".join(parts)
        code = EXIT.search(parts[-1])
        out.append((block.line + 1 + first, cmd, int(code.group(1)) if code else 0))
        k += 1
    return out


ALL = [b for page in PAGES for b in blocks(page)]
RUNNABLE = [b for b in ALL if b.lang in ("console", "python")]


def _param(b: Block):
    marks = [pytest.mark.slow] if b.marker == "slow" else []
    return pytest.param(b, marks=marks, id=b.id)


def test_pages_follow_the_conventions():
    problems = []
    for b in ALL:
        if b.lang in ("bash", "sh", "shell", "zsh"):
            problems.append(f"{b.id}: ```{b.lang} block; shell commands go in ```console blocks with '$ ' prompts")
        elif b.lang == "console" and not commands(b):
            problems.append(f"{b.id}: ```console block without a '$ ' command")
        elif b.lang in ("", "text") and any(LOOKS_LIKE_COMMAND.match(x) for x in b.body.splitlines()):
            problems.append(f"{b.id}: a command in a ```{b.lang or '(untagged)'} block; use ```console")
        if b.marker == "not-run" and not b.reason.strip():
            problems.append(f"{b.id}: not-run needs a reason")
    assert not problems, "\n".join(problems)
    assert any(b.page == "README.md" and b.lang == "console" for b in ALL)


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    """The repository's files (tracked and untracked-but-not-ignored), copied once per session."""
    src = tmp_path_factory.mktemp("docs-template") / "repo"
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True)
    if listed.returncode != 0:
        pytest.fail(f"git ls-files failed in {ROOT}: {listed.stderr.strip()}")
    for rel in filter(None, listed.stdout.split("\0")):
        path = ROOT / rel
        if not (path.is_file() or path.is_symlink()):
            continue   # deleted in the work tree but still in the index
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        if path.is_symlink():
            dest.symlink_to(os.readlink(path))
        else:
            shutil.copy2(path, dest)
    return src


@pytest.fixture
def workdir(_template, tmp_path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(_template, repo, symlinks=True)
    if SHARED.exists():
        (tmp_path / "shared").symlink_to(SHARED)
    return repo


def _needs_summeval(b: Block, request):
    if NEEDS_SUMMEVAL.search(b.body):
        request.getfixturevalue("summeval_path")


def _shell_script(b: Block) -> str:
    lines = ["set -o pipefail"]
    for line, cmd, expected in commands(b):
        shown = cmd.splitlines()[0][:120].replace("'", "'\\''")
        lines += [cmd, "__rc=$?",
                  f"if [ \"$__rc\" != {expected} ]; then echo '{b.page}:{line}: exit '\"$__rc\"', expected {expected}: "
                  f"$ {shown}' >&2; exit 97; fi"]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("block", [_param(b) for b in RUNNABLE])
def test_block_runs(block: Block, workdir: Path, request, monkeypatch):
    if block.marker == "not-run":
        pytest.skip(f"not run: {block.reason}")
    _needs_summeval(block, request)
    if block.lang == "python":
        monkeypatch.chdir(workdir)
        exec(compile(block.body, block.id, "exec"), {"__name__": "__docs__"})
        return
    env = {**os.environ, "TQDM_DISABLE": "1", "BENCH_PROGRESS": "0"}
    done = subprocess.run(["bash", "-c", _shell_script(block)], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=1800)
    assert done.returncode == 0, f"{block.id} failed:\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"


def test_a_failing_command_fails_the_block(workdir: Path):
    """The harness can fail: a wrong exit code and a command that errors are both caught."""
    bad = Block("x.md", 1, "console", "$ true  # exit 1\n", "", "")
    assert subprocess.run(["bash", "-c", _shell_script(bad)], cwd=workdir, capture_output=True).returncode == 97
    bad = Block("x.md", 1, "console", "$ bench run limt=5\nsome output\n$ true\n", "", "")
    done = subprocess.run(["bash", "-c", _shell_script(bad)], cwd=workdir, capture_output=True, text=True)
    assert done.returncode == 97 and "x.md:2: exit 2, expected 0" in done.stderr


def test_commands_parse_continuations_and_exit_codes():
    b = Block("x.md", 10, "console", "$ bench run \\\n  limit=1\noutput\n$ bench check  # exit 1\n", "", "")
    assert commands(b) == [(11, "bench run \\\n  limit=1", 0), (14, "bench check  # exit 1", 1)]


if __name__ == "__main__":   # list the blocks: python tests/test_docs.py
    for b in ALL:
        print(b.id, b.lang or "-", b.marker, len(commands(b)) if b.lang == "console" else "")
    sys.exit(0)
