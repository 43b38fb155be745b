"""The suite, the benchmarks and the scripts read nothing outside the repository.

.ci/run proves it by running `make test` in a clone with no ../shared beside it; this test
catches the mistake earlier, at the line that makes it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile(r"""(\.\./shared|/work/|["']shared["']|shared/samples)""")


def _sources() -> list[Path]:
    return sorted([*REPO.glob("tests/**/*.py"), *REPO.glob("bench/**/*.py"),
                   *REPO.glob("scripts/*"), REPO / "Makefile"])


def test_no_source_names_a_path_outside_the_repository() -> None:
    me = Path(__file__).resolve()
    offenders = [f"{path.relative_to(REPO)}:{n}" for path in _sources() if path != me
                 for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
                 if OUTSIDE.search(line)]
    assert offenders == []


def test_no_source_climbs_above_the_repository() -> None:
    """``Path(__file__).parents[k]`` must stay inside the repository."""
    offenders = []
    for path in [*REPO.glob("tests/**/*.py"), *REPO.glob("bench/**/*.py")]:
        depth = len(path.relative_to(REPO).parts) - 1  # parents[depth] is the repository
        for k in re.findall(r"parents\[(\d+)\]", path.read_text("utf-8")):
            if int(k) > depth:
                offenders.append(f"{path.relative_to(REPO)}: parents[{k}]")
    assert offenders == []


def test_benchmarks_import_no_test_module() -> None:
    for path in REPO.glob("bench/*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "tests" or n.startswith("tests.") for n in names), path
