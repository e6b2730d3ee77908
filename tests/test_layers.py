"""STYLE.md rule 1: layers you can see. Walk every module's imports (by
parsing, so a lazy import inside a function counts too) and fail on any that
points the wrong way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "smm_desk"

#: layer -> module prefixes it must never import
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": ("PySide6", "shiboken6", "sqlalchemy", "alembic", "httpx", "qasync", "keyring",
               "psycopg", "smm_desk.store", "smm_desk.connectors", "smm_desk.sync",
               "smm_desk.ui", "smm_desk.app", "smm_desk.cli"),
    "store": ("PySide6", "httpx", "qasync", "smm_desk.connectors", "smm_desk.sync",
              "smm_desk.ui", "smm_desk.app", "smm_desk.cli"),
    "connectors": ("PySide6", "sqlalchemy", "smm_desk.store", "smm_desk.sync", "smm_desk.ui",
                   "smm_desk.app", "smm_desk.cli"),
    "sync": ("PySide6", "smm_desk.ui", "smm_desk.app", "smm_desk.cli"),
    # QObject services over the store: the UI's only way down, so never the UI itself.
    "services": ("smm_desk.ui", "smm_desk.app", "smm_desk.cli"),
    "ui": ("httpx", "sqlalchemy", "alembic", "psycopg", "smm_desk.connectors",
           "smm_desk.store", "smm_desk.sync", "smm_desk.cli"),
}


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(layer: str, root: Path) -> list[str]:
    bad = []
    for path in sorted((root / layer).rglob("*.py")):
        for line, module in imports_of(path):
            if any(module == f or module.startswith(f + ".") for f in FORBIDDEN[layer]):
                bad.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_point_downward(layer: str) -> None:
    assert violations(layer, PACKAGE) == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    (tmp_path / "smm_desk" / "domain").mkdir(parents=True)
    (tmp_path / "smm_desk" / "domain" / "bad.py").write_text(
        "def f():\n    from PySide6 import QtCore\n    import sqlalchemy.orm\n"
    )
    (tmp_path / "smm_desk" / "ui").mkdir(parents=True)
    (tmp_path / "smm_desk" / "ui" / "bad.py").write_text(
        "from smm_desk.connectors.telegram import X\nfrom smm_desk.store.models import Case\n"
    )
    assert len(violations("domain", tmp_path / "smm_desk")) == 2
    assert len(violations("ui", tmp_path / "smm_desk")) == 2
