"""Every shell command and Python block in README.md and docs/*.md runs as written.

The conventions (docs/README.md, "Writing these pages", says the same for authors):

- Shell commands live in ```console blocks. A line starting with ``$ `` is a command; a command line
  ending in ``\\`` continues on the next line; every other line is example output and is not compared
  (it changes with the code; the lead refreshes it). A command meant to fail ends with ``# exit N``.
- ```python blocks are executed (``exec``), in a fresh working directory like the shell blocks.
- One marker may stand on the line right before a fence: ``<!-- slow -->`` puts the block in the slow
  tier (``-m slow``; .ci/run runs it). ``<!-- smoke -->`` is for measurements of minutes
  (``python benchmarks/NAME.py ...`` and nothing else in the block): the slow tier runs them as written
  with ``BENCH_SMOKE=1``, which every benchmark script honours by running each of its steps on a sliver
  of its input (benchmarks/_smoke.py). ``<!-- not-run: REASON -->`` skips a block, printing REASON; only
  the commands that .ci/run itself executes, line for line (set-up and the two tiers), may be not-run.
- Commands may not hide elsewhere: ```bash / ```sh / ```shell blocks are refused, an untagged or
  ```text block with a line that starts like a command (``bench ``, ``python ``, ``pip ``) fails, and
  so does an indented code block that holds one. The GitHub Actions workflow in docs/gate.md (a
  ```yaml block with ``run:`` steps) is run too: its set-up lines are .ci/run's, its bench steps run.

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
MARKER = re.compile(r"<!--\s*(slow|smoke|not-run:\s*(?P<reason>.+?))\s*-->\s*$")
EXIT = re.compile(r"#\s*exit\s+(\d+)\s*$")
LOOKS_LIKE_COMMAND = re.compile(r"^\s*(\$ |bench |python3? |pip )")
NEEDS_SUMMEVAL = re.compile(r"\.\./shared|summeval|geval")
SMOKE_COMMAND = re.compile(r"^python benchmarks/(?P<script>\w+)\.py(\s|$)")
# the lines .ci/run executes itself (-q aside): the only commands a not-run block may hold
CI_LINES = {line.strip().replace(" -q ", " ") for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()}
INDENTED_COMMAND = re.compile(r"^(?: {4,}|\t)(\$ |bench |python3? |pip )")
# an indented (1-3 spaces) backtick fence (its info string has no backtick, unlike inline code), or a ~~~ fence
HIDDEN_FENCE = re.compile(r"^(?: {1,3}`{3,}[^`]*$| {0,3}~{3,})")


@dataclass(frozen=True)
class Block:
    page: str          # path relative to the repo root
    line: int          # line of the opening fence
    lang: str
    body: str
    marker: str        # "", "slow", "smoke" or "not-run"
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
    marks = [pytest.mark.slow] if b.marker in ("slow", "smoke") else []
    return pytest.param(b, marks=marks, id=b.id)


def convention_problems(found: list[Block], pages: dict[str, str]) -> list[str]:
    """What breaks the conventions above in these blocks and these pages' texts (name -> text)."""
    problems = []
    for b in found:
        if b.lang in ("bash", "sh", "shell", "zsh"):
            problems.append(f"{b.id}: ```{b.lang} block; shell commands go in ```console blocks with '$ ' prompts")
        elif b.lang == "console" and not commands(b):
            problems.append(f"{b.id}: ```console block without a '$ ' command")
        elif b.lang in ("", "text") and any(LOOKS_LIKE_COMMAND.match(x) for x in b.body.splitlines()):
            problems.append(f"{b.id}: a command in a ```{b.lang or '(untagged)'} block; use ```console")
        if b.marker in ("not-run", "smoke") and b.lang != "console":
            problems.append(f"{b.id}: <!-- {b.marker} --> is for ```console blocks")
        if b.marker == "not-run" and not b.reason.strip():
            problems.append(f"{b.id}: not-run needs a reason")
        if b.marker == "not-run":
            for step in (part.split("#", 1)[0].strip() for _, cmd, _ in commands(b) for part in cmd.split("&&")):
                if step not in CI_LINES:
                    problems.append(f"{b.id}: {step!r} is not a line of .ci/run; run it (slow, smoke), not not-run")
        if b.marker == "smoke":
            for _, cmd, _ in commands(b):
                m = SMOKE_COMMAND.match(cmd)
                script = ROOT / "benchmarks" / f"{m['script']}.py" if m else None
                if m is None:
                    problems.append(f"{b.id}: a smoke block holds only 'python benchmarks/NAME.py ...' commands: {cmd!r}")
                elif not script.is_file() or "import _smoke" not in script.read_text(encoding="utf-8"):
                    problems.append(f"{b.id}: benchmarks/{m['script']}.py does not honour BENCH_SMOKE (benchmarks/_smoke.py)")
    for name, text in pages.items():
        for line in FENCE.sub("", text).splitlines():
            if INDENTED_COMMAND.match(line):
                problems.append(f"{name}: an indented command {line.strip()!r}; use a ```console block")
            elif HIDDEN_FENCE.match(line):  # blocks these tests would not see, so would never run
                problems.append(f"{name}: a fence {line.strip()!r} not at the start of its line or not ```")
    return problems


def test_pages_follow_the_conventions():
    pages = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in PAGES}
    problems = convention_problems(ALL, pages)
    assert not problems, "\n".join(problems)
    assert any(b.page == "README.md" and b.lang == "console" for b in ALL)
    assert any(b.marker == "smoke" for b in ALL)


@pytest.mark.parametrize("lang, body, marker, reason, page, words", [
    ("bash", "bench run\n", "", "", "", "```bash block"),
    ("", "bench run limit=1\n", "", "", "", "a command in a ```(untagged) block"),
    ("console", "$ bench run limit=1\n", "not-run", "too slow", "", "is not a line of .ci/run"),
    ("console", "$ python -m pytest -m faults\n", "not-run", "tests", "", "is not a line of .ci/run"),
    ("console", "$ bench run limit=1\n", "smoke", "", "", "only 'python benchmarks/NAME.py ...' commands"),
    ("console", "$ python benchmarks/nosuch.py\n", "smoke", "", "", "does not honour BENCH_SMOKE"),
    ("console", "$ python -m pytest\n", "not-run", "", "", "not-run needs a reason"),
    ("console", "$ true\n", "", "", "Text.\n\n    python benchmarks/speed.py --quick\n", "an indented command"),
    ("console", "$ true\n", "", "", "- item\n\n  ```console\n  $ bench run\n  ```\n", "not at the start of its line"),
    ("console", "$ true\n", "", "", "~~~console\n$ bench run\n~~~\n", "not at the start of its line or not ```"),
    ("python", "print(1)\n", "smoke", "", "", "is for ```console blocks"),
])
def test_each_convention_can_fail(lang, body, marker, reason, page, words):
    found = [Block("x.md", 1, lang, body, marker, reason)]
    problems = convention_problems(found, {"x.md": page})
    assert problems and all(words in p for p in problems), problems  # (a hidden block: its two fence lines)
    assert convention_problems([Block("x.md", 1, "console", "$ python -m pytest   # all\n", "not-run", "CI runs it")],
                               {"x.md": "Text.\n\n```console\n    python x\n```\n"}) == []


@pytest.fixture(scope="session")
def _template(tmp_path_factory) -> Path:
    """The repository's files (tracked and untracked-but-not-ignored), copied once per session."""
    src = tmp_path_factory.mktemp("docs-template") / "repo"
    if (ROOT / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                                capture_output=True, text=True)
        if listed.returncode != 0:
            pytest.fail(f"git ls-files failed in {ROOT}: {listed.stderr.strip()}")
        files = filter(None, listed.stdout.split("\0"))
    else:  # a copy made by this very test (a block that runs pytest on these pages): its files are the tracked ones
        junk = {".venv", "__pycache__", ".pytest_cache", ".cache"}
        files = [str(f.relative_to(ROOT)) for f in ROOT.rglob("*")
                 if not junk & set(f.relative_to(ROOT).parts) and (f.is_file() or f.is_symlink())]
    for rel in files:
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
    if b.marker == "smoke" or NEEDS_SUMMEVAL.search(b.body):  # every measurement reads SummEval
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
    # as a user's shell: none of this pytest's own variables (a pytest command in a block is a session of its own)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}, "TQDM_DISABLE": "1", "BENCH_PROGRESS": "0"}
    if block.marker == "smoke":
        env["BENCH_SMOKE"] = "1"
    # a smoke run is seconds to a minute: one that ran its measurement in full (the script ignored
    # BENCH_SMOKE) would take 13-32 minutes, so it fails here rather than eat CI's budget
    done = subprocess.run(["bash", "-c", _shell_script(block)], cwd=workdir, env=env, capture_output=True,
                          text=True, timeout=300 if block.marker == "smoke" else 1800)
    assert done.returncode == 0, f"{block.id} failed:\n--- stdout\n{done.stdout[-4000:]}\n--- stderr\n{done.stderr[-4000:]}"


def workflow_steps() -> list[tuple[Block, str]]:
    """(block, run script) of each ``run:`` step of the GitHub Actions workflows shown (```yaml blocks with jobs)."""
    import yaml

    found = []
    for b in ALL:
        if b.lang not in ("yaml", "yml"):
            continue
        doc = yaml.safe_load(b.body)
        for job in (doc.get("jobs") or {}).values() if isinstance(doc, dict) else ():
            found += [(b, step["run"]) for step in job.get("steps", []) if "run" in step]
    return found


ACTIVATE = ". .venv/bin/activate"


def test_the_workflows_set_up_is_what_ci_runs():
    """A workflow's set-up steps (venv, pip) are .ci/run's lines (``python3`` there is ``python`` after setup-python)."""
    ci = {line.strip().replace(" -q ", " ").replace("python3 ", "python ")
          for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()}
    set_up = [part.strip() for _, script in workflow_steps() for line in script.splitlines()
              for part in line.split("&&") if "pip " in line or "venv" in line]
    for step in set_up:
        assert step == ACTIVATE or step in ci, f"workflow set-up step {step!r} is not a line of .ci/run"
    # and the other way: the venv, torch from the CPU index, bench with its constraints
    for needed in ("python -m venv .venv", "--index-url https://download.pytorch.org/whl/cpu torch==", "-c constraints.txt -e"):
        assert any(needed in step for step in set_up), f"the workflow's set-up lacks {needed!r}"
    assert any("bench " in script for _, script in workflow_steps()), "the workflow runs no bench step"


@pytest.mark.slow  # bench check on the seed experiment loads the BERTScore model
@pytest.mark.parametrize("block, script", [(b, s) for b, s in workflow_steps() if "bench " in s],
                         ids=lambda x: x.id if isinstance(x, Block) else "")
def test_the_workflows_bench_steps_run(block: Block, script: str, workdir: Path):
    """Each bench step as written, in this environment (its venv is the one these tests run in)."""
    lines = [line for line in script.splitlines() if line.strip() != ACTIVATE]
    summary = workdir / "step-summary.md"
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(summary), "TQDM_DISABLE": "1"}
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{block.id}: {done.stderr[-3000:]}"
    if "GITHUB_STEP_SUMMARY" in script:
        assert summary.read_text(encoding="utf-8").strip(), "the step wrote nothing to the job summary"
    for xml in re.findall(r"--junit (\S+)", script):
        assert (workdir / xml).read_text(encoding="utf-8").startswith("<?xml"), xml


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
