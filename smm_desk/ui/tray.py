"""The tray icon and SLA notifications.

:class:`TrayIcon` keeps the number of cases breaching soon (the sidebar's
"Breaching soon" view: breached, or due within minutes) in the system tray (icon
badge and tooltip) and raises a notification when cases reach their SLA
warning share or breach. It is fed by :meth:`TrayIcon.on_alerts` — the sync
service's ``alerts`` signal: ``[(case_id, "sla_warning" | "sla_breached" |
"resolution_warning" | "resolution_breached"), …]``
— and recounts on every queue change.

Where the platform has no tray (some Linux desktops, the offscreen tests) no
``QSystemTrayIcon`` is made: the count is still kept (``breaching_count``,
``tooltip_text``) and notifications appear as a toast inside the window.

Quiet hours hold notifications back, never the count. Local time exists only
here: the clock gives aware UTC and it is turned into the user's wall-clock
time just before asking :func:`smm_desk.domain.quiet_hours.is_quiet`.

Customer names reach the OS notification server, which on some desktops reads
markup: they are cut to one short line with ``< >`` replaced by look-alikes and ``&`` by ``+``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QMouseEvent, QPixmap
from PySide6.QtWidgets import QFrame, QLabel, QSystemTrayIcon, QVBoxLayout, QWidget

from smm_desk.services.queue import QueueService
from smm_desk.services.settings import NotificationPrefs
from smm_desk.ui.i18n import plural, translate
from smm_desk.ui.icons import render_mark, tray_icon

WARNING, BREACHED = "sla_warning", "sla_breached"
RESOLUTION_WARNING, RESOLUTION_BREACHED = "resolution_warning", "resolution_breached"
_ALERT_KINDS = (WARNING, BREACHED, RESOLUTION_WARNING, RESOLUTION_BREACHED)
_BREACHES = (BREACHED, RESOLUTION_BREACHED)
TOAST_MS = 8000
NOTIFY_MS = 10000
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def notification_safe(text: str, limit: int = 60) -> str:
    """One short line with no markup characters, for an OS notification."""
    line = " ".join(_CONTROL.sub(" ", text).split())
    line = line.replace("<", "‹").replace(">", "›").replace("&", "+")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def utc_now() -> datetime:
    return datetime.now(UTC)


def tray_pixmap(count: int, size: int = 64) -> QPixmap:
    """The app mark, with a red badge carrying ``count`` when there is one
    (one rendering of :func:`smm_desk.ui.icons.tray_icon`, which the tray uses)."""
    return QPixmap.fromImage(render_mark(size, count))


class Toast(QFrame):
    """A quiet in-window notification at the bottom right; hides by itself."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self._host = parent
        self.setObjectName("toast")
        self.setStyleSheet(
            "#toast { background: palette(base); border: 1px solid palette(mid);"
            " border-left: 4px solid #d93025; border-radius: 6px; }"
            "#toastTitle { font-weight: 600; }"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        self.title = QLabel(self)
        self.title.setObjectName("toastTitle")
        self.body = QLabel(self)
        for label in (self.title, self.body):
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
        self.body.setWordWrap(True)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.hide()

    def show_message(self, title: str, body: str, msecs: int = TOAST_MS) -> None:
        self.title.setText(title)
        self.body.setText(body)
        self.setFixedWidth(min(360, max(200, self._host.width() - 32)))
        self.adjustSize()
        parent = self._host.rect()
        self.move(QPoint(parent.right() - self.width() - 16,
                         parent.bottom() - self.height() - 40))
        self.raise_()
        self.show()
        self.timer.start(msecs)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.hide()


class TrayIcon(QObject):
    """Breaching count in the tray; SLA notifications outside quiet hours.

    ``notified(title, body)`` fires for every notification shown (tray or toast);
    ``suppressed`` counts those quiet hours or the preferences held back.
    The count is the sidebar's "Breaching soon" (breached or about to be),
    unless ``count_source`` says otherwise.
    """

    notified = Signal(str, str)
    count_changed = Signal(int)

    def __init__(self, window: QWidget, queue_service: QueueService,
                 prefs: Callable[[], NotificationPrefs], *,
                 count_source: Callable[[], int] | None = None,
                 clock: Callable[[], datetime] = utc_now,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or window)
        self._window = window
        self._service = queue_service
        self._prefs = prefs
        self._count_source = count_source or self._count_breaching
        self._clock = clock
        self._count = 0
        self.suppressed = 0
        self._toast: Toast | None = None
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(tray_icon(0), self)
            self.tray.activated.connect(self._bring_window_up)
            self.tray.messageClicked.connect(self._bring_window_up)
            self.tray.show()
        queue_service.changed.connect(self.refresh)
        self.refresh()

    # -- the count -------------------------------------------------------------------
    @property
    def breaching_count(self) -> int:
        return self._count

    @property
    def tooltip_text(self) -> str:
        if self._count == 0:
            return translate("TrayIcon", "SMM Desk — no case breaching soon")
        return plural(translate("TrayIcon", "SMM Desk — %n case(s) breaching soon", None,
                                self._count), self._count)

    def _count_breaching(self) -> int:
        # The sidebar's "Breaching soon" count (breached, or due within minutes):
        # one aggregate query, whatever the size of the queue.
        return int(self._service.view_counts().get("breaching", 0))

    def refresh(self, *_args: object) -> None:
        count = self._count_source()
        if count == self._count and self.tray is not None and self.tray.toolTip():
            return
        self._count = count
        if self.tray is not None:
            self.tray.setIcon(tray_icon(count))
            self.tray.setToolTip(self.tooltip_text)
        self.count_changed.emit(count)

    # -- notifications ---------------------------------------------------------------
    def quiet_now(self) -> bool:
        local = self._clock().astimezone().time()  # the user's wall clock, display only
        return self._prefs().quiet.contains(local)

    def on_alerts(self, alerts: Sequence[tuple[int, str]]) -> None:
        """New SLA alerts from the sync service: recount, then notify unless the
        preferences or quiet hours say not to."""
        self.refresh()
        wanted = [(case_id, kind) for case_id, kind in alerts if kind in _ALERT_KINDS]
        if not wanted:
            return
        prefs = self._prefs()
        if not prefs.enabled or self.quiet_now():
            self.suppressed += len(wanted)
            return
        title, body = self._message(wanted)
        if self.tray is not None:
            icon = (QSystemTrayIcon.MessageIcon.Critical
                    if any(kind in _BREACHES for _, kind in wanted)
                    else QSystemTrayIcon.MessageIcon.Warning)
            self.tray.showMessage(title, body, icon, NOTIFY_MS)
        else:
            if self._toast is None:
                self._toast = Toast(self._window)
            self._toast.show_message(title, body)
        self.notified.emit(title, body)

    def toast(self) -> Toast | None:
        return self._toast

    def _message(self, alerts: Sequence[tuple[int, str]]) -> tuple[str, str]:
        kinds = dict(alerts)  # a case alerted twice in one batch: its latest kind
        cases = {c.id: c for c in self._service.cases(list(kinds))}
        now = self._service.now()
        if len(kinds) == 1:
            case_id, kind = next(iter(kinds.items()))
            case = cases.get(case_id)
            who = (notification_safe(case.customer) if case
                   else translate("TrayIcon", "Case {id}").format(id=case_id))
            network = case.network.capitalize() if case else ""
            if kind == RESOLUTION_BREACHED:
                return (translate("TrayIcon", "Resolution overdue — {who}").format(who=who),
                        translate("TrayIcon", "Case {id} ({network}) is past its resolution "
                                  "target.").format(id=case_id, network=network)
                        .replace(" ()", ""))
            if kind == RESOLUTION_WARNING:
                return (translate("TrayIcon", "Resolution due soon — {who}").format(who=who),
                        translate("TrayIcon", "Case {id} ({network}) reached its resolution "
                                  "warning.").format(id=case_id, network=network)
                        .replace(" ()", ""))
            if kind == BREACHED:
                return (translate("TrayIcon", "Response overdue — {who}").format(who=who),
                        translate("TrayIcon", "Case {id} ({network}) is past its response "
                                  "target.").format(id=case_id, network=network)
                        .replace(" ()", ""))
            left = ""
            if case is not None and case.response_due_at is not None:
                minutes = max(0, int((case.response_due_at - now).total_seconds() // 60))
                left = " " + (translate("TrayIcon", "{minutes} min left to answer.")
                              .format(minutes=minutes) if minutes
                              else translate("TrayIcon", "Under a minute left."))
            return (translate("TrayIcon", "Reply soon — {who}").format(who=who),
                    translate("TrayIcon", "Case {id} ({network}) reached its SLA warning.")
                    .format(id=case_id, network=network).replace(" ()", "") + left)
        breached = sum(1 for kind in kinds.values() if kind in _BREACHES)
        names = [notification_safe(cases[i].customer, 30) for i in kinds if i in cases][:3]
        more = len(kinds) - len(names)
        listed = ", ".join(names) + (
            plural(translate("TrayIcon", " and %n more", None, more), more) if more > 0 else "")
        title = plural(translate("TrayIcon", "%n case(s) need a reply", None, len(kinds)),
                       len(kinds))
        body = (translate("TrayIcon", "{overdue} overdue, {warning} in warning: {names}")
                .format(overdue=breached, warning=len(kinds) - breached, names=listed)
                if breached else
                translate("TrayIcon", "In warning: {names}").format(names=listed))
        return title, body

    def _bring_window_up(self, *_args: object) -> None:
        self._window.showNormal()
        self._window.raise_()
        self._window.activateWindow()
