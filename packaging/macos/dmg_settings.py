# dmgbuild settings for SMM Desk's disk image: the app and a link to /Applications,
# the usual drag-to-install window.
#
# Built by `python packaging/build.py --installer` on macOS after the PyInstaller
# bundle (the .app's own settings — bundle id, version, dark mode, high DPI — are
# in packaging/smm-desk.spec), as:
#   python -m dmgbuild -s packaging/macos/dmg_settings.py \
#       -D app="dist/SMM Desk.app" "SMM Desk" dist/SMM-Desk-<version>.dmg
#
# dmgbuild executes this file with `defines` (the -D values) in scope and reads
# the module-level names below.
# ruff: noqa: F821

import glob
import os.path

application = defines.get("app", "dist/SMM Desk.app")  # type: ignore[name-defined]
appname = os.path.basename(application)

# Compressed, read-only; APFS needs macOS 10.13+, the app itself needs 11.
format = "UDZO"  # noqa: A001  (dmgbuild's setting name)
filesystem = "HFS+"
size = None  # computed from the contents

files = [application]
symlinks = {"Applications": "/Applications"}

# The volume shows the app's icon (PyInstaller copies it into the bundle's Resources).
_icons = sorted(glob.glob(os.path.join(application, "Contents", "Resources", "*.icns")))
icon = _icons[0] if _icons else None

# The window: the app on the left, Applications on the right.
window_rect = ((200, 120), (600, 320))
default_view = "icon-view"
show_status_bar = False
show_toolbar = False
show_pathbar = False
show_sidebar = False
icon_size = 128
text_size = 13
icon_locations = {
    appname: (150, 140),
    "Applications": (450, 140),
}
hide_extensions = [appname]
