"""bench.gate.settings: an invocation's check settings from configs/check/ and its check.* overrides."""

from __future__ import annotations

import pytest

from bench.errors import BenchError
from bench.gate.compare import CheckSpec
from bench.gate.settings import settings


def test_defaults_are_the_shipped_check_config():
    spec = settings()
    assert isinstance(spec, CheckSpec)
    assert (spec.alpha, spec.resamples, spec.min_items) == (0.05, 2000, 30)  # configs/check/default.yaml


def test_overrides_apply_and_unknown_experiments_are_ignored():
    spec = settings(["check.alpha=0.01", "check.resamples=50"], experiment="memory")  # bench.score's runs: no such file
    assert (spec.alpha, spec.resamples) == (0.01, 50)


def test_a_bad_setting_is_one_line():
    with pytest.raises(BenchError, match="unknown option check.alpah; did you mean 'alpha'"):
        settings(["+check.alpah=1"])
