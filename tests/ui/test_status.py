"""The status bar's network strip and the offline banner (smm_desk.ui.status):
every account has a chip while there are few; with many, the calm ones share
a chip and every account needing attention stays in full and unelided; the
dots and the banner follow light and dark with readable contrast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from smm_desk.domain.views import AccountView
from smm_desk.ui import theme
from smm_desk.ui.status import (
    BANNER_LOOK,
    STATE_LOOK,
    AccountChip,
    OfflineBanner,
    SyncStatus,
    dot_color,
)
from smm_desk.ui.theme import contrast_ratio

SHOTS = os.environ.get("SMM_DESK_SHOTS")
NOW = datetime(2025, 3, 1, 10, 0, tzinfo=UTC)
NETWORKS = ["telegram", "vk", "mastodon", "facebook", "instagram", "x", "youtube", "bluesky",
            "reddit", "email"]


def account(number: int, network: str, status: str = "ok", detail: str = "",
            retry_at: datetime | None = None) -> AccountView:
    return AccountView(number, network, f"acme_{network}", None, {}, status, detail,
                       retry_at, None, NOW)


@pytest.fixture
def look(qapp: QApplication) -> Iterator[QApplication]:
    palette = QApplication.palette()
    yield qapp
    qapp.setPalette(palette)


def shoot(widget: QWidget, name: str) -> None:
    if SHOTS:
        QApplication.processEvents()
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def window_with(qtbot: QtBot, fixed: list[int]) -> tuple[QMainWindow, SyncStatus, OfflineBanner]:
    window = QMainWindow()
    qtbot.addWidget(window)
    central = QWidget(window)
    banner = OfflineBanner(central)
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(banner)
    layout.addStretch(1)
    window.setCentralWidget(central)
    window.statusBar().addWidget(QLabel("40 open cases"))
    strip = SyncStatus(fixed.append, window)
    window.statusBar().addPermanentWidget(strip)
    window.resize(1280, 200)
    window.show()
    qtbot.waitExposed(window)
    return window, strip, banner


def mixed() -> list[AccountView]:
    states = {1: ("rate_limited", "rate limited by the network for 75 s"),
              3: ("needs_auth", "<b>token revoked</b>"),
              5: ("offline", ""), 8: ("offline", ""), 9: ("error", "HTTP 500 from the API")}
    accounts = []
    for index, network in enumerate(NETWORKS):
        status, detail = states.get(index, ("ok", ""))
        retry = NOW + timedelta(seconds=75) if status == "rate_limited" else None
        accounts.append(account(index + 1, network, status, detail, retry))
    return accounts


def test_a_few_accounts_each_have_a_chip(qtbot: QtBot) -> None:
    strip = SyncStatus(lambda _id: None)
    qtbot.addWidget(strip)
    accounts = [account(1, "telegram"), account(2, "vk", "paused"), account(3, "email", "ok")]
    strip.set_accounts(accounts, [a.status for a in accounts], NOW)
    assert strip.text() == ("Telegram acme_telegram: connected | VK acme_vk: "
                            "paused | Email acme_email: connected | Outbox empty")
    assert all(group.isHidden() for group in strip.groups.values())


def test_many_calm_accounts_share_one_chip_that_lists_them(qtbot: QtBot) -> None:
    strip = SyncStatus(lambda _id: None)
    qtbot.addWidget(strip)
    accounts = [account(i + 1, network) for i, network in enumerate(NETWORKS)]
    strip.set_accounts(accounts, ["ok"] * 10, NOW)
    assert strip.text() == "10 accounts ok | Outbox empty"
    tooltip = strip.groups["ok"].toolTip()
    assert "10 accounts ok:" in tooltip and tooltip.count("acme_") == 10
    assert "Telegram acme_telegram" in tooltip and "Email acme_email" in tooltip
    # Fewer accounts again: chips go, and with three each has its own once more.
    strip.set_accounts(accounts[:3], ["ok"] * 3, NOW)
    assert len(strip.chips) == 3 and strip.groups["ok"].isHidden()
    assert strip.text().startswith("Telegram acme_telegram: connected | VK ")


def test_accounts_needing_attention_stay_in_full_and_first(qtbot: QtBot, look: object) -> None:
    fixed: list[int] = []
    window, strip, banner = window_with(qtbot, fixed)
    accounts = mixed()
    strip.set_accounts(accounts, [a.status for a in accounts], NOW)
    assert strip.text() == (
        "VK acme_vk: rate-limited 1:15 | Facebook acme_facebook: needs sign-in"
        " | Email acme_email: error | 2 accounts offline | 5 accounts ok | Outbox empty")
    # Short of room, only account names give way: networks, states and groups stay whole.
    QApplication.processEvents()
    painted = [chip.text.shown() for chip in strip.shown_chips()]
    assert painted[0].startswith("VK ") and painted[0].endswith(": rate-limited 1:15")
    assert painted[1].startswith("Facebook ") and painted[1].endswith(": needs sign-in")
    assert painted[2].startswith("Email ") and painted[2].endswith(": error")
    assert painted[3:] == ["2 accounts offline", "5 accounts ok"]
    assert strip.minimumSizeHint().width() < strip.sizeHint().width() - 200  # it gives way
    label = strip.chips[1].text
    assert label.shown(10_000) == label.text()
    short = label.shown(label.fontMetrics().horizontalAdvance("VK acme: rate-limited 1:15"))
    assert short.startswith("VK a") and short.endswith("…: rate-limited 1:15")
    assert label.shown(30).endswith("…") and not label.shown(30).endswith("1:15")
    # The fix button is on the account that needs it; its tooltip has the detail, as text.
    needs = next(c for c in strip.chips if isinstance(c, AccountChip) and c.state == "needs_auth")
    assert needs.button.isVisible()
    assert [c for c in strip.chips if c.button.isVisible()] == [needs]
    needs.button.click()
    assert fixed == [4]
    assert "&lt;b&gt;token revoked&lt;/b&gt;" in needs.toolTip()
    assert "X acme_x\nReddit acme_reddit" in strip.groups["offline"].toolTip()
    # The countdown ticks; the group chips do not move.
    strip.tick(NOW + timedelta(seconds=50))
    assert strip.text().startswith("VK acme_vk: rate-limited 0:25 | ")
    strip.set_outbox(3)
    banner.set_outbox(3)
    banner.show()
    shoot(window, "status_many_light")
    QApplication.instance().setPalette(theme.palette("dark"))  # type: ignore[union-attr]
    shoot(window, "status_many_dark")
    # One account recovers: it joins the others.
    recovered = [accounts[0], accounts[1].__class__(**{**accounts[1].__dict__, "status": "ok"}),
                 *accounts[2:]]
    strip.set_accounts(recovered, [a.status for a in recovered], NOW)
    assert "6 accounts ok" in strip.text() and "rate-limited" not in strip.text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dots_are_visible_in_both_palettes(scheme: str) -> None:
    window = theme.palette(scheme).color(QPalette.ColorRole.Window)  # type: ignore[arg-type]
    for state in STATE_LOOK:
        assert contrast_ratio(dot_color(state, scheme == "dark"), window) >= 3.0, state


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_banner_is_readable_in_both_palettes(scheme: str) -> None:
    background, text, _ = BANNER_LOOK[scheme]
    assert contrast_ratio(QColor(text), QColor(background)) >= 4.5


def test_the_banner_follows_a_switch_between_light_and_dark(qtbot: QtBot, look: object) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    host = QWidget()
    qtbot.addWidget(host)
    banner = OfflineBanner(host)
    QVBoxLayout(host).addWidget(banner)
    banner.set_outbox(2)
    banner.show()
    host.resize(700, 80)
    host.show()
    qtbot.waitExposed(host)
    for scheme in ("dark", "light", "dark"):
        app.setPalette(theme.palette(scheme))
        QApplication.processEvents()
        assert banner.colors() == BANNER_LOOK[scheme]
        image = banner.grab().toImage()
        background, text, border = (QColor(c) for c in BANNER_LOOK[scheme])
        assert image.pixelColor(2, 2) == background
        assert image.pixelColor(2, image.height() - 1) == border
        # Text is painted in the text colour: the pixel farthest from the background.
        inks = {image.pixelColor(x, y).name() for x in range(12, 300)
                for y in range(4, image.height() - 4)}
        darkest = max(inks, key=lambda ink: abs(QColor(ink).lightness()
                                                - background.lightness()))
        assert darkest == text.name()
        shoot(host, f"offline_banner_{scheme}")
