"""Account tokens, kept only in the OS keyring.

One keyring entry per account: service ``smm-desk``, user name
``account:<id>``. Nothing else in SMM Desk stores a token: not the database,
not a log line, not an export, not an exception message — errors raised here
name the account, never the secret. ``PYTHON_KEYRING_BACKEND`` is honoured by
the keyring library itself, which is how tests select an in-memory backend.
"""

from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

SERVICE = "smm-desk"


class SecretStoreError(Exception):
    pass


def _user(account_id: int) -> str:
    return f"account:{account_id}"


def set_token(account_id: int, token: str) -> None:
    if not token:
        raise SecretStoreError(f"empty token for account {account_id}")
    try:
        keyring.set_password(SERVICE, _user(account_id), token)
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot store the token of account {account_id} in the OS keyring "
            f"({type(exc).__name__}); is a keyring service available?"
        ) from None


def get_token(account_id: int) -> str | None:
    try:
        return keyring.get_password(SERVICE, _user(account_id))
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot read the token of account {account_id} from the OS keyring "
            f"({type(exc).__name__})"
        ) from None


def delete_token(account_id: int) -> None:
    try:
        keyring.delete_password(SERVICE, _user(account_id))
    except PasswordDeleteError:
        pass  # nothing stored: the end state is the same
    except KeyringError as exc:
        raise SecretStoreError(
            f"cannot delete the token of account {account_id} from the OS keyring "
            f"({type(exc).__name__})"
        ) from None
