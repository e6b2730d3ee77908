"""``SettingsService``: what the settings dialog changes, in one place.

* **Accounts**: connect one (the row goes to the store, the token to the OS
  keyring through :mod:`smm_desk.secrets` — never to the database, a log or a
  message), replace its token, pause and resume it, and test the connection
  by one real ``fetch(stream, cursor=None, wait=0)`` through the account's
  connector. Nothing of that fetch is stored: a test never moves a cursor.
* **Departments** with their first-response target.
* **Templates**, listed only when the store has them (``has_templates``).
* **Notification preferences** (on/off, quiet hours), kept in QSettings under
  ``notifications/…`` with the defaults declared in :class:`NotificationPrefs`.

Every failure a person can cause (empty token, unknown network, duplicate
name) is raised as :class:`SettingsError` with a one-line message fit for a
label. The connection test reports through ``connection_tested`` so it can run
on the qasync loop without blocking the window; with no running loop (tests,
scripts) it runs to the end before returning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from PySide6.QtCore import QObject, QSettings, Signal

from smm_desk import secrets
from smm_desk.connectors.base import available_networks, connector_class
from smm_desk.connectors.errors import AuthError, ConnectorError, RateLimited
from smm_desk.connectors.http import Redactor
from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.domain.records import AccountStatus
from smm_desk.domain.views import AccountView, DepartmentView
from smm_desk.store.api import Store
from smm_desk.sync.engine import ConnectorFactory, default_factory

log = logging.getLogger("smm_desk.settings")

#: Networks the design names, in the order the dialog offers them; only those
#: with a connector are offered.
KNOWN_NETWORKS = ("telegram", "vk", "mastodon", "facebook", "instagram", "x", "youtube",
                  "bluesky", "reddit", "email")
#: A connection test gives up after this long (the HTTP layer may retry inside it).
TEST_TIMEOUT_S = 30.0

_NOTIFY = "notifications"


class SettingsError(ValueError):
    """A setting could not be applied; the message is one line for a person."""


@dataclass(frozen=True)
class NotificationPrefs:
    """How the desk may interrupt: ``enabled`` for OS notifications at all,
    ``quiet`` the daily span when they are held back (the tray count still
    updates)."""

    enabled: bool = True
    quiet: QuietHours = field(default_factory=QuietHours)


@dataclass(frozen=True)
class ConnectionResult:
    account_id: int
    ok: bool
    #: One line for a person; never contains the token.
    message: str


def parse_options(text: str) -> dict[str, str]:
    """``key=value`` per line (blank lines and ``#`` comments skipped)."""
    options: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise SettingsError(f"option line {number}: write it as key=value")
        options[key.strip()] = value.strip()
    return options


def _hhmm(value: object, default: time) -> time:
    try:
        return time.fromisoformat(str(value))
    except ValueError:
        return default


def _flag(value: object, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _one_line(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first[:300]


class SettingsService(QObject):
    accounts_changed = Signal()
    departments_changed = Signal()
    #: The new :class:`NotificationPrefs`.
    notifications_changed = Signal(object)
    #: A :class:`ConnectionResult`.
    connection_tested = Signal(object)

    def __init__(self, store: Store, settings: QSettings, *,
                 factory: ConnectorFactory | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self._factory = factory or default_factory()
        self._tests: set[asyncio.Task[ConnectionResult]] = set()

    @property
    def qsettings(self) -> QSettings:
        """The QSettings this service writes (shortcut bindings share it)."""
        return self._settings

    # -- accounts --------------------------------------------------------------------
    def accounts(self) -> list[AccountView]:
        return self._store.accounts()

    def networks(self) -> tuple[str, ...]:
        return available_networks(KNOWN_NETWORKS)

    def connect_account(self, network: str, name: str, token: str, base_url: str = "",
                        options: Mapping[str, str] | None = None) -> AccountView:
        """Add an account and put its token in the keyring, or neither."""
        network, name, base_url = network.strip(), name.strip(), base_url.strip()
        if network not in self.networks():
            raise SettingsError(f"no connector for {network!r}")
        if not name:
            raise SettingsError("give the account a name (its handle or page name)")
        if not token.strip():
            raise SettingsError("paste the account's token")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise SettingsError("the base URL must start with http:// or https://")
        if any(a.network == network and a.name == name for a in self._store.accounts()):
            raise SettingsError(f"{network} account {name} is already connected")
        account = self._store.add_account(network, name, base_url or None, dict(options or {}))
        try:
            secrets.set_token(account.id, token.strip())
        except secrets.SecretStoreError as exc:
            self._store.remove_account(account.id)  # no account without its secret
            raise SettingsError(str(exc)) from None
        log.info("connected %s account %d", network, account.id)
        self.accounts_changed.emit()
        return account

    def replace_token(self, account_id: int, token: str) -> None:
        if not token.strip():
            raise SettingsError("paste the account's token")
        try:
            secrets.set_token(account_id, token.strip())
        except secrets.SecretStoreError as exc:
            raise SettingsError(str(exc)) from None
        account = self._store.account(account_id)
        if account.status == AccountStatus.NEEDS_AUTH:
            self._store.set_account_status(account_id, AccountStatus.OK)
        self.accounts_changed.emit()

    def pause(self, account_id: int) -> None:
        self._store.set_account_status(account_id, AccountStatus.PAUSED, "paused by the user")
        self.accounts_changed.emit()

    def resume(self, account_id: int) -> None:
        self._store.set_account_status(account_id, AccountStatus.OK)
        self.accounts_changed.emit()

    # -- the connection test ---------------------------------------------------------
    def test_connection(self, account_id: int) -> ConnectionResult | None:
        """Start a connection test; ``connection_tested`` carries the result.

        On a running event loop (qasync) the test is a task and this returns
        None at once; with no loop it runs here and the result is also returned.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            result = asyncio.run(self.check_connection(account_id))
            self.connection_tested.emit(result)
            return result
        task = loop.create_task(self.check_connection(account_id))
        self._tests.add(task)
        task.add_done_callback(self._test_done)
        return None

    def _test_done(self, task: asyncio.Task[ConnectionResult]) -> None:
        self._tests.discard(task)
        if not task.cancelled():
            self.connection_tested.emit(task.result())

    async def check_connection(self, account_id: int) -> ConnectionResult:
        """One fetch with no wait through the account's connector."""
        try:
            account = self._store.account(account_id)
        except Exception as exc:
            return ConnectionResult(account_id, False, _one_line(str(exc)) or "unknown account")
        try:
            token = secrets.get_token(account_id)
        except secrets.SecretStoreError as exc:
            return ConnectionResult(account_id, False, str(exc))
        if not token:
            return ConnectionResult(account_id, False, "No token stored for this account")
        redact = Redactor([token])
        try:
            result = await asyncio.wait_for(self._fetch_once(account, token), TEST_TIMEOUT_S)
        except TimeoutError:
            message, ok = f"No answer within {TEST_TIMEOUT_S:.0f} s", False
        except AuthError as exc:
            message, ok = f"Authentication failed: {exc}", False
        except RateLimited as exc:
            message, ok = f"Rate limited: try again in {exc.retry_after:.0f} s", False
        except ConnectorError as exc:
            message, ok = f"{type(exc).__name__}: {exc}", False
        except Exception as exc:  # anything else is still one line, not a crash
            message, ok = f"{type(exc).__name__}: {exc}", False
        else:
            message, ok = result, True
        message = _one_line(redact(message))
        log.info("connection test of account %d: %s", account_id,
                 "ok" if ok else "failed")
        return ConnectionResult(account_id, ok, message)

    async def _fetch_once(self, account: AccountView, token: str) -> str:
        connector = self._factory(account, token, secrets.KeyringCredentials(account.id))
        try:
            stream = connector_class(account.network).streams[0]
            page = await connector.fetch(stream, None, wait=0)
        finally:
            await connector.aclose()
        count = len(page.messages)
        return f"Connected: {count} new item{'' if count == 1 else 's'} waiting on {stream}"

    # -- departments -----------------------------------------------------------------
    def departments(self) -> list[DepartmentView]:
        return self._store.departments()

    def add_department(self, name: str, first_response_minutes: int | None) -> DepartmentView:
        name = name.strip()
        if not name:
            raise SettingsError("give the department a name")
        if any(d.name.casefold() == name.casefold() for d in self._store.departments()):
            raise SettingsError(f"there is already a department called {name}")
        if first_response_minutes is not None and first_response_minutes <= 0:
            raise SettingsError("the first-response target must be at least one minute")
        target = (None if first_response_minutes is None
                  else timedelta(minutes=first_response_minutes))
        try:
            department = self._store.add_department(name, target)
        except Exception as exc:
            raise SettingsError(_one_line(str(exc))) from None
        self.departments_changed.emit()
        return department

    # -- templates (engineer B's store methods, when present) ------------------------
    def has_templates(self) -> bool:
        return hasattr(self._store, "templates")

    def templates(self) -> list[Any]:
        if not self.has_templates():
            return []
        return list(self._store.templates())

    # -- notifications ---------------------------------------------------------------
    def notification_prefs(self) -> NotificationPrefs:
        s, default = self._settings, NotificationPrefs()
        return NotificationPrefs(
            enabled=_flag(s.value(f"{_NOTIFY}/enabled"), default.enabled),
            quiet=QuietHours(
                enabled=_flag(s.value(f"{_NOTIFY}/quiet_enabled"), default.quiet.enabled),
                start=_hhmm(s.value(f"{_NOTIFY}/quiet_start"), default.quiet.start),
                end=_hhmm(s.value(f"{_NOTIFY}/quiet_end"), default.quiet.end),
            ),
        )

    def set_notification_prefs(self, prefs: NotificationPrefs) -> None:
        s = self._settings
        s.setValue(f"{_NOTIFY}/enabled", prefs.enabled)
        s.setValue(f"{_NOTIFY}/quiet_enabled", prefs.quiet.enabled)
        s.setValue(f"{_NOTIFY}/quiet_start", prefs.quiet.start.strftime("%H:%M"))
        s.setValue(f"{_NOTIFY}/quiet_end", prefs.quiet.end.strftime("%H:%M"))
        s.sync()
        self.notifications_changed.emit(prefs)


PrefsSource = Callable[[], NotificationPrefs]
