"""Metric families by config name: the built-in ones, ``register()``-ed ones, and plug-ins.

A plug-in package declares an entry point in the group ``bench.metrics``:
``length_gap = "my_pkg.metric:LengthGap"``, naming a metric class with a
``spec`` class attribute (its options dataclass); its config group file
``metrics/<family>.yaml`` lives in a folder named by an entry point in the group
``bench.configs`` (``my_pkg = "my_pkg:CONFIGS"``, a path or a module whose folder
holds ``metrics/``), which ``bench run`` adds to Hydra's search path.
Entry points are read only when a name is not built in (cheap otherwise).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from bench.errors import unknown_choice


@dataclass(frozen=True)
class Entry:
    """A built-in metric family: its module, spec class and metric class, imported on first use."""
    module: str
    spec_name: str
    class_name: str
    packages: tuple[str, ...] = ()  # distributions whose versions every run records (bench.results.environment)

    @property
    def spec(self) -> type:
        """The family's options dataclass."""
        return getattr(importlib.import_module(self.module), self.spec_name)

    def build(self, spec: Any) -> Any:
        """The metric object of ``family`` built from its spec."""
        return getattr(importlib.import_module(self.module), self.class_name)(spec)


@dataclass(frozen=True)
class Registered:
    """A metric family registered at run time with its spec dataclass and metric class."""

    spec: type
    cls: type

    def build(self, spec: Any) -> Any:
        """The metric object of ``family`` built from its spec."""
        return self.cls(spec)


# Modules are light (torch etc. load only when a model is needed).
METRICS: dict[str, Any] = {
    "rouge": Entry("bench.metrics.rouge", "RougeSpec", "Rouge", ("rouge-score", "rouge-score-rs", "nltk")),
    "bertscore": Entry("bench.metrics.bertscore", "BertScoreSpec", "BertScore",
                       ("bert-score", "transformers", "tokenizers", "torch")),
    "bleu": Entry("bench.metrics.bleu", "BleuSpec", "Bleu", ("sacrebleu",)),
    "chrf": Entry("bench.metrics.chrf", "ChrfSpec", "Chrf", ("sacrebleu",)),
    "chrfpp": Entry("bench.metrics.chrf", "ChrfPPSpec", "ChrfPP", ("sacrebleu",)),
    "source_stats": Entry("bench.metrics.source_stats", "SourceStatsSpec", "SourceStats"),
}
BUILT_IN = tuple(METRICS)

# Families whose rows a summary table lists first, in this order (ROUGE's usual order in papers).
LISTED_FIRST = ("rouge",)  # then by name (bleu, chrf, coverage, ...)


def recorded_packages() -> tuple[str, ...]:
    """The distributions the built-in metrics depend on, recorded with every run (not signed)."""
    return tuple(dict.fromkeys(p for family in BUILT_IN for p in METRICS[family].packages))


def device() -> str:
    """The device a model-based metric (BERTScore) could use: CUDA's name if torch is loaded and sees one, else cpu."""
    import sys

    # Only ask torch if a metric already imported it: ROUGE-only runs stay torch-free.
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"


def display_order(name: str) -> tuple[int, str]:
    """Sort key of a metric name in a summary table: ``LISTED_FIRST`` families first, then by name."""
    return (0 if name.startswith(LISTED_FIRST) else 1, name)


def register(family: str, spec: type, cls: type) -> None:
    """Add a metric family: ``spec`` (a frozen dataclass: the ``metrics.<family>`` options) and ``cls``
    (built from a spec; ``names()``, ``signatures(items, policy, inputs)`` and ``score(...)``, see base.Metric).

    Its config group file ``metrics/<family>.yaml`` goes in a config directory on Hydra's search path.
    """
    from bench.paths import safe_component

    safe_component(family, "metric family", "name it with letters, digits, '_' or '-'")
    if family in METRICS and METRICS[family] != Registered(spec, cls):
        raise ValueError(f"metric family {family!r} is already registered")
    METRICS[family] = Registered(spec, cls)


def unregister(family: str) -> None:
    """Remove a family added with ``register`` (tests)."""
    if isinstance(METRICS.get(family), Registered):
        del METRICS[family]


@dataclass(frozen=True)
class Plugin:
    """A metric family from an entry point, loaded on first use."""

    target: str  # "module:Class"

    @property
    def cls(self) -> type:
        """The metric class the entry point names (imported on first use)."""
        module, _, attr = self.target.partition(":")
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj

    @property
    def spec(self) -> type:
        """The family's options dataclass (the class's ``spec`` attribute)."""
        return self.cls.spec

    def build(self, spec: Any) -> Any:
        """The metric object of ``family`` built from its spec."""
        return self.cls(spec)


def _entry_points(group: str):
    from importlib.metadata import entry_points

    return entry_points(group=group)


def lookup(family: str) -> Any:
    """The registry entry of ``family``; plug-ins are discovered here; a miss lists the valid names."""
    if family not in METRICS:
        for ep in _entry_points("bench.metrics"):
            METRICS.setdefault(ep.name, Plugin(ep.value))
    if family not in METRICS:
        raise unknown_choice("metric", family, METRICS)
    return METRICS[family]


def plugin_config_dirs() -> list[str]:
    """Config folders that plug-ins declare (entry point group ``bench.configs``), as Hydra search-path URLs."""
    from pathlib import Path

    dirs = []
    for ep in _entry_points("bench.configs"):
        obj = ep.load()
        path = Path(obj.__path__[0]) if hasattr(obj, "__path__") else Path(str(obj))
        dirs.append(f"file://{path.resolve()}")
    return dirs


def with_plugin_searchpath(overrides: list[str]) -> list[str]:
    """``overrides`` with the config folders of installed plug-ins on Hydra's search path (after the user's)."""
    dirs = plugin_config_dirs()
    if not dirs:
        return list(overrides)
    given = [o for o in overrides if o.startswith("hydra.searchpath=")]
    mine = []
    if given:  # the user's list first, then the plug-ins'
        inner = given[-1].split("=", 1)[1].strip().strip("[]")
        mine = [p.strip() for p in inner.split(",") if p.strip()]
    rest = [o for o in overrides if o not in given]
    return [*rest, f"hydra.searchpath=[{','.join([*mine, *dirs])}]"]


def build(family: str, spec: Any) -> Any:
    """The metric object of ``family`` built from its spec."""
    return lookup(family).build(spec)
