"""An account's secrets as a connector sees them.

Most networks need one token, which the connector gets as ``token``. Networks
with OAuth refresh (X, YouTube, Reddit, Instagram-login), sessions (Bluesky) or
passwords (email) read and write more through :class:`Credentials`: the sync
engine hands a keyring-backed one (:class:`smm_desk.secrets.KeyringCredentials`),
tests and the demo a :class:`MemoryCredentials`. Names are those of
:data:`smm_desk.secrets.SECRET_NAMES`: ``token``, ``refresh_token``,
``client_secret``, ``password``, ``token_expires_at``.

A connector that obtains a new secret (a refreshed access token, a Bluesky
session) stores it with :meth:`Credentials.put` *before* using it, so a crash
right after never leaves the keyring holding a token the network has already
rotated away, and tells its :class:`~smm_desk.connectors.http.HttpClient` to
redact it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol


class Credentials(Protocol):
    def get(self, name: str) -> str | None: ...

    def put(self, name: str, value: str) -> None: ...


class MemoryCredentials:
    """Secrets in a dict: tests, the demo, a connection test before saving."""

    def __init__(self, values: Mapping[str, str] | None = None) -> None:
        self.values: dict[str, str] = dict(values or {})

    def get(self, name: str) -> str | None:
        return self.values.get(name)

    def put(self, name: str, value: str) -> None:
        self.values[name] = value
