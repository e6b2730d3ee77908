"""The app's icons, drawn from vectors at every size: crisp at any screen scale.

The mark (a speech bubble holding a clock: messages, answered in time) is an
SVG rendered with QtSvg (part of PySide6-Essentials); the tray's badge — the
number of cases breaching soon — is painted on top with QPainter at each size,
so its digits are sharp too. Each :class:`QIcon` carries renderings from 16 to
256 pixels, and Qt picks the one matching the requested size times the
screen's device pixel ratio (a 32-pixel tray slot at 200 % gets the 64-pixel
rendering, not a blurred 32). Below ``BADGE_DIGITS_FROM`` pixels the badge is
a plain dot: digits that small cannot be read.

``APP_SVG`` is the source for the installers' icon files as well, made at
build time (``packaging/build.py`` runs ``python -m smm_desk.ui.icons FOLDER``;
nothing binary is committed):

* ``smm-desk.ico`` (Windows): an ICONDIR header and one 16-byte entry per size,
  each image a PNG — valid in ICO files since Windows Vista and the norm for
  256 px; written here rather than with Qt's ``ico`` plugin, which writes one
  image per file.
* ``smm-desk.icns`` (macOS): ``"icns"`` and the file's length, then typed chunks
  (type, length with its 8-byte header, PNG data): ``ic11``–``ic14`` and
  ``ic07``–``ic10``, 16@2x up to 512@2x (1024 px). ICO numbers are
  little-endian, ICNS numbers big-endian.
"""

from __future__ import annotations

import os
import struct
import sys
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QImage, QPainter, QPixmap
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


# -- the installers' icon files --------------------------------------------------------------

#: Sizes in the Windows .ico (Explorer, taskbar, Start at 100–200 %).
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
#: The PNG chunks of the macOS .icns: type -> pixels.
ICNS_TYPES = (("ic11", 32), ("ic12", 64), ("ic07", 128), ("ic13", 256), ("ic08", 256),
              ("ic14", 512), ("ic09", 512), ("ic10", 1024))
ICON_NAME = "smm-desk"


def png_bytes(size: int) -> bytes:
    """The mark at ``size`` pixels as a PNG file's bytes."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image = render_mark(size).convertToFormat(QImage.Format.Format_ARGB32)
    if not image.save(buffer, "PNG"):  # type: ignore[call-overload]  # str at run time
        raise OSError("Qt could not encode a PNG")
    buffer.close()
    return bytes(data.data())


def ico_bytes(sizes: tuple[int, ...] = ICO_SIZES) -> bytes:
    """A Windows .ico with one PNG image per size (at most 256)."""
    images = [png_bytes(size) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(images)
    entries = b""
    for size, image in zip(sizes, images, strict=True):
        if not 0 < size <= 256:
            raise ValueError(f"an .ico image is 1 to 256 pixels, not {size}")
        side = 0 if size == 256 else size  # 0 means 256
        # width, height, colours (0: no palette), reserved, planes, bits, bytes, offset
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return header + entries + b"".join(images)


def icns_bytes(types: tuple[tuple[str, int], ...] = ICNS_TYPES) -> bytes:
    """A macOS .icns made of PNG chunks."""
    rendered: dict[int, bytes] = {}
    chunks = b""
    for kind, size in types:
        image = rendered.setdefault(size, png_bytes(size))
        chunks += kind.encode("ascii") + struct.pack(">I", 8 + len(image)) + image
    return b"icns" + struct.pack(">I", 8 + len(chunks)) + chunks


def write_installer_icons(folder: Path) -> list[Path]:
    """Write ``smm-desk.ico`` and ``smm-desk.icns`` into ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, data in ((".ico", ico_bytes()), (".icns", icns_bytes())):
        path = folder / f"{ICON_NAME}{suffix}"
        path.write_bytes(data)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m smm_desk.ui.icons FOLDER``: write the installers' icon files."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m smm_desk.ui.icons FOLDER", file=sys.stderr)
        return 2
    if sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a build machine needs no display
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    for path in write_installer_icons(Path(args[0])):
        print(path)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
