"""Hydra's composition errors as bench's one-line errors.

Hydra reports an unknown config option as several lines (the search path, the
options), and a key typo as "Could not override 'x'. To append to your config
use +x=...", which suggests the wrong fix. ``translate`` turns each into one
``BenchError`` that names the group or key, the closest valid name and the
valid choices, e.g. ``unknown metric 'rogue'; did you mean 'rouge'? valid
choices: bertscore, rouge``.
"""

from __future__ import annotations

import re
from typing import Any

from difflib import get_close_matches

from bench import hints
from bench.errors import BenchError, unknown_choice

# Hydra group -> what a user calls it
KINDS = {"metrics": "metric", "dataset": "dataset", "experiment": "experiment", "check": "check settings"}


def group_options(group: str) -> list[str]:
    """The options of a config group, as Hydra's own search path finds them."""
    from pathlib import Path

    from hydra import initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra

    from bench.metrics.registry import plugin_config_dirs
    from bench.paths import config_dir

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            found = set(GlobalHydra.instance().config_loader().get_group_options(group))
        for url in plugin_config_dirs():  # plug-ins' config groups join the search path (bench.config.composition)
            found.update(p.stem for p in Path(url.removeprefix("file://"), group).glob("*.yaml"))
        return sorted(found)
    except Exception:  # an error path: never hide the user's error behind another one
        return []


def _default_keys(path: list[str]) -> list[str]:
    """Keys of the node at ``path`` in the default composed config (for a key typo's suggestions).

    A metric family's options come from its spec (the registry's, plug-ins included): the default config
    composes only the default metrics, so ``metrics.bleu.lowercas`` would otherwise get no suggestion."""
    if len(path) == 2 and path[0] == "metrics":
        import dataclasses

        from bench.metrics.registry import lookup

        try:
            return sorted(f.name for f in dataclasses.fields(lookup(path[1]).spec))
        except Exception:  # an error path: an unknown family falls back to the composed config
            pass
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from bench.paths import config_dir

    GlobalHydra.instance().clear()
    try:
        with initialize_config_dir(config_dir=str(config_dir()), version_base="1.3"):
            node: Any = OmegaConf.to_container(compose(config_name="config"), resolve=False)
    except Exception:
        return []
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return sorted(node) if isinstance(node, dict) else []


def translate(exc: BaseException) -> BenchError:
    """A Hydra exception as one ``BenchError`` with the closest valid name and the choices."""
    from hydra.errors import MissingConfigException, OverrideParseException

    message = str(exc).strip()
    if isinstance(exc, MissingConfigException) and exc.missing_cfg_file and "/" in exc.missing_cfg_file:
        group, _, name = exc.missing_cfg_file.rpartition("/")
        options = list(exc.options or group_options(group))
        kind = KINDS.get(group, f"{group} option")
        err = unknown_choice(kind, name, options)
        close = get_close_matches(name, options, n=1)
        pick = close[0] if close else hints.placeholder("NAME")
        # in the caller's syntax: bench.score takes metrics=["rouge"], an override metrics=[rouge] (bench.hints)
        how = hints.selection([pick]) if group == "metrics" else hints.setting(group, pick)
        return BenchError(err.problem, f"{err.fix} (set {how})")
    if isinstance(exc, OverrideParseException):
        first = message.splitlines()[0] if message else "cannot parse"
        return BenchError(
            f"cannot parse a command-line override ({first})",
            "write overrides as key=value; quote values with spaces, brackets or commas",
        )
    match = re.match(r"Ambiguous value for argument '([^'=]+)=(.*)'", message)
    if match:  # `metrics=rouge,bleu`: Hydra's own three readings, kept, each written out for this key and value
        key, value = match.groups()
        fix = f"for a list write {key}=[{value}], for one string quote it: {key}='{value}'"
        sweep = hints.current().sweep
        if sweep:  # only a shell that can sweep offers it (bench run: -m); a library call cannot
            fix += f", or add {sweep} to run once per value"
        return BenchError(f"{key}={value} is ambiguous: a list, one string, or one run per value", fix)
    match = re.match(r"Could not override '([^']+)'", message)
    if match:
        key = match.group(1)
        *parent, leaf = key.split(".")
        keys = _default_keys(parent)
        where = ".".join(parent)
        err = unknown_choice("option", leaf, keys) if keys else None
        fix = err.fix if err else "the composed config lists the options"
        return BenchError(f"unknown option {key!r}" + (f" in {where}" if where else ""), fix)
    match = re.match(r"Could not append to config\. An item is already at '([^']+)'", message)
    if match:
        return BenchError(f"option {match.group(1)!r} already exists", f"set it without '+': {match.group(1)}=VALUE")
    first = message.splitlines()[0] if message else type(exc).__name__
    return BenchError(first, "check the config group and option names")
