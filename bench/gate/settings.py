"""The check settings of one invocation: ``configs/check/`` (and a named experiment's own ``check``
node) with that invocation's ``check.*`` overrides and keyword settings, never the settings stored in
a run's record (a baseline is judged by today's rules, whichever run it is compared with).

This is the one place check settings are merged; ``bench.check`` and ``bench check`` both come here.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from bench.errors import BenchError
from bench.gate.compare import CheckSpec

# settings of the zero-tolerance gate, removed: one absolute band cannot mean the same for BLEU (0-100) and ROUGE (0-1)
REMOVED = {"abs": "drift (same candidates) or min_effect (changed candidates)",
           "rel": "drift (same candidates) or min_effect (changed candidates)"}


def _refuse_removed(node: Mapping[str, Any]) -> None:
    blocks = [("default", node.get("default") or {})]
    blocks += [(f"tolerances.{m}", t or {}) for m, t in (node.get("tolerances") or {}).items()]
    for where, block in blocks:
        for key in REMOVED:
            if isinstance(block, Mapping) and block.get(key) is not None:
                if where == "default":
                    fix = "set check.default.min_effect_range=FRACTION (of each metric's range), or per metric " \
                          "check.tolerances.<metric>.min_effect / .drift (see docs/gate.md)"
                else:
                    fix = f"set check.{where}.{REMOVED[key].split(' ')[0]} or check.{where}.min_effect, in the metric's own units"
                raise BenchError(f"check.{where}.{key} no longer exists (a band shared by metrics of different ranges)", fix)


def settings(overrides: Sequence[str] = (), experiment: str | None = None, **given: Any) -> CheckSpec:
    """The ``CheckSpec`` that ``overrides`` compose to (with ``experiment``'s own check node when it names a
    shipped experiment and the overrides name none), then ``given`` settings on top: ``alpha``,
    ``resamples``, ``seed``, ``min_items``, ``allow_signature_changes``, ``gate_descriptive``,
    ``default={"min_effect_range": ...}``, ``tolerances={"rouge2": {"min_effect": 0.01}}`` (merged per metric)."""
    from omegaconf import OmegaConf

    from bench.config import build, compose
    from bench.config.hydra_errors import group_options

    overrides = list(overrides)
    for o in overrides:  # before composing: Hydra would only say the key is unknown, not what replaced it
        parts = o.lstrip("+~").split("=", 1)[0].split(".")
        if parts[0] == "check" and len(parts) >= 3:
            _refuse_removed({"default": {parts[-1]: 0}} if parts[1] == "default"
                            else {"tolerances": {".".join(parts[2:-1]): {parts[-1]: 0}}} if parts[1] == "tolerances" else {})
    named = any(o.startswith("experiment=") for o in overrides)
    extra = [f"experiment={experiment}"] if experiment and not named and experiment in group_options("experiment") else []
    node = OmegaConf.to_container(compose([*extra, *overrides]).check, resolve=True) or {}
    for key, value in given.items():
        if key in ("tolerances", "default") and isinstance(value, Mapping):
            known = node.get(key) or {}
            if key == "tolerances":
                node[key] = {**known, **{m: {**(known.get(m) or {}), **dict(t)} for m, t in value.items()}}
            else:
                node[key] = {**known, **dict(value)}
        elif key in ("allow_signature_changes", "gate_descriptive") and isinstance(value, str):
            node[key] = [value]
        else:
            node[key] = value
    _refuse_removed(node)
    return build(CheckSpec, node, "check")
