"""The open case: a header, the thread with its history, and the composer.

* **Header**: customer, network, account, kind (and the post a comment is on), then
  status, department, assignee, and the SLA clock with the time left — the same text and
  colours as the queue's SLA column, ticking once a second.
* **Thread** (:mod:`smm_desk.ui.case_thread`): messages in network-time order — the
  customer's on the left, the company's on the right and labelled as ours — with their
  local time; replies with who wrote them, when they were composed and when delivered;
  replies still in the outbox at the end, with their state; and, between the messages,
  what happened to the case (routed by which rule or person, assigned, status changes,
  failed sends and handoffs, SLA warnings and breaches of the response, resolution and
  department clocks), worded by :mod:`smm_desk.ui.event_text`.
* **Live**: while a case is shown, a 1 Hz timer asks the service for the case's stamp (a
  few indexed look-ups); only when it changed is the case read again and the thread
  rebuilt, keeping the reader's scroll position.

Safety (see :mod:`smm_desk.ui.case_thread`): the thread is a read-only ``QTextBrowser``
whose document is built with ``QTextCursor.insertText`` only — no HTML is ever parsed,
so customer text is shown literally, and ``loadResource`` refuses every resource, so
nothing remote is ever fetched. Customer text goes through ``ui.plain_text`` (control
characters dropped, bidi controls isolated). Only http/https addresses become links; a
link opens only when clicked, and the click handler checks the scheme again before
handing it to the desktop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QFont, QHideEvent, QShowEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from smm_desk.domain.views import CaseDetail
from smm_desk.domain.views import CaseView as CaseSummary
from smm_desk.services.case import CaseActionError, CaseService, CaseStamp
from smm_desk.ui.case_thread import ThreadView
from smm_desk.ui.composer import Composer, plain_label
from smm_desk.ui.event_text import describe_event, kind_name, status_name
from smm_desk.ui.i18n import network_name, translate
from smm_desk.ui.plain_text import is_openable, isolate
from smm_desk.ui.queue_model import NETWORK_NAMES, priority_name, sla_cell, sla_colors

POLL_MS = 1000

__all__ = ["CaseHeader", "CaseView", "ThreadView", "describe_event", "kind_name"]


# -- the header ---------------------------------------------------------------------------


class CaseHeader(QWidget):
    def __init__(self, open_link: Callable[[QUrl], bool], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._open_link = open_link
        self._permalink: str | None = None
        self.customer = plain_label(parent=self)
        font = self.customer.font()
        font.setPointSizeF(max(font.pointSizeF(), 9) * 1.25)
        font.setWeight(QFont.Weight.DemiBold)
        self.customer.setFont(font)
        self.sla = plain_label(parent=self)
        self.source = plain_label(parent=self)
        self.source.setStyleSheet("color: palette(placeholder-text);")
        self.source.setWordWrap(True)
        self.triage = plain_label(parent=self)
        self.triage.setWordWrap(True)
        self.post_button = QPushButton(translate("CaseView", "Open on the network"), self)
        self.post_button.setFlat(True)
        self.post_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.post_button.setStyleSheet("QPushButton { color: palette(link); padding: 0; "
                                       "text-align: left; }")
        self.post_button.clicked.connect(self._open_post)

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.customer, 1)
        top.addWidget(self.sla, 0, Qt.AlignmentFlag.AlignTop)
        source = QHBoxLayout()
        source.setContentsMargins(0, 0, 0, 0)
        source.addWidget(self.source, 1)
        source.addWidget(self.post_button, 0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(source)
        layout.addWidget(self.triage)

    def show_case(self, detail: CaseDetail) -> None:
        case = detail.case
        self.customer.setText(isolate(case.customer or case.customer_id
                                      or translate("CaseView", "Unknown customer")))
        network = network_name(case.network, NETWORK_NAMES)
        kind = kind_name(case.kind)
        parts = [network, isolate(case.account), kind]
        post = next((m.post_external_id for m in detail.messages if m.post_external_id), None)
        if post and case.kind != "dm":
            parts.append(translate("CaseView", "on post {post}").format(post=isolate(post)))
        self.source.setText(" · ".join(parts))
        self._permalink = next(
            (m.permalink for m in reversed(detail.messages)
             if m.direction == "inbound" and m.permalink and is_openable(m.permalink)),
            None,
        )
        self.post_button.setVisible(self._permalink is not None)
        self.post_button.setText(translate("CaseView", "Open on {network}").format(
            network=network))
        triage = [
            translate("CaseView", "Status: {status}").format(status=status_name(case.status)),
            translate("CaseView", "Department: {department}").format(
                department=isolate(case.department) if case.department else "—"),
            translate("CaseView", "Assignee: {assignee}").format(
                assignee=isolate(case.assignee) if case.assignee
                else translate("CaseView", "nobody")),
            translate("CaseView", "Priority: {priority}").format(
                priority=priority_name(case.priority).lower()),
        ]
        self.triage.setText("   ".join(triage))

    def tick(self, case: CaseSummary, now: datetime) -> None:
        state, text = sla_cell(case, now)
        if state is None:
            text = translate("CaseView", "No response owed")
        self.sla.setText(text)
        colors = sla_colors(state, self.palette())
        if colors is None:
            self.sla.setStyleSheet("QLabel { color: palette(placeholder-text); padding: 3px 8px; }")
        else:
            background, foreground = colors
            weight = "font-weight: 600;" if state == "breached" else ""
            self.sla.setStyleSheet(
                f"QLabel {{ background: {background.name()}; color: {foreground.name()}; "
                f"border-radius: 4px; padding: 3px 8px; {weight} }}"
            )

    def _open_post(self) -> None:
        if self._permalink is not None:
            self._open_link(QUrl(self._permalink))


# -- the case view ------------------------------------------------------------------------


class CaseView(QWidget):
    """Header, thread and composer of the case shown (see the module doc)."""

    reply_queued = Signal(str)

    def __init__(self, case_service: CaseService, agent_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._service = case_service
        self._agent = agent_name
        self._detail: CaseDetail | None = None
        self._stamp: CaseStamp | None = None

        self.thread_view = ThreadView(self)
        self.header = CaseHeader(self.thread_view.open_link, self)
        self.composer = Composer(case_service, agent_name, self)
        self.composer.reply_queued.connect(self._on_reply_queued)

        rule = QFrame(self)
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: palette(mid);")
        page = QWidget(self)
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.setSpacing(0)
        page_layout.addWidget(self.header)
        page_layout.addWidget(rule)
        page_layout.addWidget(self.thread_view, 1)
        composer_box = QWidget(page)
        composer_layout = QVBoxLayout(composer_box)
        composer_layout.setContentsMargins(12, 8, 12, 10)
        composer_layout.addWidget(self.composer)
        page_layout.addWidget(composer_box)

        self.placeholder = plain_label(translate("CaseView", "Select a case in the queue to "
                                                 "read and answer it."),
                                       self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setStyleSheet("color: palette(placeholder-text);")

        # Two pages, one shown: a plain box layout rather than a QStackedWidget,
        # which would not pass height-for-width down to the wrapped banner.
        self._page = page
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.placeholder)
        layout.addWidget(page)
        page.hide()

        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(POLL_MS)
        self.poll_timer.timeout.connect(self.poll)

    # -- the interface the window uses -------------------------------------------------
    def current_case_id(self) -> int | None:
        return self._detail.case.id if self._detail is not None else None

    def show_case(self, case_id: int | None) -> None:
        """Show ``case_id`` (``None``: nothing); the previous case's draft is saved."""
        if case_id is not None and case_id == self.current_case_id():
            self.poll()
            return
        self.composer.flush_draft()
        self._detail = None
        self._stamp = None
        if case_id is None:
            self.composer.set_case(None)
            self._show_nothing(translate("CaseView", "Select a case in the queue to read and "
                                         "answer it."))
            return
        if not self._load(case_id):
            return
        assert self._detail is not None
        self.composer.set_case(self._detail.case)
        self._show_detail(scroll_to_end=True)
        self.placeholder.hide()
        self._page.show()
        self._update_timer()

    def focus_composer(self) -> None:
        if self._detail is not None:
            self.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def flush_draft(self) -> None:
        """Save the draft being written now (for crash handlers and quitting)."""
        self.composer.flush_draft()

    def detail(self) -> CaseDetail | None:
        return self._detail

    # -- live updates ----------------------------------------------------------------------
    def poll(self) -> None:
        """Re-read the case if its stamp changed; tick the clock and the banner."""
        if self._detail is None:
            return
        case_id = self._detail.case.id
        try:
            stamp = self._service.stamp(case_id)
        except CaseActionError:
            self._detail = None
            self.composer.set_case(None)
            self._show_nothing(translate("CaseView", "This case is no longer in the workspace."))
            return
        if stamp != self._stamp:
            if not self._load(case_id):
                return
            self._show_detail(scroll_to_end=False)
        else:
            self._tick()

    def _load(self, case_id: int) -> bool:
        try:
            stamp = self._service.stamp(case_id)
            detail = self._service.detail(case_id)
        except CaseActionError as exc:
            self._detail = None
            self.composer.set_case(None)
            self._show_nothing(str(exc))
            return False
        self._stamp = stamp
        self._detail = detail
        return True

    def _show_detail(self, scroll_to_end: bool) -> None:
        assert self._detail is not None
        now = self._service.now()
        self.header.show_case(self._detail)
        self.thread_view.show_thread(self._detail, now)
        if scroll_to_end:
            self.thread_view.scroll_to_end()
        self.composer.set_case(self._detail.case)
        self.composer.update_replies(self._detail.replies)
        self._tick()

    def _tick(self) -> None:
        if self._detail is None:
            return
        now = self._service.now()
        self.header.tick(self._detail.case, now)
        self.composer.show_window(self._service.window_of(self._detail.case, now))

    def show_opening(self) -> None:
        """A case is selected and will open in a moment (the desk is still loading)."""
        self._show_nothing(translate("CaseView", "Opening the case…"))

    def _show_nothing(self, text: str) -> None:
        self.placeholder.setText(text)
        self._page.hide()
        self.placeholder.show()
        self._update_timer()

    def _on_reply_queued(self, reply_id: str) -> None:
        self.poll()
        self.thread_view.scroll_to_end()
        self.reply_queued.emit(reply_id)

    def _update_timer(self) -> None:
        if self._detail is not None and self.isVisible():
            self.poll_timer.start()
        else:
            self.poll_timer.stop()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._update_timer()

    def hideEvent(self, event: QHideEvent) -> None:
        self.poll_timer.stop()
        self.composer.flush_draft()
        super().hideEvent(event)
