"""What bench writes when the machine says no: a full disk behind stdout, an ASCII-only terminal, and
``--output``/``--junit`` targets that are not files bench made (devices, FIFOs, symlinks, folders,
committed baselines, run files).

Each case: the exit code, one ``bench: error:`` line on stderr, no traceback, and nothing replaced.
``/dev/full`` is only ever a process' stdout here, never an ``--output`` target.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from faults_support import overrides

pytestmark = pytest.mark.faults

# Non-ASCII and markup in the names the tables print (a system, an item id) and in the texts.
ODD_SYSTEMS = ["système-α", "sys|β"]


def _process(bench_exe, args, cwd, stdout=subprocess.PIPE, env=None) -> subprocess.CompletedProcess:
    full = {**os.environ, "TQDM_DISABLE": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", **(env or {})}
    return subprocess.run([bench_exe, *map(str, args)], cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, env=full,
                          timeout=300)


def _one_line(proc: subprocess.CompletedProcess, code: int, *mentions: str) -> str:
    err = proc.stderr.decode("utf-8", "replace")
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("[bench]")]
    assert "Traceback" not in err, err
    assert proc.returncode == code, (proc.returncode, err)
    assert len(lines) == 1 and lines[0].startswith("bench: error:"), err
    for word in mentions:
        assert word in lines[0], (word, lines[0])
    return lines[0]


@pytest.fixture
def odd(toy):
    """The toy store plus a run whose systems, ids and texts are not ASCII, and its baseline."""
    import bench

    cands = ["le chat était là", "the cat sat", "un chien", "a dog ran", "il pleut", "it rains"]
    refs = ["le chat est là", "the cat sat down", "un chien court", "a dog ran far", "il pleut fort", "it rains hard"]
    run = bench.score(cands, refs, ids=[f"é{i}" for i in range(6)], systems=ODD_SYSTEMS * 3,
                      documents=[f"d{i // 2}" for i in range(6)], name="odd", ci={"resamples": 20})
    path = bench.save(run, toy.results)
    assert bench.baseline(path, toy.root / "odd-baseline.json", False)
    data = toy.root / "odd.jsonl"
    data.write_text("".join(json.dumps({"id": f"é{i}", "candidate": c, "reference": r}, ensure_ascii=False) + "\n"
                            for i, (c, r) in enumerate(zip(cands, refs))), encoding="utf-8")
    return toy, Path(path), data


# ---------------------------------------------------------------------------------------------- full disk

FULL = {
    "ls": lambda s, o: ["ls", s.results],
    "show": lambda s, o: ["show", s.a],
    "export": lambda s, o: ["export", s.a, "--format", "csv"],
    "diff": lambda s, o: ["diff", s.a, s.b],
    "systems": lambda s, o: ["systems", s.a, "--resamples", "20", "--ci-resamples", "20", "--no-save"],
    "check": lambda s, o: ["check", s.a, "--baseline", s.baseline],
    "run": lambda s, o: ["run", *overrides(s.data, "full"), f"results_dir={s.root / 'full'}"],
}


@pytest.mark.parametrize("command", list(FULL))
def test_stdout_on_a_full_disk_is_one_line(toy, bench_exe, command):
    """stdout is /dev/full (every write: ENOSPC): one line naming stdout and the device's answer, exit 1."""
    with open("/dev/full", "wb") as full:
        proc = _process(bench_exe, FULL[command](toy, None), toy.root, stdout=full)
    _one_line(proc, 1, "cannot write to stdout", "No space left on device")


def test_a_run_is_kept_when_stdout_is_full(toy, bench_exe):
    """The run is stored before its table is printed: a full stdout loses the table, not the run."""
    with open("/dev/full", "wb") as full:
        _process(bench_exe, FULL["run"](toy, None), toy.root, stdout=full)
    (run,) = (toy.root / "full" / "full").iterdir()
    assert {"result.json", "samples.jsonl"} <= {p.name for p in run.iterdir()}


def test_stderr_on_a_full_disk(toy, bench_exe):
    """stderr is /dev/full: a command with nothing to say there succeeds; one whose error line cannot be
    written ends with 1 (the line is lost; the status is what is left), not an interpreter's 120."""
    with open("/dev/full", "wb") as full:
        fine = subprocess.run([bench_exe, "ls", toy.results], cwd=toy.root, stdout=subprocess.PIPE, stderr=full,
                              timeout=300)
        failed = subprocess.run([bench_exe, "show", "no/such/run"], cwd=toy.root, stdout=subprocess.PIPE,
                                stderr=full, timeout=300)
    assert fine.returncode == 0 and b"toy" in fine.stdout
    assert failed.returncode == 1 and failed.stdout == b""


# ---------------------------------------------------------------------------------------------- ASCII terminal

ASCII = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii"}

ON_ASCII = {
    "show": lambda s, run, data: ["show", run],
    "systems": lambda s, run, data: ["systems", run, "--resamples", "20", "--ci-resamples", "20", "--no-save"],
    "systems-markdown": lambda s, run, data: ["systems", run, "--resamples", "20", "--ci-resamples", "20",
                                              "--no-save", "--format", "markdown"],
    "check-markdown": lambda s, run, data: ["check", run, "--baseline", s.root / "odd-baseline.json",
                                            "--format", "markdown"],
    "ls": lambda s, run, data: ["ls", s.results],
    "run": lambda s, run, data: ["run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "name=odd_run",
                                 "ci.resamples=20", f"results_dir={s.root / 'ascii'}"],
}


@pytest.mark.parametrize("command", list(ON_ASCII))
def test_an_ascii_terminal_gets_replacement_characters(odd, bench_exe, command):
    store, run, data = odd
    proc = _process(bench_exe, ON_ASCII[command](store, run, data), store.root, env=ASCII)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in proc.stderr
    proc.stdout.decode("ascii")  # strict: everything printed is ASCII
    if command.startswith("systems"):  # the system names, each character the terminal lacks as '?'
        assert b"syst?me-?" in proc.stdout, proc.stdout[:2000]
    if command == "check-markdown":  # the verdict's emoji
        assert proc.stdout.startswith(b"### ? bench check"), proc.stdout[:200]


def test_export_to_an_ascii_terminal_stays_utf8(odd, bench_exe):
    """An export is a file format (UTF-8), not terminal text: its bytes on stdout are the bytes of the file."""
    store, run, _ = odd
    piped = _process(bench_exe, ["export", run, "--format", "csv"], store.root, env=ASCII)
    assert piped.returncode == 0 and b"Traceback" not in piped.stderr, piped.stderr
    filed = _process(bench_exe, ["export", run, "--format", "csv", "--output", store.root / "x.csv"], store.root,
                     env=ASCII)
    assert filed.returncode == 0, filed.stderr
    assert piped.stdout == (store.root / "x.csv").read_bytes()
    assert "système-α".encode() in piped.stdout


# ---------------------------------------------------------------------------------------------- --output targets

WRITERS = {
    "export": lambda s, t: ["export", s.a, "--format", "csv", "--output", t],
    "report": lambda s, t: ["report", s.a, "--format", "markdown", "--output", t],
    "check-output": lambda s, t: ["check", s.a, "--baseline", s.baseline, "--output", t],
    "check-junit": lambda s, t: ["check", s.a, "--baseline", s.baseline, "--junit", t],
}


def _node(path: Path) -> tuple:
    """What must not change: the node's type, its link target or its bytes."""
    st = path.lstat()
    if path.is_symlink():
        return "link", os.readlink(path)
    if path.is_dir():
        return "dir", sorted(p.name for p in path.iterdir())
    if path.is_file():
        return "file", path.read_bytes()
    return "node", st.st_mode, st.st_rdev


def _device(tmp_path: Path) -> Path:
    """A character device like /dev/null (same major/minor) in the test's folder: a bug replaces this copy,
    never the machine's /dev/null."""
    import stat

    node = tmp_path / "null-device"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    return node


TARGETS = {
    "device": (_device, "is a device"),
    "fifo": (lambda tmp: (os.mkfifo(tmp / "fifo"), tmp / "fifo")[1], "is a FIFO"),
    "symlink-to-stdout": (lambda tmp: (os.symlink("/proc/self/fd/1", tmp / "out"), tmp / "out")[1], "symbolic link"),
    "symlink-to-file": (lambda tmp: ((tmp / "real.txt").write_text("mine\n"),
                                     os.symlink(tmp / "real.txt", tmp / "link"), tmp / "link")[2], "symbolic link"),
    "folder": (lambda tmp: ((tmp / "dir").mkdir(), tmp / "dir")[1], "is a folder"),
}


@pytest.mark.parametrize("target", list(TARGETS))
@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_writer_replaces_what_is_not_a_regular_file(toy, cli, tmp_path, writer, target):
    from faults_support import assert_one_error

    make, words = TARGETS[target]
    node = make(tmp_path)
    before = _node(node)
    for force in ([], ["--force"]):  # --force never reaches these
        assert_one_error(cli(*WRITERS[writer](toy, node), *force), str(node), words)
        assert _node(node) == before


BENCH_FILES = {
    "baseline": lambda s: s.baseline,
    "run-result": lambda s: s.a / "result.json",
    "run-samples": lambda s: s.a / "samples.jsonl",
    "copied-result": lambda s: Path(__import__("shutil").copy(s.a / "result.json", s.root / "result-copy.json")),
    "copied-samples": lambda s: Path(__import__("shutil").copy(s.a / "samples.jsonl", s.root / "old.jsonl")),
    "leaderboard": lambda s: s.artefact("systems"),
    "meta": lambda s: s.artefact("meta"),
}


@pytest.mark.parametrize("kind", list(BENCH_FILES))
@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_writer_replaces_a_bench_file_even_with_force(toy, cli, writer, kind):
    """`bench export RUN --format jsonl --output results/baselines/x.json` once replaced the baseline."""
    from faults_support import assert_one_error, snapshot

    target = BENCH_FILES[kind](toy)
    before = snapshot(toy.root)
    for force in ([], ["--force"]):
        assert_one_error(cli(*WRITERS[writer](toy, target), *force), str(target))
        assert snapshot(toy.root) == before


@pytest.mark.parametrize("writer", list(WRITERS))
def test_an_existing_file_needs_force(toy, cli, writer):
    from faults_support import assert_one_error

    target = toy.root / "mine.txt"
    target.write_text("my notes\n")
    assert_one_error(cli(*WRITERS[writer](toy, target)), str(target), "exists", "--force")
    assert target.read_text() == "my notes\n"
    done = cli(*WRITERS[writer](toy, target), "--force")
    assert done.code == 0, done.err
    assert target.read_text() != "my notes\n"
    assert target.is_file() and not target.is_symlink()


def test_a_check_json_may_replace_an_earlier_check_json(toy, cli):
    """--format json writes kind `check`: replacing the previous result (with --force) is the point."""
    target = toy.root / "check.json"
    assert cli("check", toy.a, "--baseline", toy.baseline, "--format", "json", "--output", target).code == 0
    first = target.read_bytes()
    assert cli("check", toy.a, "--baseline", toy.baseline, "--format", "json", "--output", target,
               "--force").code == 0
    assert json.loads(target.read_bytes())["kind"] == json.loads(first)["kind"] == "check"
    # ...but a markdown report never replaces it
    from faults_support import assert_one_error

    assert_one_error(cli("check", toy.a, "--baseline", toy.baseline, "--format", "markdown", "--output", target,
                         "--force"), "bench check result")
    assert target.read_bytes() == first


@pytest.mark.parametrize("target", ["device", "symlink-to-file", "folder"])
def test_baseline_output_is_never_a_non_file(toy, cli, tmp_path, target):
    from faults_support import assert_one_error

    make, words = TARGETS[target]
    node = make(tmp_path)
    before = _node(node)
    for update in ([], ["--update"]):
        assert_one_error(cli("baseline", toy.a, "--output", node, *update), str(node), words)
        assert _node(node) == before


def test_baseline_output_never_replaces_another_kind(toy, cli):
    from faults_support import assert_one_error, snapshot

    target = toy.artefact("systems")
    before = snapshot(toy.root)
    assert_one_error(cli("baseline", toy.a, "--output", target, "--update"), "stored leaderboard")
    assert snapshot(toy.root) == before
