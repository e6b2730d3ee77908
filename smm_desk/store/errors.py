"""The store's own errors: each carries one line a person can act on.

The CLI prints ``str(error)`` and exits non-zero; the GUI shows it in its
message bar. No secret can reach these messages because URLs are rendered with
their password hidden (``hide_password``).
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class: something about the database the user can fix."""


class BadDatabaseUrl(StoreError):
    pass


class DatabaseLocked(StoreError):
    pass


class DatabaseUnavailable(StoreError):
    pass


class MigrationFailed(StoreError):
    pass


class NotFound(StoreError):
    pass


class Conflict(StoreError):
    pass
