"""Status HTML as plain text, the everyday shape without the HTML parser.

Mastodon renders a status as ``<p>`` paragraphs of escaped text, ``<br />``
line breaks, mentions (``<span class="h-card" translate="no"><a href="…"
class="u-url mention">@<span>name</span></a></span>``) and hashtags (``<a
href="…" class="mention hashtag" rel="tag">#<span>tag</span></a>``)
(https://docs.joinmastodon.org/spec/activitypub/#sanitization; the markup of
``app/lib/text_formatter.rb``). Nearly every status a customer writes to a
brand is exactly that, since a comment or a DM starts with the brand's mention;
the general :func:`smm_desk.domain.text.html_to_text` feeds it to
``html.parser`` (~90 µs a status). :func:`status_text` reads that shape with
one regular expression and replays the parser's own rules (a block opens
with a blank line unless one is there; a mention or hashtag shows its link
text, which starts with ``@``/``#``); anything else (links, other tags or
attributes, a stray ``<``) goes to ``html_to_text``. The same text either
way: a property test holds the two together.
"""

from __future__ import annotations

import html
import re

from smm_desk.domain.text import clean_text, html_to_text

_SURROGATE = re.compile("[\ud800-\udfff]")
_TOKEN = re.compile(
    r"([^<]+)"  # text
    r"|(<p>)|(</p>)|(<br ?/?>)"
    r'|<span class="h-card" translate="no"><a href="[^"<>&]*" class="u-url mention">'
    r"@<span>([^<]*)</span></a></span>"
    r'|<a href="[^"<>&]*" class="mention hashtag" rel="tag">#<span>([^<]*)</span></a>')


def _fast(source: str) -> str | None:
    """The parser's parts for the everyday shape, or None for anything else."""
    parts: list[str] = []

    def block() -> None:
        if parts and not "".join(parts[-2:]).endswith("\n\n"):
            parts.append("\n\n")

    at, end = 0, len(source)
    while at < end:
        match = _TOKEN.match(source, at)
        if match is None:
            return None
        text, opened, closed, br, mention, tag = match.groups()
        if text is not None:
            parts.append(html.unescape(text))
        elif opened or closed:
            block()
        elif br:
            parts.append("\n")
        elif mention is not None:
            parts.append("@" + html.unescape(mention))
        else:
            parts.append("#" + html.unescape(tag))
        at = match.end()
    return "".join(parts)


def status_text(markup: object) -> str:
    """``html_to_text(markup)``, without the parser for the everyday shape."""
    if not isinstance(markup, str) or not markup.startswith("<p>"):
        return html_to_text(markup)
    source = _SURROGATE.sub("\ufffd", markup)
    text = _fast(source)
    if text is None:
        return html_to_text(markup)
    text = re.sub(r"[ \t]+\n", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return clean_text(text)
