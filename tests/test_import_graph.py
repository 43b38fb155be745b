"""The package's import graph has no loops (docs/DESIGN.md §3 "Untangled").

A loop between packages means neither can be understood, tested or replaced without the other
(issue 11: exchange ↔ delivery, hub ↔ monitor). Imports are read with `ast` from the source,
every one of them: module level, inside functions (the usual way to dodge a loop) and under
`if TYPE_CHECKING:` (a loop for the reader even if not for the interpreter). Top-level modules
(`hub`, `appkeys`, …) count as packages of their own.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import docexchange

ROOT = Path(docexchange.__file__).parent
PACKAGES = ("exchange", "delivery", "monitor", "directory", "evidence", "push", "upstream",
            "vdxp", "api", "dashboard", "commands", "store", "edxml", "signing", "accounts",
            "admin")


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = ["docexchange", *path.relative_to(ROOT).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom, is_package: bool,
             known: Iterable[str]) -> set[str]:
    """The package modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            base = module.split(".")[: len(module.split(".")) + is_package - node.level]
            base_name = ".".join(base + ([node.module] if node.module else []))
        else:
            base_name = node.module or ""
        # `from p import m` loads the module p.m; `from p import name` loads p itself
        names = [f"{base_name}.{alias.name}" if f"{base_name}.{alias.name}" in known
                 else base_name for alias in node.names]
    return {name for name in names if name in known}


def import_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports anywhere in its source."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = graph.setdefault(name, set())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _targets(name, node, path.name == "__init__.py", modules)
        edges.discard(name)
    return graph


def module_level_graph() -> dict[str, set[str]]:
    """module -> the package modules it imports while it is being imported itself."""
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = graph.setdefault(name, set())
        for node in _module_level(tree.body):
            edges |= _targets(name, node, path.name == "__init__.py", modules)
        edges.discard(name)
    return graph


def _module_level(body: list[ast.stmt]) -> Iterable[ast.Import | ast.ImportFrom]:
    for stmt in body:
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            yield stmt
        elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
            for block in ("body", "orelse", "finalbody", "handlers"):
                for inner in getattr(stmt, block, []):
                    yield from _module_level(
                        inner.body if isinstance(inner, ast.ExceptHandler) else [inner])


def package_of(module: str) -> str:
    """`docexchange.exchange.accept` -> `exchange`; a top-level module is its own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "docexchange"


def package_graph(graph: Mapping[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        edges = packages.setdefault(package_of(module), set())
        edges |= {package_of(t) for t in targets} - {package_of(module)}
    return packages


def loops(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _explain(graph: Mapping[str, set[str]], component: list[str]) -> list[str]:
    modules = import_graph()
    inside = set(component)
    return sorted(f"{m} -> {t}" for m, targets in modules.items() for t in targets
                  if package_of(m) in inside and package_of(t) in inside
                  and package_of(m) != package_of(t))


def test_no_loop_between_packages() -> None:
    graph = package_graph(import_graph())
    assert set(PACKAGES) <= set(graph), "a package named in issue 11 is missing"
    found = loops(graph)
    assert not found, "\n".join(f"{c}:\n  " + "\n  ".join(_explain(graph, c)) for c in found)


def test_no_loop_at_module_level() -> None:
    assert not loops(module_level_graph())


def test_the_check_sees_a_loop() -> None:
    """The detector itself: a two-package loop and an import inside a function count."""
    tree = ast.parse("def f():\n    from docexchange.hub import Hub\n")
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _targets("docexchange.monitor.x", node, False, {"docexchange.hub"}) == {
        "docexchange.hub"}
    graph = {"docexchange.hub": {"docexchange.monitor.x"},
             "docexchange.monitor.x": {"docexchange.hub"}}
    assert loops(package_graph(graph)) == [["hub", "monitor"]]
