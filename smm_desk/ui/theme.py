"""Light and dark: the app's look follows the system's colour scheme.

* **Style**: Fusion everywhere, with a light or a dark :class:`QPalette` of our
  own, so the app looks the same on Windows, macOS, every Linux desktop and the
  offscreen platform the tests and screenshots use — native styles ignore or
  half-apply custom palettes.
* **Which scheme**: ``SMM_DESK_THEME=light|dark|system`` (tests, screenshots)
  wins; else the ``appearance/theme`` setting; else ``system``, which asks
  ``QStyleHints.colorScheme()`` (Qt 6.5+; "unknown", e.g. offscreen, counts as
  light) and follows its ``colorSchemeChanged`` signal while the app runs.
* **Readable**: every pair of text and background colours the queue paints —
  body text, muted text, selection, the SLA chips (ok, warning, breached,
  paused) and urgent priorities (``smm_desk.ui.queue_model``) — has a WCAG 2.x
  contrast ratio of at least 4.5:1 in both palettes (:func:`contrast_ratio`;
  ``tests/ui/test_theme.py`` checks every pair).
* **On a change**: the palette is applied to the application, widgets with a
  style sheet are re-polished (a ``palette(…)`` reference in a style sheet is
  resolved when it is set), and :attr:`Theme.changed` tells the window to
  re-read its cached row colours.

``QGuiApplication.setHighDpiScaleFactorRoundingPolicy`` (PassThrough: 150 %
stays 150 %, no blurry rounding) must be set before the application exists:
:func:`prepare_high_dpi` does it, and the composition root calls it first.
"""

from __future__ import annotations

import os
from typing import Literal

from PySide6.QtCore import QCoreApplication, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Scheme = Literal["light", "dark"]
MODES = ("system", "light", "dark")
ENV = "SMM_DESK_THEME"
SETTING = "appearance/theme"

_Role = QPalette.ColorRole
_Group = QPalette.ColorGroup

#: role -> colour, for the active and inactive groups.
_LIGHT: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#f3f4f6",
    _Role.WindowText: "#1d2125",
    _Role.Base: "#ffffff",
    _Role.AlternateBase: "#f4f6f8",
    _Role.Text: "#1d2125",
    _Role.PlaceholderText: "#5f6670",
    _Role.Button: "#f7f8fa",
    _Role.ButtonText: "#1d2125",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#2a62c9",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#1f5bc4",
    _Role.LinkVisited: "#6a3fb5",
    _Role.ToolTipBase: "#ffffff",
    _Role.ToolTipText: "#1d2125",
    _Role.Light: "#ffffff",
    _Role.Midlight: "#e8eaee",
    _Role.Mid: "#c3c8cf",
    _Role.Dark: "#9aa1ab",
    _Role.Shadow: "#5c636d",
}
_DARK: dict[QPalette.ColorRole, str] = {
    _Role.Window: "#1e2125",
    _Role.WindowText: "#e4e7eb",
    _Role.Base: "#262a2f",
    _Role.AlternateBase: "#2a2e34",
    _Role.Text: "#e4e7eb",
    _Role.PlaceholderText: "#9aa2ad",
    _Role.Button: "#30353b",
    _Role.ButtonText: "#e4e7eb",
    _Role.BrightText: "#ffffff",
    _Role.Highlight: "#2f5fb3",
    _Role.HighlightedText: "#ffffff",
    _Role.Link: "#8ab4ff",
    _Role.LinkVisited: "#c2a4f5",
    _Role.ToolTipBase: "#2b2f35",
    _Role.ToolTipText: "#e4e7eb",
    _Role.Light: "#41474f",
    _Role.Midlight: "#363b42",
    _Role.Mid: "#4a5058",
    _Role.Dark: "#141619",
    _Role.Shadow: "#000000",
}
#: Disabled text: visibly off, not meant to be read at length (WCAG exempts it).
_DISABLED = {"light": "#9aa1ab", "dark": "#6c727b"}
_ACCENT = {"light": "#2a62c9", "dark": "#5b8def"}


def palette(scheme: Scheme) -> QPalette:
    """The full palette of ``scheme`` (all three colour groups)."""
    table = _DARK if scheme == "dark" else _LIGHT
    result = QPalette()
    for role, value in table.items():
        color = QColor(value)
        for group in (_Group.Active, _Group.Inactive, _Group.Disabled):
            result.setColor(group, role, color)
    disabled = QColor(_DISABLED[scheme])
    for role in (_Role.WindowText, _Role.Text, _Role.ButtonText, _Role.PlaceholderText,
                 _Role.HighlightedText):
        result.setColor(_Group.Disabled, role, disabled)
    result.setColor(_Group.Disabled, _Role.Highlight, QColor(table[_Role.Mid]))
    if hasattr(_Role, "Accent"):  # Qt 6.6+
        for group in (_Group.Active, _Group.Inactive, _Group.Disabled):
            result.setColor(group, _Role.Accent, QColor(_ACCENT[scheme]))
    return result


def is_dark(pal: QPalette | None = None) -> bool:
    """Whether ``pal`` (default: the application's) is a dark palette."""
    pal = pal if pal is not None else QGuiApplication.palette()
    return pal.color(_Role.Base).lightness() < 128


# -- WCAG contrast -------------------------------------------------------------------------


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(color: QColor) -> float:
    """WCAG 2.x relative luminance of an opaque sRGB colour."""
    return (0.2126 * _channel(color.redF()) + 0.7152 * _channel(color.greenF())
            + 0.0722 * _channel(color.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2.x contrast ratio, 1.0 … 21.0 (4.5 is the floor for body text)."""
    high, low = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# -- which scheme ----------------------------------------------------------------------------


def requested_mode(settings: QSettings | None = None) -> str:
    """``system``, ``light`` or ``dark``: the environment, else the setting."""
    for value in (os.environ.get(ENV), settings.value(SETTING) if settings else None):
        if isinstance(value, str) and value.strip().lower() in MODES:
            return value.strip().lower()
    return "system"


def system_scheme() -> Scheme:
    """The platform's colour scheme (unknown counts as light)."""
    app = QGuiApplication.instance()
    if not isinstance(app, QGuiApplication):
        return "light"
    return scheme_of(QGuiApplication.styleHints().colorScheme())


def scheme_of(scheme: Qt.ColorScheme) -> Scheme:
    """Qt's colour scheme as ours (unknown counts as light)."""
    return "dark" if scheme == Qt.ColorScheme.Dark else "light"


def prepare_high_dpi() -> None:
    """Before the QApplication exists: exact fractional scaling (no rounding)."""
    if QCoreApplication.instance() is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)


class Theme(QObject):
    """Applies the palette of the current scheme and follows the system's.

    ``changed(scheme)`` after the palette changed ("light" or "dark")."""

    changed = Signal(str)

    def __init__(self, app: QApplication, mode: str = "system",
                 parent: QObject | None = None) -> None:
        super().__init__(parent or app)
        self._app = app
        self._mode = mode if mode in MODES else "system"
        self._scheme: Scheme | None = None
        QGuiApplication.styleHints().colorSchemeChanged.connect(self._on_system_scheme)
        app.setStyle("Fusion")
        self.apply()

    @property
    def mode(self) -> str:
        return self._mode

    def scheme(self) -> Scheme:
        """The scheme shown now."""
        return self._scheme or "light"

    def set_mode(self, mode: str) -> None:
        """``system``, ``light`` or ``dark`` (anything else: system)."""
        self._mode = mode if mode in MODES else "system"
        self.apply()

    def wanted(self) -> Scheme:
        if self._mode == "light":
            return "light"
        if self._mode == "dark":
            return "dark"
        return system_scheme()

    def apply(self, scheme: Scheme | None = None) -> None:
        """Show ``scheme`` (default: what the mode says); a no-op if already shown."""
        scheme = scheme or self.wanted()
        if scheme == self._scheme:
            return
        first = self._scheme is None
        self._scheme = scheme
        self._app.setPalette(palette(scheme))
        if not first:
            self._repolish()
        self.changed.emit(scheme)

    def _on_system_scheme(self, scheme: Qt.ColorScheme) -> None:
        if self._mode == "system":
            self.apply(scheme_of(scheme))

    def _repolish(self) -> None:
        # A style sheet's palette(…) is looked up when the sheet is set: set it again.
        for widget in self._app.allWidgets():
            sheet = widget.styleSheet()
            if sheet:
                widget.setStyleSheet(sheet)


def install(app: QApplication, settings: QSettings | None = None) -> Theme:
    """Fusion with the scheme ``SMM_DESK_THEME`` / the setting / the system asks for."""
    existing = app.findChild(Theme)
    if isinstance(existing, Theme):
        existing.set_mode(requested_mode(settings))
        return existing
    return Theme(app, requested_mode(settings))


def current() -> Theme | None:
    """The application's theme, if :func:`install` made one."""
    app = QApplication.instance()
    found = app.findChild(Theme) if app is not None else None
    return found if isinstance(found, Theme) else None
