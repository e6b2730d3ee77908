"""Account secrets, kept only in the OS keyring.

Each account has named secrets: ``token`` (the access token, bot token or
community key — every network has one), and where the network needs them
``refresh_token``, ``client_secret``, ``password`` (an app password: Bluesky,
email) and ``token_expires_at`` (ISO time; not secret, but it belongs with the
token it describes). Service ``smm-desk``; user name ``account:<id>`` for the
token (the name earlier versions used) and ``account:<id>:<name>`` for the rest.

Nothing else in SMM Desk stores a secret: not the database, not a log line, not
an export, not an exception message — errors raised here name the account and
the secret's name, never its value. ``PYTHON_KEYRING_BACKEND`` is honoured by
the keyring library itself, which is how tests select an in-memory backend.
Every secret value read or written here is also handed to
:mod:`smm_desk.redaction`, so the log files and the crash dialog mask it.

The keyring library is imported on the first secret read or written, not with
this module: it finds its backends through package metadata (~30 ms), which
the desk's first window does not need (the sync engine reads tokens after it).
"""

from __future__ import annotations

from collections.abc import Callable

from smm_desk import redaction

SERVICE = "smm-desk"
#: Every secret name an account may have (keyring cannot list, so removal walks these).
SECRET_NAMES: tuple[str, ...] = ("token", "refresh_token", "client_secret", "password",
                                 "token_expires_at")
#: Stored beside the secrets but not secret (a time): never redacted from text.
NOT_SECRET: frozenset[str] = frozenset({"token_expires_at"})


class SecretStoreError(Exception):
    pass


def _user(account_id: int, name: str = "token") -> str:
    if name not in SECRET_NAMES:
        raise SecretStoreError(f"unknown secret name {name!r}")
    return f"account:{account_id}" if name == "token" else f"account:{account_id}:{name}"


def set_secret(account_id: int, name: str, value: str) -> None:
    if not value:
        raise SecretStoreError(f"empty {name} for account {account_id}")
    if name not in NOT_SECRET:
        redaction.remember(value)  # redacted from logs and crash reports from now on
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, _user(account_id, name), value)
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot store the {name} of account {account_id} in the OS keyring "
            f"({type(exc).__name__}); is a keyring service available?"
        ) from None


def get_secret(account_id: int, name: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        value = keyring.get_password(SERVICE, _user(account_id, name))
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot read the {name} of account {account_id} from the OS keyring "
            f"({type(exc).__name__})"
        ) from None
    if value and name not in NOT_SECRET:
        redaction.remember(value)
    return value


def delete_secret(account_id: int, name: str) -> None:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, _user(account_id, name))
    except PasswordDeleteError:
        pass  # nothing stored: the end state is the same
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot delete the {name} of account {account_id} from the OS keyring "
            f"({type(exc).__name__})"
        ) from None


def set_token(account_id: int, token: str) -> None:
    set_secret(account_id, "token", token)


def get_token(account_id: int) -> str | None:
    return get_secret(account_id, "token")


def delete_token(account_id: int) -> None:
    """Forget every secret of the account (the account is being removed)."""
    for name in SECRET_NAMES:
        delete_secret(account_id, name)


class KeyringCredentials:
    """One account's secrets in the keyring, as a connector sees them
    (:class:`smm_desk.connectors.credentials.Credentials`). ``on_secret`` hears
    every value read or written, so the caller's redactor learns it.

    Each secret is read from the keyring once and then kept: a connector asks
    for its token (and its expiry) before every request, and an OS keyring
    answers over IPC on the event loop's thread. The connector is the only
    writer of its account's secrets in this process, and :meth:`put` writes
    through, so the kept values stay the keyring's."""

    def __init__(self, account_id: int,
                 on_secret: Callable[[str], None] | None = None) -> None:
        self.account_id = account_id
        self._on_secret = on_secret
        self._known: dict[str, str | None] = {}

    def get(self, name: str) -> str | None:
        if name in self._known:
            return self._known[name]
        value = self._known[name] = get_secret(self.account_id, name)
        if value and self._on_secret is not None:
            self._on_secret(value)
        return value

    def put(self, name: str, value: str) -> None:
        if self._on_secret is not None:
            self._on_secret(value)
        set_secret(self.account_id, name, value)
        self._known[name] = value
