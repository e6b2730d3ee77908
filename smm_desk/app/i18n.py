"""The desk's language: compiling the translations and installing them at start.

Sources: ``resources/i18n/smm_desk_{en,ru,vi}.ts`` (Qt Linguist files, open
them in Qt Linguist or any editor), plus ``qtbase_vi.ts`` — Qt ships no Vietnamese for its own strings (standard
buttons, the text fields' context menu), so we carry the few the desk shows.

Compiled: ``smm_desk/i18n/*.qm`` (package data, not in git), made by
``python -m smm_desk.app.i18n --compile`` (``pyside6-lrelease``), which the
test and demo scripts run first and the installers' build runs too. It also
copies Qt's own ``qtbase_ru.qm`` there, so a bundle needs nothing from Qt's
translations directory. Run from a source checkout, :func:`install_translations`
recompiles a missing or stale ``.qm`` by itself.

Keeping them up to date: ``python -m smm_desk.app.i18n --update`` reads the
strings from the code (``translate("Context", "text")``, ``QT_TRANSLATE_NOOP``,
``self.tr``) with Python's own parser and merges them into the ``.ts`` files:
new strings arrive unfinished, translations stay, strings gone from the code are
dropped, and a source with ``%n`` becomes a plural message (Russian has three
forms, Vietnamese one). Not ``pyside6-lupdate``: its Python reader silently skips
some calls (``translate(ctx, text, None, len(x))``) and never marks plurals; the
test still runs it as a cross-check.

Which language (:func:`chosen_language`): ``SMM_DESK_LANG`` in the environment
(``en``, ``ru``, ``vi``: screenshots, support), else the choice stored in the
desk's QSettings under ``ui/language`` (the settings dialog writes it; it
applies at the next start), else the first of the system's UI languages we
ship, else English.

At start only :func:`install_translations` runs: the XML modules the ``.ts``
tooling needs (pyexpat, ~20 ms) are imported by the functions that read or
write ``.ts`` files, not with this module.
"""

from __future__ import annotations

import argparse
import ast
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTranslator

import smm_desk
from smm_desk.ui.i18n import LANGUAGE_KEY, LANGUAGES, plural

log = logging.getLogger("smm_desk.i18n")

PACKAGE = Path(smm_desk.__file__).resolve().parent
#: The compiled catalogues (package data).
QM_DIR = PACKAGE / "i18n"
#: The sources, in a source checkout (absent from an installed package or a bundle).
TS_DIR = PACKAGE.parent / "resources" / "i18n"
CODES = tuple(code for code, _ in LANGUAGES)
ENV = "SMM_DESK_LANG"
#: Qt's own strings: copied from Qt's translations directory when it has them.
QT_BASE_FROM_QT = ("ru",)


def _tool(name: str) -> list[str]:
    """The command for a Qt tool shipped in the PySide6 wheel (lupdate, lrelease)."""
    exe = Path(PySide6.__file__).resolve().parent / (name + (".exe" if os.name == "nt" else ""))
    if exe.exists():
        return [str(exe)]
    found = shutil.which(f"pyside6-{name}") or shutil.which(name)
    if found:
        return [found]
    raise FileNotFoundError(f"{name} not found (it comes with PySide6-Essentials)")


def ts_files(ts_dir: Path = TS_DIR) -> list[Path]:
    return sorted(ts_dir.glob("*.ts"))


def compile_translations(ts_dir: Path = TS_DIR, out_dir: Path = QM_DIR) -> list[Path]:
    """Every ``.ts`` in ``ts_dir`` to a ``.qm`` in ``out_dir``, plus Qt's own
    catalogues for the languages Qt translates. Returns the files written."""
    sources = ts_files(ts_dir)
    if not sources:
        raise FileNotFoundError(f"no .ts files in {ts_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for ts in sources:
        qm = out_dir / (ts.stem + ".qm")
        subprocess.run([*_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)],
                       check=True, capture_output=True)
        written.append(qm)
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for code in QT_BASE_FROM_QT:
        source = qt_dir / f"qtbase_{code}.qm"
        if source.exists():
            shutil.copyfile(source, out_dir / source.name)
            written.append(out_dir / source.name)
    return written


# -- extracting the strings ----------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Message:
    """One translatable string: where it is looked up, and whether it counts (``%n``)."""

    context: str
    source: str
    comment: str = ""

    @property
    def numerus(self) -> bool:
        return "%n" in self.source


class _Finder(ast.NodeVisitor):
    """``translate("Ctx", "text")``, ``QCoreApplication.translate(...)``,
    ``QT_TRANSLATE_NOOP("Ctx", "text")`` and ``self.tr("text")`` (context: the class)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.classes: list[str] = []
        self.found: list[Message] = []
        self.problems: list[str] = []

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.classes.append(node.name)
        self.generic_visit(node)
        self.classes.pop()

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else \
            func.attr if isinstance(func, ast.Attribute) else ""
        args = node.args
        if name in ("translate", "QT_TRANSLATE_NOOP", "QT_TRANSLATE_NOOP3") and args:
            self._add(args[0], args[1] if len(args) > 1 else None,
                      args[2] if len(args) > 2 else None, node)
        elif name == "tr" and isinstance(func, ast.Attribute) and args and self.classes:
            self._add(ast.Constant(self.classes[-1]), args[0],
                      args[1] if len(args) > 1 else None, node)
        self.generic_visit(node)

    def _add(self, context: ast.expr, source: ast.expr | None, comment: ast.expr | None,
             node: ast.Call) -> None:
        where = f"{self.path}:{node.lineno}"
        if not (isinstance(context, ast.Constant) and isinstance(context.value, str)):
            return  # translate(context_variable, ...): looking up a string marked elsewhere
        if not (isinstance(source, ast.Constant) and isinstance(source.value, str)):
            if isinstance(source, ast.JoinedStr):
                self.problems.append(f"{where}: an f-string cannot be translated")
            return  # a variable: the string is marked with QT_TRANSLATE_NOOP where defined
        text = comment.value if isinstance(comment, ast.Constant) and \
            isinstance(comment.value, str) else ""
        self.found.append(Message(context.value, source.value, text))


def extract(package: Path = PACKAGE) -> tuple[list[Message], list[str]]:
    """Every translatable string in the package's code (sorted, unique), and the
    problems found on the way (f-strings handed to ``translate``)."""
    found: set[Message] = set()
    problems: list[str] = []
    for path in sorted(package.rglob("*.py")):
        finder = _Finder(path.relative_to(package.parent))
        finder.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found.update(finder.found)
        problems += finder.problems
    return sorted(found), problems


# -- the .ts files --------------------------------------------------------------------------


@dataclass
class Entry:
    """A message in a ``.ts`` file with its translation (forms, for a count)."""

    message: Message
    forms: list[str]
    finished: bool


def read_ts(path: Path) -> dict[Message, Entry]:
    from xml.etree import ElementTree

    root = ElementTree.parse(path).getroot()
    entries: dict[Message, Entry] = {}
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for node in context.iter("message"):
            message = Message(name, node.findtext("source") or "", node.findtext("comment") or "")
            translation = node.find("translation")
            if translation is None:
                continue
            forms = [f.text or "" for f in translation.iter("numerusform")] \
                if node.get("numerus") == "yes" else [translation.text or ""]
            finished = translation.get("type") not in ("unfinished", "vanished", "obsolete")
            entries[message] = Entry(message, forms, finished)
    return entries


def ts_language(path: Path) -> str:
    from xml.etree import ElementTree

    return ElementTree.parse(path).getroot().get("language", "")


def write_ts(path: Path, language: str, entries: Sequence[Entry]) -> None:
    """Write ``entries`` as a Qt Linguist file, laid out as lupdate does."""
    from xml.sax.saxutils import escape

    def text(value: str) -> str:
        return escape(value, {'"': "&quot;", "'": "&apos;"})

    lines = ['<?xml version="1.0" encoding="utf-8"?>', "<!DOCTYPE TS>",
             f'<TS version="2.1" language="{language}" sourcelanguage="en">']
    by_context: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=lambda e: e.message):
        by_context.setdefault(entry.message.context, []).append(entry)
    for context, items in by_context.items():
        lines += ["<context>", f"    <name>{text(context)}</name>"]
        for entry in items:
            message = entry.message
            state = "" if entry.finished else ' type="unfinished"'
            lines.append('    <message numerus="yes">' if message.numerus else "    <message>")
            lines.append(f"        <source>{text(message.source)}</source>")
            if message.comment:
                lines.append(f"        <comment>{text(message.comment)}</comment>")
            if message.numerus:
                lines.append(f"        <translation{state}>")
                lines += [f"            <numerusform>{text(form)}</numerusform>"
                          for form in entry.forms]
                lines.append("        </translation>")
            else:
                lines.append(f"        <translation{state}>{text(entry.forms[0])}</translation>")
            lines.append("    </message>")
        lines.append("</context>")
    lines.append("</TS>")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


#: How many plural forms each language has (Qt's rules: English one/other,
#: Russian one/few/many, Vietnamese one form).
PLURAL_FORMS = {"en": 2, "ru": 3, "vi": 1}


def update_sources(ts_dir: Path = TS_DIR, package: Path = PACKAGE) -> dict[str, int]:
    """Refresh the desk's ``.ts`` files from the code: new strings come in
    unfinished (English: finished, the source is the text), translations are
    kept, strings gone from the code are dropped. Returns the count of
    unfinished strings per file."""
    messages, problems = extract(package)
    for problem in problems:
        log.warning("%s", problem)
    unfinished: dict[str, int] = {}
    for code in CODES:
        path = ts_dir / f"smm_desk_{code}.ts"
        old = read_ts(path) if path.exists() else {}
        language = ts_language(path) if path.exists() else \
            {"en": "en_US", "ru": "ru_RU", "vi": "vi_VN"}[code]
        entries = []
        for message in messages:
            forms_wanted = PLURAL_FORMS[code] if message.numerus else 1
            entry = old.get(message)
            if code == "en" and (entry is None or not entry.finished):
                forms = [plural(message.source, 1), plural(message.source, 2)] \
                    if message.numerus else [message.source]
                entry = Entry(message, forms, True)
            elif entry is None:
                entry = Entry(message, [""] * forms_wanted, False)
            if len(entry.forms) != forms_wanted:
                entry.forms = (entry.forms + [""] * forms_wanted)[:forms_wanted]
                entry.finished = False
            entries.append(entry)
        write_ts(path, language, entries)
        unfinished[path.name] = sum(1 for e in entries if not e.finished)
    return unfinished


def _stale(ts: Path, qm: Path) -> bool:
    return not qm.exists() or qm.stat().st_mtime < ts.stat().st_mtime


def ensure_compiled() -> None:
    """In a source checkout, compile when a ``.qm`` is missing or older than its
    ``.ts``; anywhere else (a bundle, a wheel) there is nothing to do."""
    sources = ts_files()
    if sources and any(_stale(ts, QM_DIR / (ts.stem + ".qm")) for ts in sources):
        try:
            compile_translations()
        except (OSError, subprocess.CalledProcessError) as exc:
            log.warning("could not compile the translations: %s", exc)


def system_language() -> str:
    """The first of the system's UI languages the desk ships, else English."""
    for name in QLocale.system().uiLanguages():
        code = name.replace("_", "-").split("-")[0].lower()
        if code in CODES:
            return code
    return "en"


def chosen_language(settings: QSettings | None = None) -> str:
    """The language to show (see the module doc): env, then settings, then system."""
    forced = os.environ.get(ENV, "").strip().lower().replace("_", "-").split("-")[0]
    if forced in CODES:
        return forced
    if settings is not None:
        stored = settings.value(LANGUAGE_KEY)
        if isinstance(stored, str) and stored in CODES:
            return stored
    return system_language()


def _remove_installed(app: QCoreApplication) -> None:
    for translator in getattr(app, "_smm_translators", []):
        QCoreApplication.removeTranslator(translator)
    app._smm_translators = []  # type: ignore[attr-defined]


def install_translations(app: QCoreApplication, settings: QSettings | None = None,
                         language: str | None = None, qm_dir: Path = QM_DIR) -> str:
    """Install the desk's and Qt's translations for ``language`` (default:
    :func:`chosen_language`) from ``qm_dir`` on ``app``; calling it again
    replaces them. Returns the language code in effect."""
    code = language if language in CODES else chosen_language(settings)
    if qm_dir == QM_DIR:
        ensure_compiled()
    _remove_installed(app)
    installed: list[QTranslator] = []
    qt_dir = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    for name, folders in ((f"qtbase_{code}", (qm_dir, qt_dir)),
                          (f"smm_desk_{code}", (qm_dir,))):
        for folder in folders:
            translator = QTranslator(app)
            if (folder / f"{name}.qm").exists() and translator.load(name, str(folder)):
                QCoreApplication.installTranslator(translator)
                installed.append(translator)
                break
        else:
            if code != "en" or name.startswith("smm_desk"):
                log.warning("no %s.qm found: showing English", name)
    app._smm_translators = installed  # type: ignore[attr-defined]
    QLocale.setDefault(QLocale(code))
    return code


def uninstall_translations(app: QCoreApplication) -> None:
    """Back to the untranslated (English) strings and the system locale (tests)."""
    _remove_installed(app)
    QLocale.setDefault(QLocale.system())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m smm_desk.app.i18n",
                                     description="Build the desk's translations.")
    parser.add_argument("--compile", action="store_true",
                        help=f"compile {TS_DIR}/*.ts into {QM_DIR}/*.qm")
    parser.add_argument("--update", action="store_true",
                        help="refresh the .ts files from the strings in the code")
    args = parser.parse_args(argv)
    if not (args.compile or args.update):
        parser.error("nothing to do: give --compile and/or --update")
    if args.update:
        for name, count in update_sources().items():
            print(f"{name}: {count} unfinished")
    if args.compile:
        for path in compile_translations():
            print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
