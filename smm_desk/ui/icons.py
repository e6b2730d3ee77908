"""The app's icons, drawn from vectors at every size: crisp at any screen scale.

The mark (a speech bubble holding a clock: messages, answered in time) is an
SVG rendered with QtSvg (part of PySide6-Essentials); the tray's badge — the
number of cases breaching soon — is painted on top with QPainter at each size,
so its digits are sharp too. Each :class:`QIcon` carries renderings from 16 to
256 pixels, and Qt picks the one matching the requested size times the
screen's device pixel ratio (a 32-pixel tray slot at 200 % gets the 64-pixel
rendering, not a blurred 32). Below ``BADGE_DIGITS_FROM`` pixels the badge is
a plain dot: digits that small cannot be read.

``APP_SVG`` is the source for the installers' icon files as well.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

#: Renderings in every icon (pixels, square).
SIZES = (16, 20, 22, 24, 32, 40, 48, 64, 96, 128, 256)
BADGE_DIGITS_FROM = 24
BADGE_COLOR = "#d93025"

APP_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#3f7fef"/>
      <stop offset="1" stop-color="#2456c4"/>
    </linearGradient>
  </defs>
  <rect x="2" y="2" width="60" height="60" rx="14" fill="url(#bg)"/>
  <path d="M19 12 H45 A7 7 0 0 1 52 19 V35 A7 7 0 0 1 45 42 H30 L20 51 V42 H19
           A7 7 0 0 1 12 35 V19 A7 7 0 0 1 19 12 Z" fill="#ffffff"/>
  <circle cx="32" cy="27" r="9" fill="none" stroke="#2a62c9" stroke-width="3.2"/>
  <path d="M32 21.5 V27 L36 29.5" fill="none" stroke="#2a62c9" stroke-width="3.2"
        stroke-linecap="round" stroke-linejoin="round"/>
</svg>
"""


@lru_cache(maxsize=1)
def _renderer() -> QSvgRenderer:
    renderer = QSvgRenderer(QByteArray(APP_SVG.encode()))
    if not renderer.isValid():  # a broken edit of APP_SVG: fail loudly in the tests
        raise ValueError("APP_SVG is not valid SVG")
    return renderer


def render_mark(size: int, badge: int = 0) -> QImage:
    """The mark at ``size`` × ``size`` pixels, with a badge when ``badge`` > 0."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _renderer().render(painter, QRectF(0, 0, size, size))
        if badge > 0:
            _paint_badge(painter, size, badge)
    finally:
        painter.end()
    return image


def _paint_badge(painter: QPainter, size: int, count: int) -> None:
    digits = size >= BADGE_DIGITS_FROM
    diameter = size * (0.56 if digits else 0.44)
    rect = QRectF(size - diameter, 0, diameter, diameter)
    ring = max(1.0, size / 32)  # a thin ring keeps the badge apart from the mark
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("#ffffff"))
    painter.drawEllipse(rect)
    painter.setBrush(QColor(BADGE_COLOR))
    painter.drawEllipse(rect.adjusted(ring, ring, -ring, -ring))
    if not digits:
        return
    text = str(count) if count < 100 else "99+"
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(6, round(diameter * (0.58 if len(text) == 1 else
                                               0.48 if len(text) == 2 else 0.36))))
    painter.setFont(font)
    painter.setPen(QColor("#ffffff"))
    painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), text)


def _icon(badge: int) -> QIcon:
    icon = QIcon()
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(render_mark(size, badge)))
    return icon


def app_icon() -> QIcon:
    """The window and application icon."""
    return _icon(0)


def tray_icon(count: int) -> QIcon:
    """The tray icon: the mark, badged with ``count`` cases breaching soon."""
    return _icon(max(0, count))
