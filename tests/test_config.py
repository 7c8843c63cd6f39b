"""Every config composes (Hydra compose API) and parses into typed options; bad options fail clearly."""

from __future__ import annotations

import dataclasses

import pytest
from pathlib import Path
from omegaconf import OmegaConf

from bench import hints
from bench.config import RunConfig, parse
from bench.data.spec import DatasetSpec
from bench.errors import BenchError
from bench.metrics.bertscore import BertScoreSpec
from bench.metrics.rouge import RougeSpec
from bench.metrics.bleu import BleuSpec
from bench.metrics.chrf import ChrfPPSpec, ChrfSpec
from bench.metrics.source_stats import SourceStatsSpec
from bench.metrics.llm_judge import LlmJudgeSpec

ROOT = Path(__file__).resolve().parents[1]  # the checkout (tests/conftest.py's ROOT; not imported: other conftest modules shadow the name)

CONFIGS = ROOT / "configs"
DATASETS = sorted(p.stem for p in (CONFIGS / "dataset").glob("*.yaml"))
EXPERIMENTS = sorted(p.stem for p in (CONFIGS / "experiment").glob("*.yaml"))
METRIC_FAMILIES = sorted(p.stem for p in (CONFIGS / "metrics").glob("*.yaml"))
METRIC_SUBSETS = [["rouge"], ["bertscore"], ["rouge", "bertscore"], ["bertscore", "rouge"]]
NEEDS_PATH = {"files": "dataset.path=/data/mine.jsonl", "hub": "dataset.path=org/some-dataset"}
SPECS = {"rouge": RougeSpec, "bertscore": BertScoreSpec, "bleu": BleuSpec, "chrf": ChrfSpec, "chrfpp": ChrfPPSpec,
         "source_stats": SourceStatsSpec, "llm_judge": LlmJudgeSpec}


def to_plain(cfg):
    return OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)


def test_the_config_tree_is_what_these_tests_enumerate():
    assert DATASETS == ["files", "hub", "seed", "summeval", "summeval_annotations"]
    assert set(EXPERIMENTS) >= {"seed", "summeval", "summeval_rouge"}
    assert METRIC_FAMILIES == ["bertscore", "bleu", "chrf", "chrfpp", "llm_judge", "rouge", "source_stats"]


@pytest.mark.parametrize("metrics", METRIC_SUBSETS, ids=["+".join(m) for m in METRIC_SUBSETS])
@pytest.mark.parametrize("dataset", DATASETS)
def test_every_dataset_and_metric_subset_composes_and_parses(compose, dataset, metrics):
    overrides = [f"dataset={dataset}", f"metrics=[{','.join(metrics)}]"]
    if dataset in NEEDS_PATH:
        overrides.append(NEEDS_PATH[dataset])
    config = parse(to_plain(compose(*overrides)))
    assert isinstance(config, RunConfig)
    assert config.dataset.source == dataset
    assert config.name == config.dataset.name == dataset  # name: ${dataset.name}
    # the seed has no human summary: its dataset config adds the source statistics to any choice
    assert sorted(config.metrics) == sorted([*metrics, *(["source_stats"] if dataset == "seed" else [])])
    for family, spec in config.metrics.items():
        assert isinstance(spec, SPECS[family])
    assert (config.multiref, config.limit, config.sample, config.seed, config.results_dir) == ("max", None, None, 0, "results")


@pytest.mark.parametrize("experiment", EXPERIMENTS)
def test_every_experiment_composes_and_parses(compose, experiment):
    cfg = compose(f"experiment={experiment}")
    config = parse(to_plain(cfg))
    assert config.name == experiment  # each experiment names itself after its file
    assert config.metrics
    expected = {"seed": ("seed", ["source_stats", "rouge", "bertscore"]), "summeval": ("summeval", ["rouge", "bertscore"]),
                "summeval_rouge": ("summeval", ["rouge"])}
    if experiment in expected:
        source, metrics = expected[experiment]
        assert config.dataset.source == source
        assert list(config.metrics) == metrics


def test_no_arguments_is_the_seed_experiment(compose):
    default = to_plain(compose())
    seed = to_plain(compose("experiment=seed"))
    assert default == seed


@pytest.mark.parametrize("family", METRIC_FAMILIES)
def test_metric_yaml_documents_every_option_with_the_code_default(compose, family):
    node = OmegaConf.to_container(OmegaConf.load(CONFIGS / "metrics" / f"{family}.yaml"))[family]
    spec_cls = SPECS[family]
    assert set(node) == {f.name for f in dataclasses.fields(spec_cls)}
    assert parse(to_plain(compose(f"metrics=[{family}]"))).metrics[family] == spec_cls()


@pytest.mark.parametrize("dataset", DATASETS)
def test_dataset_yaml_options_are_known(dataset):
    node = OmegaConf.to_container(OmegaConf.load(CONFIGS / "dataset" / f"{dataset}.yaml"))
    node.pop("defaults", None)  # Hydra's, not an option (the seed's includes metrics/source_stats)
    assert set(node) <= {f.name for f in dataclasses.fields(DatasetSpec)}


@pytest.mark.parametrize(
    "overrides, check",
    [
        (["multiref=mean", "limit=5", "sample=20", "seed=3"],
         lambda c: (c.multiref, c.limit, c.sample, c.seed) == ("mean", 5, 20, 3)),
        (["metrics.rouge.types=rouge1"], lambda c: c.metrics["rouge"].types == ("rouge1",)),
        (["metrics.rouge.types=[rouge2,rougeL]"], lambda c: c.metrics["rouge"].types == ("rouge2", "rougeL")),
        (["metrics.bertscore.layer=3", "metrics.bertscore.idf=true"],
         lambda c: (c.metrics["bertscore"].layer, c.metrics["bertscore"].idf) == (3, True)),
        (["dataset=files", "dataset.path=x.csv", "dataset.columns.references=[a,b]", "dataset.columns.id=null"],
         lambda c: (c.dataset.columns.references, c.dataset.columns.id) == (("a", "b"), None)),
        (["dataset.extract.block_index=2"], lambda c: c.dataset.extract.block_index == 2),
        (["name=custom", "results_dir=/tmp/out"], lambda c: (c.name, c.results_dir) == ("custom", "/tmp/out")),
    ],
)
def test_overrides_reach_the_typed_config(run_config, overrides, check):
    assert check(run_config(*overrides))


BAD = [
    # overrides, words the one-line error must contain
    (["+metrics.rouge.foo=1"],
     ["unknown option metrics.rouge.foo", "valid choices: against, engine, sentence_splitter, tokenizer, types, use_stemmer"]),
    (["+metrics.bertscore.layers=5"], ["unknown option metrics.bertscore.layers", "did you mean 'layer'"]),
    (["+dataset.colums.id=x"], ["unknown option dataset.colums", "did you mean 'columns'"]),
    (["+dataset.extract.regexp=x"], ["unknown option dataset.extract.regexp", "did you mean 'regex'"]),
    (["+dataset.columns.summary=x"], ["unknown option dataset.columns.summary", "valid choices: candidate, id, references"]),
    (["limit=ten"], ["limit=ten is not a valid int"]),
    (["metrics.rouge.use_stemmer=yes"], ["metrics.rouge.use_stemmer=yes is not a valid bool"]),
    (["metrics.bertscore.layer=4.5"], ["metrics.bertscore.layer=4.5 is not a valid int"]),
    (["metrics.bertscore.idf=1"], ["metrics.bertscore.idf=1 is not a valid bool"]),
    (["dataset=summeval", "metrics=[]"], ["no metric is selected"]),  # the seed would still add source_stats
    (["metrics.rouge=5"], ["metrics.rouge must be a group of options"]),
]


@pytest.mark.parametrize("overrides, words", BAD, ids=[b[0][0] for b in BAD])
def test_bad_options_are_bench_errors(compose, overrides, words):
    with pytest.raises(BenchError) as info, hints.overrides():  # as bench.evaluate(overrides) parses them
        parse(to_plain(compose(*overrides)))
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word in message


def test_unknown_metric_family_in_parse():
    with pytest.raises(BenchError, match="unknown metric 'meteor'; valid choices: bertscore, bleu, chrf, chrfpp, llm_judge, rouge"):
        parse({"metrics": {"meteor": {}}})


@pytest.mark.parametrize(
    "overrides, words",
    [
        (["metrics.rouge.foo=1"], ["unknown option 'metrics.rouge.foo' in metrics.rouge", "use_stemmer"]),
        (["metrics=[nope]"], ["unknown metric 'nope'", "valid choices: bertscore, bleu, chrf, chrfpp, llm_judge, rouge, source_stats"]),
        (["dataset=nope"], ["unknown dataset 'nope'", "files"]),
        (["experiment=nope"], ["unknown experiment 'nope'", "seed"]),
    ],
)
def test_composition_errors_are_one_line_bench_errors(compose, overrides, words):
    """The fixture composes as production does, so Hydra's errors arrive translated (bench.config.hydra_errors)."""
    with pytest.raises(BenchError) as info:
        compose(*overrides)
    assert "\n" not in str(info.value) and "--" not in str(info.value)
    for word in words:
        assert word in str(info.value)


def test_library_compose_is_the_clis():
    """bench.cli.app keeps the names for older callers; they are the library's functions."""
    from bench import config
    from bench.cli import app

    assert app.compose is config.compose and app.to_plain is config.to_plain


def test_to_plain_names_the_missing_option_without_cli_words(compose):
    from bench.config import to_plain as library_to_plain

    with pytest.raises(BenchError, match=r"^dataset.path is not set; set dataset.path=VALUE$"):
        library_to_plain(compose("dataset=files"))


@pytest.mark.parametrize("dataset", ["files", "hub"])
def test_path_is_mandatory_for_files_and_hub(compose, dataset):
    from omegaconf.errors import MissingMandatoryValue

    with pytest.raises(MissingMandatoryValue, match="dataset.path"):
        to_plain(compose(f"dataset={dataset}"))


@pytest.mark.parametrize("override, words", [
    ("+note=baseline-run", ["unknown option 'note'"]),
    ("+limt=5", ["unknown option 'limt'", "did you mean 'limit'?"]),
    ("+x._target_=os.system", ["unknown option 'x'"]),  # never kept, never instantiated
])
def test_unknown_top_level_keys_are_errors(compose, override, words):
    with pytest.raises(BenchError) as err:
        parse(to_plain(compose(override)))
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("name", ["../../escaped", "a/b", ".hidden", "..", "", "x y", "ok\\no"])
def test_unsafe_experiment_names_are_refused(compose, name):
    with pytest.raises(BenchError, match="not a safe name"):
        parse(to_plain(compose(f"name='{name}'")))


def test_safe_experiment_names_pass(compose):
    assert parse(to_plain(compose("name=my-exp_1.v2"))).name == "my-exp_1.v2"

