"""The status bar's count of the cases the queue shows: "12 open cases",
"3 cases in Billing", "2 cases in Open matching “refund”" (its strings keep
the ``MainWindow`` translation context)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from smm_desk.ui.i18n import plural, translate


class QueueCountLabel(QLabel):
    """Plain-text label with the number of cases in the current view and search."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setContentsMargins(8, 0, 8, 0)

    def show_count(self, count: int, view: str, search: str,
                   view_label: Callable[[str], str]) -> None:
        """Say how many cases ``view`` (narrowed by ``search``) holds;
        ``view_label`` names a view key as the sidebar shows it."""
        if view == "open" and not search:
            text = (translate("MainWindow", "No open cases") if count == 0 else
                    plural(translate("MainWindow", "%n open case(s)", None, count), count))
        elif search:
            text = plural(translate("MainWindow", "%n case(s) in {view} matching “{search}”",
                                    None, count), count)
            text = text.format(view=view_label(view), search=search)
        else:
            text = plural(translate("MainWindow", "%n case(s) in {view}", None, count), count)
            text = text.format(view=view_label(view))
        self.setText(text)
