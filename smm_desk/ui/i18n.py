"""Translation helpers the widgets share (English, Russian, Vietnamese).

Every user-visible string goes through Qt's translation system with an
explicit context: ``translate("MainWindow", "Outbox empty")``. (Not
``self.tr``: in PySide6 it takes its context from the runtime class, so a
subclass would look in the wrong context.) ``pyside6-lupdate`` finds these
calls, ``QT_TRANSLATE_NOOP`` marks strings in module-level tables that are
translated later, where they are shown. The ``.ts`` sources live in
``resources/i18n/``; :mod:`smm_desk.app.i18n` compiles and installs them.

Placeholders are Python's ``{name}`` (filled by ``.format`` *after*
translation, so customer text never meets the translator) and Qt's ``%n`` for
counts. A count's source text marks its English plural as ``case(s)`` or
``repl(y|ies)``; the English catalogue has both forms, and :func:`plural`
applies the same English rule when no catalogue is loaded (tests, a missing
``.qm``), so the source notation never reaches the screen.

The language is chosen in the settings (``LANGUAGE_KEY`` in the desk's
QSettings; empty means "as the system") and applies at the next start.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QLocale

__all__ = [
    "LANGUAGES",
    "LANGUAGE_KEY",
    "QT_TRANSLATE_NOOP",
    "locale_language",
    "network_name",
    "plural",
    "reply_window_note",
    "translate",
]

#: ``translate(context, source, disambiguation=None, n=-1)``; lupdate knows the name.
translate = QCoreApplication.translate


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - Qt's name
    """Mark ``text`` for translation in ``context`` where it is defined (a table);
    it is translated where it is shown. (PySide6's own returns ``object``.)"""
    return text

#: The QSettings key holding the chosen language ("" or missing: the system's).
LANGUAGE_KEY = "ui/language"
#: (code, name in that language): the languages the desk ships.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"),
    ("ru", "Русский"),
    ("vi", "Tiếng Việt"),
)

_CHOICE = re.compile(r"\((\w*)\|(\w*)\)")
_S = re.compile(r"\(s\)")


def plural(text: str, n: int) -> str:
    """``text`` (a ``translate(..., n)`` result) with any English plural marks
    left in it resolved for ``n``: ``case(s)``, ``repl(y|ies)``."""
    if "(" not in text:
        return text
    one = n == 1
    text = _CHOICE.sub(lambda m: m.group(1) if one else m.group(2), text)
    return _S.sub("" if one else "s", text)


def locale_language() -> str:
    """The two-letter code of the language the desk is shown in (``en`` when
    the default locale is C or a language we do not ship)."""
    name = QLocale().name().split("_")[0]
    return name if name in {code for code, _ in LANGUAGES} else "en"


_NETWORKS = {
    # Proper names stay as they are; only the generic one is a word.
    "email": QT_TRANSLATE_NOOP("Network", "Email"),
}


def network_name(network: str, known: dict[str, str] | None = None) -> str:
    """A network's display name (``known`` maps key -> name; "Email" is translated)."""
    if network in _NETWORKS:
        return translate("Network", _NETWORKS[network])
    if known is not None and network in known:
        return known[network]
    return network


# The reply-window notes come from the domain (no Qt there) in English; these
# are the same sentences with the network's name as ``{name}``. A note that
# matches none (the domain changed its wording) is shown as it is.
_WINDOW_NOTES = (
    QT_TRANSLATE_NOOP("ReplyWindow",
                      "{name} only lets a business answer a message: wait for the customer "
                      "to write."),
    QT_TRANSLATE_NOOP("ReplyWindow",
                      "{name} lets a business answer within 24 hours of the customer's last "
                      "message."),
    QT_TRANSLATE_NOOP("ReplyWindow",
                      "{name}'s 24-hour window has closed. A person may still answer with the "
                      "HUMAN_AGENT tag for up to 7 days after the customer's last message."),
    QT_TRANSLATE_NOOP("ReplyWindow",
                      "{name}'s 24-hour window and the 7-day HUMAN_AGENT allowance have both "
                      "passed: the reply will be refused until the customer writes again."),
    QT_TRANSLATE_NOOP("ReplyWindow",
                      "{name} only lets a business reply where the customer mentioned or quoted "
                      "it, and this customer did not: answer by direct message, or wait until "
                      "they mention us."),
)
_WINDOW_NAMES = ("Messenger", "Instagram", "Facebook", "WhatsApp", "X")


def reply_window_note(note: str) -> str:
    """The domain's English reply-window ``note`` in the desk's language."""
    if not note:
        return note
    for template in _WINDOW_NOTES:
        for name in _WINDOW_NAMES:
            if template.format(name=name) == note:
                return translate("ReplyWindow", template).format(name=name)
    return note
