"""Keyboard-first triage: one key per action, on the whole selection.

The window that hosts the queue implements :class:`TriageHost` (moving the
selection, focusing the search box, the queue or the composer);
:class:`TriageController` owns the shortcuts and turns each into a call on the
host or a triage action through the queue service. Route, assign, resolve and
spam act on every selected case; each case gets its own event in its log.

Bindings are the user's: :class:`ShortcutBindings` keeps them in QSettings
under ``shortcuts/<action>`` (a missing key means the default), refuses a key
already bound to another action with a message that says which, and announces
changes so the installed shortcuts follow at once.

Shortcuts never fire while the user types: they live on the host widget with
``WidgetWithChildrenShortcut``, text fields claim printable keys first through
Qt's ShortcutOverride, and :meth:`TriageController.trigger` also ignores every
action but "back to the queue" while a text field has focus (so a rebinding to
Ctrl+E cannot resolve a case from inside the composer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QKeySequenceEdit,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from smm_desk.services.queue import QueueService
from smm_desk.ui.help_overlay import HelpOverlay
from smm_desk.ui.i18n import QT_TRANSLATE_NOOP, plural, translate

SETTINGS_GROUP = "shortcuts"


@dataclass(frozen=True)
class Action:
    """One triage action: ``name`` is its settings key, ``label`` what a person reads."""

    name: str
    label: str
    default: str  # QKeySequence portable text


ACTIONS: tuple[Action, ...] = (
    Action("next", QT_TRANSLATE_NOOP("Triage", "Next case"), "J"),
    Action("previous", QT_TRANSLATE_NOOP("Triage", "Previous case"), "K"),
    Action("reply", QT_TRANSLATE_NOOP("Triage", "Reply"), "R"),
    Action("resolve", QT_TRANSLATE_NOOP("Triage", "Resolve and open the next"), "E"),
    *(Action(f"route_{n}", f"Route to department {n}", str(n)) for n in range(1, 10)),
    Action("assign", QT_TRANSLATE_NOOP("Triage", "Assign to me"), "A"),
    Action("spam", QT_TRANSLATE_NOOP("Triage", "Mark as spam"), "S"),
    Action("search", QT_TRANSLATE_NOOP("Triage", "Search"), "/"),
    Action("back", QT_TRANSLATE_NOOP("Triage", "Back to the queue"), "Esc"),
    Action("help", QT_TRANSLATE_NOOP("Triage", "Show keyboard shortcuts"), "?"),
)
ACTION_BY_NAME: dict[str, Action] = {a.name: a for a in ACTIONS}


def action_label(action: Action) -> str:
    """What a person reads for ``action``, in the desk's language."""
    if action.name.startswith("route_"):
        return translate("Triage", "Route to department {n}").format(
            n=action.name.removeprefix("route_"))
    return translate("Triage", action.label)


@runtime_checkable
class TriageHost(Protocol):
    """What the controller needs from the window that shows the queue."""

    def select_next(self) -> None: ...

    def select_previous(self) -> None: ...

    def selected_case_ids(self) -> list[int]:
        """The selected cases, in queue order."""
        ...

    def current_case_id(self) -> int | None: ...

    def open_next_after(self, case_id: int) -> None:
        """Select and open the case after ``case_id``. Called just *before* that
        case (and the rest of the selection) is resolved or marked as spam, while
        it is still in the queue; the queue's refresh then keeps the selection
        on the case opened."""
        ...

    def focus_search(self) -> None: ...

    def focus_queue(self) -> None: ...

    def focus_composer(self) -> None: ...

    def departments(self) -> list[str]:
        """Department names in 1–9 order (the key ``3`` routes to the third)."""
        ...


class BindingConflict(ValueError):
    """A key is already bound to another action; the message says which."""


def _portable(sequence: QKeySequence | str) -> str:
    if isinstance(sequence, str):
        sequence = QKeySequence(sequence)
    return sequence.toString(QKeySequence.SequenceFormat.PortableText)


def native_text(sequence: QKeySequence | str) -> str:
    """A key sequence as the user's platform writes it (⌘ on macOS)."""
    if isinstance(sequence, str):
        sequence = QKeySequence(sequence)
    return sequence.toString(QKeySequence.SequenceFormat.NativeText)


class ShortcutBindings(QObject):
    """The key bound to each action, persisted in QSettings. ``changed`` fires
    after any binding changed."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings

    def sequence(self, action: str) -> QKeySequence:
        spec = ACTION_BY_NAME[action]
        stored = self._settings.value(f"{SETTINGS_GROUP}/{action}", None)
        return QKeySequence(spec.default if stored is None else str(stored))

    def all(self) -> dict[str, QKeySequence]:
        return {a.name: self.sequence(a.name) for a in ACTIONS}

    def bound_to(self, sequence: QKeySequence | str, *, other_than: str = "") -> str | None:
        """The action ``sequence`` is bound to (ignoring ``other_than``), if any."""
        wanted = _portable(sequence)
        if not wanted:
            return None
        for name, current in self.all().items():
            if name != other_than and _portable(current) == wanted:
                return name
        return None

    def set(self, action: str, sequence: QKeySequence | str) -> None:
        """Bind ``action`` to ``sequence`` (empty: unbound), or raise
        :class:`BindingConflict` if another action has that key."""
        if action not in ACTION_BY_NAME:
            raise KeyError(action)
        text = _portable(sequence)
        other = self.bound_to(text, other_than=action)
        if other is not None:
            raise BindingConflict(
                translate("Triage", "{key} is already bound to “{action}”. Choose another "
                          "key, or rebind that action first.")
                .format(key=native_text(text), action=action_label(ACTION_BY_NAME[other]))
            )
        if text == _portable(ACTION_BY_NAME[action].default):
            self._settings.remove(f"{SETTINGS_GROUP}/{action}")
        else:
            self._settings.setValue(f"{SETTINGS_GROUP}/{action}", text)
        self._settings.sync()
        self.changed.emit()

    def reset(self) -> None:
        """Every action back to its default key."""
        self._settings.remove(SETTINGS_GROUP)
        self._settings.sync()
        self.changed.emit()


def _typing_into(widget: QWidget | None) -> bool:
    if widget is None:
        return False
    if isinstance(widget, QLineEdit | QAbstractSpinBox | QKeySequenceEdit):
        return True
    if isinstance(widget, QTextEdit | QPlainTextEdit):
        return not widget.isReadOnly()
    return isinstance(widget, QComboBox) and widget.isEditable()


class TriageController(QObject):
    """Installs the triage shortcuts on a widget and carries them out.

    ``message`` carries a one-line outcome or error ("Routed 3 cases to
    Billing") for the host's status bar.
    """

    message = Signal(str)

    def __init__(self, window: TriageHost, queue_service: QueueService, agent_name: str,
                 *, settings: QSettings | None = None,
                 bindings: ShortcutBindings | None = None) -> None:
        super().__init__(window if isinstance(window, QObject) else None)
        self._host = window
        self._service = queue_service
        self._agent = agent_name
        self.bindings = bindings or ShortcutBindings(settings or QSettings(), self)
        self.bindings.changed.connect(self._apply_bindings)
        self._shortcuts: dict[str, QShortcut] = {}
        self._widget: QWidget | None = None
        self._overlay: HelpOverlay | None = None

    # -- installing ------------------------------------------------------------------
    def install(self, widget: QWidget) -> None:
        """Put one shortcut per action on ``widget`` (for it and its children)."""
        self._widget = widget
        for action in ACTIONS:
            shortcut = QShortcut(widget)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setAutoRepeat(action.name in ("next", "previous"))
            shortcut.activated.connect(lambda name=action.name: self.trigger(name))
            self._shortcuts[action.name] = shortcut
        self._apply_bindings()

    def shortcut(self, action: str) -> QShortcut:
        return self._shortcuts[action]

    def _apply_bindings(self) -> None:
        for name, sequence in self.bindings.all().items():
            if name in self._shortcuts:
                self._shortcuts[name].setKey(sequence)
        if self._overlay is not None:
            self._overlay.set_rows(self.binding_rows())

    # -- the ? overlay ---------------------------------------------------------------
    def binding_rows(self) -> list[tuple[str, str]]:
        """(key, action name) for every action, route actions named after their
        department where there is one."""
        departments = self._departments()
        rows = []
        for action in ACTIONS:
            label = action_label(action)
            if action.name.startswith("route_"):
                n = int(action.name.removeprefix("route_"))
                if n <= len(departments):
                    label = translate("Triage", "Route to {department}").format(
                        department=departments[n - 1])
            rows.append((native_text(self.bindings.sequence(action.name)) or "—", label))
        return rows

    def help_overlay(self, parent: QWidget) -> QWidget:
        """The overlay listing every binding, laid over ``parent`` (not shown yet)."""
        return HelpOverlay(self.binding_rows(), parent)

    def overlay(self) -> HelpOverlay | None:
        """The overlay ``?`` opened, while it is open."""
        return self._overlay if self._overlay is not None and self._overlay.isVisible() else None

    def toggle_help(self) -> None:
        if self.overlay() is not None:
            self._close_overlay()
            return
        if self._widget is None:
            return
        if self._overlay is None:
            self._overlay = HelpOverlay(self.binding_rows(), self._widget)
            self._overlay.closed.connect(self._host.focus_queue)
        else:
            self._overlay.set_rows(self.binding_rows())
        self._overlay.open()

    def _close_overlay(self) -> None:
        if self._overlay is not None:
            self._overlay.close()

    # -- carrying out ----------------------------------------------------------------
    def trigger(self, action: str) -> None:
        """Carry out ``action`` as if its key was pressed."""
        if action not in ACTION_BY_NAME:
            raise KeyError(action)
        if action in ("help", "back") and self.overlay() is not None:
            self._close_overlay()
            return
        if action == "help":
            if not _typing_into(QApplication.focusWidget()):
                self.toggle_help()
            return
        if action == "back":
            self._host.focus_queue()
            return
        if _typing_into(QApplication.focusWidget()):
            return  # the user is typing: keys are text, not commands
        if action == "next":
            self._host.select_next()
        elif action == "previous":
            self._host.select_previous()
        elif action == "reply":
            if self._host.current_case_id() is not None:
                self._host.focus_composer()
        elif action == "search":
            self._host.focus_search()
        elif action.startswith("route_"):
            self.route_selection(int(action.removeprefix("route_")))
        elif action == "assign":
            self._bulk("assign", self._selection())
        elif action in ("resolve", "spam"):
            self._finish(action, self._selection())

    def _selection(self) -> list[int]:
        ids = list(self._host.selected_case_ids())
        if not ids:
            current = self._host.current_case_id()
            ids = [] if current is None else [current]
        if not ids:
            self.message.emit(translate("Triage", "No case selected"))
        return ids

    def _departments(self) -> list[str]:
        try:
            return list(self._host.departments())[:9]
        except Exception:  # the overlay must open even if the host cannot list them
            return []

    def route_selection(self, number: int) -> None:
        """Route the selection to department ``number`` (1-based)."""
        departments = self._departments()
        if not 1 <= number <= len(departments):
            self.message.emit(plural(translate(
                "Triage", "No department {number}: there (is|are) %n", None, len(departments)),
                len(departments)).format(number=number))
            return
        ids = self._selection()
        if ids:
            self._bulk("route", ids, departments[number - 1])

    def _finish(self, action: str, ids: Sequence[int]) -> None:
        """Resolve or spam ``ids`` and move on to the case after them."""
        if not ids:
            return
        self._host.open_next_after(ids[-1])
        self._bulk(action, ids)

    def _bulk(self, action: str, ids: Sequence[int], department: str = "") -> None:
        if not ids:
            return
        service, actor = self._service, self._agent
        many = getattr(service, f"{action}_many", None)
        try:
            if action == "route":
                if many is not None:
                    many(ids, department, actor)
                else:
                    for case_id in ids:
                        service.route(case_id, department, actor)
            elif action == "assign":
                if many is not None:
                    many(ids, actor, actor)
                else:
                    for case_id in ids:
                        service.assign(case_id, actor, actor)
            elif action == "resolve":
                if many is not None:
                    many(ids, actor)
                else:
                    for case_id in ids:
                        service.resolve(case_id, actor)
            elif action == "spam":
                if many is not None:
                    many(ids, actor)
                else:
                    for case_id in ids:
                        service.mark_spam(case_id, actor)
        except Exception as exc:  # a store error becomes one line for the user
            self.message.emit(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            return
        self.message.emit(_done_text(action, len(ids), department, actor))


def _done_text(action: str, count: int, department: str, agent: str) -> str:
    texts = {
        "route": translate("Triage", "Routed %n case(s) to {department}", None, count),
        "assign": translate("Triage", "Assigned %n case(s) to {agent}", None, count),
        "resolve": translate("Triage", "Resolved %n case(s)", None, count),
        "spam": translate("Triage", "Marked %n case(s) as spam", None, count),
    }
    return plural(texts[action], count).format(department=department, agent=agent)
