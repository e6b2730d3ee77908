"""The installer build (``packaging/``): the rules that keep the bundle lean, the
build cache, the smoke test's checks — and, when ``./scripts/test`` has just
built the bundle (it exports ``SMM_DESK_TEST_BUNDLE``), what is inside it.

``scripts/build_bundle --smoke`` (a step of ``./scripts/test``) already ran the
bundled ``smm-desk --version`` and ``smm-desk demo --screenshot`` offscreen;
here the bundle's contents are checked: every lazily imported module and data
file is there, the Qt modules and plugins the app does not use are not.
"""

from __future__ import annotations

import importlib.util
import os
import re
import struct
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


rules = _load("bundle_rules", PACKAGING / "bundle_rules.py")
build = _load("smm_desk_packaging_build", PACKAGING / "build.py")


# -- which Qt the bundle keeps ------------------------------------------------------------


def test_qt_modules_used_are_found_in_every_import_form(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "a.py").write_text("from PySide6.QtCore import Qt\nimport PySide6.QtGui\n")
    (pkg / "sub" / "b.py").write_text(
        "from __future__ import annotations\n"
        "from PySide6 import (\n    QtCharts,\n    QtSvg,\n)\n"
        "x = 'PySide6.QtWebEngineCore in a string is no import'\n"
    )
    assert rules.qt_modules_used(pkg) == {"QtCore", "QtGui", "QtCharts", "QtSvg"}


def test_the_app_uses_the_qt_it_should() -> None:
    used = rules.qt_modules_used(ROOT / "smm_desk")
    assert {"QtCore", "QtGui", "QtWidgets", "QtCharts"} <= used
    heavy = {"QtWebEngineCore", "QtWebEngineWidgets", "QtQml", "QtQuick", "Qt3DCore",
             "QtMultimedia"}
    assert not used & heavy, "a heavy Qt module crept in: the bundle would grow a lot"


def test_unused_qt_modules_are_excluded_and_used_ones_never() -> None:
    installed = ["QtCore", "QtGui", "QtWidgets", "QtCharts", "QtOpenGL", "QtOpenGLWidgets",
                 "QtDBus", "QtNetwork", "QtQml", "QtQuick", "QtWebEngineCore", "Qt3DCore",
                 "QtMultimedia", "QtPdf", "QtSvg"]
    used = {"QtCore", "QtGui", "QtWidgets", "QtCharts"}
    excluded = rules.qt_excludes(installed, used)
    assert excluded == ["PySide6.Qt3DCore", "PySide6.QtMultimedia", "PySide6.QtNetwork",
                        "PySide6.QtPdf", "PySide6.QtQml", "PySide6.QtQuick",
                        "PySide6.QtSvg", "PySide6.QtWebEngineCore"]
    assert "PySide6.QtSvg" not in rules.qt_excludes(installed, used | {"QtSvg"})


@pytest.mark.parametrize(("dest", "kept"), [
    ("PySide6/Qt/plugins/platforms/libqxcb.so", True),
    ("PySide6/Qt/plugins/platforms/libqoffscreen.so", True),
    ("PySide6/Qt/plugins/platforms/libqwayland-egl.so", False),
    ("PySide6/Qt/plugins/platforms/libqeglfs.so", False),
    ("PySide6\\plugins\\platforms\\qwindows.dll", True),
    ("PySide6/Qt/plugins/platforms/libqcocoa.dylib", True),
    ("PySide6/Qt/plugins/imageformats/libqjpeg.so", True),
    ("PySide6/Qt/plugins/imageformats/libqpdf.so", False),
    ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", False),
    ("PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so", True),
    ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", False),
    ("PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so", True),
    ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", False),
    ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", False),
    ("PySide6/Qt/translations/qtbase_ru.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", False),
    ("PySide6/Qt/translations/qt_help_ru.qm", False),
    ("smm_desk/i18n/smm_desk_de.qm", True),  # ours: never filtered
    ("numpy/_core/_multiarray_umath.so", True),
])
def test_qt_plugins_and_translations_kept(dest: str, kept: bool) -> None:
    assert rules.qt_file_wanted(dest) is kept


def _toc(*entries: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    return list(entries)


def test_libraries_only_dropped_plugins_linked_are_dropped() -> None:
    links = {
        "/w/vk.so": ["/w/Quick.so"],
        "/w/Quick.so": ["/w/Core.so", "/w/Net.so"],
        "/w/xcb.so": ["/w/Core.so", "/w/XcbQpa.so"],
        "/w/XcbQpa.so": ["/w/Net.so"],  # kept through a kept plugin's library
        "/w/ext.so": ["/w/Core.so"],
    }
    toc = _toc(
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so",
         "/w/vk.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "/w/xcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Quick.so.6", "/w/Quick.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Network.so.6", "/w/Net.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6XcbQpa.so.6", "/w/XcbQpa.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/w/Core.so", "BINARY"),
        ("PySide6/QtCore.abi3.so", "/w/ext.so", "EXTENSION"),
        ("libloaded_by_ctypes.so", "/w/ctypes.so", "BINARY"),  # linked by nothing: stays
    )
    kept, dropped = rules.prune_binaries(toc, lambda path: links.get(path, []))
    assert dropped == ["PySide6/Qt/lib/libQt6Quick.so.6"]
    assert [dest for dest, _, _ in kept] == [
        "PySide6/Qt/plugins/platforms/libqxcb.so", "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/QtCore.abi3.so", "libloaded_by_ctypes.so"]


def test_a_link_analysis_that_would_drop_qtcore_drops_only_plugins() -> None:
    toc = _toc(
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "/w/eglfs.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "/w/Core.so", "BINARY"),
        ("PySide6/QtCore.abi3.so", "/w/ext.so", "EXTENSION"),
    )
    # The extension's links were not found (say, an unreadable file): QtCore looks unneeded.
    links = {"/w/eglfs.so": ["/w/Core.so"]}
    kept, dropped = rules.prune_binaries(toc, lambda path: links.get(path, []))
    assert dropped == []
    assert [dest for dest, _, _ in kept] == ["PySide6/Qt/lib/libQt6Core.so.6",
                                             "PySide6/QtCore.abi3.so"]


def test_symlinks_to_dropped_libraries_go_too() -> None:
    datas = _toc(
        ("libQt6Quick.so.6", "PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("sub/libQt6Quick.so.6", "../PySide6/Qt/lib/libQt6Quick.so.6", "SYMLINK"),
        ("PySide6/Qt/lib/libQt6Quick.so.6.txt", "/w/readme", "DATA"),
    )
    left = rules.without_links_to(datas, ["PySide6/Qt/lib/libQt6Quick.so.6"])
    assert [dest for dest, _, _ in left] == ["libQt6Core.so.6",
                                             "PySide6/Qt/lib/libQt6Quick.so.6.txt"]


# -- the build cache ----------------------------------------------------------------------


def _tree(root: Path) -> None:
    (root / "smm_desk" / "app").mkdir(parents=True)
    (root / "smm_desk" / "app" / "gui.py").write_text("print('hi')\n")
    (root / "resources" / "i18n").mkdir(parents=True)
    (root / "resources" / "i18n" / "smm_desk_ru.ts").write_text("<TS/>\n")
    (root / "packaging").mkdir()
    (root / "packaging" / "smm-desk.spec").write_text("# spec\n")
    (root / "pyproject.toml").write_text('[project]\nname = "smm-desk"\nversion = "1.2.3"\n')


def test_the_inputs_hash_follows_sources_spec_pyproject_and_environment(tmp_path: Path) -> None:
    _tree(tmp_path)
    env = ["3.11.7", "pyside6==6.11.3"]
    first = build.inputs_hash(tmp_path, env)
    assert build.inputs_hash(tmp_path, env) == first

    cache = tmp_path / "smm_desk" / "app" / "__pycache__"
    cache.mkdir()
    (cache / "gui.cpython-311.pyc").write_bytes(b"\0compiled")
    (tmp_path / "smm_desk" / "app" / "stray.pyc").write_bytes(b"\0")
    assert build.inputs_hash(tmp_path, env) == first, "byte code is no input"

    changes = [
        tmp_path / "smm_desk" / "app" / "gui.py",
        tmp_path / "resources" / "i18n" / "smm_desk_ru.ts",
        tmp_path / "packaging" / "smm-desk.spec",
        tmp_path / "pyproject.toml",
    ]
    seen = {first}
    for path in changes:
        path.write_text(path.read_text() + "# changed\n")
        seen.add(build.inputs_hash(tmp_path, env))
    (tmp_path / "smm_desk" / "app" / "new.py").write_text("")
    seen.add(build.inputs_hash(tmp_path, env))
    seen.add(build.inputs_hash(tmp_path, ["3.11.7", "pyside6==6.11.4"]))
    assert len(seen) == 7, "every change must give a new hash"


def test_a_renamed_file_changes_the_hash(tmp_path: Path) -> None:
    _tree(tmp_path)
    before = build.inputs_hash(tmp_path, [])
    (tmp_path / "smm_desk" / "app" / "gui.py").rename(tmp_path / "smm_desk" / "app" / "ui.py")
    assert build.inputs_hash(tmp_path, []) != before


def test_the_bundle_is_up_to_date_only_with_its_stamp_and_executable(tmp_path: Path) -> None:
    bundle = tmp_path / "smm-desk"
    stamp = tmp_path / "smm-desk.inputs.json"
    assert not build.up_to_date("abc", stamp, bundle)
    bundle.mkdir()
    build.executable(bundle).write_bytes(b"\x7fELF")
    assert not build.up_to_date("abc", stamp, bundle)  # no stamp
    stamp.write_text('{"inputs": "abc"}')
    assert build.up_to_date("abc", stamp, bundle)
    assert not build.up_to_date("abd", stamp, bundle)
    stamp.write_text("not json")
    assert not build.up_to_date("abc", stamp, bundle)
    stamp.write_text('{"inputs": "abc"}')
    build.executable(bundle).unlink()
    assert not build.up_to_date("abc", stamp, bundle)


def test_project_version_comes_from_pyproject(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert build.project_version(tmp_path) == "1.2.3"


# -- the smoke test's picture checks ------------------------------------------------------


def _png(tmp_path: Path, painted: bool) -> bytes:
    image = QImage(64, 40, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    if painted:
        painter = QPainter(image)
        for i in range(40):
            painter.setPen(QColor.fromHsv(i * 9, 200, 200))
            painter.drawLine(0, i, 63, 39 - i)
        painter.end()
    path = tmp_path / "p.png"
    assert image.save(str(path))
    return path.read_bytes()


def test_png_checks_tell_size_and_blank_pictures(tmp_path: Path) -> None:
    painted = _png(tmp_path, True)
    assert build.png_size(painted) == (64, 40)
    assert build.png_distinct_bytes(painted) >= 16
    assert build.png_distinct_bytes(_png(tmp_path, False)) < 16
    with pytest.raises(build.BuildError):
        build.png_size(b"GIF89a" + bytes(30))


# -- the installers' icons (drawn at build time from the SVG mark) ---------------------------


def test_the_build_draws_an_ico_windows_can_read(tmp_path: Path) -> None:
    written = build.make_icons(tmp_path / "icons")  # the build's own step, in a child process
    assert sorted(p.name for p in written) == ["smm-desk.icns", "smm-desk.ico"]
    data = (tmp_path / "icons" / "smm-desk.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1) and count == 9
    sizes, end = [], 6 + 16 * count
    for index in range(count):
        width, height, colors, zero, planes, bits, length, offset = struct.unpack(
            "<BBBBHHII", data[6 + 16 * index:22 + 16 * index])
        side = width or 256
        assert (height or 256) == side and (colors, zero, planes, bits) == (0, 0, 1, 32)
        assert offset == end, "images follow the directory back to back"
        image = data[offset:offset + length]
        assert build.png_size(image) == (side, side)
        assert build.png_distinct_bytes(image) >= 16  # the mark, not a blank square
        sizes.append(side)
        end = offset + length
    assert end == len(data)
    assert sizes == [16, 20, 24, 32, 40, 48, 64, 128, 256]
    # Qt's own ICO reader agrees.
    reader = QImageReader(str(tmp_path / "icons" / "smm-desk.ico"))
    assert reader.imageCount() == 9


def test_the_build_draws_a_png_icns_for_macos(tmp_path: Path) -> None:
    build.make_icons(tmp_path)
    data = (tmp_path / "smm-desk.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    chunks, pos = {}, 8
    while pos < len(data):
        kind, length = struct.unpack(">4sI", data[pos:pos + 8])
        chunks[kind.decode()] = build.png_size(data[pos + 8:pos + length])
        pos += length
    assert pos == len(data)
    assert {k: chunks[k] for k in ("ic07", "ic08", "ic09", "ic10")} == {
        "ic07": (128, 128), "ic08": (256, 256), "ic09": (512, 512), "ic10": (1024, 1024)}
    assert chunks["ic11"] == (32, 32) and chunks["ic14"] == (512, 512)


def test_a_failed_icon_step_stops_the_build(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(build.BuildError, match="icons"):
        build.make_icons(blocker / "icons")  # cannot make a folder inside a file


# -- the built bundle ---------------------------------------------------------------------

BUNDLE = os.environ.get("SMM_DESK_TEST_BUNDLE")
needs_bundle = pytest.mark.skipif(
    not BUNDLE, reason="./scripts/test checks the bundle it builds (SMM_DESK_TEST_BUNDLE)")


@pytest.fixture(scope="module")
def bundle() -> Path:
    assert BUNDLE
    path = Path(BUNDLE)
    if not path.is_absolute():
        path = ROOT / path
    assert build.executable(path).is_file(), f"no bundle at {path}"
    return path


@pytest.fixture(scope="module")
def bundled_modules(bundle: Path) -> set[str]:
    listing = subprocess.run(
        [sys.executable, "-m", "PyInstaller.utils.cliutils.archive_viewer", "-r", "-b",
         str(build.executable(bundle))],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    return {line.strip() for line in listing.splitlines() if line.startswith(" ")}


def _internal(bundle: Path) -> Path:
    inner = bundle / "_internal"
    return inner if inner.is_dir() else bundle


@needs_bundle
def test_the_bundle_has_every_lazily_imported_module(bundled_modules: set[str]) -> None:
    pkg = ROOT / "smm_desk"
    ours = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            for p in pkg.rglob("*.py") if "__pycache__" not in p.parts and p.stem != "__main__"}
    missing = sorted(ours - bundled_modules)
    assert not missing, f"modules of smm_desk missing from the bundle: {missing}"
    for module in ("keyring.backends.SecretService", "keyring.backends.Windows",
                   "keyring.backends.macOS", "keyring.backends.fail", "psycopg_binary",
                   "sqlalchemy.dialects.sqlite.pysqlite",
                   "sqlalchemy.dialects.postgresql.psycopg", "re2", "py3langid.langid",
                   "openpyxl", "tzdata", "alembic.op", "qasync"):
        assert module in bundled_modules, module
    for test_only in ("pytest", "hypothesis", "aiosmtpd", "tkinter"):
        assert test_only not in bundled_modules, test_only


@needs_bundle
def test_the_bundle_has_its_data_files(bundle: Path) -> None:
    inner = _internal(bundle)
    migrations = ROOT / "smm_desk" / "store" / "migrations"
    for script in [migrations / "env.py", *sorted((migrations / "versions").glob("0*.py"))]:
        assert (inner / script.relative_to(ROOT)).is_file(), script.name
    assert (inner / "py3langid" / "data" / "model.npz.xz").is_file()
    assert (inner / "tzdata" / "zoneinfo" / "Asia" / "Ho_Chi_Minh").is_file()
    for ts in sorted((ROOT / "resources" / "i18n").glob("*.ts")):
        assert (inner / "smm_desk" / "i18n" / f"{ts.stem}.qm").is_file(), ts.name
    dist_infos = [p.name for p in inner.glob("*.dist-info")]
    assert any(re.match(r"smm_desk-[\d.]+.*\.dist-info", n) for n in dist_infos), dist_infos
    keyring_info = next(inner.glob("keyring-*.dist-info"))
    assert "keyring.backends" in (keyring_info / "entry_points.txt").read_text()


@needs_bundle
def test_the_bundle_leaves_out_unused_qt(bundle: Path) -> None:
    files = [p.relative_to(bundle).as_posix() for p in bundle.rglob("*")
             if p.is_file() or p.is_symlink()]
    unwanted = re.compile(r"Qt6?(Quick|Qml|WebEngine|3D|Multimedia|Network|Pdf|VirtualKeyboard"
                          r"|Designer|Sql|Test|Bluetooth|Positioning|Location|Sensors)",
                          re.IGNORECASE)
    assert not [f for f in files if unwanted.search(Path(f).name)]
    dangling = [f for f in files if Path(bundle, f).is_symlink() and not Path(bundle, f).exists()]
    assert not dangling
    plugins = {Path(f).parent.name for f in files if "/plugins/" in f}
    assert plugins <= rules.PLUGIN_DIRS
    qt_translations = [Path(f).name for f in files if "/translations/" in f and "PySide6" in f]
    assert all(rules.qt_file_wanted(f"PySide6/translations/{name}") for name in qt_translations)
