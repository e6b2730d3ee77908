"""The open case: a header, the thread with its history, and the composer.

* **Header**: customer, network, account, kind (and the post a comment is on),
  then status, department, assignee, and the SLA clock with the time left —
  the same text and colours as the queue's SLA column, ticking once a second.
* **Thread**: messages in network-time order — the customer's on the left,
  the company's on the right and labelled as ours — with their local time;
  replies with who wrote them, when they were composed and when delivered;
  replies still in the outbox at the end, with their state; and, between the
  messages, what happened to the case (routed by which rule or person,
  assigned, status changes, failed sends and handoffs, SLA warnings and
  breaches of the response, resolution and department clocks), worded by
  :mod:`smm_desk.ui.event_text`.
* **Live**: while a case is shown, a 1 Hz timer asks the service for the
  case's stamp (a few indexed look-ups); only when it changed is the case read
  again and the thread rebuilt, keeping the reader's scroll position.

Safety: the thread is a read-only ``QTextBrowser`` whose document is built
with ``QTextCursor.insertText`` only — no HTML is ever parsed, so customer text
is shown literally, and ``loadResource`` refuses every resource, so nothing
remote is ever fetched. Customer text goes through ``ui.plain_text`` (control
characters dropped, bidi controls isolated). Only http/https addresses become
links; a link opens only when clicked, and the click handler checks the scheme
again before handing it to the desktop.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QHideEvent,
    QPalette,
    QShowEvent,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFormat,
    QTextFrameFormat,
    QTextLength,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from smm_desk.domain.views import CaseDetail, EventView, MessageView, ReplyView
from smm_desk.domain.views import CaseView as CaseSummary
from smm_desk.services.case import CaseActionError, CaseService, CaseStamp
from smm_desk.ui.composer import Composer, plain_label
from smm_desk.ui.event_text import describe_event, handoff_failed_text, kind_name, status_name
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, network_name, translate
from smm_desk.ui.plain_text import display_text, find_links, is_openable, isolate, local_time
from smm_desk.ui.queue_model import NETWORK_NAMES, priority_name, sla_cell, sla_colors

POLL_MS = 1000

__all__ = ["CaseHeader", "CaseView", "ThreadView", "describe_event", "kind_name"]

# English names (translated where shown, context "CaseView").
PENDING_STATES = {"queued": QT_TRANSLATE_NOOP("CaseView", "Queued · waiting in the outbox"),
                  "sending": QT_TRANSLATE_NOOP("CaseView", "Sending…"),
                  "failed": QT_TRANSLATE_NOOP("CaseView", "Failed"),
                  "uncertain": QT_TRANSLATE_NOOP("CaseView",
                                                 "Uncertain · check before resending")}


# -- the thread ---------------------------------------------------------------------------


def _handoff_departments(detail: CaseDetail) -> dict[str, str]:
    """Handoff id -> department, from the events that name it (sent, failed, alerts)."""
    found: dict[str, str] = {}
    for event in detail.events:
        handoff_id = event.data.get("reply_id") or event.data.get("handoff_id")
        department = event.data.get("department")
        if event.kind.startswith(("handoff_", "department_")) and handoff_id and department:
            found[str(handoff_id)] = str(department)
    return found



@dataclass(frozen=True)
class _Colors:
    inbound: QColor
    outbound: QColor
    pending_border: QColor
    muted: QColor
    link: QColor
    error: QColor


def _colors(palette: QPalette) -> _Colors:
    dark = palette.color(QPalette.ColorRole.Base).lightness() < 128
    return _Colors(
        inbound=QColor("#2a2f37" if dark else "#f0f2f5"),
        outbound=QColor("#1d3350" if dark else "#e2efff"),
        pending_border=QColor("#5b7aa6" if dark else "#8fb3e6"),
        muted=palette.color(QPalette.ColorRole.PlaceholderText),
        link=palette.color(QPalette.ColorRole.Link),
        error=QColor("#f4a39c" if dark else "#a8231c"),
    )


class ThreadView(QTextBrowser):
    """The case's thread as a read-only document (see the module doc)."""

    #: Side margin that pushes a message to the left or the right, in pixels.
    INDENT = 56

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setUndoRedoEnabled(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.document().setDocumentMargin(12)
        self.anchorClicked.connect(self.open_link)
        #: Follow the end of the thread (new messages) until the reader scrolls up.
        self._pinned = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)
        #: Hands a checked link to the desktop; tests replace it.
        self.open_url: Callable[[QUrl], object] = QDesktopServices.openUrl

    def loadResource(self, type: int, name: QUrl | str) -> Any:  # noqa: A002 - Qt
        return None  # no images, style sheets or anything else, local or remote

    def open_link(self, url: QUrl) -> bool:
        """Open ``url`` in the browser if it is http(s); anything else does nothing."""
        text = url.toString()
        if url.scheme().lower() not in ("http", "https") or not url.host() or not is_openable(text):
            return False
        self.open_url(url)
        return True

    # -- building the document ----------------------------------------------------------
    def show_thread(self, detail: CaseDetail, now: datetime) -> None:
        pinned, previous = self._pinned, self.verticalScrollBar().value()
        doc = QTextDocument(self)
        doc.setDocumentMargin(12)
        doc.setDefaultFont(self.font())
        doc.setUndoRedoEnabled(False)
        colors = _colors(self.palette())
        cursor = QTextCursor(doc)
        sent_by_external = {r.external_id: r for r in detail.replies
                            if r.state == "sent" and r.external_id}
        handoffs = {r.id for r in detail.replies if r.kind == "handoff"}
        departments = _handoff_departments(detail)
        timeline: list[tuple[datetime, int, int, MessageView | EventView]] = []
        for i, message in enumerate(detail.messages):
            timeline.append((message.created_at, 0, i, message))
        for i, event in enumerate(detail.events):
            timeline.append((event.at, 1, i, event))
        timeline.sort(key=lambda item: item[:3])
        first = True
        for _at, _order, _i, item in timeline:
            if isinstance(item, MessageView):
                self._message(cursor, doc, item, sent_by_external.get(item.external_id),
                              now, colors, first)
                first = False
            else:
                line = describe_event(item, now, handoffs, departments)
                if line is not None:
                    self._event(cursor, doc, f"{local_time(item.at, now)} · {line}", colors,
                                first)
                    first = False
        for reply in detail.replies:
            if reply.state != "sent":
                self._pending(cursor, doc, reply, now, colors, first,
                              departments.get(reply.id))
                first = False
        if first:
            self._event(cursor, doc, translate("CaseView", "No messages yet"), colors, True)
        self.setDocument(doc)  # the previous document was our child: Qt deletes it
        self._pinned = pinned
        if pinned:
            self.scroll_to_end()
        else:
            self.verticalScrollBar().setValue(previous)

    def scroll_to_end(self) -> None:
        """Show the newest part of the thread, and keep following it."""
        self._pinned = True
        # The text cursor too: QTextEdit scrolls to it when first shown.
        self.moveCursor(QTextCursor.MoveOperation.End)
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _on_range_changed(self, _minimum: int, maximum: int) -> None:
        if self._pinned:
            self.verticalScrollBar().setValue(maximum)

    def _on_scrolled(self, value: int) -> None:
        self._pinned = value >= self.verticalScrollBar().maximum() - 4

    def _frame(self, cursor: QTextCursor, doc: QTextDocument, outbound: bool,
               background: QColor, first: bool, border: QColor | None = None) -> None:
        fmt = QTextFrameFormat()
        fmt.setBackground(background)
        fmt.setPadding(8)
        fmt.setTopMargin(0 if first else 8)
        fmt.setLeftMargin(self.INDENT if outbound else 0)
        fmt.setRightMargin(0 if outbound else self.INDENT)
        fmt.setWidth(QTextLength(QTextLength.Type.PercentageLength, 100))
        if border is not None:
            fmt.setBorder(1)
            fmt.setBorderBrush(border)
            fmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Dashed)
        else:
            fmt.setBorder(0)
        cursor.movePosition(QTextCursor.MoveOperation.End)
        cursor.insertFrame(fmt)

    def _meta_format(self, colors: _Colors) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setForeground(colors.muted)
        return fmt

    def _header(self, cursor: QTextCursor, author: str, parts: list[str],
                colors: _Colors, align_right: bool) -> None:
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignRight if align_right
                           else Qt.AlignmentFlag.AlignLeft)
        block.setBottomMargin(2)
        cursor.setBlockFormat(block)
        bold = QTextCharFormat()
        bold.setFontWeight(QFont.Weight.DemiBold)
        cursor.insertText(author, bold)
        cursor.insertText("  " + " · ".join(parts), self._meta_format(colors))

    def _body(self, cursor: QTextCursor, text: str, colors: _Colors) -> None:
        plain = QTextCharFormat()
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignLeft)
        for line in display_text(text).split("\n"):
            cursor.insertBlock(block, plain)
            self._insert_linked(cursor, line, plain, colors)

    def _insert_linked(self, cursor: QTextCursor, line: str, plain: QTextCharFormat,
                       colors: _Colors) -> None:
        position = 0
        for start, end, address in find_links(line):
            if start > position:
                cursor.insertText(line[position:start], plain)
            # Left-to-right isolate: an override the customer opened earlier on the
            # line cannot show the address reversed (isolates reset overrides).
            cursor.insertText("\u2066", plain)
            cursor.insertText(address, self._link_format(address, colors))
            cursor.insertText("\u2069", plain)
            position = end
        if position < len(line):
            cursor.insertText(line[position:], plain)

    @staticmethod
    def _link_format(address: str, colors: _Colors) -> QTextCharFormat:
        fmt = QTextCharFormat()
        fmt.setAnchor(True)
        fmt.setAnchorHref(address)
        fmt.setForeground(colors.link)
        fmt.setFontUnderline(True)
        fmt.setToolTip(address)
        return fmt

    def _footer(self, cursor: QTextCursor, parts: list[str], colors: _Colors,
                link: tuple[str, str] | None = None, tone: QColor | None = None) -> None:
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignLeft)
        block.setTopMargin(4)
        fmt = self._meta_format(colors)
        if tone is not None:
            fmt.setForeground(tone)
        cursor.insertBlock(block, fmt)
        cursor.insertText(" · ".join(parts), fmt)
        if link is not None:
            label, address = link
            if parts:
                cursor.insertText(" · ", fmt)
            cursor.insertText(label, self._link_format(address, colors))

    def _message(self, cursor: QTextCursor, doc: QTextDocument, message: MessageView,
                 reply: ReplyView | None, now: datetime, colors: _Colors, first: bool) -> None:
        outbound = message.direction == "outbound"
        self._frame(cursor, doc, outbound, colors.outbound if outbound else colors.inbound,
                    first)
        author = isolate(message.author_name or message.author_id
                         or (translate("CaseView", "Us") if outbound
                             else translate("CaseView", "Customer")))
        parts = [translate("CaseView", "our reply") if outbound
                 else translate("CaseView", "customer"),
                 local_time(message.created_at, now)]
        if message.kind in ("comment", "mention", "review"):
            parts.insert(1, kind_name(message.kind).lower())
        self._header(cursor, author, parts, colors, align_right=False)
        self._body(cursor, message.text, colors)
        footer: list[str] = []
        if reply is not None:
            footer.append(translate("CaseView", "by {name}").format(name=isolate(reply.agent))
                          if reply.agent else translate("CaseView", "sent from the desk"))
            footer.append(translate("CaseView", "composed {time}").format(
                time=local_time(reply.composed_at, now)))
            if reply.delivered_at is not None:
                footer.append(translate("CaseView", "delivered {time}").format(
                    time=local_time(reply.delivered_at, now)))
        elif outbound:
            footer.append(translate("CaseView", "answered outside SMM Desk"))
        link = None
        if message.permalink and is_openable(message.permalink):
            link = (translate("CaseView", "open on the network"), message.permalink)
        if footer or link:
            self._footer(cursor, footer, colors, link)

    def _pending(self, cursor: QTextCursor, doc: QTextDocument, reply: ReplyView,
                 now: datetime, colors: _Colors, first: bool,
                 department: str | None = None) -> None:
        self._frame(cursor, doc, True, colors.outbound, first, border=colors.pending_border)
        handoff = reply.kind == "handoff"
        what = (translate("CaseView", "handoff to {department}").format(
                    department=isolate(department) if department
                    else translate("CaseView", "the department"))
                if handoff else translate("CaseView", "our reply"))
        parts = [what, translate("CaseView", "composed {time}").format(
            time=local_time(reply.composed_at, now))]
        self._header(cursor, isolate(reply.agent or translate("CaseView", "Us")), parts, colors,
                     align_right=False)
        self._body(cursor, reply.text, colors)
        state = translate("CaseView", PENDING_STATES[reply.state]) \
            if reply.state in PENDING_STATES \
            else reply.state
        tone = colors.error if reply.state in ("failed", "uncertain") else None
        detail = [state]
        if handoff and reply.state == "failed":
            detail = [handoff_failed_text({"department": department, "error": reply.error})]
        elif reply.error and reply.state in ("failed", "uncertain", "queued"):
            detail.append(display_text(reply.error).replace("\n", " "))
        self._footer(cursor, detail, colors, tone=tone)

    def _event(self, cursor: QTextCursor, doc: QTextDocument, text: str, colors: _Colors,
               first: bool) -> None:
        cursor.movePosition(QTextCursor.MoveOperation.End)
        block = QTextBlockFormat()
        block.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        block.setTopMargin(0 if first else 8)
        fmt = self._meta_format(colors)
        size = self.font().pointSizeF()
        if size > 0:
            fmt.setFontPointSize(max(size - 1, 7))
        if doc.isEmpty():
            cursor.setBlockFormat(block)
            cursor.setBlockCharFormat(fmt)
        else:
            cursor.insertBlock(block, fmt)
        cursor.insertText(text.replace("\n", " "), fmt)

    # -- reading it back (tests, accessibility) -------------------------------------------
    def anchors(self) -> list[tuple[int, str]]:
        """(document position, href) of every link in the thread."""
        found: list[tuple[int, str]] = []
        block = self.document().begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                fragment = it.fragment()
                fmt = fragment.charFormat()
                if fmt.isAnchor() and fmt.property(QTextFormat.Property.AnchorHref):
                    found.append((fragment.position(), fmt.anchorHref()))
                it += 1
            block = block.next()
        return found


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
