"""The layers as built (docs/DESIGN.md §3): faces → services → store.

Walks the package's import graph with `ast` (nothing is imported) and fails when:
- a face (api/, dashboard/, commands/, cli.py) imports `docexchange.store` or a driver;
- a module outside store/ imports sqlite3, aiosqlite or a PostgreSQL driver;
- a module outside store/ holds SQL text (a SELECT/INSERT/UPDATE/DELETE statement in a
  string literal);
- a module outside store/ takes the time from store/ (services use the injected clock).

`hub.py` and `app.py` are the wiring: they may open the Database and the blob store, which
is why they are not faces here (hub.py imports store.engine and store.blobs to build them).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "docexchange"
FACES = ("api/", "dashboard/", "commands/", "cli.py")
DRIVERS = ("sqlite3", "aiosqlite", "asyncpg", "psycopg", "psycopg2", "psycopg_pool")
SQL = re.compile(r"^\s*(SELECT\s.+\sFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|"
                 r"DELETE\s+FROM\s)", re.DOTALL)  # the project writes SQL keywords in capitals


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        yield rel, ast.parse(path.read_text("utf-8"), filename=rel)


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every module an import statement names, with its line (TYPE_CHECKING ones too)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _strings(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """String literals as written, implicit concatenations joined ("SELECT a " "FROM b")."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value
        elif isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value for v in node.values
                                       if isinstance(v, ast.Constant) and
                                       isinstance(v.value, str))


def _is_face(rel: str) -> bool:
    return rel.startswith(FACES)


def _driver(name: str) -> bool:
    return name.split(".")[0] in DRIVERS


def test_faces_call_services_only() -> None:
    found = [f"{rel}:{line} imports {name}" for rel, tree in _modules() if _is_face(rel)
             for line, name in _imports(tree)
             if name == "docexchange.store" or name.startswith("docexchange.store.")
             or _driver(name)]
    assert found == [], "faces (API, dashboard, CLI) must call services, not the store"


def test_only_the_store_knows_a_driver() -> None:
    found = [f"{rel}:{line} imports {name}" for rel, tree in _modules()
             if not rel.startswith("store/") for line, name in _imports(tree) if _driver(name)]
    assert found == [], "only docexchange/store/ may import a database driver"


def test_only_the_store_holds_sql() -> None:
    found = [f"{rel}:{line} {text[:60]!r}" for rel, tree in _modules()
             if not rel.startswith("store/") for line, text in _strings(tree)
             if SQL.match(text)]
    assert found == [], "SQL belongs in named operations of docexchange/store/"


def test_time_comes_from_the_clock_not_the_store() -> None:
    found = [f"{rel}:{line} imports {name}" for rel, tree in _modules()
             for line, name in _imports(tree) if name.endswith(".now_ms")]
    assert found == [], "services take the time from the Hub's clock (docexchange/clock.py)"


def test_the_checks_see_what_they_look_for() -> None:
    """The walkers find a store import, a driver and SQL when they are there."""
    tree = ast.parse("import sqlite3\nfrom docexchange.store import units\n"
                     "Q = ('SELECT a ' 'FROM units WHERE b = ?')\nU = f'UPDATE t SET x = {1}'\n")
    names = {name for _, name in _imports(tree)}
    assert "docexchange.store.units" in names and any(_driver(n) for n in names)
    assert {line for line, text in _strings(tree) if SQL.match(text)} == {3, 4}
    assert not SQL.match("Select the unit to update from the list")
