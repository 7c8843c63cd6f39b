"""The library never imports the CLI: ``bench.cli`` is a shell over ``bench``, not the reverse.

Walks every module under bench/ (AST, so function-local imports count too) and fails on any
import of ``bench.cli`` outside ``bench/cli/`` and ``bench/__main__.py``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "bench"
SHELL = {PACKAGE / "__main__.py"}


def _module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_names(path: Path, package_dir: Path = PACKAGE) -> set[str]:
    """Every module ``path`` imports, anywhere in it, as absolute dotted names (``from x import y``: x and x.y)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = _module_name(path, package_dir).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from .x import y
                anchor = package[: len(package) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def _is_cli(name: str) -> bool:
    return name == "bench.cli" or name.startswith("bench.cli.")


def library_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if (PACKAGE / "cli") not in p.parents and p not in SHELL)


def test_the_walk_sees_the_whole_package():
    found = library_modules()
    assert PACKAGE / "api.py" in found and PACKAGE / "config" / "composition.py" in found
    assert not any((PACKAGE / "cli") in p.parents for p in found)


@pytest.mark.parametrize("source, expected", [
    ("from bench.cli.app import compose", True),
    ("def f():\n    from bench.cli import summary\n", True),          # a function-local import counts
    ("import bench.cli.commands.check as c", True),
    ("from bench import cli", True),
    ("import importlib\nimportlib.import_module('bench.cli.app')", True),
    ("from bench.config import compose", False),
    ("from bench.client import x", False),
])
def test_the_detector_can_fail(tmp_path, source, expected):
    fake = tmp_path / "bench"
    fake.mkdir()
    (fake / "probe.py").write_text(source)
    names = imported_names(fake / "probe.py", fake)
    assert any(_is_cli(n) for n in names) is expected, (source, names)


def test_relative_imports_resolve(tmp_path):
    fake = tmp_path / "bench" / "results"
    fake.mkdir(parents=True)
    (fake / "x.py").write_text("from ..cli import app\nfrom . import store\n")
    names = imported_names(fake / "x.py", tmp_path / "bench")
    assert "bench.cli.app" in names and "bench.results.store" in names


def test_no_library_module_imports_the_cli():
    offenders = {str(p.relative_to(PACKAGE.parent)): sorted(n for n in imported_names(p) if _is_cli(n))
                 for p in library_modules()}
    offenders = {k: v for k, v in offenders.items() if v}
    assert not offenders, f"library modules import bench.cli (move the logic into the library): {offenders}"


# --- library errors speak the library's words, not the CLI's flags ----------------------------------------------

import re  # noqa: E402

FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")
ERRORS = {"BenchError", "InputError", "ConfigError", "DamagedRun", "unknown_choice"}
# Messages still naming a CLI flag, to reword where those modules' owners edit them (issue 17); the count
# may only fall. A new one anywhere else fails the test.
KNOWN: dict[str, int] = {}


def flagged_messages(path: Path) -> list[str]:
    """The string parts of error constructions in ``path`` that name a ``--flag``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", getattr(node.func, "attr", None))
        if name not in ERRORS and not (name == "check" and path.name == "meta.py"):
            continue
        for arg in [*node.args, *(k.value for k in node.keywords)]:
            for const in ast.walk(arg):
                if isinstance(const, ast.Constant) and isinstance(const.value, str) and FLAG.search(const.value):
                    out.append(const.value)
    return out


def test_library_error_messages_name_no_cli_flags():
    found = {str(p.relative_to(PACKAGE.parent)): len(flagged_messages(p)) for p in library_modules()}
    found = {k: v for k, v in found.items() if v}
    new = {k: v for k, v in found.items() if v > KNOWN.get(k, 0)}
    assert not new, f"library error messages naming CLI flags: {new}"


def test_the_flag_detector_can_fail(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text('raise BenchError("x", "pass --baseline FILE")\nraise BenchError(f"{a}", "set alpha=0.05")\n')
    assert flagged_messages(probe) == ["pass --baseline FILE"]
