"""Runs are named by what differs in their configs, as Hydra overrides write it."""

from bench.analysis.labels import differing_keys, run_labels, value_text


def test_a_sweep_is_labelled_by_the_key_that_differs_with_lower_case_booleans():
    a = {"metrics": {"rouge": {"use_stemmer": True, "types": ["rouge1"]}}, "seed": 0, "results_dir": "x"}
    b = {"metrics": {"rouge": {"use_stemmer": False, "types": ["rouge1"]}}, "seed": 0, "results_dir": "y"}
    assert run_labels([a, b], ["r1", "r2"]) == ["metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false"]


def test_nothing_differs_gives_run_ids_and_duplicates_keep_theirs():
    a = {"seed": 0}
    assert run_labels([a, dict(a)], ["r1", "r2"]) == ["r1", "r2"]
    assert run_labels([{"seed": 0}, {"seed": 0}, {"seed": 1}], ["r1", "r2", "r3"]) == ["seed=0 (r1)", "seed=0 (r2)", "seed=1"]


def test_several_keys_absent_keys_and_values():
    got = run_labels([{"a": 1, "b": None}, {"a": 2, "b": [1, "x"], "c": 0.5}], ["r1", "r2"])
    assert got == ["a=1 b=null c=null", "a=2 b=[1,x] c=0.5"]
    assert differing_keys([{"force": True}, {"force": False}]) == []
    assert value_text(True) == "true" and value_text(None) == "null"
