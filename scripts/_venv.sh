# shellcheck shell=bash
# Shared helpers for scripts/demo, scripts/test and scripts/pg_throwaway.sh.
# Source it; it only defines functions and SMM_ROOT, it runs nothing by itself.
#
#   smm_ensure_venv          .venv in the repo root, `pip install -e '.[test]'`
#                            re-run only when pyproject.toml changed (hash stamp)
#   smm_ensure_qt_libs PLAT  make PySide6 start under QT_QPA_PLATFORM=PLAT;
#                            as root, apt-get installs the shared libs it lacks
#   smm_apt_install PKG...   non-interactive apt-get install (root only)
#
# Works on a fresh Debian 12 (root, PyPI and apt reachable) and on a developer
# machine as a normal user (never uses sudo: without root it explains what to
# install instead). Environment knobs:
#   SMM_DESK_PYTHON=/path/to/python3   interpreter to build .venv with (>= 3.11)
#   SMM_DESK_VENV=/path                venv location (default: <repo>/.venv)

SMM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SMM_VENV="${SMM_DESK_VENV:-$SMM_ROOT/.venv}"
SMM_VENV_STAMP="$SMM_VENV/.smm-desk-install.sha256"

smm_log() { printf '[smm-desk] %s\n' "$*" >&2; }
smm_die() { printf '[smm-desk] ERROR: %s\n' "$*" >&2; exit 1; }
smm_is_root() { [[ "$(id -u)" == 0 ]]; }
smm_have() { command -v "$1" >/dev/null 2>&1; }

_SMM_APT_UPDATED=0
# smm_apt_install PKG... — as root with apt-get, install (no recommends, no prompts).
smm_apt_install() {
    smm_is_root || smm_die "need root to install: $*"
    smm_have apt-get || smm_die "apt-get not found; install by hand: $*"
    local log
    log="$(mktemp "${TMPDIR:-/tmp}/smm-apt.XXXXXX")"
    smm_log "installing system packages: $*"
    if [[ "$_SMM_APT_UPDATED" == 0 ]]; then
        if ! DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=300 update >"$log" 2>&1; then
            cat "$log" >&2; rm -f "$log"; smm_die "apt-get update failed"
        fi
        _SMM_APT_UPDATED=1
    fi
    if ! DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=300 \
            install --no-install-recommends "$@" >"$log" 2>&1; then
        cat "$log" >&2; rm -f "$log"; smm_die "apt-get install failed: $*"
    fi
    rm -f "$log"
}

# Packages from the list that dpkg does not show as installed.
smm_dpkg_missing() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || printf '%s\n' "$p"
    done
}

# ---------------------------------------------------------------- python / venv

_smm_py_ok() {  # usable interpreter >= 3.11 with venv support?
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

# Prints the path of a python3 >= 3.11.
smm_find_python() {
    local c p
    for c in "${SMM_DESK_PYTHON:-}" python3 python3.11 python3.12 python3.13 python3.14 \
             /usr/bin/python3 /usr/local/bin/python3; do
        [[ -n "$c" ]] || continue
        p="$(command -v "$c" 2>/dev/null)" || continue
        if _smm_py_ok "$p"; then printf '%s\n' "$p"; return 0; fi
    done
    return 1
}

_smm_stamp_value() {
    {
        cat "$SMM_ROOT/pyproject.toml"
        "$SMM_VENV/bin/python" -c 'import sys; print(sys.version)'
    } | sha256sum | cut -d' ' -f1
}

_smm_create_venv() {
    local py="$1" out
    smm_log "creating $SMM_VENV with $py ($("$py" -c 'import platform; print(platform.python_version())'))"
    if out="$("$py" -m venv "$SMM_VENV" 2>&1)"; then return 0; fi
    rm -rf "$SMM_VENV"
    # Debian/Ubuntu ship venv/ensurepip separately (python3-venv).
    if [[ "$out" == *ensurepip* || "$out" == *"No module named venv"* ]] && smm_is_root \
            && smm_have apt-get && [[ "$py" == /usr/bin/* ]]; then
        local ver
        ver="$("$py" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')"
        smm_apt_install python3-venv "python$ver-venv"
        "$py" -m venv "$SMM_VENV" && return 0
        rm -rf "$SMM_VENV"
    fi
    printf '%s\n' "$out" >&2
    smm_die "could not create a virtualenv with $py (on Debian/Ubuntu: apt-get install python3-venv)"
}

_smm_ensure_venv_locked() {
    if [[ -e "$SMM_VENV" ]] && ! _smm_py_ok "$SMM_VENV/bin/python"; then
        smm_log "$SMM_VENV is broken or too old; recreating it"
        rm -rf "$SMM_VENV"
    fi
    if [[ ! -e "$SMM_VENV" ]]; then
        local py
        py="$(smm_find_python)" || smm_die "no python3 >= 3.11 found (set SMM_DESK_PYTHON=/path/to/python3.11)"
        _smm_create_venv "$py"
    fi
    local want have=""
    want="$(_smm_stamp_value)"
    [[ -f "$SMM_VENV_STAMP" ]] && have="$(cat "$SMM_VENV_STAMP")"
    [[ "$want" == "$have" ]] && return 0

    smm_log "installing smm-desk and its dependencies into $SMM_VENV (pyproject.toml changed)"
    local log="$SMM_VENV/.smm-desk-pip.log"
    rm -f "$SMM_VENV_STAMP"
    if ! (cd "$SMM_ROOT" && "$SMM_VENV/bin/python" -m pip install --disable-pip-version-check \
            --no-input -q -e '.[test]') >"$log" 2>&1; then
        cat "$log" >&2
        smm_die "pip install -e '.[test]' failed (log: $log)"
    fi
    # Warnings only (pip prints errors above and fails); keep them visible but short.
    grep -i -E "^(warning|error)" "$log" | grep -v -i -e "pip version" -e "is neither a file nor a directory" | head -20 >&2 || true
    printf '%s\n' "$want" >"$SMM_VENV_STAMP"
}

# Create/refresh the venv. Serialised with flock so two scripts started at once
# (two terminals, an editor plugin) do not pip-install over each other.
smm_ensure_venv() {
    [[ -f "$SMM_ROOT/pyproject.toml" ]] || smm_die "no pyproject.toml in $SMM_ROOT"
    local lock
    lock="${TMPDIR:-/tmp}/smm-desk-venv-$(printf '%s' "$SMM_VENV" | sha256sum | cut -c1-12).lock"
    if smm_have flock; then
        (
            flock -w 1800 9 || smm_die "timed out waiting for $lock"
            _smm_ensure_venv_locked
        ) 9>"$lock" || exit $?
    else
        _smm_ensure_venv_locked || exit $?
    fi
    export VIRTUAL_ENV="$SMM_VENV"
    export PATH="$SMM_VENV/bin:$PATH"
}

# ---------------------------------------------------------------- Qt shared libs

# Debian packages holding the shared libraries PySide6's wheels link against but
# do not bundle (found with ldd on libQt6{Core,Gui,Widgets,Charts,OpenGL,Network,
# DBus,Svg}, the offscreen/minimal platform plugins and the image format plugins).
SMM_QT_DEBS_BASE=(libegl1 libgl1 libglx0 libglvnd0 libxkbcommon0 libfontconfig1
    libfreetype6 libglib2.0-0 libdbus-1-3 libx11-6 libxcb1 libgssapi-krb5-2 libpng16-16
    libbrotli1 libzstd1 fonts-dejavu-core)
# ...plus what the xcb platform plugin (a real X11 display) needs.
SMM_QT_DEBS_XCB=(libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
    libxcb-randr0 libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0)
SMM_QT_DEBS_WAYLAND=(libwayland-client0 libwayland-cursor0 libwayland-egl1)

_smm_qt_probe() {  # prints the failure, returns nonzero, when Qt cannot start
    QT_QPA_PLATFORM="$1" timeout 120 "$SMM_VENV/bin/python" -c '
from PySide6.QtWidgets import QApplication
from PySide6 import QtCharts  # noqa: F401  (KPI screen)
app = QApplication([])
' 2>&1
}

_smm_qt_not_found() {  # "libfoo.so.1 => not found" lines for the libs that matter
    local qt f
    qt="$("$SMM_VENV/bin/python" -c 'import os, PySide6; print(os.path.dirname(PySide6.__file__))' 2>/dev/null)" || return 0
    for f in "$qt"/Qt/lib/libQt6{Core,Gui,Widgets,Charts,OpenGL,OpenGLWidgets,DBus,Network}.so.6 \
             "$qt"/Qt/plugins/platforms/libq{offscreen,minimal,xcb}.so; do
        [[ -e "$f" ]] && ldd "$f" 2>/dev/null | grep 'not found'
    done | sort -u
}

# smm_ensure_qt_libs [PLATFORM] — PLATFORM: offscreen (default), xcb, wayland, ...
smm_ensure_qt_libs() {
    local plat="${1:-offscreen}" out
    out="$(_smm_qt_probe "$plat")" && return 0

    local debs=("${SMM_QT_DEBS_BASE[@]}")
    [[ "$plat" == *xcb* ]] && debs+=("${SMM_QT_DEBS_XCB[@]}")
    [[ "$plat" == *wayland* ]] && debs+=("${SMM_QT_DEBS_WAYLAND[@]}")
    local missing
    mapfile -t missing < <(smm_have dpkg-query && smm_dpkg_missing "${debs[@]}")
    if [[ ${#missing[@]} -gt 0 ]]; then
        if smm_is_root && smm_have apt-get; then
            smm_log "PySide6 cannot start (QT_QPA_PLATFORM=$plat); installing the shared libraries it needs"
            smm_apt_install "${missing[@]}"
            out="$(_smm_qt_probe "$plat")" && return 0
        else
            printf '%s\n' "$out" >&2
            smm_die "PySide6 cannot start (QT_QPA_PLATFORM=$plat). As root run: apt-get install ${missing[*]}"
        fi
    fi
    printf '%s\n' "$out" >&2
    _smm_qt_not_found >&2
    smm_die "PySide6 cannot start with QT_QPA_PLATFORM=$plat (see above; libraries marked 'not found' are missing)"
}
