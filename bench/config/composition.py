"""Composing a ``bench run`` config through Hydra's compose API, as plain data.

The library's way in to the shipped configs (found only through
``bench.paths.config_dir()``) plus the plug-ins' config folders on the search
path; Hydra's multi-line errors become one-line ``BenchError``s
(``bench.config.hydra_errors``). ``bench.cli`` and ``bench.api`` both call these.
"""

from __future__ import annotations

from typing import Any, Sequence

from bench.errors import BenchError, ConfigError
from bench.paths import config_dir


def compose(overrides: Sequence[str] = ()) -> Any:
    """The config (a DictConfig) that ``bench run OVERRIDES`` would use."""
    from hydra import compose as hydra_compose
    from hydra import initialize_config_dir
    from hydra.errors import HydraException

    from bench.config.hydra_errors import translate
    from bench.metrics.registry import with_plugin_searchpath

    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=with_plugin_searchpath(list(overrides)))
    except HydraException as exc:
        raise translate(exc) from None


def to_plain(cfg: Any) -> dict[str, Any]:
    """The composed config as plain, resolved data (a missing required option is a one-line error)."""
    from omegaconf import OmegaConf

    try:
        return OmegaConf.to_container(cfg, resolve=True, throw_on_missing=True)
    except Exception as exc:  # MissingMandatoryValue, InterpolationResolutionError
        key = getattr(exc, "full_key", None) or "a required option"
        raise ConfigError(f"{key} is not set", f"set {key}=VALUE") from None


def compose_plain(overrides: Sequence[str] = ()) -> dict[str, Any]:
    """``to_plain(compose(overrides))``: the resolved config of ``bench run OVERRIDES``."""
    return to_plain(compose(overrides))
