"""SMM Desk: a desktop inbox for community managers.

Layers, imports pointing downward only (see ``tests/test_layers.py``)::

    ui/ -> app/ , cli/ -> sync/ -> connectors/ -> domain/
                               \\-> store/ ----> domain/

``__version__`` is read from the installed package's metadata when first asked
for, not when the package is imported: ``importlib.metadata`` costs ~30 ms that
the desk's first window does not need.
"""

from __future__ import annotations


def __getattr__(name: str) -> str:
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("smm-desk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
