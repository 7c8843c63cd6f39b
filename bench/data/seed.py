"""The seed pair: the article (reference and source) and its rewrite (candidate source).

The two files are part of the experiment's definition, so they are checked
against their SHA-256 at load time: an edited seed is an error, not a new
number.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bench.data.items import Item
from bench.data.spec import DatasetSpec
from bench.data.text_files import read_utf8
from bench.errors import BenchError
from bench.paths import seeds_dir


REFERENCE_NAME = "000_b397174ee7933813.txt"
CANDIDATE_NAME = "001_2b5b015d8d3b2a6c.txt"
SEED_SHA256 = {
    REFERENCE_NAME: "7c24ebffa472dd3995971f4e29fd0201fc5b4571f63991202675ee32cee422b9",
    CANDIDATE_NAME: "708b6a9744f32a167fe2faa5fe1d1a61b7dc2afaf0449964ebf112ea7fd0ad97",
}


def _seed_file(configured: str | None, default_name: str) -> tuple[Path, str | None]:
    """The file to read and the hash it must have (None for a user-chosen file)."""
    if configured is None:
        return seeds_dir() / default_name, SEED_SHA256[default_name]
    path = Path(configured)
    return path, SEED_SHA256.get(path.name)


def _read_checked(path: Path, expected: str | None) -> str:
    text = read_utf8(path)
    if expected is not None:
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise BenchError(
                f"seed file {path} has SHA-256 {actual[:12]}…, expected {expected[:12]}…",
                "restore it from ../shared/seeds/ (seeds must be byte-identical)",
            )
    return text


def load(spec: DatasetSpec) -> list[Item]:
    """Returns the raw seed item; the candidate is extracted later by the pipeline."""
    cand_path, cand_hash = _seed_file(spec.candidate_file, CANDIDATE_NAME)
    ref_path, ref_hash = _seed_file(spec.reference_file, REFERENCE_NAME)
    article = _read_checked(ref_path, ref_hash).strip()
    return [
        Item(
            id="seed-000",
            candidate=_read_checked(cand_path, cand_hash),
            references=(article,),
            metadata={"candidate_file": cand_path.name, "reference_file": ref_path.name},
            source=article,  # the seed has no human summary: its one reference *is* the article
        )
    ]
