"""SummEval with every annotator's judgment: 12 abstractive systems x 100 documents = 1,200 items.

Reads the SummEval "paired" JSON Lines files ``M*_outputs_annotations.jsonl``
(from DAMO-NLP-SG/LLM_summeval; see ``../shared/data/summeval/SOURCE.md``):
per summary, 3 expert and 5 crowd-worker (turker) annotations of coherence,
consistency, fluency and relevance, integers 1-5.

The items are the ``summeval`` source's own items for these 12 systems: same
ids (``{doc_id}/{system}``), order, candidates and references, read from
``bartscore_SummEval_data.json`` beside the folder. The two files tokenise and
case the texts differently (BARTScore's is PTB-tokenised and sentence-cased,
and drops ``-lrb-``/``-rrb-``), so taking the texts from one place is what makes
a metric score the same here and in a ``summeval`` run. Each row's ``decoded``
and ``references`` are checked to be the same text up to case, punctuation,
spacing and PTB brackets, so a row cannot be paired with the wrong summary.

Metadata per item::

    {"doc_id": str, "system": str,
     "expert": {dim: mean of the 3 experts}, "turker": {dim: mean of the 5 turkers},
     "annotators": {"expert": [{dim: int}] * 3, "turker": [{dim: int}] * 5}}

The expert means equal the ``summeval`` source's ``expert`` scores exactly.
JSON only; nothing is unpickled.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bench import jsonio
from bench.data import summeval
from bench.data.items import Item
from bench.data.spec import DatasetSpec
from bench.data.text_files import read_utf8
from bench.errors import BenchError
from bench.paths import project_root


DEFAULT_PATH = "../shared/data/summeval/llm_summeval_model_output_annotations"
TEXT_FILE = "bartscore_SummEval_data.json"  # beside the folder, as in ../shared/data/summeval/
PATTERN = "M*_outputs_annotations.jsonl"
DIMS = ("coherence", "consistency", "fluency", "relevance")
GROUPS = {"expert": "expert_annotations", "turker": "turker_annotations"}  # metadata name -> field
FIX = "pass the llm_summeval_model_output_annotations folder from ../shared/data/summeval/ (see its SOURCE.md)"


def _folder(spec: DatasetSpec) -> Path:
    folder = Path(spec.path or project_root() / DEFAULT_PATH).expanduser()
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "not found"
        raise BenchError(f"dataset.path: SummEval annotations folder {what}: {folder}", FIX)
    return folder


def _files(folder: Path) -> list[Path]:
    files = sorted(folder.glob(PATTERN), key=lambda p: int(p.name.split("_")[0].lstrip("M") or -1))
    if not files:
        raise BenchError(f"{folder} holds no {PATTERN} files", FIX)
    return files


def _annotations(value: Any, where: str, group: str) -> list[dict[str, int]]:
    """A validated list of {dim: int 1-5} dicts, dims in ``DIMS`` order."""
    if not isinstance(value, list) or not value:
        raise BenchError(f"{where}: {GROUPS[group]} is not a non-empty list", FIX)
    out = []
    for k, entry in enumerate(value):
        if not isinstance(entry, dict) or set(entry) != set(DIMS):
            raise BenchError(f"{where}: {GROUPS[group]}[{k}] is not a dict of {', '.join(DIMS)}", FIX)
        for dim in DIMS:
            score = entry[dim]
            # bool is an int subclass; a true/false score is a damaged file, not a 1.
            if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                raise BenchError(f"{where}: {GROUPS[group]}[{k}].{dim} = {score!r} is not an integer 1-5", FIX)
        out.append({dim: entry[dim] for dim in DIMS})
    return out


def _row(line: str, where: str, system: str) -> dict[str, Any]:
    try:
        row = jsonio.loads(line, position=False)
    except jsonio.JsonError as exc:  # also: nested too deep, a key twice
        raise BenchError(f"{where} is not valid JSON ({exc.msg})", FIX) from None
    if not isinstance(row, dict):
        raise BenchError(f"{where} is not a JSON object", FIX)
    for key, kind in (("id", str), ("model_id", str), ("decoded", str), ("references", list)):
        if not isinstance(row.get(key), kind):
            raise BenchError(f"{where} has no {kind.__name__} field {key!r}", FIX)
    if row["model_id"] != system:
        raise BenchError(f"{where}: model_id {row['model_id']!r} in the file of {system}", FIX)
    return row


def _normal(text: str) -> str:
    """Text up to case, punctuation, spacing and PTB brackets (what the two SummEval copies differ in)."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"-[lr][rcs]b-", "", text.lower()))


def _same_text(row: dict[str, Any], item: Item, where: str) -> None:
    if _normal(row["decoded"]) != _normal(item.candidate):
        raise BenchError(f"{where}: decoded does not match {item.id}'s summary in {TEXT_FILE}", FIX)
    refs = row["references"]
    if len(refs) != len(item.references) or any(
        not isinstance(a, str) or _normal(a) != _normal(b) for a, b in zip(refs, item.references)
    ):
        raise BenchError(f"{where}: references do not match {item.id}'s in {TEXT_FILE}", FIX)


def _mean(annotations: list[dict[str, int]]) -> dict[str, float]:
    # sum / count in this order gives exactly the floats of the BARTScore copy (checked on all 1,200).
    return {dim: sum(a[dim] for a in annotations) / len(annotations) for dim in DIMS}


def load(spec: DatasetSpec) -> list[Item]:
    """The 1,200 annotated SummEval summaries: ``summeval``'s items with per-annotator judgments as metadata."""
    folder = _folder(spec)
    text_path = folder.parent / TEXT_FILE
    if not text_path.is_file():
        raise BenchError(f"{text_path} not found (the summaries' text is read from it)",
                         f"keep {TEXT_FILE} beside the annotations folder, as in ../shared/data/summeval/")
    texts = {it.id: it for it in summeval.load(DatasetSpec(name="summeval", source="summeval", path=str(text_path)))}
    metadata: dict[str, dict[str, Any]] = {}
    sizes: dict[str, tuple[int, str]] = {}  # group -> (annotators per row, where that was first seen)
    for path in _files(folder):
        system = path.name.split("_")[0]
        for lineno, line in enumerate(read_utf8(path).splitlines(), start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            row = _row(line, where, system)
            item_id = f"{row['id']}/{system}"
            if item_id not in texts:
                raise BenchError(f"{where}: {item_id} is not a SummEval summary in {TEXT_FILE}", FIX)
            if item_id in metadata:
                raise BenchError(f"{where}: duplicate annotations for {item_id}", FIX)
            _same_text(row, texts[item_id], where)
            annotators = {}
            for group, field in GROUPS.items():
                annotators[group] = _annotations(row.get(field), where, group)
                # Per-annotator statistics (alpha, annotator bootstrap) assume one panel size per group.
                size, first = sizes.setdefault(group, (len(annotators[group]), where))
                if len(annotators[group]) != size:
                    raise BenchError(
                        f"{where}: {len(annotators[group])} {field}, but {size} at {first}",
                        "every row must have the same number of annotators per group",
                    )
            metadata[item_id] = {
                "doc_id": row["id"],
                "system": system,
                **{group: _mean(annotators[group]) for group in GROUPS},
                "annotators": annotators,
            }
    # summeval's order (documents sorted, systems by number), restricted to the annotated summaries.
    return [
        Item(id=item.id, candidate=item.candidate, references=item.references, metadata=metadata[item.id],
             source=item.source)
        for item_id, item in texts.items()
        if item_id in metadata
    ]
