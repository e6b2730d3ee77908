"""Connecting an account: the form (in Settings → Accounts) and the dialog
(from the welcome screen).

The form asks for what the chosen network needs, as the settings service
describes it (:meth:`SettingsService.network_info`: the connector's options
with their descriptions, whether it offers browser sign-in) — the UI never
imports a connector. Below the network sits a short guide to where its token,
app password or OAuth client comes from (:mod:`smm_desk.ui.network_guides`).

Two ways to connect:

* **Sign in with browser** (networks with OAuth): the service opens the
  network's consent page in the system browser and waits, on the qasync loop,
  for the loopback redirect; the form shows that it is waiting, offers Cancel
  and a "Copy link" for a browser that did not open. The tokens go straight to
  the keyring.
* **Paste** a token, key or app password: typed into a password field, handed
  to the service and cleared. No label ever shows a secret.

Every text a person reads goes through Qt's translation system (context
``ConnectDialog``); names, URLs and the network's own words are plain text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.views import AccountView
from smm_desk.services.settings import (
    NetworkInfo,
    SettingsError,
    SettingsService,
    SignInResult,
    parse_options,
)
from smm_desk.ui import network_guides
from smm_desk.ui.i18n import translate

CONTEXT = "ConnectDialog"


def _tr(text: str) -> str:
    return translate("ConnectDialog", text)


def _plain(text: str = "", parent: QWidget | None = None, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _show(label: QLabel, text: str, ok: bool) -> None:
    label.setStyleSheet("color: #1e7b34;" if ok else "color: #c5221f;")
    label.setText(text)


def sign_in_message(result: SignInResult) -> str:
    """What a person reads after a browser sign-in, in their language."""
    if result.ok and result.account is not None:
        return _tr("Signed in as {name}").format(name=result.account.name)
    if result.reason == "denied":
        return _tr("Access was declined on the consent page. Sign in again to connect.")
    if result.reason == "state":
        return _tr("The browser's answer did not belong to this sign-in. Start again.")
    if result.reason == "timeout":
        return _tr("No answer from the browser in time. Start the sign-in again.")
    if result.reason == "cancelled":
        return _tr("Sign-in cancelled.")
    return _tr("Sign-in failed: {detail}").format(detail=result.message)


class ConnectForm(QWidget):
    """The fields that connect one account; ``connected`` carries the new AccountView."""

    connected = Signal(object)

    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = service
        self._info: NetworkInfo | None = None
        self._waiting = False
        self._url = ""
        self.option_edits: dict[str, QLineEdit] = {}

        self.network_box = QComboBox(self)
        for network in service.networks():
            self.network_box.addItem(network_guides.title(network), network)
        self.guide_label = _plain("", self)
        self.guide_label.setObjectName("guide")
        self.guide_label.setStyleSheet("color: palette(placeholder-text);")
        self.name_edit = QLineEdit(self)
        self.base_url_edit = QLineEdit(self)
        self.base_url_edit.setPlaceholderText(
            _tr("the network's own (leave empty), or a proxy"))
        self.options_edit = QPlainTextEdit(self)
        self.options_edit.setPlaceholderText(_tr("key=value per line, e.g. group_id=123456"))
        self.options_edit.setFixedHeight(self.fontMetrics().height() * 3 + 14)
        self.options_label = _plain(_tr("Options"), self, wrap=False)

        # Browser sign-in (rows shown for networks that offer it).
        self.client_secret_edit = QLineEdit(self)
        self.client_secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.client_secret_edit.setPlaceholderText(_tr("only if your app has one"))
        self.port_spin = QSpinBox(self)
        self.port_spin.setRange(0, 65535)
        self.port_spin.setSpecialValueText(_tr("any free port"))
        self.port_spin.setToolTip(_tr("The loopback port of the redirect URI you registered, "
                                      "for networks that want an exact address"))
        self.port_spin.setMinimumWidth(self.fontMetrics().horizontalAdvance("any free port")
                                       + 60)
        self.sign_in_box = QWidget(self)
        self.sign_in_button = QPushButton(_tr("Sign in with browser"), self.sign_in_box)
        self.sign_in_button.clicked.connect(self._sign_in)
        self.cancel_button = QPushButton(_tr("Cancel sign-in"), self.sign_in_box)
        self.cancel_button.clicked.connect(service.cancel_sign_in)
        self.copy_link_button = QPushButton(_tr("Copy link"), self.sign_in_box)
        self.copy_link_button.setToolTip(_tr("Copy the sign-in address, to open it in a "
                                             "browser yourself"))
        self.copy_link_button.clicked.connect(self._copy_link)
        buttons = QHBoxLayout(self.sign_in_box)
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.sign_in_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.copy_link_button)
        buttons.addStretch(1)
        self.or_label = _plain(_tr("Or paste what the network gave you:"), self, wrap=False)

        self.token_label = _plain(_tr("Token"), self, wrap=False)
        self.token_edit = QLineEdit(self)
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(
            _tr("kept in the system keyring, never in the database"))
        self.connect_button = QPushButton(_tr("Connect"), self)
        self.connect_button.clicked.connect(self._connect)
        self.connect_message = _plain("", self)
        self.connect_message.setObjectName("message")

        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(_plain(_tr("Network"), self, wrap=False), self.network_box)
        self.form.addRow(self.guide_label)
        self.form.addRow(_plain(_tr("Name"), self, wrap=False), self.name_edit)
        self.form.addRow(_plain(_tr("Base URL"), self, wrap=False), self.base_url_edit)
        self._options_at = self.form.rowCount()
        self.form.addRow(self.options_label, self.options_edit)
        self.form.addRow(_plain(_tr("Client secret"), self, wrap=False),
                         self.client_secret_edit)
        port_row = QHBoxLayout()
        port_row.addWidget(self.port_spin)
        port_row.addStretch(1)
        self.port_box = QWidget(self)
        self.port_box.setLayout(port_row)
        port_row.setContentsMargins(0, 0, 0, 0)
        self.form.addRow(_plain(_tr("Loopback port"), self, wrap=False), self.port_box)
        self.form.addRow(_plain("", self, wrap=False), self.sign_in_box)
        self.form.addRow(self.or_label)
        self.form.addRow(self.token_label, self.token_edit)
        submit = QHBoxLayout()
        submit.addWidget(self.connect_button)
        submit.addWidget(self.connect_message, 1)
        self.form.addRow(_plain("", self, wrap=False), submit)

        self.network_box.currentIndexChanged.connect(self._network_changed)
        service.sign_in_started.connect(self._on_sign_in_started)
        service.sign_in_finished.connect(self._on_sign_in_finished)
        self._network_changed()

    # -- the network's fields --------------------------------------------------------------
    def network(self) -> str:
        return str(self.network_box.currentData() or "")

    def choose_network(self, network: str) -> None:
        index = self.network_box.findData(network)
        if index >= 0:
            self.network_box.setCurrentIndex(index)

    def _network_changed(self, *_args: object) -> None:
        network = self.network()
        for key in list(self.option_edits):
            self.form.removeRow(self.option_edits.pop(key))
        try:
            self._info = self._service.network_info(network) if network else None
        except SettingsError:
            self._info = None
        info = self._info
        self.guide_label.setText(network_guides.guide_text(network) if network else "")
        self.name_edit.setPlaceholderText(network_guides.name_hint(network))
        self.token_label.setText(network_guides.secret_label(network))
        options = dict(info.options) if info is not None else {}
        for offset, (key, description) in enumerate(options.items()):
            edit = QLineEdit(self)
            edit.setObjectName(f"option_{key}")
            edit.setPlaceholderText(description)
            edit.setToolTip(description)
            self.option_edits[key] = edit
            label = _plain(key, self, wrap=False)
            self.form.insertRow(self._options_at + offset, label, edit)
            label.show()  # now, not at the next event loop pass (a grab, a test)
            edit.show()
        # Free key=value lines only where the network declares no options of its own.
        self.form.setRowVisible(self.options_edit, not options)
        oauth = info is not None and info.oauth
        for row in (self.client_secret_edit, self.port_box, self.sign_in_box, self.or_label):
            self.form.setRowVisible(row, oauth)
        window = self.window()
        if isinstance(window, ConnectDialog) and window.isVisible():
            window.fit()
        self._sync_buttons()

    def _sync_buttons(self) -> None:
        waiting = self._waiting
        for widget in (self.network_box, self.name_edit, self.base_url_edit, self.options_edit,
                       self.client_secret_edit, self.port_spin, self.token_edit,
                       self.connect_button, self.sign_in_button, *self.option_edits.values()):
            widget.setEnabled(not waiting)
        self.cancel_button.setVisible(waiting)
        self.copy_link_button.setVisible(waiting)

    def options(self) -> dict[str, str]:
        """The options as typed (SettingsError for a malformed free line)."""
        if self.option_edits:
            return {k: e.text().strip() for k, e in self.option_edits.items()
                    if e.text().strip()}
        return parse_options(self.options_edit.toPlainText())

    def _clear(self) -> None:
        self.token_edit.clear()
        self.client_secret_edit.clear()
        self.name_edit.clear()
        self.base_url_edit.clear()
        self.options_edit.clear()
        for edit in self.option_edits.values():
            edit.clear()

    # -- paste a token ---------------------------------------------------------------------
    def _connect(self) -> None:
        token = self.token_edit.text()
        extra = {"client_secret": self.client_secret_edit.text()} if self._info and \
            self._info.oauth else {}
        try:
            account = self._service.connect_account(
                self.network(), self.name_edit.text(), token, self.base_url_edit.text(),
                self.options(), extra_secrets=extra)
        except SettingsError as exc:
            _show(self.connect_message, str(exc), False)
            return
        finally:
            del token
        self._clear()
        _show(self.connect_message, _tr("Connected {name}").format(name=account.name), True)
        self.connected.emit(account)

    # -- sign in with the browser ----------------------------------------------------------
    def _sign_in(self) -> None:
        try:
            self._waiting = True  # before start: a loop-less run finishes inside it
            self._sync_buttons()
            _show(self.connect_message, _tr("Waiting for you to sign in in the browser…"),
                  True)
            self._service.start_sign_in(
                self.network(), self.name_edit.text(), self.base_url_edit.text(),
                self.options(), self.client_secret_edit.text(), self.port_spin.value())
        except SettingsError as exc:
            self._waiting = False
            self._sync_buttons()
            _show(self.connect_message, str(exc), False)

    def _on_sign_in_started(self, url: str) -> None:
        if self._waiting:
            self._url = url

    def _copy_link(self) -> None:
        if self._url:
            QGuiApplication.clipboard().setText(self._url)
            _show(self.connect_message, _tr("Link copied: paste it into your browser."), True)

    def _on_sign_in_finished(self, result: SignInResult) -> None:
        if not self._waiting:
            return  # another form's sign-in
        self._waiting = False
        self._url = ""
        self._sync_buttons()
        _show(self.connect_message, sign_in_message(result), result.ok)
        if result.ok and result.account is not None:
            self._clear()
            self.connected.emit(result.account)

    def waiting(self) -> bool:
        return self._waiting


class ConnectDialog(QDialog):
    """The form in a window of its own; closes (accepted) once an account is connected."""

    def __init__(self, service: SettingsService, network: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Connect an account"))
        self.resize(640, 480)
        self._service = service
        self.form = ConnectForm(service, self)
        if network:
            self.form.choose_network(network)
        self.account: AccountView | None = None
        intro = _plain(_tr("Choose the network, then sign in with the browser or paste the "
                           "secret it gave you. Secrets stay in the system keyring."), self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.form)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self.form.connected.connect(self._connected)

    def fit(self) -> None:
        """Grow to show every field of the chosen network (email has a dozen options)."""
        want = self.sizeHint().height()
        if want > self.height():
            screen = self.screen().availableGeometry().height() if self.screen() else want
            self.resize(self.width(), min(want, screen - 40))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.fit()

    def _connected(self, account: AccountView) -> None:
        self.account = account
        self.accept()

    def reject(self) -> None:
        if self.form.waiting():
            self._service.cancel_sign_in()  # closing the window ends the wait too
        super().reject()
