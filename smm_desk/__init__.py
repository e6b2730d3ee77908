"""SMM Desk: a desktop inbox for community managers.

Layers, imports pointing downward only (see ``tests/test_layers.py``)::

    ui/ -> app/ , cli/ -> sync/ -> connectors/ -> domain/
                               \\-> store/ ----> domain/
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smm-desk")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
