"""Telegram HTML shown on a page: formatting tags pass, everything else is inert text."""

from __future__ import annotations

from web.markup import to_page, to_plain


def test_telegram_formatting_tags_pass_through() -> None:
    shown = to_page(
        "<b>粗</b><i>斜</i><code>x=1</code><pre>块</pre><blockquote>引</blockquote>", "HTML"
    )
    assert str(shown) == (
        "<b>粗</b><i>斜</i><code>x=1</code><pre>块</pre><blockquote>引</blockquote>"
    )


def test_scripts_handlers_and_unknown_tags_are_shown_as_text() -> None:
    shown = str(
        to_page(
            '<script>alert(1)</script><img src=x onerror="alert(2)"><b onclick="x()">b</b>', "HTML"
        )
    )
    assert "<script" not in shown and "<img" not in shown and "onclick" not in shown
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in shown
    assert "<b>b</b>" in shown


def test_links_keep_only_web_addresses() -> None:
    good = str(to_page('<a href="https://example.org/a?b=1&amp;c=2">来源</a>', "HTML"))
    assert good.startswith('<a href="https://example.org/a?b=1&amp;c=2" rel="noopener')
    bad = str(to_page('<a href="javascript:alert(1)">点我</a>', "HTML"))
    assert "javascript" not in bad and bad == "<a>点我</a>"


def test_entities_and_unclosed_tags_stay_well_formed() -> None:
    assert str(to_page("<b>a &lt; b &amp; c", "HTML")) == "<b>a &lt; b &amp; c</b>"
    assert str(to_page("</i>stray", "HTML")) == "&lt;/i&gt;stray"
    assert to_plain("<b>a &lt; b</b>", "HTML") == "a < b"


def test_plain_messages_are_escaped_whole() -> None:
    assert str(to_page("<b>not bold</b>", None)) == "&lt;b&gt;not bold&lt;/b&gt;"
    assert to_plain("<b>x</b>", None) == "<b>x</b>"
