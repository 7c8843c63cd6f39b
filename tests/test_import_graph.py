"""Layers one way: bench's import graph has no cycle and no edge from a stage to a later one.

The stages and their order are read from docs/architecture.md (the list after ``<!-- stages -->``),
so the page and the code cannot disagree. Every import counts, function-level ones too (AST walk,
as tests/test_layering.py does). ``from bench import dotted`` is an import of the module
``bench.dotted``; ``import bench`` or ``from bench import score`` is an import of the package facade
(``bench/__init__.py``, the library API's stage).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bench"
DOC = ROOT / "docs" / "architecture.md"


def module_name(path: Path, package: Path = PACKAGE) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    return {module_name(p, package): p for p in sorted(package.rglob("*.py"))}


def imports(path: Path, known: set[str], package: Path = PACKAGE) -> set[str]:
    """The bench modules ``path`` imports (resolved to modules that exist), anywhere in it."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    here = module_name(path, package).split(".")
    pkg = here if path.name == "__init__.py" else here[:-1]
    out: set[str] = set()

    def resolve(name: str) -> str | None:
        while name and name not in known:
            name = name.rsplit(".", 1)[0] if "." in name else ""
        return name or None

    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = pkg[: len(pkg) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:  # ``from bench import dotted``: the module bench.dotted
                sub = f"{base}.{alias.name}"
                targets.append(sub if sub in known else base)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "import_module":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                targets = [node.args[0].value]
        for t in targets:
            if t == "bench" or t.startswith("bench."):
                m = resolve(t)
                if m is not None and m != module_name(path, package):
                    out.add(m)
    return out


def stages(doc: Path = DOC) -> list[tuple[str, list[str]]]:
    """(stage, path prefixes) in order, from the numbered list after ``<!-- stages -->``."""
    text = doc.read_text(encoding="utf-8").split("<!-- stages -->", 1)[1]
    out = []
    for line in text.splitlines():
        m = re.match(r"\d+\.\s+\*\*(\w+)\*\*:\s*(.*)", line.strip())
        if m:
            out.append((m.group(1), re.findall(r"`(bench/[^`]*)`", m.group(2))))
        elif out and not line.strip():
            break
    return out


def stage_of(name: str, path: Path, order: list[tuple[str, list[str]]]) -> int:
    rel = path.relative_to(ROOT).as_posix()
    best = None
    for k, (_, prefixes) in enumerate(order):
        for prefix in prefixes:
            if rel == prefix or (prefix.endswith("/") and rel.startswith(prefix)):
                if best is None or len(prefix) > best[1]:
                    best = (k, len(prefix))
    if best is None:
        raise AssertionError(f"{rel} is in no stage of docs/architecture.md")
    return best[0]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def graph_of(package: Path = PACKAGE) -> tuple[dict[str, set[str]], dict[str, Path]]:
    mods = modules(package)
    return {m: imports(p, set(mods), package) for m, p in mods.items()}, mods


def test_the_stage_list_is_read():
    names = [s for s, _ in stages()]
    assert names[0] == "shared" and names[-1] == "cli" and "results" in names and len(names) >= 8


def test_no_import_cycle():
    graph, _ = graph_of()
    assert cycles(graph) == []


def test_no_stage_imports_a_later_stage():
    graph, mods = graph_of()
    order = stages()
    back = []
    for m, deps in graph.items():
        a = stage_of(m, mods[m], order)
        for d in deps:
            b = stage_of(d, mods[d], order)
            if b > a:
                back.append(f"{m} ({order[a][0]}) imports {d} ({order[b][0]})")
    assert back == [], "imports against the stage order of docs/architecture.md:\n" + "\n".join(sorted(back))


@pytest.mark.parametrize("files, expected_cycle", [
    ({"a.py": "from bench import b\n", "b.py": "def f():\n    from bench.a import x\n"}, True),  # function-level
    ({"a.py": "from bench import b\n", "b.py": "x = 1\n"}, False),
    ({"a.py": "import bench\n", "__init__.py": "from bench.a import y\n"}, True),  # the facade counts
    ({"a.py": "from bench import b\n", "__init__.py": "", "b.py": "import importlib\nimportlib.import_module('bench.a')\n"}, True),
])
def test_the_cycle_detector_can_fail(tmp_path, files, expected_cycle):
    pkg = tmp_path / "bench"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    for name, text in files.items():
        (pkg / name).write_text(text)
    graph, _ = graph_of(pkg)
    assert bool(cycles(graph)) is expected_cycle, graph
