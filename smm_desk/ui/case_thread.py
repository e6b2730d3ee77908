"""The open case's thread: messages, replies, the outbox and the case's history.

Messages in network-time order — the customer's on the left, the company's on
the right and labelled as ours — with their local time; replies with who wrote
them, when they were composed and when delivered; replies still in the outbox at
the end, with their state; and, between the messages, what happened to the case,
worded by :mod:`smm_desk.ui.event_text`. Shown by :mod:`smm_desk.ui.case_view`.

Safety: a read-only ``QTextBrowser`` whose document is built with
``QTextCursor.insertText`` only — no HTML is ever parsed, so customer text is
shown literally, and ``loadResource`` refuses every resource, so nothing remote
is ever fetched. Customer text goes through ``ui.plain_text`` (control
characters dropped, bidi controls isolated). Only http/https addresses become
links; a link opens only when clicked, and the click handler checks the scheme
again before handing it to the desktop. Its words use the translation context
"CaseView", as they did when this lived there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QPalette,
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
    QTextBrowser,
    QWidget,
)

from smm_desk.domain.views import CaseDetail, EventView, MessageView, ReplyView
from smm_desk.ui.event_text import describe_event, handoff_failed_text, kind_name
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, translate
from smm_desk.ui.plain_text import display_text, find_links, is_openable, isolate, local_time

__all__ = ["PENDING_STATES", "ThreadView"]

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
