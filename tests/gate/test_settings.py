"""bench.gate.settings: an invocation's check settings from configs/check/, its check.* overrides and keyword settings."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.gate.compare import CheckSpec, Default, Tolerance
from bench.gate.settings import settings


def test_defaults_are_the_shipped_check_config_and_the_dataclass_defaults():
    spec = settings()
    assert isinstance(spec, CheckSpec)
    assert (spec.alpha, spec.resamples, spec.seed, spec.min_items) == (0.05, 2000, 0, 30)  # configs/check/default.yaml
    assert (spec.allow_signature_changes, spec.gate_descriptive, spec.default) == ((), (), Default(None))
    assert set(spec.tolerances.values()) == {Tolerance(None, None)}  # every listed metric: its own facts
    plain = CheckSpec()
    assert (plain.alpha, plain.resamples, plain.seed, plain.min_items) == (spec.alpha, spec.resamples, spec.seed, spec.min_items)


def test_overrides_then_keyword_settings_apply_and_unknown_experiments_are_ignored():
    spec = settings(["check.alpha=0.01", "check.resamples=50", "check.tolerances.rouge2.min_effect=0.02"],
                    experiment="memory", tolerances={"rouge2": {"drift": 0.001}}, gate_descriptive=["coverage"])
    assert (spec.alpha, spec.resamples, spec.gate_descriptive) == (0.01, 50, ("coverage",))
    assert spec.tolerances["rouge2"] == Tolerance(drift=0.001, min_effect=0.02)  # merged per metric


@pytest.mark.parametrize("overrides, given, words", [
    (["+check.alpah=1"], {}, "unknown option check.alpah; did you mean 'alpha'"),
    (["check.alpha=1.5"], {}, "check.alpha=1.5 is outside (0, 1)"),
    (["check.default.abs=0.05"], {}, "check.default.abs no longer exists"),
    (["check.tolerances.rouge2.abs=0.01"], {}, "check.tolerances.rouge2.abs no longer exists"),
    ([], {"tolerances": {"bleu": {"rel": 0.1}}}, "check.tolerances.bleu.rel no longer exists"),
    ([], {"tolerances": {"bleu": {"min_effect": -1}}}, "check.tolerances.bleu.min_effect=-1.0 is not a finite number >= 0"),
    (["check.default.min_effect_range=1.5"], {}, "check.default.min_effect_range=1.5 is above 1"),
])
def test_a_bad_setting_is_one_line(overrides, given, words):
    with pytest.raises(BenchError) as err:
        settings(overrides, **given)
    assert words in str(err.value) and "\n" not in str(err.value), str(err.value)
