"""bench.signature and the metrics' signatures: every component that changes a number is named."""

from __future__ import annotations

import hashlib
from importlib import metadata

import pytest

from bench.data.items import fingerprint
from bench.metrics.rouge import Rouge, RougeSpec
from bench.signature import Signature, short_hash

INPUTS = "sha256:" + hashlib.sha256(b"inputs").hexdigest()


# --- the Signature type ---------------------------------------------------------------------------------

SIG = Signature("rouge1", (("engine", "rouge-score-rs@0.2.1"), ("stem", "porter"), ("refs", "max")))


def test_str_is_sacrebleu_style():
    assert str(SIG) == "rouge1|engine:rouge-score-rs@0.2.1|stem:porter|refs:max"
    assert SIG.as_dict() == {"engine": "rouge-score-rs@0.2.1", "stem": "porter", "refs": "max"}


@pytest.mark.parametrize(
    "sig",
    [
        SIG,
        Signature("bertscore", (("weights", "sha256:0123456789abcdef"), ("rescale", "no"))),  # ':' inside a value
        Signature("rougeLsum", (("split", "punkt@nltk-3.10.4+abbrev1"), ("inputs", "00ff"))),
        Signature("x", ()),
    ],
)
def test_parse_round_trip(sig):
    assert Signature.parse(str(sig)) == sig
    assert str(Signature.parse(str(sig))) == str(sig)


DIFFS = [
    ("same", SIG, SIG, []),
    ("one-value", SIG, Signature("rouge1", (("engine", "rouge-score-rs@0.2.1"), ("stem", "no"), ("refs", "max"))),
     ["stem: porter -> no"]),
    ("two-values", SIG, Signature("rouge1", (("engine", "rouge-score@0.1.2"), ("stem", "porter"), ("refs", "mean"))),
     ["engine: rouge-score-rs@0.2.1 -> rouge-score@0.1.2", "refs: max -> mean"]),
    ("added-and-removed", SIG, Signature("rouge1", (("engine", "rouge-score-rs@0.2.1"), ("refs", "max"), ("split", "punkt"))),
     ["stem: porter -> (none)", "split: (none) -> punkt"]),
    ("metric", SIG, Signature("rouge2", SIG.components), ["metric: rouge1 -> rouge2"]),
]


@pytest.mark.parametrize("a, b, expected", [d[1:] for d in DIFFS], ids=[d[0] for d in DIFFS])
def test_diff(a, b, expected):
    assert a.diff(b) == expected


def test_short_hash():
    assert short_hash("sha256:" + "ab" * 32) == "ab" * 8
    assert short_hash("sha256:" + "ab" * 32, 4) == "abab"


# --- ROUGE ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, rouge_type, policy, expected",
    [
        (RougeSpec(), "rouge1", "max",
         {"engine": f"rouge-score-rs@{metadata.version('rouge-score-rs')}", "tok": "default", "stem": "porter", "refs": "max"}),
        (RougeSpec(engine="rouge-score", use_stemmer=False), "rougeL", "mean",
         {"engine": f"rouge-score@{metadata.version('rouge-score')}", "stem": "no", "refs": "mean"}),
        (RougeSpec(), "rougeLsum", "first",
         {"split": f"punkt@nltk-{metadata.version('nltk')}+abbrev1", "refs": "first"}),
        (RougeSpec(sentence_splitter="newline"), "rougeLsum", "max_each", {"split": "newline@2", "refs": "max_each"}),
    ],
)
def test_rouge_signature_components(spec, rouge_type, policy, expected):
    sig = Rouge(spec).signature(rouge_type, policy, "11", INPUTS)
    comps = sig.as_dict()
    assert sig.metric == rouge_type
    for key, value in expected.items():
        assert comps[key] == value, key
    assert comps["inputs"] == INPUTS.split(":")[1][:16]
    assert comps["nrefs"] == "11"
    assert ("split" in comps) == (rouge_type == "rougeLsum")  # the splitter only matters to rougeLsum
    assert Signature.parse(str(sig)) == sig


def test_rouge_signatures_from_scoring(run_config):
    from bench.pipeline import prepare

    items = prepare(run_config("metrics=[rouge]"))
    results = Rouge(RougeSpec()).score(items, "max", fingerprint(items))
    sigs = {r.name: r.signature for r in results}
    assert set(sigs) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
    for name, sig in sigs.items():
        assert str(sig).startswith(f"{name}|engine:rouge-score-rs@")
        assert sig.as_dict()["inputs"] == fingerprint(items)[7:23]
        assert sig.as_dict()["nrefs"] == "1"
    assert sigs["rouge1"].diff(sigs["rougeLsum"]) == [
        "metric: rouge1 -> rougeLsum", f"split: (none) -> punkt@nltk-{metadata.version('nltk')}+abbrev1"]


@pytest.mark.parametrize("counts, expected", [([11] * 5, "11"), ([1], "1"), ([1, 3, 11], "1-11"), ([4, 2], "2-4")])
def test_nrefs(counts, expected):
    from bench.data.items import Item

    items = [Item(str(k), "a cat .", tuple(f"ref {j} cat ." for j in range(n))) for k, n in enumerate(counts)]
    results = Rouge(RougeSpec(types=("rouge1",))).score(items, "max", INPUTS)
    assert results[0].signature.as_dict()["nrefs"] == expected


def test_changing_an_option_changes_exactly_that_component():
    a = Rouge(RougeSpec()).signature("rouge2", "max", "11", INPUTS)
    b = Rouge(RougeSpec(use_stemmer=False)).signature("rouge2", "max", "11", INPUTS)
    c = Rouge(RougeSpec()).signature("rouge2", "max", "11", "sha256:" + "0" * 64)
    assert a.diff(b) == ["stem: porter -> no"]
    assert a.diff(c) == [f"inputs: {INPUTS[7:23]} -> {'0' * 16}"]


# --- BERTScore --------------------------------------------------------------------------------------------


def _weights_oracle(path):
    # The documented definition: SHA-256 over (name, bytes) of each weight file, sorted by name.
    digest = hashlib.sha256()
    for p in sorted(q for q in path.iterdir() if q.is_file() and q.suffix in (".safetensors", ".bin", ".pt", ".h5", ".msgpack")):
        digest.update(p.name.encode())
        digest.update(p.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def bert_signatures():
    from bench.metrics.bertscore import BertScore, BertScoreSpec

    def sig(**options):
        return BertScore(BertScoreSpec(progress=False, **options)).signature("max_each", "11", INPUTS, 512)

    return sig


def test_bertscore_signature_components(bert_signatures, minilm_path, monkeypatch, tmp_path):
    monkeypatch.setenv("BENCH_CACHE_DIR", str(tmp_path))  # hash the weights afresh, not from the memo
    sig = bert_signatures(layer=4, idf=True)
    comps = sig.as_dict()
    assert sig.metric == "bertscore"
    assert comps["model"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert comps["weights"] == f"sha256:{_weights_oracle(minilm_path)[:16]}"
    assert comps["layer"] == "4"
    assert comps["idf"] == "yes"
    assert comps["rescale"] == "no"
    assert comps["maxlen"] == "512"
    assert comps["refs"] == "max_each"
    assert comps["nrefs"] == "11"
    assert comps["inputs"] == INPUTS[7:23]
    for dist in ("bert-score", "transformers", "torch"):
        assert comps[dist] == metadata.version(dist)
    assert Signature.parse(str(sig)) == sig


@pytest.mark.parametrize(
    "a, b, expected",
    [
        ({"layer": 4}, {"layer": 5}, ["layer: 4 -> 5"]),
        ({"layer": 4, "idf": False}, {"layer": 4, "idf": True}, ["idf: no -> yes"]),
        ({"layer": 2}, {"layer": 3, "idf": True}, ["layer: 2 -> 3", "idf: no -> yes"]),
        ({"layer": 4}, {"layer": 4, "use_fast_tokenizer": True}, [f"tok: slow -> fast@tokenizers-{metadata.version('tokenizers')}"]),
        ({"layer": 4}, {"layer": 4}, []),
    ],
)
def test_bertscore_signature_diff(bert_signatures, a, b, expected):
    assert bert_signatures(**a).diff(bert_signatures(**b)) == expected
