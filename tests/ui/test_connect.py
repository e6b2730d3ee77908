"""Connecting an account from the UI: the form follows the chosen network
(its options, its guide, browser sign-in where offered), a pasted token goes
to the keyring, and "Sign in with browser" runs the whole RFC 8252 flow on the
qasync loop against the simulated OAuth server over loopback (the "browser" is
an httpx client following the consent redirect). Also: the settings'
connection test uses the desk's own token source (the demo's tokens are not in
the keyring), removing an account forgets its secrets, every visible string
goes through Qt's translation, and screenshots of the dialog.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt, QTranslator
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from smm_desk import secrets
from smm_desk.connectors.base import connector_class
from smm_desk.services import settings as settings_module
from smm_desk.services.settings import SettingsService, SignInResult
from smm_desk.sim.oauth import SimOAuth
from smm_desk.sim.telegram import TelegramSim
from smm_desk.sim.transport import SimServer, SimTransport
from smm_desk.sim.world import SimWorld
from smm_desk.store.api import Store
from smm_desk.sync.engine import default_factory
from smm_desk.ui.connect_dialog import ConnectDialog, ConnectForm
from smm_desk.ui.settings_dialog import SettingsDialog
from tests.cli.test_accounts_cli import FakeOAuthConnector
from tests.connectors.test_oauth import Browser, OAuthSite
from tests.support.memory_keyring import MemoryKeyring
from tests.support.qt_loop import qt_loop

#: Fixtures from elsewhere (a use here keeps ruff from calling the parameters redefinitions).
_IMPORTED_FIXTURES = (qt_loop,)

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]

TOKEN = "777:PLANTED-connect-dialog-token"
CLIENT_SECRET = "PLANTED-client-secret-ui"
SHOTS = Path("/tmp/shots")


@pytest.fixture
def world() -> SimWorld:
    w = SimWorld(max_poll_wait=0.2)
    tg = TelegramSim(w)
    w.add(tg)
    tg.add_account(TOKEN, "shop_bot")
    return w


@pytest.fixture
def oauth() -> SimOAuth:
    return SimOAuth(signed_in="acme_support", clients={"app-123": CLIENT_SECRET})


@pytest.fixture
def server(oauth: SimOAuth) -> Iterator[SimServer]:
    w = SimWorld()
    w.add(OAuthSite(oauth))
    with SimServer(w) as s:
        yield s


@pytest.fixture
def networks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Telegram (real connector) and an OAuth network whose connector is a
    small stand-in, so the sign-in does not depend on one network's sim."""
    def fake_class(network: str) -> Any:
        return FakeOAuthConnector if network == "reddit" else connector_class(network)

    monkeypatch.setattr(settings_module, "connector_class", fake_class)
    monkeypatch.setattr(settings_module, "available_networks",
                        lambda _candidates: ("telegram", "reddit"))


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def make_service(store: Store, tmp_path: Path, world: SimWorld,
                 browser: Browser) -> Callable[..., SettingsService]:
    def make(**kwargs: Any) -> SettingsService:
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        kwargs.setdefault("open_browser", browser)
        return SettingsService(store, settings,
                               factory=default_factory(transport=SimTransport(world)), **kwargs)

    return make


@pytest.fixture
def service(make_service: Callable[..., SettingsService], networks: None) -> SettingsService:
    return make_service()


@pytest.fixture
def dialog(qtbot: QtBot, service: SettingsService) -> ConnectDialog:
    d = ConnectDialog(service)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def shown_texts(widget: QWidget) -> list[str]:
    texts = [w.text() for w in widget.findChildren(QLabel) if w.isVisible() and w.text()]
    texts += [w.text() for w in widget.findChildren(QPushButton) if w.isVisible() and w.text()]
    texts += [w.displayText() for w in widget.findChildren(QLineEdit) if w.displayText()]
    return texts


def secrets_of(keyring: MemoryKeyring, account_id: int) -> dict[str, str]:
    found = {}
    for (_service, user), value in keyring.entries.items():
        parts = user.split(":")
        if int(parts[1]) == account_id:
            found[parts[2] if len(parts) > 2 else "token"] = value
    return found


# -- the form ---------------------------------------------------------------------------


def test_the_form_follows_the_network(dialog: ConnectDialog) -> None:
    form = dialog.form
    assert [form.network_box.itemData(i) for i in range(form.network_box.count())] == [
        "telegram", "reddit"]
    form.choose_network("telegram")
    assert "@BotFather" in form.guide_label.text()
    assert form.token_label.text() == "Bot token"
    assert form.name_edit.placeholderText() == "@shop_bot"
    assert form.options_edit.isVisible() and not form.sign_in_box.isVisible()
    assert form.option_edits == {}

    form.choose_network("reddit")
    assert "reddit.com/prefs/apps" in form.guide_label.text()
    assert list(form.option_edits) == ["client_id", "subreddit"]
    assert form.option_edits["client_id"].placeholderText() == (
        "the app's client id (reddit.com/prefs/apps)")
    assert not form.options_edit.isVisible()
    assert form.sign_in_box.isVisible() and form.sign_in_button.isEnabled()
    assert not form.cancel_button.isVisible()
    assert form.client_secret_edit.echoMode() == QLineEdit.EchoMode.Password
    for label in dialog.findChildren(QLabel):
        assert label.textFormat() == Qt.TextFormat.PlainText
    form.choose_network("telegram")
    assert form.option_edits == {} and not form.sign_in_box.isVisible()


def test_pasting_a_token_connects_and_closes_the_dialog(
        qtbot: QtBot, dialog: ConnectDialog, store: Store,
        memory_keyring: MemoryKeyring) -> None:
    form = dialog.form
    form.choose_network("telegram")
    qtbot.mouseClick(form.connect_button, Qt.MouseButton.LeftButton)
    assert form.connect_message.text() == "give the account a name (its handle or page name)"
    qtbot.keyClicks(form.name_edit, "@shop_bot")
    qtbot.keyClicks(form.base_url_edit, "http://sim.invalid")
    qtbot.keyClicks(form.token_edit, TOKEN)
    assert not any("PLANTED" in t for t in shown_texts(dialog))
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(form.connect_button, Qt.MouseButton.LeftButton)
    [account] = store.accounts()
    assert dialog.account == account
    assert (account.network, account.name, account.base_url) == (
        "telegram", "@shop_bot", "http://sim.invalid")
    assert secrets_of(memory_keyring, account.id) == {"token": TOKEN}
    assert form.token_edit.text() == ""


def test_options_from_their_fields_and_a_client_secret_with_a_pasted_token(
        qtbot: QtBot, dialog: ConnectDialog, store: Store,
        memory_keyring: MemoryKeyring) -> None:
    form = dialog.form
    form.choose_network("reddit")
    qtbot.keyClicks(form.name_edit, "u/acme")
    qtbot.keyClicks(form.option_edits["client_id"], "app-123")
    qtbot.keyClicks(form.client_secret_edit, CLIENT_SECRET)
    qtbot.keyClicks(form.token_edit, TOKEN)
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(form.connect_button, Qt.MouseButton.LeftButton)
    [account] = store.accounts()
    assert account.options == {"client_id": "app-123"}  # the empty subreddit is left out
    assert secrets_of(memory_keyring, account.id) == {"token": TOKEN,
                                                      "client_secret": CLIENT_SECRET}


# -- sign in with the browser -----------------------------------------------------------


def fill_reddit(qtbot: QtBot, form: ConnectForm, base_url: str) -> None:
    form.choose_network("reddit")
    qtbot.keyClicks(form.name_edit, "u/acme_support")
    qtbot.keyClicks(form.base_url_edit, base_url)
    qtbot.keyClicks(form.option_edits["client_id"], "app-123")
    qtbot.keyClicks(form.client_secret_edit, CLIENT_SECRET)


def test_sign_in_with_the_browser_on_the_qt_loop(
        qtbot: QtBot, qt_loop: object, dialog: ConnectDialog, service: SettingsService,
        server: SimServer, oauth: SimOAuth, browser: Browser, store: Store,
        memory_keyring: MemoryKeyring) -> None:
    form = dialog.form
    fill_reddit(qtbot, form, server.url)
    with qtbot.waitSignal(service.sign_in_finished, timeout=20_000) as finished:
        qtbot.mouseClick(form.sign_in_button, Qt.MouseButton.LeftButton)
        assert form.waiting() and not form.sign_in_button.isEnabled()
        assert form.cancel_button.isVisible() and form.copy_link_button.isVisible()
        assert form.connect_message.text() == "Waiting for you to sign in in the browser…"
    result: SignInResult = finished.args[0]
    assert result.ok, result.message
    assert dialog.result() == ConnectDialog.DialogCode.Accepted
    [account] = store.accounts()
    assert dialog.account == account == result.account
    assert (account.network, account.name, account.base_url) == (
        "reddit", "u/acme_support", server.url)
    stored = secrets_of(memory_keyring, account.id)
    assert set(stored) == {"token", "refresh_token", "token_expires_at", "client_secret"}
    assert oauth.account_for(stored["token"]) == "acme_support"
    assert browser.opened[0].startswith(server.url + "/oauth2/authorize?")
    assert "You can close this tab" in browser.landed[0].text
    assert not form.waiting() and form.sign_in_button.isEnabled()
    assert not any("PLANTED" in t or stored["token"] in t for t in shown_texts(dialog))


def test_declined_sign_in_is_explained_and_stores_nothing(
        qtbot: QtBot, qt_loop: object, make_service: Callable[..., SettingsService],
        networks: None, server: SimServer, store: Store,
        memory_keyring: MemoryKeyring) -> None:
    def decline(url: str) -> bool:
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        httpx.get(q["redirect_uri"], params={"error": "access_denied", "state": q["state"]})
        return True

    service = make_service(open_browser=decline)
    form = ConnectForm(service)
    qtbot.addWidget(form)
    fill_reddit(qtbot, form, server.url)
    with qtbot.waitSignal(service.sign_in_finished, timeout=20_000):
        qtbot.mouseClick(form.sign_in_button, Qt.MouseButton.LeftButton)
    assert form.connect_message.text() == (
        "Access was declined on the consent page. Sign in again to connect.")
    assert store.accounts() == [] and memory_keyring.entries == {}
    assert form.name_edit.text() == "u/acme_support"  # kept for another try


def test_cancel_ends_the_wait(
        qtbot: QtBot, qt_loop: object, make_service: Callable[..., SettingsService],
        networks: None, server: SimServer, store: Store) -> None:
    opened: list[str] = []
    service = make_service(open_browser=opened.append)  # a browser nobody uses
    urls: list[str] = []
    service.sign_in_started.connect(urls.append)
    form = ConnectForm(service)
    qtbot.addWidget(form)
    form.show()
    fill_reddit(qtbot, form, server.url)
    qtbot.mouseClick(form.sign_in_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(urls), timeout=5_000)
    assert service.signing_in()
    qtbot.mouseClick(form.copy_link_button, Qt.MouseButton.LeftButton)
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == urls[0]
    with qtbot.waitSignal(service.sign_in_finished, timeout=5_000) as finished:
        qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].reason == "cancelled"
    assert form.connect_message.text() == "Sign-in cancelled."
    assert not service.signing_in() and store.accounts() == []
    redirect = urllib.parse.urlsplit(dict(urllib.parse.parse_qsl(
        urllib.parse.urlsplit(urls[0]).query))["redirect_uri"])
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{redirect.port}/callback")


def test_sign_in_refusals_before_the_browser_opens(
        qtbot: QtBot, dialog: ConnectDialog, browser: Browser) -> None:
    form = dialog.form
    form.choose_network("reddit")
    qtbot.keyClicks(form.name_edit, "u/acme")
    qtbot.mouseClick(form.sign_in_button, Qt.MouseButton.LeftButton)
    assert form.connect_message.text() == "give the client id of your app (client_id)"
    assert not form.waiting() and form.sign_in_button.isEnabled()
    assert browser.opened == []


# -- the settings dialog ----------------------------------------------------------------


def test_connection_test_uses_the_desks_token_source(
        qtbot: QtBot, make_service: Callable[..., SettingsService], store: Store,
        memory_keyring: MemoryKeyring) -> None:
    """The demo's accounts have no keyring entry: its tokens come from the desk."""
    account = store.add_account("telegram", "@shop_bot", "http://sim.invalid", {"demo": "1"})
    demo = make_service(tokens={account.id: TOKEN}.get)
    result = demo.test_connection(account.id)
    assert result is not None and result.ok, result.message
    assert memory_keyring.entries == {}
    keyring_only = make_service()
    result = keyring_only.test_connection(account.id)
    assert result is not None and result.message == "No token stored for this account"


def test_settings_remove_forgets_every_secret(
        qtbot: QtBot, service: SettingsService, store: Store, memory_keyring: MemoryKeyring,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = SettingsDialog(service)
    qtbot.addWidget(settings)
    settings.show()
    qtbot.waitExposed(settings)
    assert settings.connect_form.network_box is settings.network_box
    kept = service.connect_account("telegram", "@keep", TOKEN)
    gone = service.connect_account("reddit", "u/gone", TOKEN + "2",
                                   options={"client_id": "app-123"},
                                   extra_secrets={"client_secret": CLIENT_SECRET})
    secrets.set_secret(gone.id, "refresh_token", "rt-PLANTED")
    settings.select_account(gone.id)
    answers = iter([QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    qtbot.mouseClick(settings.remove_button, Qt.MouseButton.LeftButton)
    assert len(store.accounts()) == 2  # cancelled
    qtbot.mouseClick(settings.remove_button, Qt.MouseButton.LeftButton)
    assert [a.id for a in store.accounts()] == [kept.id]
    assert secrets_of(memory_keyring, gone.id) == {}
    assert secrets_of(memory_keyring, kept.id) == {"token": TOKEN}
    assert settings.account_message.text() == "Removed u/gone"
    assert settings.accounts_table.rowCount() == 1
    settings.connect_form.choose_network("reddit")
    assert all(e.isVisible() for e in settings.connect_form.option_edits.values())
    qtbot.wait(50)  # the scroll area settles
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert settings.grab().save(str(SHOTS / "settings_accounts_reddit.png"))


# -- translation and pictures -----------------------------------------------------------


class Marking(QTranslator):
    """Translates every string of the given contexts to «…», so a string that
    skipped the translation system shows up unmarked."""

    def __init__(self, contexts: set[str]) -> None:
        super().__init__()
        self.contexts = contexts

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str:
        del disambiguation, n
        return f"«{source}»" if context in self.contexts and source.strip() else ""

    def isEmpty(self) -> bool:  # noqa: N802 - Qt's name
        return False


@pytest.fixture
def marking(qapp: object) -> Iterator[Marking]:
    translator = Marking({"ConnectDialog", "NetworkGuides", "Welcome"})
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def test_every_string_of_the_dialog_is_translated(
        qtbot: QtBot, marking: Marking, service: SettingsService) -> None:
    for network in ("telegram", "reddit"):
        d = ConnectDialog(service, network)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        d.form.port_spin.setValue(0)
        texts = shown_texts(d) + [d.windowTitle(), d.form.name_edit.placeholderText(),
                                  d.form.token_edit.placeholderText(),
                                  d.form.network_box.currentText()]
        option_keys = set(d.form.option_edits)  # the connector's own keys: not UI words
        unmarked = [t for t in texts if not t.startswith("«") and t not in option_keys
                    and t != "Close"]  # Qt's own button, translated by Qt's catalogue
        assert unmarked == []


def test_screenshots_of_the_connect_dialog(
        qtbot: QtBot, make_service: Callable[..., SettingsService]) -> None:
    """The real connectors (whichever exist), each network's form on screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    service = make_service()
    for network in service.networks():
        d = ConnectDialog(service, network)
        qtbot.addWidget(d)
        d.show()
        qtbot.waitExposed(d)
        assert d.form.network() == network
        # Every field of the network fits in the window, none is cut off at the bottom.
        bottom = d.form.connect_button.mapTo(d, d.form.connect_button.rect().bottomLeft())
        assert bottom.y() < d.height()
        assert d.grab().save(str(SHOTS / f"connect_{network}.png"))
