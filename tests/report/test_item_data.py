"""The item browser's data (bench.report.items) and its hookup in ``bench report``.

Texts are checked against what the test wrote into its own dataset file, never against bench's loaders:
a reference or source is shown only where its hash matches the run's, and otherwise the page says why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from report_offline import remote_references

from bench.report import build, items
from bench.results import run_record
from bench.results.model import Run

# two documents, three systems each (named so that natural order differs from text order: M2 before M10)
DOCS = {"d1": ("the cat sat on the mat today", ["a cat sat on a mat", "the cat was on the mat"]),
        "d10": ("dogs ran far away from home under grey skies", ["dogs ran away from home", "the dogs ran far"])}
SYSTEMS = ("M10", "M2", "M1")


def _write(path: Path, docs=DOCS) -> Path:
    with path.open("w") as fh:
        for d, (article, refs) in docs.items():
            for k, s in enumerate(SYSTEMS):
                fh.write(json.dumps({"id": f"{d}/{s}", "candidate": " ".join(article.split()[k:k + 5]),
                                     "refs": refs, "article": article, "doc": d, "system": s}) + "\n")
    return path


@pytest.fixture(scope="module")
def texts_run(tmp_path_factory, bench_main) -> Run:
    tmp = tmp_path_factory.mktemp("items")
    data = _write(tmp / "data.jsonl")
    proc = bench_main("run", "dataset=files", f"dataset.path={data}", "metrics=[rouge]", "name=items",
                      "dataset.columns.references=[refs]", "dataset.columns.source=article",
                      "+dataset.doc_key=doc", "+dataset.system_key=system", "ci.resamples=0",
                      f"results_dir={tmp / 'results'}", cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    return run_record.load(Path(proc.stdout.strip().splitlines()[-1]))


def _moved(run: Run, path: Path) -> Run:
    """The same run with its config pointing at another dataset file."""
    record = run.record_dict()
    record["config"]["dataset"]["path"] = str(path)
    return Run.of(record, run.samples_list(), run.path)


def _shown(data: dict, k: int) -> tuple[list[str] | None, str | None]:
    """Item k's references and source as the page would show them (None: unavailable)."""
    r = data["runs"][0]
    refs = None if r["refs"][k] < 0 else [data["texts"][t] for t in data["refsets"][r["refs"][k]]]
    src = None if r["srcs"][k] < 0 else data["texts"][r["srcs"][k]]
    return refs, src


def test_texts_are_shown_where_their_hashes_match_and_stored_once(texts_run):
    data = items.payload([texts_run], ["run"])
    run = data["runs"][0]
    assert run["unavailable"] == [] and len(run["ids"]) == 6
    for k, item_id in enumerate(run["ids"]):
        article, refs = DOCS[item_id.split("/")[0]]
        assert _shown(data, k) == (refs, article)
        assert run["systems"][k] == item_id.split("/")[1] and run["docs"][k] == item_id.split("/")[0]
    assert len(data["refsets"]) == 2 and len(data["texts"]) == 2 + 4  # each source and reference set once
    rouge1 = next(m for m in data["metrics"] if m["name"] == "rouge1")
    assert rouge1["stats"][rouge1["main"]] == "fmeasure" and rouge1["higher"] is True
    main = run["scores"][data["metrics"].index(rouge1)][rouge1["main"]]
    assert main == list(texts_run.column("rouge1", "fmeasure"))


def test_systems_documents_and_ids_sort_naturally(texts_run):
    run = items.payload([texts_run], ["run"])["runs"][0]
    by_rank = [s for _, s in sorted(zip(run["ranks"]["system"], run["systems"]))]
    assert list(dict.fromkeys(by_rank)) == ["M1", "M2", "M10"]
    docs = [d for _, d in sorted(zip(run["ranks"]["doc"], run["docs"]))]
    assert list(dict.fromkeys(docs)) == ["d1", "d10"]


def test_a_changed_dataset_never_shows_a_wrong_text(texts_run, tmp_path):
    changed = {**DOCS, "d10": (DOCS["d10"][0], ["a reference written after the run", "the dogs ran far"])}
    data = items.payload([_moved(texts_run, _write(tmp_path / "changed.jsonl", changed))], ["run"])
    run = data["runs"][0]
    assert "a reference written after the run" not in data["texts"]
    for k, item_id in enumerate(run["ids"]):
        refs, src = _shown(data, k)
        doc = item_id.split("/")[0]
        assert src == DOCS[doc][0]  # the source did not change: still shown
        assert refs == (None if doc == "d10" else DOCS[doc][1])
    assert run["unavailable"] == ["references or source unavailable for 3 of 6 items: the references in its dataset "
                            "differ from those scored (their hash changed)"]
    assert run["reasons"][-run["refs"][run["ids"].index("d10/M2")] - 1] == run["reasons"][0]


def test_a_dataset_that_cannot_be_loaded_gives_one_note(texts_run, tmp_path):
    data = items.payload([_moved(texts_run, tmp_path / "gone.jsonl")], ["run"])
    run = data["runs"][0]
    assert all(c == -1 for c in run["refs"] + run["srcs"]) and data["texts"] == []
    assert len(run["unavailable"]) == 1 and run["unavailable"][0].startswith(
        "references or source unavailable for 6 of 6 items: its dataset could not be loaded: ")
    assert run["candidates"] == [s.candidate for s in texts_run.samples]  # candidates and scores stay


def test_a_run_scored_in_memory_has_no_dataset():
    import bench

    run = bench.score(["a b c", "a b d"], ["a b c", ["a c d", "b"]], ci={"resamples": 0})
    data = items.payload([run], ["mem"])
    assert data["runs"][0]["unavailable"] == ["references or source unavailable for 2 of 2 items: the run scored "
                                        "in-memory texts (bench.score): there is no dataset to read them from"]
    assert data["runs"][0]["systems"] == [None, None]


def test_embedded_data_cannot_end_its_script_block():
    hostile = "</script><img src=x onerror=alert(1)> &lt; <!-- \u2028"
    text = items.embedded({"t": hostile})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": hostile}


def test_report_has_the_browser_unless_asked_not_to(made, tmp_path, bench_main):
    runs = [str(p) for p in made["runs"]]
    page, text = build.write(runs, output=str(tmp_path / "a.html"), worst=3)
    assert text.count('id="ib-data"') == 1 and remote_references(text) == []
    assert "Items that moved most between the first two runs" in text and '"worst":3' in text
    _, plain = build.write(runs, output=str(tmp_path / "b.html"))
    assert "ib-data" not in plain
    _, md = build.write(runs, fmt="markdown", output=str(tmp_path / "c.md"), worst=3)
    assert "Items" not in md.split("\n## ")[-1] and "ib-" not in md
    proc = bench_main("report", *runs, "--no-items", "--output", "-", cwd=tmp_path)
    assert proc.returncode == 0 and "ib-data" not in proc.stdout
    proc = bench_main("report", *runs, "--output", "-", cwd=tmp_path)
    assert proc.returncode == 0 and '"worst":10' in proc.stdout


def test_worst_below_one_is_one_line_and_writes_nothing(made, tmp_path, bench_main):
    out = tmp_path / "r.html"
    proc = bench_main("report", str(made["runs"][0]), "--worst", "0", "--output", str(out), cwd=tmp_path)
    assert proc.returncode != 0 and not out.exists()
    assert proc.stderr.strip().splitlines() == ["bench: error: --worst 0 lists no item; pass --worst N with N >= 1, "
                                                "or --no-items"]
