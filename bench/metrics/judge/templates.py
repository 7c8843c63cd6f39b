"""Judge prompt templates: one YAML file per rated dimension.

A template names its ``dimension``, what it reads (``uses: source``: the article and the summary;
``uses: summary``: the summary alone), its rating ``scale`` (whole numbers, e.g. 1 to 5), and the
``system`` and ``user`` messages with the placeholders ``{source}`` and ``{summary}``. bench ships one
per SummEval dimension in ``configs/judge/``; ``metrics.llm_judge.templates`` maps a dimension to a
file of the user's, which adds a dimension or replaces a shipped one.

The article comes before anything dimension-specific in the shipped templates, so the prompts of every
summary of an article, on every dimension that reads it, share one prefix (computed once).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bench.errors import BenchError

SOURCE, SUMMARY = "{source}", "{summary}"
USES = ("source", "summary")
FIELDS = ("dimension", "uses", "scale", "system", "user")


@dataclass(frozen=True)
class Template:
    """A parsed, checked template."""

    dimension: str
    uses: str  # source | summary
    scale: tuple[int, ...]
    system: str
    user: str
    path: str  # where it was read from (messages only; never in a key)

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(str(v) for v in self.scale)

    @property
    def sha256(self) -> str:
        """A hash of what the template says (comments and layout of the file do not count)."""
        canonical = json.dumps({k: getattr(self, k) for k in FIELDS}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def render(self, summary: str, source: str | None) -> tuple[str, str, str]:
        """(user message, prefix, stem): the prefix ends after the article (``uses: source``) or before
        the summary (``uses: summary``), the stem before the summary. The placeholders are replaced once
        each, left to right, so a summary or article that contains ``{summary}`` is taken literally."""
        before, after = self.user.split(SUMMARY, 1)
        if self.uses == "source":
            head, tail = before.split(SOURCE, 1)
            prefix = head + (source or "")
            return prefix + tail + summary + after, prefix, prefix + tail
        return before + summary + after, before, before


def shipped_dir() -> Path:
    from bench.paths import config_dir

    return config_dir() / "judge"


def shipped() -> tuple[str, ...]:
    """The dimensions bench ships templates for."""
    return tuple(sorted(p.stem for p in shipped_dir().glob("*.yaml")))


def _problem(path: str, problem: str) -> BenchError:
    return BenchError(f"judge template {path}: {problem}",
                      "see docs/judges.md (templates): dimension, uses, scale, system, user")


def parse(data: Any, path: str) -> Template:
    """A template from its parsed YAML, every field checked."""
    if not isinstance(data, dict):
        raise _problem(path, "is not a mapping of fields")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise _problem(path, f"unknown field(s) {', '.join(map(str, unknown))}")
    missing = [f for f in FIELDS if f not in data]
    if missing:
        raise _problem(path, f"missing field(s) {', '.join(missing)}")
    dimension, uses, scale, system, user = (data[f] for f in FIELDS)
    if not isinstance(dimension, str) or not dimension.replace("_", "").isalnum():
        raise _problem(path, f"dimension {dimension!r} is not a name (letters, digits, '_')")
    if uses not in USES:
        raise _problem(path, f"uses={uses!r} is not one of {', '.join(USES)}")
    if (not isinstance(scale, list) or len(scale) < 2
            or not all(isinstance(v, int) and not isinstance(v, bool) for v in scale)
            or sorted(set(scale)) != scale):
        raise _problem(path, f"scale {scale!r} is not an increasing list of two or more whole numbers")
    for name, text in (("system", system), ("user", user)):
        if not isinstance(text, str):
            raise _problem(path, f"{name} is not text")
    if user.count(SUMMARY) != 1:
        raise _problem(path, "the user message must hold {summary} exactly once")
    if uses == "source" and (user.count(SOURCE) != 1 or user.index(SOURCE) > user.index(SUMMARY)):
        raise _problem(path, "with uses: source the user message holds {source} once, before {summary}")
    if uses == "summary" and SOURCE in user:
        raise _problem(path, "holds {source} but says uses: summary")
    if SOURCE in system or SUMMARY in system:
        raise _problem(path, "the system message holds a placeholder (put the texts in the user message)")
    return Template(dimension, uses, tuple(scale), system, user, path)


def load(dimension: str, path: str | None = None) -> Template:
    """The template of ``dimension``: the file at ``path``, or the shipped one."""
    import yaml

    if path is None:
        file = shipped_dir() / f"{dimension}.yaml"
        if not file.is_file():
            from bench.errors import unknown_choice

            raise unknown_choice("judge dimension", dimension, shipped())
    else:
        file = Path(path).expanduser()
        if not file.is_file():
            raise BenchError(f"judge template {path} for {dimension} is not a file",
                             "point templates.<dimension> at a template YAML file (docs/judges.md)")
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _problem(str(file), f"cannot be read ({first})") from None
    template = parse(data, str(file))
    if template.dimension != dimension:
        raise _problem(str(file), f"rates {template.dimension!r}, but it was given for {dimension!r}")
    return template


def load_all(dimensions: tuple[str, ...], paths: Mapping[str, str]) -> tuple[Template, ...]:
    """The templates of ``dimensions`` (a path in ``paths`` first, else the shipped file)."""
    extra = sorted(set(paths) - set(dimensions))
    if extra:
        raise BenchError(f"templates are given for {', '.join(extra)}, which is not rated",
                         f"add it to the dimensions ({', '.join(dimensions)}) or drop its template")
    return tuple(load(d, paths.get(d)) for d in dimensions)
