"""``SettingsService``: what the settings dialog changes, in one place.

* **Accounts**: connect one (the row goes to the store, the token to the OS
  keyring through :mod:`smm_desk.secrets` — never to the database, a log or a
  message), or sign in through the system browser for networks with OAuth
  (:mod:`smm_desk.connectors.oauth_flow`: the tokens it brings back go to the
  keyring with the account); replace its token, pause, resume or remove it,
  and test the connection by one real ``fetch(stream, cursor=None, wait=0)``
  through the account's connector. Nothing of that fetch is stored: a test
  never moves a cursor. The test reads the token where the desk does
  (``tokens``: the keyring, or the demo's own fake tokens).
* **What each network needs** (:class:`NetworkInfo`): its ``--option`` keys
  with their descriptions and whether it offers browser sign-in, so the UI
  can build the connect form without importing a connector.
* **Departments** with their first-response target.
* **Templates**, listed only when the store has them (``has_templates``).
* **Notification preferences** (on/off, quiet hours), kept in QSettings under
  ``notifications/…`` with the defaults declared in :class:`NotificationPrefs`.

Every failure a person can cause (empty token, unknown network, duplicate
name) is raised as :class:`SettingsError` with a one-line message fit for a
label. The connection test reports through ``connection_tested`` so it can run
on the qasync loop without blocking the window; with no running loop (tests,
scripts) it runs to the end before returning.

The connectors, the browser sign-in and the sync engine's connector factory are
imported where they are used, not with this module: the composition root builds
this service before the first window, and those imports (httpx and every
connector module, ~100 ms) would delay it for nothing the window shows.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Signal

from smm_desk import secrets
from smm_desk.connectors.credentials import Credentials, MemoryCredentials
from smm_desk.connectors.errors import AuthError, ConnectorError, RateLimited
from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.domain.records import AccountStatus

if TYPE_CHECKING:
    from collections.abc import Iterable

    from smm_desk.connectors.base import Connector
    from smm_desk.connectors.oauth_flow import CallbackPages, Opener
    from smm_desk.domain.views import AccountView, DepartmentView
    from smm_desk.store.api import Store
    from smm_desk.sync.engine import ConnectorFactory, TokenSource

log = logging.getLogger("smm_desk.settings")


def connector_class(network: str) -> type[Connector]:
    """:func:`smm_desk.connectors.base.connector_class`, imported on first use."""
    from smm_desk.connectors.base import connector_class as find

    return find(network)


def available_networks(candidates: Iterable[str]) -> tuple[str, ...]:
    """:func:`smm_desk.connectors.base.available_networks` over :func:`connector_class`."""
    from smm_desk.connectors.base import available_networks as available

    return available(candidates)

#: Networks the design names, in the order the dialog offers them; only those
#: with a connector are offered.
KNOWN_NETWORKS = ("telegram", "vk", "mastodon", "facebook", "instagram", "x", "youtube",
                  "bluesky", "reddit", "email")
#: A connection test gives up after this long (the HTTP layer may retry inside it).
TEST_TIMEOUT_S = 30.0
#: Secrets besides the token a person may give when connecting.
EXTRA_SECRETS = ("client_secret", "password", "refresh_token")
#: Written first: a refresh token must never be lost to a failure after it.
_STORE_ORDER = ("refresh_token", "client_secret", "password", "token", "token_expires_at")

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


@dataclass(frozen=True)
class NetworkInfo:
    """What connecting an account of ``network`` takes, for the connect form."""

    network: str
    #: ``--option`` key -> what it is (the connector's ``options_help``; ``client_id``
    #: added for networks with browser sign-in).
    options: Mapping[str, str]
    #: The network offers browser sign-in (OAuth with a loopback redirect).
    oauth: bool
    #: Where a developer registers the OAuth app ("" if unknown).
    console_url: str = ""
    default_base_url: str = ""


@dataclass(frozen=True)
class SignInResult:
    ok: bool
    #: One line for a person; never a token or a code.
    message: str
    #: denied, state, timeout, refused, exchange, network, listener, cancelled, keyring…
    reason: str = ""
    account: AccountView | None = None


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
    #: The authorize URL of a browser sign-in that started (to open by hand if need be).
    sign_in_started = Signal(str)
    #: A :class:`SignInResult`.
    sign_in_finished = Signal(object)

    def __init__(self, store: Store, settings: QSettings, *,
                 factory: ConnectorFactory | None = None,
                 tokens: TokenSource | None = None,
                 open_browser: Opener | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._settings = settings
        #: None: the real connectors (``default_factory()``, made on the first test).
        self._factory = factory
        #: Where tokens come from: the keyring, or (the demo) the desk's own source.
        self._tokens: TokenSource = tokens or secrets.get_token
        #: None: the system browser (``oauth_flow.default_opener``).
        self._open_browser = open_browser
        self._tests: set[asyncio.Task[ConnectionResult]] = set()
        self._sign_in: asyncio.Task[SignInResult] | None = None

    @property
    def qsettings(self) -> QSettings:
        """The QSettings this service writes (shortcut bindings share it)."""
        return self._settings

    # -- accounts --------------------------------------------------------------------
    def accounts(self) -> list[AccountView]:
        return self._store.accounts()

    def networks(self) -> tuple[str, ...]:
        return available_networks(KNOWN_NETWORKS)

    def network_info(self, network: str) -> NetworkInfo:
        """The options and sign-in of ``network`` (SettingsError if it has no connector)."""
        try:
            cls = connector_class(network)
        except KeyError:
            raise SettingsError(f"no connector for {network!r}") from None
        options = dict(cls.options_help)
        if cls.oauth is not None and "client_id" not in options:
            options["client_id"] = "the client id of your app registered with the network"
        return NetworkInfo(network, options, cls.oauth is not None,
                           cls.oauth.console_url if cls.oauth is not None else "",
                           getattr(cls, "default_base_url", ""))

    def _check_new(self, network: str, name: str, base_url: str,
                   options: Mapping[str, str]) -> NetworkInfo:
        if network not in self.networks():
            raise SettingsError(f"no connector for {network!r}")
        if not name:
            raise SettingsError("give the account a name (its handle or page name)")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise SettingsError("the base URL must start with http:// or https://")
        info = self.network_info(network)
        if info.options:
            unknown = sorted(set(options) - set(info.options))
            if unknown:
                raise SettingsError(f"unknown option {', '.join(unknown)} for {network}; "
                                    f"valid: {', '.join(sorted(info.options))}")
        if any(a.network == network and a.name == name for a in self._store.accounts()):
            raise SettingsError(f"{network} account {name} is already connected")
        return info

    def connect_account(self, network: str, name: str, token: str, base_url: str = "",
                        options: Mapping[str, str] | None = None,
                        extra_secrets: Mapping[str, str] | None = None) -> AccountView:
        """Add an account and put its token (and ``extra_secrets``: client_secret,
        password, refresh_token) in the keyring, or none of it."""
        network, name, base_url = network.strip(), name.strip(), base_url.strip()
        options = {k.strip(): v.strip() for k, v in (options or {}).items() if v.strip()}
        self._check_new(network, name, base_url, options)
        if not token.strip():
            raise SettingsError("paste the account's token")
        values = {k: v.strip() for k, v in (extra_secrets or {}).items() if v.strip()}
        unknown = sorted(set(values) - set(EXTRA_SECRETS))
        if unknown:
            raise SettingsError(f"unknown secret {', '.join(unknown)}")
        values["token"] = token.strip()
        return self._add_with_secrets(network, name, base_url, options, values)

    def _add_with_secrets(self, network: str, name: str, base_url: str,
                          options: Mapping[str, str], values: Mapping[str, str]) -> AccountView:
        account = self._store.add_account(network, name, base_url or None, dict(options))
        try:
            for secret in sorted(values, key=lambda n: (*_STORE_ORDER, n).index(n)):
                secrets.set_secret(account.id, secret, values[secret])
        except secrets.SecretStoreError as exc:
            with contextlib.suppress(secrets.SecretStoreError):
                secrets.delete_token(account.id)
            self._store.remove_account(account.id)  # no account without its secret
            raise SettingsError(str(exc)) from None
        log.info("connected %s account %d", network, account.id)
        self.accounts_changed.emit()
        return account

    def remove_account(self, account_id: int) -> None:
        """Disconnect an account: its row, its cases, and every secret it had."""
        self._store.account(account_id)  # unknown id: raise before touching the keyring
        self._store.remove_account(account_id)
        try:
            secrets.delete_token(account_id)
        except secrets.SecretStoreError as exc:
            log.warning("account %d removed, but its secrets stay in the keyring: %s",
                        account_id, exc)
        self.accounts_changed.emit()

    # -- browser sign-in ---------------------------------------------------------------
    def signing_in(self) -> bool:
        return self._sign_in is not None and not self._sign_in.done()

    def start_sign_in(self, network: str, name: str, base_url: str = "",
                      options: Mapping[str, str] | None = None, client_secret: str = "",
                      port: int = 0, give_up_after: float | None = None,
                      ) -> SignInResult | None:
        """Open the network's consent page in the browser and, when the person has
        signed in, add the account with the tokens it gave. ``give_up_after`` None:
        ``oauth_flow.DEFAULT_TIMEOUT_S``.

        Refusals before anything opens raise SettingsError. The outcome comes
        through ``sign_in_finished`` (and is returned when no loop runs).
        """
        from smm_desk.connectors.oauth_flow import DEFAULT_TIMEOUT_S

        if give_up_after is None:
            give_up_after = DEFAULT_TIMEOUT_S
        network, name, base_url = network.strip(), name.strip(), base_url.strip()
        options = {k.strip(): v.strip() for k, v in (options or {}).items() if v.strip()}
        info = self._check_new(network, name, base_url, options)
        provider = connector_class(network).oauth
        if provider is None or not info.oauth:
            raise SettingsError(f"{network} has no browser sign-in; paste a token instead")
        if not options.get("client_id"):
            raise SettingsError("give the client id of your app (client_id)")
        if self.signing_in():
            raise SettingsError("a sign-in is already waiting for the browser")
        job = self._run_sign_in(network, name, base_url, options, client_secret.strip(),
                                provider.at(base_url or None), port, give_up_after)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:
            result = asyncio.run(job)
            self.sign_in_finished.emit(result)
            return result
        task = loop.create_task(job)
        self._sign_in = task
        task.add_done_callback(self._sign_in_done)
        return None

    def cancel_sign_in(self) -> None:
        if self._sign_in is not None and not self._sign_in.done():
            self._sign_in.cancel()

    def _sign_in_done(self, task: asyncio.Task[SignInResult]) -> None:
        if task is self._sign_in:
            self._sign_in = None
        if task.cancelled():
            result = SignInResult(False, "Sign-in cancelled", "cancelled")
        elif task.exception() is not None:
            exc = task.exception()
            result = SignInResult(False, _one_line(f"{type(exc).__name__}: {exc}"), "error")
        else:
            result = task.result()
        self.sign_in_finished.emit(result)

    def _pages(self) -> CallbackPages:
        from smm_desk.connectors.oauth_flow import CallbackPages

        return CallbackPages(
            success_title=self.tr("Signed in to SMM Desk"),
            success_text=self.tr("You can close this tab and return to SMM Desk."),
            failure_title=self.tr("Sign-in did not complete"),
            failure_text=self.tr("{detail} You can close this tab and try again in "
                                 "SMM Desk."),
        )

    async def _run_sign_in(self, network: str, name: str, base_url: str,
                           options: dict[str, str], client_secret: str, provider: Any,
                           port: int, give_up_after: float) -> SignInResult:
        from smm_desk.connectors.oauth_flow import SignInError, default_opener, sign_in

        credentials = MemoryCredentials()
        try:
            await sign_in(provider, options["client_id"], credentials,
                          client_secret=client_secret or None,
                          open_browser=self._open_browser or default_opener,
                          on_url=self.sign_in_started.emit,
                          give_up_after=give_up_after, port=port, pages=self._pages())
        except SignInError as exc:
            log.info("browser sign-in for %s failed: %s", network, exc.reason)
            return SignInResult(False, str(exc), exc.reason)
        if any(a.network == network and a.name == name for a in self._store.accounts()):
            return SignInResult(False, f"{network} account {name} is already connected",
                                "duplicate")
        try:
            account = self._add_with_secrets(network, name, base_url, options,
                                             credentials.values)
        except SettingsError as exc:
            return SignInResult(False, str(exc), "keyring")
        return SignInResult(True, f"Signed in as {name}", "", account)

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
            token = self._tokens(account_id)
        except secrets.SecretStoreError as exc:
            return ConnectionResult(account_id, False, str(exc))
        if not token:
            return ConnectionResult(account_id, False, "No token stored for this account")
        from smm_desk.connectors.http import Redactor

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

    def _credentials(self, account_id: int, token: str) -> Credentials:
        """The account's other secrets, from where the desk keeps them (as the engine)."""
        if self._tokens is secrets.get_token:
            return secrets.KeyringCredentials(account_id)
        return MemoryCredentials({"token": token})  # the demo: nothing in the keyring

    async def _fetch_once(self, account: AccountView, token: str) -> str:
        from smm_desk.sync.engine import default_factory

        if self._factory is None:
            self._factory = default_factory()
        connector = self._factory(account, token, self._credentials(account.id, token))
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
