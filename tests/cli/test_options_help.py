"""``bench run --help``: Hydra's config groups, then every option with a one-line description taken from the
configs' own comments (bench.cli.options_help). Fails on any option of any shipped config left undescribed."""

from __future__ import annotations

import sys

import pytest
from omegaconf import OmegaConf

from bench.cli import main
from bench.cli.app import compose
from bench.cli.options_help import file_options, option_lines
from bench.paths import config_dir


def _help(capsys, monkeypatch, *overrides: str) -> str:
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    assert main(["run", "--help", *overrides]) == 0
    return capsys.readouterr().out


def _leaves(node: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in node.items():
        out.extend(_leaves(value, f"{prefix}{key}.") if isinstance(value, dict) and value else [f"{prefix}{key}"])
    return out


FAMILIES = sorted(p.stem for p in (config_dir() / "metrics").glob("*.yaml"))
DATASETS = sorted(p.stem for p in (config_dir() / "dataset").glob("*.yaml"))


@pytest.mark.parametrize("overrides", [
    [],  # the default config
    [f"metrics=[{','.join(FAMILIES)}]"],  # every metric family's options
    *([f"dataset={d}"] for d in DATASETS),
])
def test_every_option_has_a_one_line_description(capsys, monkeypatch, overrides):
    out = _help(capsys, monkeypatch, *overrides)
    assert "== Configuration groups ==" in out and "metrics: " + ", ".join(sorted(FAMILIES, key=str.lower)) in out
    lines = out.split("== Options ==")[1].splitlines()
    cfg = OmegaConf.to_container(compose(overrides), resolve=False)
    for leaf in _leaves(cfg):
        shown = [ln for ln in lines if ln.strip().split("=")[0] == leaf
                 or (leaf.startswith(ln.strip().split("=")[0] + ".") and "={" in ln)]
        assert len(shown) == 1, leaf
        assert "(no description)" not in shown[0], f"{leaf}: add a comment on its line in configs/"
        assert len(shown[0].split("  ")[-1].strip()) > 5
    assert "\n== Config ==" not in out  # Hydra's undescribed dump is replaced, not repeated


def test_file_options_reads_the_comment_on_each_options_line():
    text = ("# @package _global_\n# header comment\nname: x   # the name\nplain: 1\nsection:\n  inner: 2  # inner one\n"
            "  listed:   # a block list\n    - a\n  flow: {a: 1}  # a flow map\ndefaults:\n  - x: y\n")
    assert file_options(text, "group") == {"name": "the name", "plain": "", "section.inner": "inner one",
                                           "section.listed": "a block list", "section.flow": "a flow map"}
    assert set(file_options("a: 1\n", "metrics")) == {"metrics.a"}


def test_an_option_without_a_comment_shows_as_undescribed():
    rows = option_lines({"metrics": {"rouge": {"new_option": 1, "types": ["rouge1"]}}},
                        {"metrics.rouge.types": "which ROUGE types"})
    assert rows == [("metrics.rouge.new_option", "1", ""), ("metrics.rouge.types", "[rouge1]", "which ROUGE types")]
