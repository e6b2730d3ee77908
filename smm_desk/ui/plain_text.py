"""The one place that turns customer text into text a widget may show.

Everything a customer (or a network) wrote is shown as plain text: widgets get
it through ``setPlainText``/``Qt.TextFormat.PlainText`` or, in the thread
view, through ``QTextCursor.insertText`` — never through anything that parses
markup, so ``<b>hi</b>`` shows its angle brackets and no remote image is ever
fetched. On the way, :func:`display_text`:

* drops control characters (C0 other than tab and newline, DEL, C1) and turns
  Unicode line/paragraph separators into newlines;
* neutralises bidirectional controls without deleting what the customer wrote:
  on every line, unmatched closers are dropped, openers left open are closed,
  and the line is wrapped in a first-strong isolate (FSI … PDI), so an
  RLO in a name cannot reverse the time printed after it.

Links: :func:`find_links` finds only ``http``/``https`` addresses (never
``javascript:``, ``file:`` or anything else), and stops at whitespace and at any
bidi control, so a link's visible text is the address it opens.
:func:`is_openable` is the check a widget repeats when a link is clicked.
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

from PySide6.QtCore import QLocale

__all__ = [
    "FSI",
    "PDI",
    "display_text",
    "find_links",
    "is_openable",
    "isolate",
    "local_time",
    "neutralise_bidi",
    "one_line",
]

FSI, PDI = "\u2068", "\u2069"
_EMBEDDINGS = frozenset("\u202a\u202b\u202d\u202e")  # LRE RLE LRO RLO, closed by PDF
_PDF = "\u202c"
_ISOLATES = frozenset("\u2066\u2067\u2068")  # LRI RLI FSI, closed by PDI
_BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SEPARATORS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_WHITESPACE = re.compile(r"\s+")

SCHEMES = ("http", "https")
_LINK = re.compile(rf"https?://[^\s<>\"'{_BIDI_CONTROLS}\x00-\x1f\x7f]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\"»…"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def neutralise_bidi(line: str) -> str:
    """``line`` with its bidi controls balanced, wrapped in an isolate."""
    if not line:
        return line
    out: list[str] = []
    stack: list[str] = []  # "e" for an embedding/override, "i" for an isolate
    for char in line:
        if char in _EMBEDDINGS:
            stack.append("e")
        elif char == _PDF:
            if not stack or stack[-1] != "e":
                continue  # nothing of the customer's to close: drop it
            stack.pop()
        elif char in _ISOLATES:
            stack.append("i")
        elif char == PDI:
            if "i" not in stack:
                continue  # would close *our* isolate: drop it
            # A PDI also ends every embedding opened inside its isolate.
            while stack.pop() != "i":
                pass
        out.append(char)
    out.extend(_PDF if kind == "e" else PDI for kind in reversed(stack))
    return FSI + "".join(out) + PDI


def display_text(text: str) -> str:
    """Customer text ready for a plain-text widget: lines kept, each isolated."""
    text = _SEPARATORS.sub("\n", _SURROGATE.sub("\ufffd", text))
    text = _CONTROL.sub("", text.replace("\t", "    "))
    return "\n".join(neutralise_bidi(line) for line in text.strip("\n").split("\n"))


def isolate(text: str) -> str:
    """One short customer string (a name, a handle) made safe to print inline."""
    return neutralise_bidi(_CONTROL.sub("", _SURROGATE.sub("\ufffd", text)))


def one_line(text: str, limit: int = 160) -> str:
    """``text`` flattened to one isolated line of at most ``limit`` characters."""
    flat = _CONTROL.sub("", _WHITESPACE.sub(" ", _SURROGATE.sub("\ufffd", text))).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return neutralise_bidi(flat)


def find_links(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, address)`` of every http/https address in ``text``.

    Trailing punctuation is left out (``see https://x.example/a.``), and a
    closing bracket only belongs to the address when it opened inside it."""
    found = []
    for match in _LINK.finditer(text):
        start, end = match.span()
        while end > start:
            last = text[end - 1]
            if last in _TRAILING:
                end -= 1
            elif last in _PAIRS and text[start:end].count(last) > text[start:end].count(
                _PAIRS[last]
            ):
                end -= 1
            else:
                break
        address = text[start:end]
        if is_openable(address):
            found.append((start, end, address))
    return found


def is_openable(address: str) -> bool:
    """Whether a click may hand ``address`` to the desktop: http(s) with a host."""
    try:
        parts = urlsplit(address.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in SCHEMES and bool(parts.hostname)


def local_time(when: datetime, now: datetime | None = None) -> str:
    """An aware time in the desk's local zone: "14:32" today, "12 Nov 14:32"
    this year, "12 Nov 2025 14:32" before."""
    local = when.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    month = _month(local.month)
    if local.year == today.year:
        return f"{local.day} {month} {local:%H:%M}"
    return f"{local.day} {month} {local:%Y %H:%M}"


def _month(month: int) -> str:
    """A short month name in the desk's language ("Nov", "нояб.", "thg 11")."""
    locale = QLocale()
    if locale.language() in (QLocale.Language.C, QLocale.Language.English):
        return ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec")[month - 1]
    return locale.monthName(month, QLocale.FormatType.ShortFormat)
