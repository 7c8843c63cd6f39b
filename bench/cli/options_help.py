"""``bench run --help``: Hydra's own help (config groups), then every option with one line of description.

The descriptions are the configs' own comments (one source of truth): the comment on an option's line in
``configs/**/*.yaml``, its first line only. An option is a key with a value on its line (a scalar, a flow
list or mapping) or a block list; a key holding a block mapping is a section. The composed config says which
options a run has; ``tests/cli/test_options_help.py`` fails on any option left without a description.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

_KEY = re.compile(r"^(?P<indent> *)(?P<key>[A-Za-z_][\w-]*):(?P<value>[^#]*?)\s*(?:#\s?(?P<comment>.*))?$")


def _strip_comment(line: str) -> str:
    return line.split(" #", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""


def file_options(text: str, prefix: str) -> dict[str, str]:
    """Option -> description ("" when it has none) of one config file, keys prefixed with its package."""
    lines = text.splitlines()
    if any(line.strip() == "# @package _global_" for line in lines[:3]):
        prefix = ""
    found: dict[str, str] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing sections
    for i, line in enumerate(lines):
        m = _KEY.match(line)
        if not m or m["key"] == "defaults":
            continue
        indent = len(m["indent"])
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = ".".join([p for p in (prefix, *(k for _, k in stack), m["key"]) if p])
        if path.split(".")[0] == "hydra":
            continue
        value = m["value"].strip()
        following = next((_strip_comment(x) for x in lines[i + 1:] if _strip_comment(x).strip()), "")
        if not value and not following.lstrip().startswith("-") and len(following) - len(following.lstrip()) > indent:
            stack.append((indent, m["key"]))  # a section: its keys are the options
            continue
        found[path] = (m["comment"] or "").strip()
    return found


def descriptions(config_dir: Path) -> dict[str, str]:
    """Every option any shipped config file names -> its description. The top config and the files its
    defaults list selects come first, so their comment wins when several files describe one option."""
    files = sorted(config_dir.rglob("*.yaml"))
    top = config_dir / "config.yaml"
    chosen = {config_dir / f"{g}/{o}.yaml" for g, opts in _defaults(top.read_text(encoding="utf-8")) for o in opts}
    ordered = [top, *(f for f in files if f in chosen), *(f for f in files if f != top and f not in chosen)]
    out: dict[str, str] = {}
    for path in ordered:
        rel = path.relative_to(config_dir).parent
        for key, text in file_options(path.read_text(encoding="utf-8"), ".".join(rel.parts)).items():
            if not out.get(key):
                out[key] = text
    return out


def _defaults(text: str) -> list[tuple[str, list[str]]]:
    """``- group: option`` / ``- group: [a, b]`` entries of a defaults list."""
    found = []
    for m in re.finditer(r"^  - (?P<group>[\w/]+): *(?P<opts>\[[^\]]*\]|[\w.-]+)", text, re.M):
        opts = m["opts"].strip("[]").replace(" ", "").split(",")
        found.append((m["group"], [o for o in opts if o and o != "null"]))
    return found


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, list):
        return "[" + ",".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_show(v)}" for k, v in value.items()) + "}"
    return str(value)


def option_lines(cfg: dict[str, Any], described: dict[str, str]) -> list[tuple[str, str, str]]:
    """(option, value, description) for every option of the composed ``cfg``, in config order."""
    rows: list[tuple[str, str, str]] = []

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            path = f"{prefix}{key}"
            if isinstance(value, dict) and path not in described:
                walk(value, path + ".")
            else:
                rows.append((path, _show(value), described.get(path, "")))

    walk(cfg, "")
    return rows


def render(cfg: dict[str, Any], config_dir: Path) -> str:
    """The ``== Options ==`` section: ``option=value`` padded, then its one-line description."""
    rows = option_lines(cfg, descriptions(config_dir))
    shown = [(f"{k}={v}" if len(v) <= 40 else f"{k}=…", d) for k, v, d in rows]
    width = max(len(a) for a, _ in shown)
    body = "\n".join(f"  {a.ljust(width)}  {d or '(no description)'}" for a, d in shown)
    return ("== Options ==\nOverride any of them (option=value); shown with the value this config gives it\n\n"
            f"{body}\n")
