"""bench.results.export: the flat item x metric x stat table, its three encodings and the atomic write."""

from __future__ import annotations

import csv
import io
import json

import pytest

from bench.errors import BenchError
from bench.results import export
from bench.results.model import Run


def _record(run_id="r1", system_key="system", doc_key="doc.id"):
    dataset = {"name": "d"}
    if system_key:
        dataset["system_key"] = system_key
    if doc_key:
        dataset["doc_key"] = doc_key
    return {"experiment": "exp", "config": {"dataset": dataset}, "volatile": {"run_id": run_id}}


def _runs(*pairs):
    """Hand-made (record, samples) pairs as the Runs export takes."""
    return [Run.of(record, samples) for record, samples in pairs]


SAMPLES = [
    {"id": "a", "metadata": {"system": "M1", "doc": {"id": "d1"}, "expert": {"coherence": 4.5}, "tags": ["x", "y"]},
     "scores": {"rouge1": {"fmeasure": 0.5, "precision": 0.25}, "len": {"ratio": 1.0}}},
    {"id": "b", "metadata": {"system": "M2", "doc": {"id": "d1"}, "mixed": 3},
     "scores": {"rouge1": {"fmeasure": 0.75, "precision": 0.5}, "len": {"ratio": 2.0}}},
]


def test_one_row_per_item_metric_stat_with_system_document_and_metadata():
    cols = export.table(_runs((_record(), SAMPLES)))
    assert list(cols)[:8] == list(export.FIXED)
    rows = list(export.rows(cols))
    assert len(rows) == 2 * 3
    assert rows[0] == {"run_id": "r1", "experiment": "exp", "item_id": "a", "system": "M1", "document": "d1",
                       "metric": "rouge1", "stat": "fmeasure", "value": 0.5, "doc.id": "d1",
                       "expert.coherence": 4.5, "metadata.system": "M1", "mixed": None, "tags": '["x", "y"]'}
    assert [(r["item_id"], r["metric"], r["stat"], r["value"]) for r in rows[3:]] == [
        ("b", "rouge1", "fmeasure", 0.75), ("b", "rouge1", "precision", 0.5), ("b", "len", "ratio", 2.0)]
    assert rows[3]["expert.coherence"] is None and rows[3]["tags"] is None and rows[3]["mixed"] == 3


def test_system_and_document_are_null_without_declared_keys():
    rows = list(export.rows(export.table(_runs((_record(system_key=None, doc_key=None), SAMPLES)))))
    assert {r["system"] for r in rows} == {None} and {r["document"] for r in rows} == {None}
    assert rows[0]["metadata.system"] == "M1"  # the field is still there, under its own (prefixed) name


def test_a_field_of_mixed_kinds_becomes_text_and_numbers_stay_numbers():
    samples = [{"id": str(i), "metadata": {"f": v, "n": n}, "scores": {"m": {"s": 0.0}}}
               for i, (v, n) in enumerate([(1, 1), ("two", 2.5), (None, None), (True, 3)])]
    cols = export.table(_runs((_record(), samples)))
    assert cols["f"] == ["1", "two", None, "true"] and cols["n"] == [1, 2.5, None, 3]


def test_several_runs_share_one_set_of_columns():
    other = [{"id": "c", "metadata": {"new": "z"}, "scores": {"rouge1": {"fmeasure": 0.1}}}]
    rows = list(export.rows(export.table(_runs((_record("r1"), SAMPLES), (_record("r2"), other)))))
    assert len(rows) == 7 and rows[-1]["run_id"] == "r2" and rows[-1]["new"] == "z" and rows[0]["new"] is None
    assert rows[-1]["expert.coherence"] is None


def test_csv_and_jsonl_read_back_exactly():
    cols = export.table(_runs((_record(), SAMPLES)))
    expected = list(export.rows(cols))
    lines = export.encode(cols, "jsonl").decode().splitlines()
    assert [json.loads(line) for line in lines] == expected
    reader = list(csv.DictReader(io.StringIO(export.encode(cols, "csv").decode())))
    assert list(reader[0]) == list(cols)
    assert [float(r["value"]) for r in reader] == [r["value"] for r in expected]
    assert reader[0]["tags"] == '["x", "y"]' and reader[3]["tags"] == ""  # null: an empty cell


def test_parquet_reads_back_with_its_types():
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = export.table(_runs((_record(), SAMPLES)))
    table = pq.read_table(pa.BufferReader(export.encode(cols, "parquet")))
    assert table.column_names == list(cols) and table.to_pylist() == list(export.rows(cols))
    assert table.schema.field("value").type == pa.float64() and table.schema.field("item_id").type == pa.string()


def test_unknown_format_is_a_user_error():
    with pytest.raises(BenchError, match="unknown export format 'xlsx'"):
        export.encode(export.table([]), "xlsx")


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path):
    target = tmp_path / "out" / "x.csv"
    export.write(target, b"old\n")
    export.write(target, b"new\n")
    assert target.read_bytes() == b"new\n" and sorted(p.name for p in target.parent.iterdir()) == ["x.csv"]
    (tmp_path / "file").write_text("")
    with pytest.raises(BenchError, match="cannot write"):
        export.write(tmp_path / "file" / "x.csv", b"")  # a file where a folder should be


def test_corpus_table_has_one_row_per_run_and_corpus_metric_with_sacrebleus_values():
    import sacrebleu

    import bench

    cands = ["the cat sat on the mat today", "a dog ran far away from home", "it rained all day long"]
    refs = ["the cat sat on a mat", "the dog ran away from home", "it was raining all day"]
    run = bench.score(cands, refs, metrics=["rouge", "bleu", "chrf"], ci={"resamples": 0})
    cols = export.corpus_table([run, run])
    assert list(cols) == list(export.CORPUS)
    rows = list(export.rows(cols))
    # sacrebleu's own corpus scores with bench's shipped options (configs/metrics/bleu.yaml: effective_order true)
    bleu = sacrebleu.BLEU(effective_order=True).corpus_score(cands, [refs]).score
    chrf = sacrebleu.CHRF().corpus_score(cands, [refs]).score
    assert [(r["metric"], r["stat"], r["corpus"]) for r in rows] == [("bleu", "score", bleu), ("chrf", "score", chrf)] * 2
    means = {"bleu": sum(sacrebleu.BLEU(effective_order=True).sentence_score(c, [r]).score for c, r in zip(cands, refs)) / 3,
             "chrf": sum(sacrebleu.CHRF().sentence_score(c, [r]).score for c, r in zip(cands, refs)) / 3}
    for r in rows:
        assert r["mean"] == pytest.approx(means[r["metric"]], rel=1e-12) and r["mean"] != r["corpus"]
        assert r["items"] == 3 and r["ci_lo"] is None and r["ci_hi"] is None and r["signature"].startswith(r["metric"])
    assert run.corpus["bleu"] == rows[0]["corpus"]


def test_corpus_table_of_runs_without_corpus_values_is_an_error():
    with pytest.raises(BenchError, match="no metric of these runs has a corpus value"):
        export.corpus_table(_runs(({**_record(), "metrics": {"rouge1": {"fmeasure": 0.5}}, "signatures": {}}, SAMPLES)))


def test_wide_table_has_a_row_per_item_and_a_column_per_metric_stat():
    cols = export.wide_table(_runs((_record(), SAMPLES)))
    assert list(cols)[:9] == ["run_id", "experiment", "item_id", "system", "document",
                              "rouge1.fmeasure", "rouge1.precision", "len.ratio", "doc.id"]
    rows = list(export.rows(cols))
    assert rows == [
        {"run_id": "r1", "experiment": "exp", "item_id": "a", "system": "M1", "document": "d1",
         "rouge1.fmeasure": 0.5, "rouge1.precision": 0.25, "len.ratio": 1.0, "doc.id": "d1",
         "expert.coherence": 4.5, "metadata.system": "M1", "mixed": None, "tags": '["x", "y"]'},
        {"run_id": "r1", "experiment": "exp", "item_id": "b", "system": "M2", "document": "d1",
         "rouge1.fmeasure": 0.75, "rouge1.precision": 0.5, "len.ratio": 2.0, "doc.id": "d1",
         "expert.coherence": None, "metadata.system": "M2", "mixed": 3, "tags": None}]


def test_wide_table_holds_the_long_tables_values_and_nulls_what_a_run_lacks():
    other = [{"id": "c", "metadata": {"rouge1.fmeasure": "a clash"}, "scores": {"rouge1": {"fmeasure": None}}}]
    runs = _runs((_record("r1"), SAMPLES), (_record("r2"), other))
    wide = list(export.rows(export.wide_table(runs)))
    long = list(export.rows(export.table(runs)))
    assert len(wide) == 3 and wide[2]["rouge1.fmeasure"] is None and wide[2]["len.ratio"] is None
    assert wide[2]["metadata.rouge1.fmeasure"] == "a clash"  # a metadata field never hides a score column
    by_key = {(r["run_id"], r["item_id"], f"{r['metric']}.{r['stat']}"): r["value"] for r in long}
    for row in wide:
        for name in ("rouge1.fmeasure", "rouge1.precision", "len.ratio"):
            assert row[name] == by_key.get((row["run_id"], row["item_id"], name))


def test_wide_table_encodes_in_every_format():
    cols = export.wide_table(_runs((_record(), SAMPLES)))
    back = list(csv.DictReader(io.StringIO(export.encode(cols, "csv").decode())))
    assert [r["rouge1.fmeasure"] for r in back] == ["0.5", "0.75"]
    lines = [json.loads(x) for x in export.encode(cols, "jsonl").decode().splitlines()]
    assert lines[1]["len.ratio"] == 2.0
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(pa.BufferReader(export.encode(cols, "parquet")))
    assert table.column("rouge1.precision").to_pylist() == [0.25, 0.5]
