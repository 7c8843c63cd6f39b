"""The run's configuration: composed by Hydra, then typed, immutable data.

``compose``/``to_plain`` (``bench.config.composition``) compose the shipped
configs plus plug-ins' config folders and translate Hydra's errors
(``bench.config.hydra_errors``). ``parse`` turns the plain result into frozen
dataclasses and rejects unknown keys and wrong types with the option's full
name and the valid choices, so nothing deeper in the code reads raw dict keys.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Mapping

from bench import hints
from bench.data.spec import DatasetSpec, InputsSpec
from bench.errors import BenchError, unknown_choice
from bench.metrics.registry import lookup
from bench.paths import safe_component
from bench.stats.intervals import CISpec

from bench.config.composition import compose, compose_plain, to_plain

__all__ = ["RunConfig", "ShardSpec", "build", "compose", "compose_plain", "parse", "to_plain"]


@dataclass(frozen=True)
class ShardSpec:
    """Score only a contiguous slice of the items: shard ``index`` of ``count`` (0-based)."""

    index: int = 0
    count: int = 1


@dataclass(frozen=True)
class RunConfig:
    """A composed ``bench run`` config as typed, immutable data (``parse`` builds it)."""
    name: str
    dataset: DatasetSpec
    metrics: Mapping[str, Any]  # family -> its spec dataclass, in config order
    multiref: str = "max"
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    results_dir: str = "results"
    shard: ShardSpec = field(default_factory=ShardSpec)
    force: bool = False  # recompute even when an identical run is in the store
    ci: CISpec = field(default_factory=CISpec)  # a bootstrap interval on every aggregate
    group_by: str | None = None  # a metadata field: per-group means with intervals (e.g. system)
    inputs: InputsSpec = field(default_factory=InputsSpec)  # what to do with empty texts (score | error)


def _convert(tp: Any, value: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return _convert(inner, value, where)
    if dataclasses.is_dataclass(tp):
        return build(tp, value, where)
    if origin in (dict, typing.Mapping, collections.abc.Mapping):
        if not isinstance(value, Mapping):
            raise BenchError(f"{where} must be a group of options, got {value!r}", f"set {where}.<name>.<option>=VALUE")
        _, inner = typing.get_args(tp)
        return {str(k): _convert(inner, v, f"{where}.{k}") for k, v in value.items()}
    if origin is tuple:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            value = [value]  # `references=summary` means one column
        (inner, *_) = typing.get_args(tp)
        return tuple(_convert(inner, v, f"{where}[{i}]") for i, v in enumerate(value))
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif tp is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif tp is str:
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
    elif tp is typing.Any:
        return value
    kind = getattr(tp, "__name__", str(tp))
    raise BenchError(f"{hints.setting(where, value)} is not a valid {kind}",  # in the caller's syntax (bench.hints)
                     f"pass {hints.setting(where, hints.placeholder(f'<{kind}>'))}")


def build(cls: type, node: Any, where: str) -> Any:
    """A frozen ``cls`` from a mapping; unknown keys are errors that list the valid ones."""
    if node is None:
        node = {}
    if not isinstance(node, Mapping):
        raise BenchError(f"{where} must be a group of options, got {node!r}", f"set {where}.<option>=VALUE")
    types_of = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls)}
    for key in node:
        if key not in fields:
            err = unknown_choice(f"option {where}.{key}; option", key, fields)
            raise BenchError(f"unknown option {hints.name(f'{where}.{key}')}", err.fix)
    return cls(**{k: _convert(types_of[k], v, f"{where}.{k}") for k, v in node.items()})


def parse(cfg: Mapping[str, Any]) -> RunConfig:
    """From a resolved plain dict (``OmegaConf.to_container(cfg, resolve=True)``)."""
    cfg = dict(cfg)
    metrics_node = cfg.pop("metrics", None) or {}
    if not metrics_node:
        raise BenchError("no metric is selected", "pass metrics=[rouge], metrics=[bertscore] or metrics=[rouge,bertscore]")
    metrics = {}
    for family, node in metrics_node.items():
        metrics[family] = build(lookup(family).spec, node, f"metrics.{family}")
    dataset = build(DatasetSpec, cfg.pop("dataset", None), "dataset")
    cfg.pop("check", None)  # the gate's settings: composed and checked by bench.gate.settings, not part of a run
    shard = build(ShardSpec, cfg.pop("shard", None), "shard")
    ci = build(CISpec, cfg.pop("ci", None), "ci")
    inputs = build(InputsSpec, cfg.pop("inputs", None), "inputs")
    groups = {"dataset", "metrics", "check", "shard", "ci", "inputs"}
    known = {f.name for f in dataclasses.fields(RunConfig)} - groups
    for key in cfg:
        if key not in known:
            # never kept or acted on: a typo (`+limt=5`) or a hostile key (`+x._target_=os.system`)
            err = unknown_choice("option", key, known | groups)
            raise BenchError(f"unknown option {key!r}", err.fix)
    types_of = typing.get_type_hints(RunConfig)  # not ``hints``: that names the module bench.hints here
    top = {k: _convert(types_of[k], v, k) for k, v in cfg.items()}
    top.setdefault("name", dataset.name)
    safe_component(top["name"], "experiment name", "set name=<letters, digits, '.', '_' or '-'>")
    config = RunConfig(dataset=dataset, metrics=metrics, shard=shard, ci=ci, inputs=inputs, **top)
    config.ci.resolve(dataset.doc_key, config.seed)  # bad ci settings fail before any work
    return config
