"""Account secrets in the keyring: what a connector reads is read once, and what
it writes goes to the keyring at once (a refreshed token must survive a crash)."""

from __future__ import annotations

import keyring

from smm_desk import secrets


def test_credentials_read_the_keyring_once_and_write_through() -> None:
    secrets.set_secret(7, "token", "tok-aaaa-1111")
    reads: list[str] = []
    backend = keyring.get_keyring()
    real = backend.get_password

    def counted(service: str, user: str) -> str | None:
        reads.append(user)
        return real(service, user)

    backend.get_password = counted  # type: ignore[method-assign]
    try:
        heard: list[str] = []
        creds = secrets.KeyringCredentials(7, on_secret=heard.append)
        assert [creds.get("token") for _ in range(3)] == ["tok-aaaa-1111"] * 3
        assert creds.get("refresh_token") is None and creds.get("refresh_token") is None
        assert reads == ["account:7", "account:7:refresh_token"]
        creds.put("token", "tok-bbbb-2222")
        assert creds.get("token") == "tok-bbbb-2222"
        assert real(secrets.SERVICE, "account:7") == "tok-bbbb-2222"  # written through
        assert heard == ["tok-aaaa-1111", "tok-bbbb-2222"]
    finally:
        backend.get_password = real  # type: ignore[method-assign]
