"""What the SMM Desk bundle keeps of Qt: the rules ``smm-desk.spec`` applies,
in a plain module so the tests can check them without running PyInstaller.

The Qt modules kept are the ones the code imports (found by scanning
``smm_desk``: today QtCore, QtGui, QtWidgets, QtCharts, QtSvg), plus QtOpenGL and
QtOpenGLWidgets (QtCharts links them) and QtDBus (Qt's Linux platform plugins
link it). Every other PySide6 module is excluded from the analysis, and a Qt
library that no kept file links is dropped after it (plugins filtered out below
had pulled some in), so none of QtQml, QtQuick, QtNetwork, QtPdf, WebEngine,
3D or Multimedia enters the bundle. Of the plugins PyInstaller's Qt hooks collect, only what a
window of ours needs stays: the platform plugin of the desktop (X11 on Linux —
Wayland sessions offer it through XWayland — Windows, Cocoa) plus offscreen and
minimal for headless runs, the common image formats, icon engines, styles,
platform themes and input methods. Qt's own translations (standard buttons and
dialogs) stay for the interface languages only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path, PurePath

#: Languages of the interface (smm_desk/i18n/*.qm).
LANGUAGES = ("en", "ru", "vi")

#: Qt modules kept whatever the code imports: what QtCharts links (QtOpenGL,
#: QtOpenGLWidgets) and what Qt's Linux platform plugins link (QtDBus).
QT_DEPENDENCIES = ("QtOpenGL", "QtOpenGLWidgets", "QtDBus")

_QT_IMPORT = re.compile(
    r"^\s*(?:from\s+PySide6\.(Qt\w+)\s+import|import\s+PySide6\.(Qt\w+)"
    r"|from\s+PySide6\s+import\s+\(?([\w\s,]+)\)?)", re.MULTILINE)

#: Plugin folders kept; every other folder under the Qt plugins directory goes.
PLUGIN_DIRS = frozenset({"platforms", "imageformats", "iconengines", "styles", "platformthemes",
                         "platforminputcontexts", "xcbglintegrations"})
#: Platform plugins kept (file stem without the ``lib`` prefix).
PLATFORMS = frozenset({"qxcb", "qoffscreen", "qminimal", "qwindows", "qcocoa"})
#: Image formats kept: what icons and pasted pictures use (PNG is built into QtGui).
IMAGE_FORMATS = frozenset({"qgif", "qico", "qjpeg", "qsvg", "qicns"})
#: Platform themes kept: the XDG desktop portal (native dialogs, colour scheme), not GTK 3's,
#: which would drag GTK's own libraries (cairo, pango, gdk-pixbuf) into the bundle.
PLATFORM_THEMES = frozenset({"qxdgdesktopportal"})
#: Input methods kept: compose keys and IBus (not Qt's QML virtual keyboard).
INPUT_CONTEXTS = frozenset({"composeplatforminputcontextplugin", "ibusplatforminputcontextplugin"})
#: Qt's own translation catalogues kept (``<catalogue>_<lang>.qm``).
QT_CATALOGUES = frozenset({"qt", "qtbase"})


#: An entry of PyInstaller's TOC: (path in the bundle, source path, type code).
TocEntry = tuple[str, str, str]


def qt_modules_used(package: Path) -> set[str]:
    """The ``Qt*`` modules any ``.py`` file under ``package`` imports from PySide6."""
    used: set[str] = set()
    for path in package.rglob("*.py"):
        for match in _QT_IMPORT.finditer(path.read_text(encoding="utf-8", errors="replace")):
            names = [match[1], match[2], *(match[3] or "").replace(",", " ").split()]
            used.update(n for n in names if n and n.startswith("Qt"))
    return used


def qt_excludes(module_names: Iterable[str], used: Iterable[str]) -> list[str]:
    """``PySide6.<name>`` for every Qt module of the installed PySide6
    (``module_names``) that the app neither imports (``used``) nor needs."""
    keep = set(used) | set(QT_DEPENDENCIES)
    return sorted(f"PySide6.{name}" for name in set(module_names)
                  if name.startswith("Qt") and name not in keep)


def _stem(filename: str) -> str:
    stem = filename.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def qt_file_wanted(dest: str) -> bool:
    """False for a Qt plugin or Qt translation the app does not need; ``dest`` is
    the file's path inside the bundle (``PySide6/Qt/plugins/platforms/libqxcb.so``).
    Files outside PySide6 are always kept."""
    parts = PurePath(dest.replace("\\", "/")).parts
    if "PySide6" not in parts:
        return True
    if "plugins" in parts:
        i = parts.index("plugins")
        if len(parts) - i >= 3:  # plugins/<folder>/<file>
            folder, stem = parts[i + 1], _stem(parts[-1])
            if folder not in PLUGIN_DIRS:
                return False
            if folder == "platforms":
                return stem in PLATFORMS
            if folder == "imageformats":
                return stem in IMAGE_FORMATS
            if folder == "platformthemes":
                return stem in PLATFORM_THEMES
            if folder == "platforminputcontexts":
                return stem in INPUT_CONTEXTS
            return True
    if "translations" in parts and parts[-1].endswith(".qm"):
        catalogue, _, lang = parts[-1][: -len(".qm")].rpartition("_")
        return catalogue in QT_CATALOGUES and lang in LANGUAGES
    return True


def _reach(starts: Iterable[str], libraries: set[str],
           imports: Callable[[str], Iterable[str]]) -> set[str]:
    """The libraries (real paths, among ``libraries``) that ``starts`` link, transitively."""
    reached: set[str] = set()
    todo, seen = list(starts), set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for lib in imports(path):
            real = os.path.realpath(lib)
            if real in libraries and real not in reached:
                reached.add(real)
                todo.append(real)
    return reached


def prune_binaries(
    binaries: Iterable[TocEntry], imports: Callable[[str], Iterable[str]],
    wanted: Callable[[str], bool] = qt_file_wanted,
) -> tuple[list[TocEntry], list[str]]:
    """Drop the binaries ``wanted`` refuses (Qt plugins), then the shared
    libraries only they brought in: the QML virtual keyboard brings QtQml,
    QtQuick and QtNetwork, the Wayland and EGL platform plugins their own Qt
    libraries. A library stays if anything kept links it, or if no dropped
    plugin does (it is there for another reason, say loaded through ctypes).

    ``imports(source path)`` gives the paths of the libraries a binary links.
    Returns the kept entries and the bundle paths of the dropped libraries
    (pass them to :func:`without_links_to` for the data files' symlinks). Should QtCore, QtGui or QtWidgets turn out
    droppable, the link analysis is wrong: only the plugins are dropped then."""
    entries = list(binaries)
    kept = [e for e in entries if wanted(e[0])]
    refused = [e for e in entries if not wanted(e[0])]
    libraries = {os.path.realpath(src): dest for dest, src, kind in kept
                 if kind == "BINARY" and "plugins" not in PurePath(dest.replace("\\", "/")).parts}
    brought = _reach((os.path.realpath(src) for _, src, _ in refused), set(libraries), imports)
    roots = [os.path.realpath(src) for _, src, kind in kept
             if kind != "SYMLINK" and os.path.realpath(src) not in brought]
    needed = _reach(roots, set(libraries), imports) | (set(libraries) - brought)
    drop = {libraries[real] for real in brought - needed}
    if any(re.match(r"^(lib)?Qt6?(Core|Gui|Widgets)\b", PurePath(d).name) for d in drop):
        return kept, []

    return without_links_to([e for e in kept if e[0] not in drop], drop), sorted(drop)


def without_links_to(entries: Iterable[TocEntry], dropped: Iterable[str]) -> list[TocEntry]:
    """``entries`` less the symlinks (PyInstaller puts them among the data files,
    their source being the target's path in the bundle) to a ``dropped`` path."""
    gone = {PurePath(d.replace("\\", "/")).as_posix() for d in dropped}

    def target(dest: str, src: str) -> str:
        return PurePath(os.path.normpath(os.path.join(os.path.dirname(dest), src))
                        .replace("\\", "/")).as_posix()

    return [e for e in entries if not (e[2] == "SYMLINK" and target(e[0], e[1]) in gone)]
