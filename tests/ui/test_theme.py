"""Light and dark (smm_desk.ui.theme) and the vector icons (smm_desk.ui.icons).

* Every text/background pair the queue paints meets WCAG 4.5:1 in both
  palettes: body text, muted text, selection, the SLA chips against their own
  tint *and* against the row backgrounds, urgent priorities.
* The scheme comes from SMM_DESK_THEME, else the setting, else the system, and
  follows the system's colorSchemeChanged while in "system" mode.
* Icons carry renderings for high-DPI screens; the tray badge is drawn.
* The real app, started with SMM_DESK_THEME=dark/light, renders dark/light.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPalette
from PySide6.QtWidgets import QApplication

from smm_desk.ui import icons, queue_model, theme
from smm_desk.ui.theme import contrast_ratio

ROOT = Path(__file__).resolve().parents[2]
SCHEMES = ("light", "dark")
SLA_STATES = ("ok", "warning", "breached", "paused")
AA = 4.5
Role = QPalette.ColorRole


@pytest.fixture
def app_look(qapp: QApplication) -> Iterator[QApplication]:
    """Whatever a test does to the app's palette and style is undone after it."""
    palette, style = QApplication.palette(), qapp.style().name()
    yield qapp
    for found in qapp.findChildren(theme.Theme):
        found.setParent(None)
        found.deleteLater()
    qapp.setStyle(style)
    qapp.setPalette(palette)


# -- contrast ------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert contrast_ratio(QColor("black"), QColor("white")) == pytest.approx(21.0)
    assert contrast_ratio(QColor("#336699"), QColor("#336699")) == pytest.approx(1.0)
    # WebAIM's checker: #777777 on white is 4.48:1 — just under AA.
    assert contrast_ratio(QColor("#777777"), QColor("#ffffff")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(QColor("#ffffff"), QColor("#777777")) == pytest.approx(4.48, abs=0.01)


def _pairs(scheme: str) -> list[tuple[str, QColor, QColor]]:
    """(what, text, background) for everything the queue shows as text."""
    pal = theme.palette(scheme)  # type: ignore[arg-type]
    rows = {"row": pal.color(Role.Base), "alternate row": pal.color(Role.AlternateBase)}
    pairs = [
        ("text on window", pal.color(Role.WindowText), pal.color(Role.Window)),
        ("selected text", pal.color(Role.HighlightedText), pal.color(Role.Highlight)),
        ("tooltip", pal.color(Role.ToolTipText), pal.color(Role.ToolTipBase)),
        ("button", pal.color(Role.ButtonText), pal.color(Role.Button)),
        ("muted on window", pal.color(Role.PlaceholderText), pal.color(Role.Window)),
    ]
    for name, background in rows.items():
        pairs += [
            (f"text on {name}", pal.color(Role.Text), background),
            (f"muted on {name}", pal.color(Role.PlaceholderText), background),
            (f"link on {name}", pal.color(Role.Link), background),
        ]
    for state in SLA_STATES:
        colors = queue_model.sla_colors(state, pal)
        assert colors is not None
        chip, text = colors
        pairs.append((f"SLA {state} on its chip", text, chip))
        for name, background in rows.items():
            pairs.append((f"SLA {state} on the {name}", text, background))
    return pairs


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_text_colour_meets_wcag_aa_in_both_palettes(scheme: str) -> None:
    pairs = _pairs(scheme)
    assert len(pairs) == 23  # a pair per line above: none silently skipped
    failing = {what: round(contrast_ratio(text, back), 2) for what, text, back in pairs
               if contrast_ratio(text, back) < AA}
    assert failing == {}


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_queue_rows_colours_follow_the_applied_palette(app_look: QApplication,
                                                           scheme: str) -> None:
    """The model's muted and urgent colours (read from the app's palette when rows
    are fetched) are readable on the rows of the palette applied."""
    look = theme.Theme(app_look, scheme)
    assert look.scheme() == scheme
    muted, urgent, _font = queue_model._row_palette()
    pal = QGuiApplication.palette()
    assert theme.is_dark(pal) == (scheme == "dark")
    for background in (pal.color(Role.Base), pal.color(Role.AlternateBase)):
        assert contrast_ratio(muted, background) >= AA
        assert contrast_ratio(urgent, background) >= AA
    # SLA chips are picked for the palette in use, not one table for both.
    light = queue_model.sla_colors("breached", theme.palette("light"))
    dark = queue_model.sla_colors("breached", theme.palette("dark"))
    assert light is not None and dark is not None and light != dark


def test_the_palettes_are_light_and_dark() -> None:
    light, dark = theme.palette("light"), theme.palette("dark")
    assert not theme.is_dark(light) and theme.is_dark(dark)
    assert light.color(Role.Base).lightness() > 200
    assert dark.color(Role.Base).lightness() < 60
    # Disabled text differs from enabled text, so a disabled control looks it.
    for pal in (light, dark):
        assert (pal.color(QPalette.ColorGroup.Disabled, Role.Text)
                != pal.color(QPalette.ColorGroup.Active, Role.Text))


# -- which scheme ----------------------------------------------------------------------------


def test_the_environment_wins_then_the_setting_then_the_system(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    monkeypatch.delenv(theme.ENV, raising=False)
    assert theme.requested_mode(None) == "system"
    assert theme.requested_mode(settings) == "system"
    settings.setValue(theme.SETTING, "dark")
    assert theme.requested_mode(settings) == "dark"
    monkeypatch.setenv(theme.ENV, "Light")
    assert theme.requested_mode(settings) == "light"
    monkeypatch.setenv(theme.ENV, "purple")  # nonsense is ignored, not obeyed
    assert theme.requested_mode(settings) == "dark"
    settings.setValue(theme.SETTING, "sepia")
    assert theme.requested_mode(settings) == "system"


def test_system_mode_follows_the_platforms_scheme_changes(app_look: QApplication) -> None:
    look = theme.Theme(app_look, "system")
    assert look.scheme() == theme.system_scheme()  # offscreen: unknown, so light
    seen: list[str] = []
    look.changed.connect(seen.append)
    hints = QGuiApplication.styleHints()
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert look.scheme() == "dark" and theme.is_dark(QGuiApplication.palette())
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)  # no change, no signal
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert seen == ["dark", "light"]
    assert not theme.is_dark(QGuiApplication.palette())
    # A forced scheme ignores the system.
    look.set_mode("dark")
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Light)
    assert look.scheme() == "dark" and seen == ["dark", "light", "dark"]


def test_install_uses_fusion_and_the_requested_scheme(app_look: QApplication,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(theme.ENV, "dark")
    look = theme.install(app_look)
    assert app_look.style().name().lower() == "fusion"
    assert theme.current() is look and look.scheme() == "dark"
    monkeypatch.setenv(theme.ENV, "light")
    assert theme.install(app_look) is look  # one theme per app, mode updated
    assert look.scheme() == "light"


def test_a_switch_repolishes_style_sheets_that_name_palette_colours(
        app_look: QApplication, qtbot: object) -> None:
    from PySide6.QtWidgets import QLabel

    look = theme.Theme(app_look, "light")
    label = QLabel("x")
    label.setStyleSheet("QLabel { background: palette(base); }")
    qtbot.addWidget(label)  # type: ignore[attr-defined]
    label.resize(40, 20)
    before = label.grab().toImage().pixelColor(20, 10)
    look.set_mode("dark")
    after = label.grab().toImage().pixelColor(20, 10)
    assert before.lightness() > 200 and after.lightness() < 80


# -- icons ---------------------------------------------------------------------------------


def test_icons_have_renderings_for_high_dpi_screens(qapp: QApplication) -> None:
    icon = icons.app_icon()
    sizes = {s.width() for s in icon.availableSizes()}
    assert {16, 32, 64, 128, 256} <= sizes
    # A 32-pixel slot on a 200 % screen gets a true 64-pixel rendering.
    pixmap = icon.pixmap(QSize(32, 32), 2.0)
    assert pixmap.devicePixelRatio() == 2.0
    assert (pixmap.width(), pixmap.height()) == (64, 64)
    big = icons.render_mark(256)
    assert big.pixelColor(128, 8).alpha() == 255  # the mark fills its square, edge to edge
    assert big.pixelColor(0, 0).alpha() == 0  # rounded corners


def test_the_tray_badge_is_drawn_and_small_sizes_get_a_dot(qapp: QApplication) -> None:
    plain, badged = icons.render_mark(64), icons.render_mark(64, 7)
    red = badged.pixelColor(50, 16)
    assert red.red() > 180 and red.green() < 90 and red.blue() < 90
    assert plain.pixelColor(50, 16) != red
    # From BADGE_DIGITS_FROM pixels the badge carries the count in white; below, a dot.
    assert _white_in_badge(badged) > 10
    assert _white_in_badge(icons.render_mark(64, 123)) > _white_in_badge(badged)  # "99+"
    tiny = icons.render_mark(16, 7)
    assert _white_in_badge(tiny) == 0 and tiny != icons.render_mark(16)
    tray = icons.tray_icon(3)
    assert not tray.pixmap(QSize(22, 22)).isNull()


def _white_in_badge(image: QImage) -> int:
    """White pixels well inside the badge's red disc (top right)."""
    size = image.width()
    diameter = size * (0.56 if size >= icons.BADGE_DIGITS_FROM else 0.44)
    cx, cy, inner = size - diameter / 2, diameter / 2, diameter / 2 - max(1.0, size / 32) - 1
    return sum(1 for x in range(size) for y in range(size)
               if (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 < inner ** 2
               and image.pixelColor(x, y).lightness() > 200)


# -- the real app ----------------------------------------------------------------------------


def _child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SMM_DESK_DB", "SMM_DESK_DATA_DIR")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
               **extra)
    return env


def test_the_application_is_set_up_for_high_dpi_with_an_icon_and_a_theme() -> None:
    script = (
        "from smm_desk.app.gui import application\n"
        "from PySide6.QtGui import QGuiApplication\n"
        "app = application()\n"
        "print(QGuiApplication.highDpiScaleFactorRoundingPolicy().name)\n"
        "print(app.style().name())\n"
        "print(QGuiApplication.palette().base().color().name())\n"
        "print(len(app.windowIcon().availableSizes()))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=_child_env(SMM_DESK_THEME="dark"), timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    policy, style, base, icon_sizes = result.stdout.split()
    assert policy == "PassThrough"
    assert style.lower() == "fusion"
    assert QColor(base) == theme.palette("dark").color(Role.Base)
    assert int(icon_sizes) >= len(icons.SIZES) - 1


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_demo_window_renders_in_the_scheme_asked_for(tmp_path: Path, scheme: str) -> None:
    shot = tmp_path / f"theme-{scheme}.png"
    result = subprocess.run(
        [sys.executable, "-m", "smm_desk", "--data-dir", str(tmp_path / "data"), "demo",
         "--screenshot", str(shot), "--after", "0.5"],
        capture_output=True, text=True, env=_child_env(SMM_DESK_THEME=scheme), timeout=90,
        check=False)
    assert result.returncode == 0, result.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    lightness = [image.pixelColor(x, y).lightness()
                 for x in range(0, 1280, 40) for y in range(0, 800, 40)]
    average = sum(lightness) / len(lightness)
    if scheme == "dark":
        assert average < 90
    else:
        assert average > 180
