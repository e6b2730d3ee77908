"""PySide6's import hook, made cheap: imported first by the composition root.

Once PySide6 is imported it sees every later import (``builtins.__import__``
becomes its ``__feature_import__``) and asks, per new module, whether the
module's source mentions "PySide6" — for its opt-in ``from __feature__ import
snake_case`` switches, which SMM Desk never uses. It asks through
``inspect.getsource``, which detects the encoding, decodes the whole file and
keeps its lines in ``linecache``: for the ~450 modules the desk imports after
PySide6 (SQLAlchemy, the store, the window) that is ~100 ms of a cold start of
about a second, and their source text held in memory for nothing.

:func:`install` replaces that one question with the same question asked of the
file's bytes (``b"PySide6" in source``): the same answer for every module whose
source is a ``.py`` file in an ASCII-compatible encoding (UTF-8: PEP 3120), and
PySide6's own answer for anything else (no file, not readable, not ``.py``).
``tests/app/test_pyside_import.py`` checks both give the same answers. If a
PySide6 release moves the hook, nothing is replaced and imports stay as they were.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

import PySide6.QtCore  # noqa: F401 - installs PySide6's import hook (what this module tunes)

_FEATURE_MODULE = "shibokensupport.feature"
#: PySide6's own check, once :func:`install` replaced it (for the tests).
original_check: Callable[[ModuleType], bool] | None = None


def uses_pyside(module: ModuleType, fallback: Callable[[ModuleType], bool]) -> bool:
    """Whether ``module``'s source mentions PySide6, read as bytes; ``fallback``
    (PySide6's own check) for a module without a readable ``.py`` file."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return fallback(module)
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return fallback(module)


def install() -> bool:
    """Replace PySide6's per-import source check by :func:`uses_pyside`. False
    (and nothing changed) when this PySide6 has no such check."""
    global original_check
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if original_check is not None:
        return True  # already installed
    original_check = original

    def _mod_uses_pyside(module: ModuleType) -> bool:
        return uses_pyside(module, original)

    feature._mod_uses_pyside = _mod_uses_pyside  # type: ignore[attr-defined]
    return True


install()
