"""Rules of the code base that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = {"flask", "celery", "requests", "redis", "sqlalchemy", "marshmallow", "werkzeug"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("screening", FRAMEWORKS | {"integration", "tasks", "connectors", "store"}),
        ("connectors", {"flask", "celery", "werkzeug", "integration", "tasks", "store"}),
        ("store", {"flask", "celery", "integration", "tasks"}),
    ],
)
def test_import_direction(package: str, forbidden: set[str]) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & forbidden)
        for path in (ROOT / package).rglob("*.py")
        if _imports(path) & forbidden
    }
    assert offenders == {}, f"{package}/ must not import {sorted(forbidden)}"
