"""The tray: breaching count kept whether or not a tray exists, notifications
as a toast when there is none, quiet hours (across midnight too) holding
notifications back but not the count, markup-free customer names."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSystemTrayIcon, QWidget
from pytestqt.qtbot import QtBot

from smm_desk.domain.quiet_hours import QuietHours
from smm_desk.services.queue import QueueService
from smm_desk.services.settings import NotificationPrefs
from smm_desk.store.api import Store
from smm_desk.ui.tray import TrayIcon, notification_safe, tray_pixmap
from tests.conftest import FakeClock
from tests.support.factories import inbound

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"),
]


@pytest.fixture
def ids(store: Store, clock: FakeClock) -> dict[str, int]:
    """A breached, a warning and an ok case."""
    account = store.add_account("telegram", "@shop_bot").id
    out = {}
    for name, minutes, author in (("breached", 17, "Bob"), ("warning", 8.5, "<b>Ann</b> & co"),
                                  ("ok", 2, "Cy")):
        result = store.ingest(account, "updates", [
            inbound(f"m-{name}", clock.now - timedelta(minutes=minutes), thread=f"dm:{name}",
                    author=author)], cursor=None)
        out[name] = result.touched_case_ids[0]
    return out


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    w = QWidget()
    qtbot.addWidget(w)
    w.resize(800, 500)
    return w


class Prefs:
    def __init__(self) -> None:
        self.value = NotificationPrefs()

    def __call__(self) -> NotificationPrefs:
        return self.value


def local_of(clock: FakeClock) -> time:
    return clock.now.astimezone().time()


def shifted(t: time, hours: int) -> time:
    wall = datetime(2000, 1, 2, t.hour, t.minute, tzinfo=UTC)  # arithmetic on a wall clock
    return (wall + timedelta(hours=hours)).time()


def make_tray(window: QWidget, store: Store, clock: FakeClock, prefs: Prefs) -> TrayIcon:
    return TrayIcon(window, QueueService(store), prefs, clock=clock)


def test_offscreen_has_no_tray_but_keeps_the_count(
    qtbot: QtBot, window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
) -> None:
    assert not QSystemTrayIcon.isSystemTrayAvailable()
    tray = make_tray(window, store, clock, Prefs())
    assert tray.tray is None
    assert tray.breaching_count == 2  # breached, and warning (due in 1.5 min)
    assert tray.tooltip_text == "SMM Desk — 2 cases breaching soon"
    clock.advance(minutes=4)  # the ok case is now due within minutes too
    with qtbot.waitSignal(tray.count_changed) as blocker:
        tray.on_alerts([(ids["ok"], "sla_warning")])
    assert blocker.args == [3]
    assert tray.tooltip_text == "SMM Desk — 3 cases breaching soon"
    QueueService(store).resolve(ids["breached"], "kim")  # another service: recount on alerts
    tray.on_alerts([])
    assert tray.breaching_count == 2


def test_resolving_through_the_queue_service_recounts(
    window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
) -> None:
    service = QueueService(store)
    tray = TrayIcon(window, service, Prefs(), clock=clock)
    service.resolve(ids["breached"], "kim")
    assert tray.breaching_count == 1
    service.mark_spam(ids["warning"], "kim")
    assert tray.breaching_count == 0
    assert tray.tooltip_text == "SMM Desk — no case breaching soon"


def test_a_warning_shows_a_plain_toast_with_the_customer(
    qtbot: QtBot, window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
) -> None:
    tray = make_tray(window, store, clock, Prefs())
    window.show()
    with qtbot.waitSignal(tray.notified) as blocker:
        tray.on_alerts([(ids["warning"], "sla_warning")])
    title, body = blocker.args
    assert title == "Reply soon — ‹b›Ann‹/b› + co"
    assert body == f"Case {ids['warning']} (Telegram) reached its SLA warning. 1 min left to answer."
    toast = tray.toast()
    assert toast is not None and toast.isVisible()
    labels = toast.findChildren(QLabel)
    assert [label.text() for label in labels] == [title, body]
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)
    window.grab().save("/tmp/tray_toast.png")
    toast.timer.timeout.emit()  # what the timer does when it fires
    assert not toast.isVisible()


def test_several_alerts_make_one_summary(
    qtbot: QtBot, window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
) -> None:
    tray = make_tray(window, store, clock, Prefs())
    with qtbot.waitSignal(tray.notified) as blocker:
        tray.on_alerts([(ids["warning"], "sla_warning"), (ids["breached"], "sla_breached"),
                        (99999, "sla_warning"), (ids["ok"], "something_else")])
    assert blocker.args[0] == "3 cases need a reply"
    assert blocker.args[1].startswith("1 overdue, 2 in warning: ")
    assert blocker.args[1].endswith(" and 1 more")


def test_resolution_alerts_notify_with_their_own_wording(
    qtbot: QtBot, window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
) -> None:
    tray = make_tray(window, store, clock, Prefs())
    with qtbot.waitSignal(tray.notified) as blocker:
        tray.on_alerts([(ids["warning"], "resolution_breached")])
    assert blocker.args[0].startswith("Resolution overdue — ")
    assert blocker.args[1] == f"Case {ids['warning']} (Telegram) is past its resolution target."
    with qtbot.waitSignal(tray.notified) as blocker:
        tray.on_alerts([(ids["warning"], "resolution_warning")])
    assert blocker.args[0].startswith("Resolution due soon — ")
    with qtbot.waitSignal(tray.notified) as blocker:
        tray.on_alerts([(ids["warning"], "resolution_warning"),
                        (ids["breached"], "resolution_breached")])
    assert blocker.args[1].startswith("1 overdue, 1 in warning: ")


@pytest.mark.parametrize("span", [(-1, 1), (0, 2), None],
                         ids=["around", "starting-now", "crossing-midnight"])
def test_quiet_hours_hold_notifications_but_not_the_count(
    qtbot: QtBot, window: QWidget, store: Store, clock: FakeClock, ids: dict[str, int],
    span: tuple[int, int] | None,
) -> None:
    prefs = Prefs()
    now = local_of(clock)
    if span is None:  # from 23:xx yesterday to an hour from now
        span = (-(now.hour + 1), 1)
    prefs.value = NotificationPrefs(
        quiet=QuietHours(True, shifted(now, span[0]), shifted(now, span[1])))
    tray = make_tray(window, store, clock, prefs)
    assert tray.quiet_now()
    clock.advance(minutes=2)
    with qtbot.assertNotEmitted(tray.notified):
        tray.on_alerts([(ids["warning"], "sla_breached")])
    assert tray.suppressed == 1
    assert tray.breaching_count == 2  # the count goes on
    assert tray.toast() is None
    # After the quiet span the next alert is shown.
    clock.advance(hours=span[1] + 1)
    assert not tray.quiet_now()
    with qtbot.waitSignal(tray.notified):
        tray.on_alerts([(ids["ok"], "sla_breached")])


def test_notifications_switched_off(qtbot: QtBot, window: QWidget, store: Store,
                                    clock: FakeClock, ids: dict[str, int]) -> None:
    prefs = Prefs()
    prefs.value = NotificationPrefs(enabled=False)
    tray = make_tray(window, store, clock, prefs)
    with qtbot.assertNotEmitted(tray.notified):
        tray.on_alerts([(ids["warning"], "sla_warning")])
    assert tray.suppressed == 1


def test_notification_text_is_markup_free_and_short() -> None:
    assert notification_safe("a\n<script>&\u202eb" + "x" * 100, 20) == "a ‹script›+ bxxxxxx…"


def test_tray_pixmap_draws_a_badge() -> None:
    plain, badged = tray_pixmap(0).toImage(), tray_pixmap(7).toImage()
    assert plain.size() == badged.size()
    assert plain.pixelColor(56, 8) != badged.pixelColor(56, 8)
    tray_pixmap(12345, 128).save("/tmp/tray_icon.png")
