"""rouge-score's own scores for every SummEval (reference, candidate) pair, committed as data.

``python -m tests.metrics.oracles.summeval_rouge`` (from the checkout, ../shared beside it) writes
``summeval_rouge.json.gz`` next to this file (``--out FILE``: elsewhere). The oracle is rouge-score 0.1.2 itself:
``RougeScorer(ROUGE_TYPES, use_stemmer=True).score(split(reference), split(candidate))`` for all 17,600
pairs (1,600 items x 11 references, item-major), texts split one sentence per line by bench's punkt
splitter (rouge-score's rougeLsum convention); tests/metrics/test_rouge.py reduces these rows per item
without bench's code. Recomputing them takes ~30 s of pure Python on two cores and proves nothing new
while rouge-score, nltk and the data stay the same: the slow tier recomputes them once, by running
docs/testing.md's block (``--out`` to a new file, then ``cmp`` with the committed one, decompressed:
same bytes, so the same bits and versions), and tests/metrics/test_rouge.py checks the versions and the raw-text rows.

Values are exact: each float is stored as the 16 hex digits of its IEEE-754 binary64 bits, so the file
round-trips bit for bit. The file records the versions and the data's SHA-256 it was made from.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import sys
from pathlib import Path

PATH = Path(__file__).with_name("summeval_rouge.json.gz")
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {dist: version(dist) for dist in ("rouge-score", "nltk")}


def _encode(rows: list[tuple[float, float, float]]) -> str:
    return "".join(struct.pack(">3d", *row).hex() for row in rows)


def _decode(text: str) -> list[tuple[float, float, float]]:
    raw = bytes.fromhex(text)
    return [struct.unpack_from(">3d", raw, k) for k in range(0, len(raw), 24)]


def compute(items, workers: int | None = None) -> dict[str, list[tuple[float, float, float]]]:
    """{type: [(P, R, F) per pair]} from rouge-score (spread over processes; see test_rouge.oracle_pairs)."""
    from tests.metrics.test_rouge import oracle_pairs, split

    targets = [ref for it in items for ref in it.references]
    predictions = [it.candidate for it in items for _ in it.references]
    texts = {t: split(t) for t in {*targets, *predictions}}
    scores = oracle_pairs(ROUGE_TYPES, True, [texts[t] for t in targets], [texts[p] for p in predictions], memo=True)
    return {t: [s[t] for s in scores] for t in ROUGE_TYPES}


def document(scores: dict, data_sha256: str) -> dict:
    return {
        "what": "rouge-score RougeScorer(types, use_stemmer=True).score(split(ref), split(cand)) per SummEval pair",
        "made_by": "python -m tests.metrics.oracles.summeval_rouge",
        "versions": _versions(),
        "data_sha256": data_sha256,
        "pairs": len(scores[ROUGE_TYPES[0]]),
        "encoding": "per type: (P, R, F) per pair, item-major, each float as 16 hex digits of its big-endian binary64",
        "scores": {t: _encode(rows) for t, rows in scores.items()},
    }


def load(path: Path = PATH) -> tuple[dict, dict[str, list[tuple[float, float, float]]]]:
    """(the file's header, {type: [(P, R, F) per pair]})."""
    doc = json.loads(gzip.decompress(path.read_bytes()))
    scores = {t: _decode(doc["scores"][t]) for t in ROUGE_TYPES}
    if any(len(rows) != doc["pairs"] for rows in scores.values()):
        raise ValueError(f"{path}: pair counts differ from the header's {doc['pairs']}")
    header = {k: v for k, v in doc.items() if k != "scores"}
    return header, scores


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    import argparse

    from bench.data import DatasetSpec, load_items
    from tests.conftest import SUMMEVAL

    ap = argparse.ArgumentParser(prog="python -m tests.metrics.oracles.summeval_rouge", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=PATH, help=f"where to write (default: {PATH.name} beside this file)")
    out = ap.parse_args(argv).out
    items = load_items(DatasetSpec(name="summeval", source="summeval", path=str(SUMMEVAL)))
    doc = document(compute(items), sha256(SUMMEVAL))
    # mtime=0: the same scores give the same bytes
    out.write_bytes(gzip.compress(json.dumps(doc, indent=1, sort_keys=True).encode(), mtime=0))
    print(f"{out}: {doc['pairs']} pairs, {out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
