"""SummEval (Fabbri et al., 2021): 100 CNN/DM articles x 16 systems, 11 references each.

Read from the JSON dump of BARTScore's ``SUM/SummEval/data.pkl`` (see
``../shared/data/summeval/SOURCE.md``); never unpickled. Each item is one
system summary; its references are the 11 reference summaries (the original
highlight first); its source is the article (``src``, tokenised as in the dump); the expert scores (mean of 3 annotators) stay as metadata
for meta-evaluation.
"""

from __future__ import annotations


from bench import hints, jsonio
from bench.data.items import Item
from bench.data.spec import DatasetSpec
from bench.data.text_files import read_utf8
from bench.errors import BenchError
from bench.paths import project_root


DEFAULT_PATH = "../shared/data/summeval/bartscore_SummEval_data.json"


def _parse(text: str, path: str) -> dict:
    try:
        data = jsonio.loads(text)
    except jsonio.JsonError as exc:  # also: nested too deep, a key twice
        raise BenchError(f"{path} is not valid JSON ({exc})", "pass the SummEval JSON file") from None
    if not isinstance(data, dict) or not all(isinstance(v, dict) and "sys_summs" in v for v in data.values()):
        raise BenchError(
            f"{path} does not look like SummEval (doc_id -> {{src, ref_summs, sys_summs}})",
            "pass bartscore_SummEval_data.json from ../shared/data/summeval/",
        )
    return data


def _exists(path: str) -> None:
    """A missing SummEval file: say what a relative path is relative to (the working directory, not the
    checkout: the shipped ``../shared/data/summeval/...`` is found only from the checkout's root) and
    where the data comes from, which a bare "file not found" does not."""
    import os
    from pathlib import Path

    p = Path(path).expanduser()
    if p.exists():
        return
    where = "" if p.is_absolute() else f" (a relative path is read from the working directory, {os.getcwd()})"
    folder, name = DEFAULT_PATH.rsplit("/", 1)
    raise BenchError(
        f"SummEval file not found: {path}{where}",
        f"the data ({name}: BARTScore's SUM/SummEval/data.pkl as JSON; {folder}/SOURCE.md says where it comes "
        f"from) lives in {folder}/ beside the checkout: run from the checkout's root, or pass "
        f"{hints.setting('dataset.path', hints.placeholder('/abs/path/' + name))}")


def load(spec: DatasetSpec) -> list[Item]:
    """SummEval's 1,600 system summaries with 11 references each; doc id, system and expert scores as metadata."""
    path = spec.path or str(project_root() / DEFAULT_PATH)
    _exists(path)
    data = _parse(read_utf8(path), path)
    items = []
    for doc_id in sorted(data):
        doc = data[doc_id]
        for system in sorted(doc["sys_summs"], key=lambda s: int(s.lstrip("M"))):
            entry = doc["sys_summs"][system]
            items.append(
                Item(
                    id=f"{doc_id}/{system}",
                    candidate=entry["sys_summ"],
                    references=tuple(doc["ref_summs"]),
                    metadata={"doc_id": doc_id, "system": system, "expert": dict(entry["scores"])},
                    source=doc.get("src"),  # the CNN/DM article (tokenised as in the dump)
                )
            )
    return items
