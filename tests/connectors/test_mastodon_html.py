"""The everyday status HTML read without the parser: the same text as html_to_text."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from smm_desk.connectors import mastodon_html
from smm_desk.connectors.mastodon_html import status_text
from smm_desk.domain.text import html_to_text

#: Text as it comes escaped in status HTML, plus raw '&', '>', entities, spaces,
#: newlines, control characters, lone surrogates and wide characters.
raw_text = st.lists(st.sampled_from(list("ab Z\t\n\r&;#>\"'é\u202e\u200b\x00\x07")
                                    + ["\ud800", "&amp;", "&lt;", "&#x41;", "&#0;", "&nbsp",
                                       "😀", "  ", "\n\n\n"]), max_size=12).map("".join)
escaped = st.text(max_size=20).map(html.escape)
piece = st.one_of(
    raw_text.filter(lambda t: "<" not in t),
    escaped,
    st.just("<br />"), st.just("<br>"), st.just("<br/>"),
    st.tuples(st.text(max_size=10), st.sampled_from(["acme", "ann@x.example", "", "a&amp;b"]))
    .map(lambda t: ('<span class="h-card" translate="no"><a href="https://m.example/@'
                    f'{html.escape(t[0]).replace("&", "")}" class="u-url mention">@<span>'
                    f"{t[1]}</span></a></span>")),
    st.sampled_from(["tag", "Ünï", "", "x&gt;y"]).map(
        lambda t: f'<a href="https://m.example/tags/{t.lower().replace("&", "")}" '
                  f'class="mention hashtag" rel="tag">#<span>{t}</span></a>'),
)
paragraph = st.lists(piece, max_size=6).map(lambda ps: "<p>" + "".join(ps) + "</p>")
status = st.lists(paragraph, min_size=1, max_size=4).map("".join)


@settings(max_examples=600, deadline=None)
@given(status)
def test_everyday_status_html_reads_as_the_parser_reads_it(markup: str) -> None:
    assert mastodon_html._fast(mastodon_html._SURROGATE.sub("\ufffd", markup)) is not None
    assert status_text(markup) == html_to_text(markup)


@settings(max_examples=400, deadline=None)
@given(st.one_of(
    status.map(lambda s: s.replace("</p>", "<b>x</b></p>", 1)),  # another tag: general path
    status.map(lambda s: s[: len(s) // 2]),  # cut anywhere
    st.text(max_size=60).map(lambda s: "<p>" + s),
    st.from_type(object).filter(lambda v: not isinstance(v, str)),
    st.text(max_size=80),
))
def test_any_other_markup_still_reads_as_html_to_text(markup: object) -> None:
    assert status_text(markup) == html_to_text(markup)


def test_the_simulators_comment_shape_takes_the_fast_path() -> None:
    markup = ('<p><span class="h-card" translate="no"><a href="https://mastodon.example/@acme" '
              'class="u-url mention">@<span>acme</span></a></span> my order &amp; '
              "invoice<br />are late</p><p>#<span>x</span></p>")
    assert mastodon_html._fast(markup) is None  # a bare '#<span>' is not a hashtag link
    markup = markup.replace("<p>#<span>x</span></p>", "<p>thanks</p>")
    assert mastodon_html._fast(markup) is not None
    assert status_text(markup) == "@acme my order & invoice\nare late\n\nthanks"
    assert status_text(markup) == html_to_text(markup)
