"""bench.data.stream and the streamed run: a corpus kept on disk and scored a chunk at a time gives exactly the
run of the corpus held whole (records, samples, run keys, errors), with only a chunk of texts in memory."""

from __future__ import annotations

import gc
import json
import logging
import math

import pytest

from bench import pipeline
from bench.data import stream
from bench.data.items import Item
from bench.errors import BenchError

AWKWARD = [
    Item("a", "Cand é \"q\"\n\u2028 tab\t", ("r1", ""), {"system": "M1", "n": 3, "x": 1.5, "nan": float("nan"),
                                                       "inf": -math.inf, "nested": {"k": [1, None, True]}}),
    Item("b", "", ("only",), {}, source="The source \U0001f600."),
    Item("7", "  ", ("x", "y", "z"), {"list": [], "empty": {}, "big": 2**63 + 1}, source=None),
]


def _same(a: Item, b: Item) -> bool:
    """Equal items, NaN counting equal to NaN, types and all."""
    return json.dumps(_plain(a), sort_keys=True) == json.dumps(_plain(b), sort_keys=True) and \
        type(a.references) is type(b.references) is tuple


def _plain(item: Item):
    return [item.id, item.candidate, list(item.references), item.source, repr(dict(item.metadata))]


def _stored(items, chunk):
    spill = stream.Spill()
    for k in range(0, len(items), chunk):
        spill.write(items[k:k + chunk])
    return spill.close()


def test_items_come_back_exactly_and_index_like_a_tuple():
    items = [Item(f"{k}{it.id}", it.candidate, it.references, it.metadata, it.source) for k in range(4) for it in AWKWARD]
    stored = _stored(items, 5)
    assert len(stored) == 12 and stored.counts == (5, 5, 2)
    assert stored.reference_count == sum(len(it.references) for it in items)
    assert stored.reference_counts.tolist() == [len(it.references) for it in items]
    assert all(_same(a, b) for a, b in zip(stored, items))
    assert [it.id for it in stored[3:11]] == [it.id for it in items[3:11]]  # across chunk boundaries
    assert [it.id for it in stored[::4]] == [it.id for it in items[::4]]
    assert _same(stored[-1], items[-1]) and _same(stored[5], items[5])
    assert [len(c) for c in stored.chunks()] == [5, 5, 2]
    with pytest.raises(IndexError):
        stored[12]
    assert math.isnan(stored[0].metadata["nan"]) and stored[0].metadata["inf"] == -math.inf


def test_the_scratch_folder_goes_with_the_items():
    stored = _stored(AWKWARD, 2)
    folder = stored.folder
    assert (folder / "items.arrow").is_file()
    del stored
    gc.collect()
    assert not folder.exists()


@pytest.mark.parametrize("metadata", [{"t": (1, 2)}, {"d": {1: "non-string key"}}, {"o": object()}])
def test_metadata_json_cannot_give_back_is_refused_not_changed(metadata):
    spill = stream.Spill()
    try:
        with pytest.raises(stream.Unstorable):
            spill.write([Item("a", "c", ("r",), metadata)])
    finally:
        spill.discard()
    assert not spill.folder.exists()


def _write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def summeval_jsonl(tmp_path_factory, summeval_items):
    """SummEval's 1,600 items as a JSONL file (11 references, the article, nested expert scores)."""
    rows = [{"id": it.id, "summary": it.candidate, "refs": list(it.references), "article": it.source,
             **dict(it.metadata)} for it in summeval_items]
    return _write_jsonl(tmp_path_factory.mktemp("summeval") / "summeval.jsonl", rows)


def _files(path, *overrides):
    return ["dataset=files", f"dataset.path={path}", "dataset.columns.id=id", "dataset.columns.candidate=summary",
            "dataset.columns.references=[refs]", "dataset.columns.source=article", *overrides]


def _run(run_config, overrides, chunk, monkeypatch):
    """(record without its volatile parts, samples, run key, inputs) of one run with chunks of ``chunk`` items."""
    from bench.results import record
    from bench.run import steps

    monkeypatch.setattr(stream, "CHUNK_ITEMS", chunk)
    config = run_config(*overrides)
    prep = steps.prepare(_plain_of(config, overrides))
    run = steps.compute(prep)
    rec = run.record_dict()
    for key in ("volatile", "environment"):
        rec.pop(key)
    del record
    return rec, run.samples_list(), prep.key, prep.inputs


def _plain_of(config, overrides):
    from omegaconf import OmegaConf

    from bench.config import compose

    return OmegaConf.to_container(compose(list(overrides)), resolve=True)


@pytest.mark.summeval
@pytest.mark.parametrize("extra", [
    ["metrics=[rouge,bleu,chrf,source_stats]", "+dataset.doc_key=doc_id", "group_by=system", "ci.resamples=200"],
    ["metrics=[rouge,chrf]", "metrics.rouge.against=source", "sample=700", "limit=650", "ci.resamples=100"],
    ["metrics=[source_stats,rouge]", "shard.index=1", "shard.count=3", "ci.resamples=100"],
], ids=["doc-groups", "source-sample-limit", "shard"])
def test_a_streamed_run_is_the_run_held_whole(run_config, summeval_jsonl, monkeypatch, extra):
    overrides = _files(summeval_jsonl, *extra)
    whole = _run(run_config, overrides, 10**9, monkeypatch)
    combined = []
    real = pipeline.combine

    def recording(parts, signature, merge=None):
        combined.append((parts[0].name, len(parts)))
        return real(parts, signature, merge)

    monkeypatch.setattr(pipeline, "combine", recording)
    chunked = _run(run_config, overrides, 97, monkeypatch)
    # every metric (BLEU and chrF with their corpus values too) was scored a chunk at a time and joined
    assert sorted(name for name, n in combined if n > 3) == sorted(whole[0]["metrics"])
    assert not isinstance(whole[3].items, stream.StoredItems)
    assert isinstance(chunked[3].items, stream.StoredItems) and len(chunked[3].items.counts) > 3
    assert chunked[2] == whole[2]  # run key: same fingerprints, same declared signatures
    assert json.dumps(chunked[0], sort_keys=True) == json.dumps(whole[0], sort_keys=True)
    assert chunked[1] == whole[1]


@pytest.mark.summeval
def test_a_family_that_needs_the_whole_corpus_reads_the_stored_items_whole(monkeypatch, run_config, summeval_jsonl):
    """A family that is not chunkable (a plug-in that has not said it is) scores the stored items as one
    sequence: the same values as the chunked run (ROUGE, told it is not chunkable, records what it got)."""
    from bench.metrics.rouge import Rouge

    seen = []
    real = Rouge.score

    def recording(self, items, policy, inputs):
        seen.append(type(items).__name__)
        return real(self, items, policy, inputs)

    monkeypatch.setattr(Rouge, "score", recording)
    overrides = _files(summeval_jsonl, "metrics=[rouge]", "limit=300", "ci.resamples=0")
    chunked_rec = _run(run_config, overrides, 100, monkeypatch)
    assert seen == ["tuple"] * 3
    monkeypatch.setattr(Rouge, "chunkable", False)
    seen.clear()
    whole_rec = _run(run_config, overrides, 100, monkeypatch)
    assert seen == ["StoredItems"]
    assert json.dumps(chunked_rec[0], sort_keys=True) == json.dumps(whole_rec[0], sort_keys=True)
    assert chunked_rec[1] == whole_rec[1]


@pytest.mark.parametrize("rows, message", [
    ([{"id": "a", "c": "x", "r": "y"}] * 2 + [{"id": "b", "c": None, "r": "y"}], "duplicate id 'a'"),
    ([{"id": "a", "c": "x", "r": "y"}, {"id": "b", "c": None, "r": "y"}, {"id": "a", "c": "x", "r": "y"}],
     "candidate of item 'b'"),
    ([{"id": str(k), "c": "x", "r": "y"} for k in range(5)] + [{"id": "z", "c": "x", "r": None}],
     "reference 0 of item 'z'"),
])
def test_a_streamed_corpus_names_the_problem_the_whole_one_names(tmp_path, monkeypatch, run_config, rows, message):
    path = _write_jsonl(tmp_path / "bad.jsonl", rows)
    overrides = ["dataset=files", f"dataset.path={path}", "dataset.columns.candidate=c",
                 "dataset.columns.references=[r]", "metrics=[rouge]"]
    errors = []
    for chunk in (10**9, 2):
        monkeypatch.setattr(stream, "CHUNK_ITEMS", chunk)
        with pytest.raises(BenchError) as exc:
            pipeline.prepare_inputs(run_config(*overrides))
        errors.append(str(exc.value))
    assert errors[0] == errors[1] and message in errors[0]


def test_a_chunk_warning_is_shown_once(tmp_path, monkeypatch, run_config, caplog):
    """ROUGE warns about texts its tokenizer empties: shown for the first chunk, repeats counted once; the
    record's note counts the whole corpus."""
    rows = [{"id": str(k), "c": "日本語のテキスト", "r": "reference words"} for k in range(9)]
    path = _write_jsonl(tmp_path / "cjk.jsonl", rows)
    overrides = ["dataset=files", f"dataset.path={path}", "dataset.columns.candidate=c",
                 "dataset.columns.references=[r]", "metrics=[rouge]", "ci.resamples=0"]
    monkeypatch.setattr(stream, "CHUNK_ITEMS", 3)
    config = run_config(*overrides)
    with caplog.at_level(logging.WARNING):
        root = logging.getLogger()
        root.addHandler(caplog.handler)
        try:
            result = pipeline.run(config)
        finally:
            root.removeHandler(caplog.handler)
    rouge = [r.getMessage() for r in caplog.records if r.getMessage().startswith("rouge:")]
    assert len(rouge) == 1 and "leaves 3 text(s)" in rouge[0]
    assert any("2 more warning(s) like those above" in r.getMessage() for r in caplog.records)
    assert result.metric("rouge1").notes["tokenizer_empty_texts"] == 9


def test_merge_notes_adds_counts_and_spans_nrefs():
    from bench.metrics.base import merge_notes

    merged = merge_notes([{"nrefs": "11", "a_count": 2, "x_texts": 1, "setting": 5},
                          {"nrefs": "1-3", "a_count": 3, "setting": 5}, {"nrefs": "4", "x_texts": 2}])
    assert merged == {"nrefs": "1-11", "a_count": 5, "x_texts": 3, "setting": 5}


@pytest.mark.summeval
def test_samples_are_written_as_chunks_finish_and_saved_byte_for_byte(tmp_path, run_config, summeval_jsonl,
                                                                      monkeypatch):
    """Each chunk's sample lines go to the spool as soon as the chunk is scored (the file grows chunk by chunk,
    before the next chunk is read); saving copies them, so the stored run is the one held whole, byte for byte,
    and loads verified."""
    import bench
    from bench.results import spool as spool_module
    from bench.run import steps

    overrides = _files(summeval_jsonl, "metrics=[rouge,bleu]", "limit=500", "ci.resamples=20")
    sizes = []
    real_add = spool_module.SampleSpool.add
    real_chunk = stream.StoredItems.chunk

    def add(self, items, results):
        real_add(self, items, results)
        self._fh.flush()
        sizes.append(("add", (self.folder / "samples.jsonl").stat().st_size))

    def chunk(self, k):
        sizes.append(("read", k))
        return real_chunk(self, k)

    monkeypatch.setattr(spool_module.SampleSpool, "add", add)
    monkeypatch.setattr(stream.StoredItems, "chunk", chunk)
    saved = {}
    for size in (10**9, 120):
        monkeypatch.setattr(stream, "CHUNK_ITEMS", size)
        prep = steps.prepare(_plain_of(run_config(*overrides), overrides))
        run = steps.compute(prep)
        saved[size] = steps.save(run, tmp_path / f"results-{size}")
    scoring = sizes[-10:]
    assert sizes == scoring  # one read of each chunk in the whole run: signatures read the stored counts
    assert [e[0] for e in scoring] == ["read", "add"] * 5  # read a chunk, write its samples, then the next
    assert [e[1] for e in scoring if e[0] == "read"] == [0, 1, 2, 3, 4]
    grown = [e[1] for e in scoring if e[0] == "add"]
    assert grown == sorted(grown) and len(set(grown)) == 5
    whole, chunked = (bench.load_run(saved[s]) for s in (10**9, 120))
    assert (saved[120] / "samples.jsonl").read_bytes() == (saved[10**9] / "samples.jsonl").read_bytes()
    strip = lambda r: {k: v for k, v in r.record_dict().items() if k not in ("volatile", "environment")}  # noqa: E731
    assert strip(whole) == strip(chunked)


@pytest.mark.summeval
def test_a_failed_streamed_run_leaves_no_scratch(run_config, summeval_jsonl, monkeypatch):
    from bench.metrics.rouge import Rouge
    from bench.paths import usable_cache_dir
    from bench.run import steps

    calls = []
    real = Rouge.score

    def failing(self, items, policy, inputs):
        calls.append(len(items))
        if len(calls) == 3:
            raise RuntimeError("the machine went away")
        return real(self, items, policy, inputs)

    monkeypatch.setattr(Rouge, "score", failing)
    monkeypatch.setattr(stream, "CHUNK_ITEMS", 100)
    overrides = _files(summeval_jsonl, "metrics=[rouge]", "limit=450", "ci.resamples=0")
    root = usable_cache_dir() / "stream-scratch"
    before = set(root.iterdir()) if root.exists() else set()
    prep = steps.prepare(_plain_of(run_config(*overrides), overrides))
    with pytest.raises(RuntimeError, match="went away"):
        steps.compute(prep)
    del prep
    gc.collect()
    assert set(root.iterdir()) - before == set()


@pytest.mark.summeval
def test_a_streamed_judge_run_is_the_run_held_whole(run_config, summeval_jsonl, monkeypatch):
    """An LLM judge (an OpenAI-compatible server on loopback) scored a chunk at a time: the same ratings, raw
    answers, token counts, fingerprints and cost (from the summed tokens) as the corpus judged at once."""
    from tests.metrics.judge.server import FixedModel, JudgeServer

    server = JudgeServer(FixedModel(), model="fixed")
    try:
        overrides = _files(summeval_jsonl, "metrics=[llm_judge]", "limit=40", "ci.resamples=50",
                           "metrics.llm_judge.backend=openai", "metrics.llm_judge.model=fixed",
                           f"metrics.llm_judge.base_url={server.url}", "metrics.llm_judge.progress=false",
                           "metrics.llm_judge.cache=false", "metrics.llm_judge.dimensions=[coherence,relevance]",
                           "metrics.llm_judge.price_prompt=0.15", "metrics.llm_judge.price_completion=0.6")
        whole = _run(run_config, overrides, 10**9, monkeypatch)
        chunked = _run(run_config, overrides, 7, monkeypatch)
    finally:
        server.close()
    assert isinstance(chunked[3].items, stream.StoredItems) and len(chunked[3].items.counts) == 6
    notes = chunked[0]["notes"]["judge_coherence"]
    assert notes["prompt_tokens"] > 0 and "cost_usd" in notes and notes["fingerprints"]
    assert json.dumps(chunked[0], sort_keys=True) == json.dumps(whole[0], sort_keys=True)
    assert chunked[1] == whole[1] and "details" in chunked[1][0]


@pytest.mark.slow
@pytest.mark.summeval
def test_a_streamed_bertscore_run_counts_each_truncated_text_once(run_config, summeval_jsonl, monkeypatch):
    """BERTScore against the article: 16 summaries share each article, so one long article is truncated in
    several chunks; the record counts it once, as the corpus scored at once does, and every value is the same."""
    overrides = _files(summeval_jsonl, "metrics=[bertscore]", "metrics.bertscore.against=source", "limit=120",
                       "ci.resamples=20", "metrics.bertscore.cache=false", "metrics.bertscore.progress=false")
    whole = _run(run_config, overrides, 10**9, monkeypatch)
    chunked = _run(run_config, overrides, 37, monkeypatch)
    assert isinstance(chunked[3].items, stream.StoredItems) and len(chunked[3].items.counts) == 4
    truncated = whole[0]["notes"]["bertscore"]["truncated_texts"]
    assert 0 < truncated < 8  # 120 items: 8 articles, most longer than the model's 512 tokens
    assert json.dumps(chunked[0], sort_keys=True) == json.dumps(whole[0], sort_keys=True)
    assert chunked[1] == whole[1]


def test_a_hub_dataset_streams_too(tmp_path, run_config, monkeypatch):
    """A dataset saved with ``save_to_disk`` (how dataset=hub is tested offline) is read a stored batch at a
    time and streamed past CHUNK_ITEMS: the run held whole, byte for byte."""
    import datasets

    rows = [{"id": f"r{k}", "candidate": f"the cat sat {k} times", "reference": f"a cat sat on mat {k % 7}",
             "system": f"M{k % 3}", "score": k / 3} for k in range(50)]
    datasets.Dataset.from_list(rows).save_to_disk(str(tmp_path / "saved"))
    overrides = ["dataset=hub", f"dataset.path={tmp_path / 'saved'}", "metrics=[rouge,chrf]", "group_by=system",
                 "ci.resamples=50"]
    whole = _run(run_config, overrides, 10**9, monkeypatch)
    chunked = _run(run_config, overrides, 7, monkeypatch)
    assert isinstance(chunked[3].items, stream.StoredItems) and len(chunked[3].items.counts) == 8
    assert json.dumps(chunked[0], sort_keys=True) == json.dumps(whole[0], sort_keys=True)
    assert chunked[1] == whole[1] and chunked[2] == whole[2]


def _old_prepare(config):
    """The whole-corpus path as it was before streaming: read every row, select, extract each, check all."""
    from bench import data
    from bench.data.items import validate

    spec = config.dataset
    items = data.select(data.load_items(spec), config.limit, config.sample, config.seed)
    items = [pipeline._extracted(it, spec.extract) for it in items]
    return pipeline.inputs_of(validate(items, f"dataset {spec.name!r}", config.inputs.empty))


OK_ROW = {"id": "a", "c": "Xgood text", "r": "ref"}


@pytest.mark.parametrize("rows, extra", [
    ([OK_ROW, {"id": "b", "c": "Xx", "r": "y"}, {"id": None, "c": "Xx", "r": "y"}], ["limit=0"]),
    ([OK_ROW, {"id": "b", "c": "Xx", "r": "y"}, {"id": "c", "c": "Xx", "r": "y"}, {"id": None, "c": "Xx", "r": "y"}],
     ["limit=2"]),
    ([OK_ROW, OK_ROW, {"id": "c", "c": "no x here", "r": "y"}], ["+dataset.extract.regex='^X(.*)'"]),
    ([OK_ROW, {"id": "b", "c": None, "r": "y"}, {"id": "c", "c": "Xx", "r": None}], []),
    ([{"id": str(k), "c": f"X{k}", "r": "y" if k != 6 else ""} for k in range(9)],
     ["sample=5", "inputs.empty=error"]),
    ([{"id": str(k), "c": f"X{k}", "r": "y"} for k in range(9)], ["sample=5", "limit=4", "seed=3"]),
], ids=["limit-0-then-unreadable-row", "unreadable-row-past-limit", "extraction-beats-duplicate",
        "candidate-before-reference", "sampled-empty-reference", "fine"])
def test_the_first_error_is_the_whole_corpus_paths(tmp_path, monkeypatch, run_config, rows, extra):
    """Read every row, select, extract, check, in that order: the streamed preparation names the same first
    problem as that path did (or gives the same inputs), whatever the chunk size."""
    path = _write_jsonl(tmp_path / "d.jsonl", rows)
    config = run_config("dataset=files", f"dataset.path={path}", "dataset.columns.candidate=c",
                        "dataset.columns.references=[r]", "metrics=[rouge]", *extra)

    def outcome(prepare):
        try:
            inputs = prepare(config)
        except BenchError as exc:
            return "error", str(exc)
        return "inputs", [it.id for it in inputs.items], inputs.fingerprint, inputs.empty

    expected = outcome(_old_prepare)
    for chunk in (10**9, 2):
        monkeypatch.setattr(stream, "CHUNK_ITEMS", chunk)
        assert outcome(pipeline.prepare_inputs) == expected
    assert expected[0] == ("inputs" if extra[-1:] == ["seed=3"] else "error")


def test_metadata_json_cannot_hold_is_a_one_line_error(tmp_path, run_config, monkeypatch):
    """A parquet date column decodes to datetime.date, which neither the fingerprint nor samples.jsonl can
    hold: a one-line error naming the item, streamed or not (it was a TypeError traceback)."""
    import datetime

    import pyarrow as pa
    import pyarrow.parquet as pq

    n = 10
    table = pa.table({"id": [f"d{k}" for k in range(n)], "candidate": [f"the cat {k}" for k in range(n)],
                      "reference": ["a cat"] * n,
                      "day": [datetime.date(2026, 1, 1) + datetime.timedelta(days=k) for k in range(n)]})
    pq.write_table(table, tmp_path / "dated.parquet")
    config = run_config("dataset=files", f"dataset.path={tmp_path / 'dated.parquet'}", "metrics=[rouge]")
    for chunk in (10**9, 3):
        monkeypatch.setattr(stream, "CHUNK_ITEMS", chunk)
        with pytest.raises(BenchError, match="metadata of item 'd0' cannot be stored as JSON"):
            pipeline.prepare_inputs(config)


@pytest.mark.parametrize("failing_chunk", [2, 4])
def test_items_the_store_refuses_are_kept_in_memory(tmp_path, run_config, monkeypatch, failing_chunk):
    """When the item store refuses a chunk (``Unstorable``: metadata JSON would not give back as it is), the
    corpus is held in memory instead, not refused and not changed: the same inputs."""
    rows = [{"id": f"r{k}", "candidate": f"the cat {k}", "reference": "a cat", "n": k} for k in range(10)]
    path = _write_jsonl(tmp_path / "d.jsonl", rows)
    config = run_config("dataset=files", f"dataset.path={path}", "metrics=[rouge]")
    expected = _old_prepare(config)
    real, calls = stream.Spill.write, []

    def refusing(self, items):
        calls.append(len(items))
        if len(calls) == failing_chunk:
            raise stream.Unstorable("refused")
        return real(self, items)

    monkeypatch.setattr(stream.Spill, "write", refusing)
    monkeypatch.setattr(stream, "CHUNK_ITEMS", 3)
    got = pipeline.prepare_inputs(config)
    assert isinstance(got.items, tuple) and [it.id for it in got.items] == [it.id for it in expected.items]
    assert got.items == expected.items and got.fingerprint == expected.fingerprint


def test_a_split_slice_is_read_through_its_table(tmp_path):
    """``train[2:5]`` is a slice of its Arrow file: the stored batches would hold every row, so the slice is
    read through the dataset's table instead, batch or not."""
    import datasets

    from bench.data import columns
    from bench.data.spec import ColumnSpec

    path = _write_jsonl(tmp_path / "d.jsonl", [{"id": f"r{k}", "candidate": "c", "reference": "r"} for k in range(8)])
    data = datasets.load_dataset("json", data_files=str(path), split="train[2:5]", cache_dir=str(tmp_path / "c"))
    spec = ColumnSpec(id="id", candidate="candidate", references=("reference",))
    assert columns._stored_batches(data) is None
    assert [it.id for it in columns.to_items(data, spec, "d")] == ["r2", "r3", "r4"]
    assert [it.id for batch in columns.item_batches(data, spec, "d", rows=2) for it in batch] == ["r2", "r3", "r4"]


def test_a_killed_runs_scratch_is_reaped(tmp_path):
    import os
    import socket

    host = socket.gethostname()
    dead = next(pid for pid in range(4_000_000, 4_100_000) if not os.path.exists(f"/proc/{pid}"))
    gone = tmp_path / f"items-{host}.{dead}.abc"
    mine = tmp_path / f"samples-{host}.{os.getpid()}.def"
    other = tmp_path / f"items-elsewhere.{dead}.ghi"
    for folder in (gone, mine, other):
        folder.mkdir()
    assert stream.reap(tmp_path) == [gone]
    assert not gone.exists() and mine.exists() and other.exists()
