"""PySide6's per-import check, asked of the file's bytes, answers as PySide6 does."""

from __future__ import annotations

import sys
import types
from pathlib import Path

from smm_desk.app import pyside_import


def test_installed_over_pyside6s_own_check() -> None:
    assert pyside_import.install()
    feature = sys.modules["shibokensupport.feature"]
    assert pyside_import.original_check is not None
    assert feature._mod_uses_pyside is not pyside_import.original_check
    assert pyside_import.install()  # twice is once


def test_same_answer_as_pyside6_for_every_module_the_desk_imports() -> None:
    import smm_desk.app.gui  # noqa: F401 - the desk's whole start-up import graph
    import smm_desk.cli.main  # noqa: F401

    original = pyside_import.original_check
    assert original is not None
    modules = [m for m in list(sys.modules.values()) if isinstance(m, types.ModuleType)]
    answers = {m.__name__: pyside_import.uses_pyside(m, original) for m in modules}
    assert answers == {m.__name__: original(m) for m in modules}
    # Both kinds occur, or the comparison proves little.
    assert answers["smm_desk.app.gui"] and not answers["sqlalchemy"]


def test_files_pyside6_cannot_read_get_its_own_answer(tmp_path: Path) -> None:
    asked: list[str] = []

    def fallback(module: types.ModuleType) -> bool:
        asked.append(module.__name__)
        return True

    builtin = sys  # no __file__
    gone = types.ModuleType("gone")
    gone.__file__ = str(tmp_path / "missing.py")
    compiled = types.ModuleType("compiled")
    compiled.__file__ = str(tmp_path / "ext.so")
    assert all(pyside_import.uses_pyside(m, fallback) for m in (builtin, gone, compiled))
    assert asked == ["sys", "gone", "compiled"]

    plain = types.ModuleType("plain")
    plain.__file__ = str(tmp_path / "plain.py")
    Path(plain.__file__).write_text("# uses PySide6.QtCore\n", encoding="utf-8")
    assert pyside_import.uses_pyside(plain, fallback)
    Path(plain.__file__).write_text("import sqlite3\n", encoding="utf-8")
    assert not pyside_import.uses_pyside(plain, fallback)
    assert asked == ["sys", "gone", "compiled"]
