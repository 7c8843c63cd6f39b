"""The check settings of one invocation: ``configs/check/`` (and a named experiment's own ``check``
node) with that invocation's ``check.*`` overrides, never the settings stored in a run's record
(a baseline is judged by today's rules, whichever run it is compared with)."""

from __future__ import annotations

from typing import Sequence

from bench.gate.compare import CheckSpec


def settings(overrides: Sequence[str] = (), experiment: str | None = None) -> CheckSpec:
    """The ``CheckSpec`` that ``overrides`` compose to, with ``experiment``'s own check node when it names a
    shipped experiment and the overrides name none."""
    from omegaconf import OmegaConf

    from bench.config import build, compose
    from bench.config.hydra_errors import group_options

    overrides = list(overrides)
    named = any(o.startswith("experiment=") for o in overrides)
    extra = [f"experiment={experiment}"] if experiment and not named and experiment in group_options("experiment") else []
    node = OmegaConf.to_container(compose([*extra, *overrides]).check, resolve=True)
    return build(CheckSpec, node, "check")
