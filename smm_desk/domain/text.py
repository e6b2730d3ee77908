"""Turning network text into what a person reads, safely.

Stored text is plain text. Networks that send HTML (Mastodon's ``content``)
are converted here: paragraphs and line breaks become newlines, links keep
their visible text (and the address when the text hides it), mentions stay
``@name``. Whatever arrives, the result can be stored on every engine and
shown as plain text: NUL and other control characters are dropped (PostgreSQL
rejects NUL), lone surrogates become U+FFFD (they cannot be encoded), and very
long texts are cut with a marker, so one hostile 1 MB comment cannot bloat the
queue. Bidirectional overrides are kept in storage (they are part of what the
customer wrote) and neutralised by the UI, which isolates every text it shows.
"""

from __future__ import annotations

import html
import re
import unicodedata
from html.parser import HTMLParser

MAX_TEXT = 20_000
TRUNCATED = "\n[… message shortened by SMM Desk]"

_SURROGATE = re.compile("[\ud800-\udfff]")
#: Control characters other than tab and newline (\r is folded into \n first).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def clean_text(value: object, max_len: int = MAX_TEXT) -> str:
    """Plain text safe to store and show. Never raises for any str input."""
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    if _UNSAFE.search(text):  # rare: most texts skip straight to normalization
        text = _SURROGATE.sub("\ufffd", text)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _CONTROL.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if len(text) > max_len:
        text = text[: max_len - len(TRUNCATED)] + TRUNCATED
    return text.strip()


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "li", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag == "br":
            self._emit("\n")
        elif tag in self.BLOCK:
            self._block()
        elif tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self._block()
        elif tag == "a" and self._href is not None:
            shown = "".join(self._link_text)
            href = self._href
            self._href = None
            if href and href.startswith(("http://", "https://")) and not shown.startswith(("@", "#")):
                bare = href.split("://", 1)[1].rstrip("/")
                if shown.strip().rstrip("/").rstrip("…") and bare.startswith(
                    shown.strip().rstrip("…").split("://", 1)[-1].rstrip("/")
                ):
                    self.parts.append(href)  # show the whole address, not a shortened one
                else:
                    self.parts.append(shown)
                    if shown.strip():
                        self.parts.append(f" ({href})")
                    else:
                        self.parts.append(href)
            else:
                self.parts.append(shown)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self._emit(data)

    def _emit(self, text: str) -> None:
        if self._href is not None:
            self._link_text.append(text)
        else:
            self.parts.append(text)

    def _block(self) -> None:
        if self.parts and not "".join(self.parts[-2:]).endswith("\n\n"):
            self.parts.append("\n\n")


#: Paragraphs of plain text, the shape most Mastodon statuses have: read
#: without the parser (the same result, proven by a property test).
_PLAIN_PARAGRAPHS = re.compile(r"(?:<p>[^<]*</p>)+")
_PARAGRAPH = re.compile(r"<p>([^<]*)</p>")


def html_to_text(markup: object, max_len: int = MAX_TEXT) -> str:
    """What a person reads in an HTML fragment, as plain text."""
    source = markup if isinstance(markup, str) else ""
    if _PLAIN_PARAGRAPHS.fullmatch(source):
        paragraphs = [html.unescape(_SURROGATE.sub("\ufffd", part))
                      for part in _PARAGRAPH.findall(source)]
        text = "\n\n".join(part for part in paragraphs if part) + "\n\n"
        text = re.sub(r"[ \t]+\n", "\n", text)
        text = re.sub(r"\n{3,}", "\n\n", text)
        return clean_text(text, max_len)
    parser = _TextExtractor()
    try:
        parser.feed(_SURROGATE.sub("\ufffd", source))
        parser.close()
    except Exception:  # noqa: BLE001 - html.parser is lenient; never let markup crash ingest
        return clean_text(html.unescape(re.sub(r"<[^>]*>", " ", source)), max_len)
    text = "".join(parser.parts)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return clean_text(text, max_len)
