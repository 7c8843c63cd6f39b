"""Runs are named by what differs in their configs, as Hydra overrides write it, in at most 80 characters."""

import pytest

from bench.analysis import labels
from bench.analysis.labels import differing_keys, of_configs, value_text


def test_a_sweep_is_labelled_by_the_key_that_differs_with_lower_case_booleans():
    a = {"metrics": {"rouge": {"use_stemmer": True, "types": ["rouge1"]}}, "seed": 0, "results_dir": "x"}
    b = {"metrics": {"rouge": {"use_stemmer": False, "types": ["rouge1"]}}, "seed": 0, "results_dir": "y"}
    got = of_configs([a, b], ["r1", "r2"])
    assert got.short == ("metrics.rouge.use_stemmer=true", "metrics.rouge.use_stemmer=false")
    assert got.full == got.short and got.legend == () and got.keys == ("metrics.rouge.use_stemmer",)


def test_nothing_differs_gives_run_ids_and_duplicates_keep_theirs():
    a = {"seed": 0}
    assert of_configs([a, dict(a)], ["r1", "r2"]).short == ("r1", "r2")
    assert of_configs([{"seed": 0}, {"seed": 0}, {"seed": 1}], ["r1", "r2", "r3"]).short == (
        "seed=0 (r1)", "seed=0 (r2)", "seed=1")


def test_several_keys_absent_keys_and_values():
    got = of_configs([{"a": 1, "b": None}, {"a": 2, "b": [1, "x"], "c": 0.5}], ["r1", "r2"]).short
    assert got == ("a=1 b=null c=null", "a=2 b=[1,x] c=0.5")
    assert differing_keys([{"force": True}, {"force": False}]) == []
    assert value_text(True) == "true" and value_text(None) == "null" and value_text({"k": False}) == "{k:false}"


ROUGE = {"types": ["rouge1", "rouge2"], "use_stemmer": True}
BLEU = {"tokenize": "13a", "lowercase": False, "smooth_method": "exp"}
CHRF = {"char_order": 6, "word_order": 0, "beta": 2, "against": None}


def test_a_group_absent_from_a_run_is_not_a_difference_of_its_options():
    one = {"seed": 0, "metrics": {"rouge": ROUGE}}
    three = {"seed": 0, "metrics": {"rouge": ROUGE, "bleu": BLEU, "chrf": CHRF}}
    got = of_configs([one, three], ["r1", "r2"])
    assert got.short == ("metrics=[rouge]", "metrics=[rouge,bleu,chrf]") and got.keys == ("metrics",)
    assert "chrf.beta" not in " ".join(got.full)


def test_a_groups_options_are_compared_among_the_runs_that_have_it():
    one = {"metrics": {"rouge": ROUGE}}
    intl = {"metrics": {"rouge": ROUGE, "bleu": {**BLEU, "tokenize": "intl"}}}
    a13 = {"metrics": {"rouge": ROUGE, "bleu": BLEU}}
    assert of_configs([one, intl, a13], ["r1", "r2", "r3"]).short == (
        "metrics=[rouge]", "metrics=[rouge,bleu] metrics.bleu.tokenize=intl", "metrics=[rouge,bleu] metrics.bleu.tokenize=13a")
    # the same groups in every run: only the option that differs
    assert of_configs([intl, a13], ["r2", "r3"]).short == ("metrics.bleu.tokenize=intl", "metrics.bleu.tokenize=13a")


def test_labels_longer_than_80_characters_become_letters_with_a_legend():
    long_a = {"dataset": {"path": "/data/" + "a" * 60, "split": "test"}, "seed": 0}
    long_b = {"dataset": {"path": "/data/" + "b" * 60, "split": "validation"}, "seed": 1}
    short = {"dataset": {"path": "/d", "split": "test"}, "seed": 0}
    got = of_configs([long_a, long_b, short], ["r1", "r2", "r3"])
    assert got.short == ("A", "B", "C")
    want_a = "dataset.path=/data/" + "a" * 60 + " dataset.split=test seed=0"
    assert got.full[0] == want_a and len(want_a) > labels.WIDTH
    assert got.legend == (f"A: {want_a}", "B: dataset.path=/data/" + "b" * 60 + " dataset.split=validation seed=1",
                          "C: dataset.path=/d dataset.split=test seed=0")
    assert [labels.letter(k) for k in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]


@pytest.fixture(scope="module")
def rouge_and_three():
    import bench

    cands, refs = ["the cat sat on the mat", "a dog ran far"], ["the cat sat on a mat", "the dog ran away"]
    return bench.score(cands, refs, metrics=["rouge"]), bench.score(cands, refs, metrics=["rouge", "bleu", "chrf"])


def test_a_rouge_run_beside_a_rouge_bleu_chrf_run_is_named_in_at_most_80_characters(rouge_and_three):
    """The issue's case: 659 characters of ``metrics.chrf.against=null ...`` in one cell before."""
    got = labels.of(rouge_and_three)
    assert got.short == ("metrics=[rouge]", "metrics=[rouge,bleu,chrf]") and got.legend == ()
    assert all(len(label) <= 80 for label in got.short)


def test_compare_names_those_runs_the_same_way(rouge_and_three):
    from bench.analysis.compare import compare
    from bench.stats.leaderboard import SystemsSpec

    result = compare([r.validated for r in rouge_and_three], SystemsSpec(resamples=50))
    assert result.labels == ("metrics=[rouge]", "metrics=[rouge,bleu,chrf]")
    assert [m.metric for m in result.metrics] == ["rouge1", "rouge2", "rougeL", "rougeLsum"]  # what both hold
