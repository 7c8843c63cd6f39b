"""Support for the fault tier: the toy store's layout, snapshots, the one-line-error assertion.

The store itself (conftest.py): one toy store per session, copied into each test's own folder.

ROUGE only, 6 documents x 3 systems with a human score, built in-process (``bench.evaluate`` +
``bench.save``, the library ``bench run`` wraps) so it costs seconds: two runs of one experiment
(for ``diff``), the two shards of a third (for ``merge``), a baseline file, and the stored
leaderboard and meta-evaluation of the first run (for ``report``).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


WORDS = "the cat sat on a mat while dogs ran far away from home today under grey skies".split()


def write_toy(path: Path, same: bool = False) -> Path:
    """18 items: document d, system s; ``same``: every candidate equals its reference (constant scores)."""
    with path.open("w", encoding="utf-8") as fh:
        for d in range(6):
            ref = " ".join(WORDS[(d + k) % len(WORDS)] for k in range(8))
            for s in range(3):
                cand = ref if same else " ".join(
                    WORDS[(d + k + ((k * (d + 1) + s) % (s + 2) == 0) * (s + 3)) % len(WORDS)] for k in range(7 + d % 2))
                fh.write(json.dumps({"id": f"d{d}/s{s}", "candidate": cand, "reference": ref, "doc": f"d{d}",
                                     "system": f"sys{s}", "quality": float(3 - s + (d % 3) * 0.5)}) + "\n")
    return path


def overrides(data: Path, name: str, *extra: str) -> list[str]:
    return ["dataset=files", f"dataset.path={data}", "metrics=[rouge]", f"name={name}", "+dataset.doc_key=doc",
            "+dataset.system_key=system", "+dataset.human=[quality]", "ci.resamples=20", *extra]


@dataclass(frozen=True)
class Store:
    """Paths inside one copy of the toy store (``root`` is the test's cwd; ``results`` below it)."""

    root: Path
    data: Path

    @property
    def results(self) -> Path:
        return self.root / "results"

    def run(self, name: str) -> Path:
        (path,) = (p for p in (self.results / name).iterdir() if p.name != "analyses")
        return path

    @property
    def a(self) -> Path:
        return self.run("toy")

    @property
    def b(self) -> Path:
        return self.run("toy_b")

    @property
    def shards(self) -> list[Path]:
        """The shard runs in shard order (their run ids, which were given in that order when the store was
        built); never by reading result.json, which a test may have damaged."""
        return sorted(p for p in (self.results / "sharded").iterdir() if not p.name.startswith("."))

    @property
    def baseline(self) -> Path:
        return self.root / "baseline.json"

    def artefact(self, kind: str) -> Path:
        (path,) = (self.results / "toy" / "analyses").glob(f"{kind}-*.json")
        return path

    def index_entry(self) -> Path:
        key = json.loads((self.a / "result.json").read_text())["run_key"].split(":", 1)[1]
        return self.results / ".index" / key


def snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with a hash of its bytes (``dir`` for a folder): what "nothing written" compares."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for d in dirnames:
            out[os.path.relpath(os.path.join(dirpath, d), root)] = "dir"
        for f in filenames:
            p = os.path.join(dirpath, f)
            out[os.path.relpath(p, root)] = hashlib.sha256(Path(p).read_bytes()).hexdigest()
    return out


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


def assert_one_error(outcome, *mentions: str) -> str:
    """Exit 2, exactly one non-empty stderr line, ``bench: error:`` first, no traceback; returns the line.
    ``outcome``: an in-process Outcome or a subprocess' CompletedProcess."""
    code = outcome.code if isinstance(outcome, Outcome) else outcome.returncode
    err = outcome.err if isinstance(outcome, Outcome) else outcome.stderr
    lines = [line for line in err.splitlines() if line.strip()]
    assert "Traceback" not in err, err
    assert code == 2, (code, err)
    assert len(lines) == 1, err
    assert lines[0].startswith("bench: error:"), lines[0]
    for word in mentions:
        assert word in lines[0], (word, lines[0])
    return lines[0]
