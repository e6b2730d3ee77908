"""Build SMM Desk's bundle with PyInstaller, cached, and optionally test it and
wrap it in this platform's installer.

    python packaging/build.py [--force] [--smoke] [--installer]

* First the translations are compiled (``python -m smm_desk.app.i18n --compile``:
  ``resources/i18n/*.ts`` -> ``smm_desk/i18n/*.qm``), which the bundle ships.
* Before PyInstaller runs, the installers' icons are drawn from the app's SVG
  mark (``python -m smm_desk.ui.icons build/icons``: ``smm-desk.ico`` with PNG
  images 16–256 px, ``smm-desk.icns`` with PNG chunks up to 1024 px); the spec
  takes them from there unless ``packaging/icons/`` has hand-made ones. They are
  made from ``smm_desk/``, so the inputs hash already covers them.
* The bundle is ``dist/smm-desk/`` (onedir; on macOS also ``dist/SMM Desk.app``),
  PyInstaller's work files are in ``build/pyinstaller/`` (both git-ignored).
* Cached: a SHA-256 of the inputs — every file of ``smm_desk/`` and
  ``resources/``, ``pyproject.toml``, the spec, ``bundle_rules.py``, the icons,
  the Python version and every installed distribution's name and version — is
  stored beside the bundle (``dist/smm-desk.inputs.json``); while it matches,
  the build is skipped. ``--force`` rebuilds anyway.
* Prints the bundle's size, its file count and its largest files.
* ``--smoke`` runs the bundled executable offscreen: ``smm-desk --version`` must
  print the project's version and ``smm-desk demo --screenshot FILE --after 2``
  must save a non-blank 1280×800 PNG (in a throwaway data directory).
* ``--installer``: Windows — the Inno Setup installer (``ISCC.exe`` from PATH or
  the default install folder) → ``dist/SMM-Desk-<version>-setup.exe``; macOS —
  ``dmgbuild`` → ``dist/SMM-Desk-<version>.dmg``; Linux — a tarball of the folder
  → ``dist/smm-desk-<version>-linux-<arch>.tar.gz``.

Exit code 0 on success, 1 on a failed step (its output is shown).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "smm-desk.spec"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
NAME = "smm-desk"
APP_NAME = "SMM Desk"
BUNDLE = DIST / NAME
STAMP = DIST / f"{NAME}.inputs.json"
LOG = ROOT / "build" / "pyinstaller.log"
ICONS = ROOT / "build" / "icons"

#: Inputs hashed as whole trees (files under __pycache__ and *.pyc are skipped).
INPUT_TREES = ("smm_desk", "resources", "packaging/icons")
#: Single-file inputs.
INPUT_FILES = ("pyproject.toml", "packaging/smm-desk.spec", "packaging/bundle_rules.py")

SCREENSHOT_SIZE = (1280, 800)
SMOKE_TIMEOUT = 240.0


class BuildError(Exception):
    """A failed step; the message says which and why."""


# -- inputs ----------------------------------------------------------------------------


def input_files(root: Path = ROOT) -> list[Path]:
    """Every file the bundle is made from, sorted, relative to ``root``."""
    found: list[Path] = []
    for tree in INPUT_TREES:
        base = root / tree
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if (path.is_file() and "__pycache__" not in rel.parts
                    and path.suffix not in (".pyc", ".pyo")):
                found.append(rel)
    found += [Path(f) for f in INPUT_FILES if (root / f).is_file()]
    return sorted(found, key=lambda p: p.as_posix())


def environment_fingerprint() -> list[str]:
    """The interpreter and every installed distribution (an upgraded PySide6 or
    PyInstaller changes the bundle as much as a changed source file)."""
    dists = sorted({f"{d.metadata['Name']}=={d.version}".lower()
                    for d in importlib.metadata.distributions() if d.metadata["Name"]})
    return [sys.version, platform.platform(terse=True), platform.machine(), *dists]


def inputs_hash(root: Path = ROOT, environment: list[str] | None = None) -> str:
    digest = hashlib.sha256()
    for rel in input_files(root):
        digest.update(rel.as_posix().encode() + b"\0")
        digest.update(hashlib.sha256((root / rel).read_bytes()).digest())
    for line in environment if environment is not None else environment_fingerprint():
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def project_version(root: Path = ROOT) -> str:
    with open(root / "pyproject.toml", "rb") as fh:
        return str(tomllib.load(fh)["project"]["version"])


# -- the bundle ---------------------------------------------------------------------------


def executable(bundle: Path = BUNDLE) -> Path:
    """The console executable in the bundle folder."""
    return bundle / (f"{NAME}.exe" if sys.platform == "win32" else NAME)


def up_to_date(wanted: str, stamp: Path = STAMP, bundle: Path = BUNDLE) -> bool:
    if not executable(bundle).is_file():
        return False
    try:
        return bool(json.loads(stamp.read_text(encoding="utf-8")).get("inputs") == wanted)
    except (OSError, ValueError, AttributeError):
        return False


def folder_size(folder: Path) -> tuple[int, int, list[tuple[int, str]]]:
    """(bytes, files, the ten largest files as (bytes, relative path))."""
    sizes = [(p.stat().st_size, p.relative_to(folder).as_posix())
             for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    sizes.sort(reverse=True)
    return sum(s for s, _ in sizes), len(sizes), sizes[:10]


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


@contextlib.contextmanager
def build_lock() -> Iterator[None]:
    """One build at a time in this work tree (two test runs started at once)."""
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK.parent / ".bundle.lock", "w") as fh:
        try:
            import fcntl
        except ImportError:  # Windows: CI runs one build per machine
            yield
            return
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def run_pyinstaller() -> None:
    LOG.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
           "--distpath", str(DIST), "--workpath", str(WORK), str(SPEC)]
    with open(LOG, "w", encoding="utf-8") as log:
        # Not from the repo root: `python -m` puts the working folder on sys.path, and the
        # root's smm_desk.egg-info (left by `pip install -e`) would shadow the installed
        # metadata the spec copies for `smm-desk --version`.
        code = subprocess.call(cmd, cwd=WORK, stdout=log, stderr=subprocess.STDOUT)
    if code != 0:
        tail = LOG.read_text(encoding="utf-8", errors="replace").splitlines()[-60:]
        raise BuildError(f"PyInstaller failed (exit {code}); last lines of {LOG}:\n"
                         + "\n".join(tail))
    for line in LOG.read_text(encoding="utf-8", errors="replace").splitlines():
        if line.startswith("smm-desk.spec:"):  # what the spec left out
            print(f"bundle: {line.removeprefix('smm-desk.spec: ')}")


def compile_translations() -> None:
    """``resources/i18n/*.ts`` -> ``smm_desk/i18n/*.qm`` (not in git; the bundle ships them)."""
    if not list((ROOT / "resources" / "i18n").glob("*.ts")):
        return
    done = subprocess.run([sys.executable, "-m", "smm_desk.app.i18n", "--compile"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BuildError("compiling the translations failed:\n"
                         + (done.stdout + done.stderr).strip())


def make_icons(folder: Path = ICONS) -> list[Path]:
    """Draw ``smm-desk.ico`` and ``smm-desk.icns`` into ``folder`` (a child process:
    rendering needs a Qt application, offscreen on Linux); the files written."""
    env = dict(os.environ)
    if sys.platform.startswith("linux"):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    done = subprocess.run([sys.executable, "-m", "smm_desk.ui.icons", str(folder)], cwd=ROOT,
                          env=env, capture_output=True, text=True, check=False)
    written = [Path(line) for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not written or not all(p.is_file() for p in written):
        raise BuildError("drawing the installer icons failed:\n"
                         + (done.stdout + done.stderr).strip())
    return written


def build(force: bool = False) -> Path:
    """Build the bundle unless the inputs are unchanged; returns its folder."""
    with build_lock():
        compile_translations()
        wanted = inputs_hash()
        if not force and up_to_date(wanted):
            print(f"bundle: up to date (inputs {wanted[:12]}), not rebuilt")
        else:
            STAMP.unlink(missing_ok=True)
            print("bundle: building with PyInstaller (a few minutes; log: "
                  f"{LOG.relative_to(ROOT)})", flush=True)
            started = time.monotonic()
            make_icons()
            run_pyinstaller()
            seconds = time.monotonic() - started
            if not executable().is_file():
                raise BuildError(f"PyInstaller finished but {executable()} is missing")
            STAMP.write_text(json.dumps({"inputs": wanted, "version": project_version(),
                                         "seconds": round(seconds, 1)}) + "\n",
                             encoding="utf-8")
            print(f"bundle: built in {int(seconds // 60)}m {seconds % 60:.0f}s")
    total, count, largest = folder_size(BUNDLE)
    print(f"bundle: {BUNDLE.relative_to(ROOT)} is {mib(total)} in {count} files; largest:")
    for size, rel in largest:
        print(f"  {mib(size):>10}  {rel}")
    return BUNDLE


# -- smoke test ---------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG; BuildError if ``data`` is not one."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise BuildError("not a PNG file")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def png_distinct_bytes(data: bytes) -> int:
    """How many distinct byte values the decompressed image data has (1–2: blank)."""
    pos, idat = 8, b""
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(idat)))


def _log_tails(folder: Path, lines: int = 40) -> str:
    """The end of every log file the app wrote under ``folder`` (for a failed run)."""
    tails = []
    for log in sorted(folder.rglob("*.log")):
        text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
        tails.append(f"--- {log.name}:\n" + "\n".join(text))
    return "\n".join(tails)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True,
                              encoding="utf-8", errors="replace", timeout=SMOKE_TIMEOUT,
                              check=False)
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{' '.join(args[1:])}: no exit within {SMOKE_TIMEOUT:.0f}s") from exc
    problems = ("Traceback", "ModuleNotFoundError", "ImportError", "could not load the Qt")
    output = done.stdout + done.stderr
    if done.returncode != 0 or any(p.lower() in output.lower() for p in problems):
        logs = _log_tails(Path(env["SMM_DESK_DATA_DIR"]))
        raise BuildError(f"`{Path(args[0]).name} {' '.join(args[1:])}` failed "
                         f"(exit {done.returncode}):\n{output.strip()}\n{logs}".rstrip())
    return done


def smoke(bundle: Path = BUNDLE) -> None:
    """Run the bundled app offscreen: --version, then the demo with a screenshot."""
    exe = executable(bundle)
    version = project_version()
    with tempfile.TemporaryDirectory(prefix="smm-desk-smoke-") as tmp:
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "SMM_DESK_DATA_DIR": tmp,
               "HOME": tmp, "XDG_CONFIG_HOME": tmp, "XDG_DATA_HOME": tmp,
               "XDG_CACHE_HOME": tmp, "SMM_DESK_AGENT": "smoke"}
        env.pop("SMM_DESK_DB", None)
        started = time.monotonic()
        out = _run([str(exe), "--version"], env).stdout.strip()
        if out != f"{NAME} {version}":
            raise BuildError(f"`{NAME} --version` printed {out!r}, expected '{NAME} {version}'")
        print(f"smoke: `{NAME} --version` -> {out} ({time.monotonic() - started:.1f}s)")

        shot = Path(tmp) / "demo.png"
        started = time.monotonic()
        _run([str(exe), "demo", "--screenshot", str(shot), "--after", "2"], env)
        if not shot.is_file():
            raise BuildError("`demo --screenshot` exited 0 but saved no picture")
        data = shot.read_bytes()
        size = png_size(data)
        if size != SCREENSHOT_SIZE:
            raise BuildError(f"the demo screenshot is {size}, expected {SCREENSHOT_SIZE}")
        if png_distinct_bytes(data) < 16:
            raise BuildError("the demo screenshot is blank")
        keep = os.environ.get("SMM_DESK_SMOKE_SCREENSHOT")
        if keep:
            shutil.copyfile(shot, keep)
        print(f"smoke: `{NAME} demo --screenshot FILE --after 2` -> {size[0]}x{size[1]} PNG, "
              f"{len(data) // 1024} KiB ({time.monotonic() - started:.1f}s)")


# -- installers ---------------------------------------------------------------------------


def _iscc() -> str:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"),
                 os.environ.get("LOCALAPPDATA", "") + "\\Programs"):
        candidate = Path(base or "") / "Inno Setup 6" / "ISCC.exe"
        if base and candidate.is_file():
            return str(candidate)
    raise BuildError("Inno Setup 6 (ISCC.exe) not found: install it, e.g. "
                     "`choco install innosetup` or https://jrsoftware.org/isdl.php")


def installer() -> Path:
    version = project_version()
    if sys.platform == "win32":
        out = DIST / f"SMM-Desk-{version}-setup.exe"
        subprocess.run([_iscc(), f"/DAppVersion={version}", f"/DSourceDir={BUNDLE}",
                        f"/DOutputDir={DIST}", f"/DOutputBaseFilename={out.stem}",
                        str(PACKAGING / "windows" / "smm-desk.iss")], check=True)
    elif sys.platform == "darwin":
        out = DIST / f"SMM-Desk-{version}.dmg"
        out.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-m", "dmgbuild", "-s",
                        str(PACKAGING / "macos" / "dmg_settings.py"),
                        "-D", f"app={DIST / (APP_NAME + '.app')}",
                        APP_NAME, str(out)], check=True)
    else:
        arch = platform.machine().lower() or "unknown"
        out = DIST / f"{NAME}-{version}-linux-{arch}.tar.gz"
        with tarfile.open(out, "w:gz") as tar:
            tar.add(BUNDLE, arcname=f"{NAME}-{version}")
    print(f"installer: {out.relative_to(ROOT)} ({mib(out.stat().st_size)})")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    parser.add_argument("--smoke", action="store_true",
                        help="run the bundle offscreen: --version and demo --screenshot")
    parser.add_argument("--installer", action="store_true",
                        help="make this platform's installer (Windows .exe, macOS .dmg, "
                             "Linux .tar.gz)")
    args = parser.parse_args(argv)
    try:
        build(force=args.force)
        if args.smoke:
            smoke()
        if args.installer:
            installer()
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"[smm-desk] ERROR: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
