"""The first-run welcome: shown over the empty desk while no account is connected.

Two ways forward, side by side:

* **Open the demo workspace** — the desk at work on simulated networks, in a
  database of its own (``smm-desk demo``); the composition root switches to it
  when ``demo_requested`` fires (the UI cannot start a desk itself).
* **Connect an account** — the connect dialog
  (:class:`~smm_desk.ui.connect_dialog.ConnectDialog`), on the network picked
  in the guide below, if any.

Below them, a short guide per network (:mod:`smm_desk.ui.network_guides`):
where its bot token, access key, app password or OAuth client comes from.
"Not now" leaves the empty desk; Settings → Accounts connects one later.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.views import AccountView
from smm_desk.services.settings import SettingsService
from smm_desk.ui import network_guides
from smm_desk.ui.connect_dialog import ConnectDialog
from smm_desk.ui.i18n import translate


def _tr(text: str) -> str:
    return translate("Welcome", text)


def _plain(text: str, parent: QWidget, wrap: bool = True) -> QLabel:
    label = QLabel(text, parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


class _Choice(QFrame):
    """One of the two ways forward: a button with a sentence under it."""

    def __init__(self, button: QPushButton, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("choice")
        button.setParent(self)
        button.setMinimumHeight(button.sizeHint().height() + 10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 16)
        layout.addWidget(button)
        layout.addWidget(_plain(text, self))
        layout.addStretch(1)


class WelcomeScreen(QDialog):
    """Offers the demo or a first account; ``account_connected`` when one was."""

    demo_requested = Signal()
    account_connected = Signal(object)

    def __init__(self, service: SettingsService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("Welcome to SMM Desk"))
        self.setObjectName("welcome")
        self.resize(760, 560)
        self._service = service
        self.connect_dialog: ConnectDialog | None = None

        heading = _plain(_tr("Welcome to SMM Desk"), self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(QFont.Weight.DemiBold)
        heading.setFont(font)
        intro = _plain(_tr("One queue for the comments and messages of every network you "
                           "look after, with a response clock on each case. No account is "
                           "connected yet."), self)

        self.demo_button = QPushButton(_tr("Open the demo workspace"), self)
        self.demo_button.clicked.connect(self._demo)
        self.connect_button = QPushButton(_tr("Connect an account"), self)
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.open_connect)
        choices = QHBoxLayout()
        choices.setSpacing(12)
        choices.addWidget(_Choice(self.demo_button, _tr(
            "See the desk at work: invented customers write on simulated networks and the "
            "clocks tick. It has its own database; your workspace stays empty."), self), 1)
        choices.addWidget(_Choice(self.connect_button, _tr(
            "Bring in your page, bot, channel or mailbox. Its token or password stays in "
            "the system keyring, never in the database."), self), 1)

        guide_heading = _plain(_tr("Where does the token come from?"), self)
        bold = QFont(guide_heading.font())
        bold.setWeight(QFont.Weight.DemiBold)
        guide_heading.setFont(bold)
        self.network_list = QListWidget(self)
        for network in network_guides.NETWORK_ORDER:
            item = QListWidgetItem(network_guides.title(network))
            item.setData(Qt.ItemDataRole.UserRole, network)
            self.network_list.addItem(item)
        self.network_list.setStyleSheet("QListWidget::item { padding: 3px 6px; }")
        self.network_list.setFixedWidth(self.network_list.sizeHintForColumn(0) + 48)
        self.guide_title = _plain("", self)
        self.guide_title.setFont(bold)
        self.guide = _plain("", self)
        self.guide.setObjectName("guide")
        self.guide.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        guide_text = QVBoxLayout()
        guide_text.addWidget(self.guide_title)
        guide_text.addWidget(self.guide)
        guide_text.addStretch(1)
        guides = QHBoxLayout()
        guides.addWidget(self.network_list)
        guides.addLayout(guide_text, 1)
        self.network_list.currentRowChanged.connect(self._show_guide)
        self.network_list.setCurrentRow(0)

        self.later_button = QPushButton(_tr("Not now"), self)
        self.later_button.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(_plain(_tr("You can connect accounts later in Settings → "
                                    "Accounts."), self, wrap=False))
        bottom.addStretch(1)
        bottom.addWidget(self.later_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 16)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(8)
        layout.addLayout(choices)
        layout.addSpacing(12)
        layout.addWidget(guide_heading)
        layout.addLayout(guides, 1)
        layout.addLayout(bottom)

    def chosen_network(self) -> str:
        item = self.network_list.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item is not None else ""

    def choose_network(self, network: str) -> None:
        for row in range(self.network_list.count()):
            if self.network_list.item(row).data(Qt.ItemDataRole.UserRole) == network:
                self.network_list.setCurrentRow(row)
                return
        raise KeyError(network)

    def _show_guide(self, _row: int) -> None:
        network = self.chosen_network()
        self.guide_title.setText(network_guides.title(network))
        self.guide.setText(network_guides.guide_text(network))

    def _demo(self) -> None:
        self.demo_requested.emit()
        self.accept()

    def open_connect(self) -> ConnectDialog:
        """The connect dialog on the network chosen in the guide (if it has a connector)."""
        if self.connect_dialog is None:
            dialog = ConnectDialog(self._service, self.chosen_network(), self)
            dialog.accepted.connect(lambda: self._connected(dialog.account))
            dialog.finished.connect(self._connect_closed)
            self.connect_dialog = dialog
        if self.connect_dialog.isVisible():
            self.connect_dialog.raise_()  # already open: bring it forward
        else:
            self.connect_dialog.show()
        return self.connect_dialog

    def _connect_closed(self, _result: int) -> None:
        dialog, self.connect_dialog = self.connect_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _connected(self, account: AccountView | None) -> None:
        if account is not None:
            self.account_connected.emit(account)
            self.accept()


def welcome_if_first_run(service: SettingsService, parent: QWidget | None,
                         open_demo: Callable[[], object]) -> WelcomeScreen | None:
    """Show the welcome over ``parent`` when no account is connected yet
    (``open_demo`` runs on "Open the demo workspace"); None otherwise."""
    if service.accounts():
        return None
    screen = WelcomeScreen(service, parent)
    screen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    screen.demo_requested.connect(open_demo)
    screen.open()
    return screen
