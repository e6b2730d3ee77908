"""html_to_text's fast path for plain paragraphs gives exactly what the parser gives."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.domain import text as T


def through_the_parser(markup: str) -> str:
    parser = T._TextExtractor()
    parser.feed(T._SURROGATE.sub("\ufffd", markup))
    parser.close()
    out = re.sub(r"[ \t]+\n", "\n", "".join(parser.parts))
    return T.clean_text(re.sub(r"\n{3,}", "\n\n", out), T.MAX_TEXT)


_piece = st.text(alphabet=st.sampled_from(list("ab &;#x3c\n\t >\"'\u202e\u200b")) | st.characters(),
                 max_size=12).map(lambda t: t.replace("<", ""))


@settings(max_examples=400)
@given(st.lists(_piece, min_size=1, max_size=4))
def test_plain_paragraphs_read_as_the_parser_reads_them(parts: list[str]) -> None:
    markup = "".join(f"<p>{part}</p>" for part in parts)
    assert T._PLAIN_PARAGRAPHS.fullmatch(markup)
    assert T.html_to_text(markup) == through_the_parser(markup)


def test_richer_markup_still_goes_through_the_parser() -> None:
    markup = ('<p><span class="h-card"><a href="https://m.example/@acme">@<span>acme</span></a>'
              "</span> hi &amp; bye<br>line two</p><p>next</p>")
    assert not T._PLAIN_PARAGRAPHS.fullmatch(markup)
    assert T.html_to_text(markup) == "@acme hi & bye\nline two\n\nnext"
