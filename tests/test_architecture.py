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
        str(path.relative_to(ROOT)): sorted(_forbidden_in(path, forbidden))
        for path in (ROOT / package).rglob("*.py")
        if _forbidden_in(path, forbidden)
    }
    assert offenders == {}, f"{package}/ must not import {sorted(forbidden)}"


def _forbidden_in(path: Path, forbidden: set[str]) -> set[str]:
    return _imports(path) & (forbidden - _exceptions(path))


def _exceptions(path: Path) -> set[str]:
    """`requests` is allowed in screening/ only where lists are downloaded: screening/lists/**/download.py."""
    if path.name == "download.py" and (ROOT / "screening" / "lists") in path.parents:
        return {"requests"}
    return set()


def test_requests_allowed_only_in_list_downloads() -> None:
    lists = ROOT / "screening" / "lists"
    assert _exceptions(lists / "download.py") == {"requests"}
    assert _exceptions(lists / "ofac" / "download.py") == {"requests"}
    assert _exceptions(lists / "ofac" / "reader.py") == set()
    assert _exceptions(ROOT / "screening" / "download.py") == set()
    assert _exceptions(ROOT / "connectors" / "download.py") == set()
