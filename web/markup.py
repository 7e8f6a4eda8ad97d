"""Telegram's HTML parse mode, shown on a web page: the tags Telegram formats pass through,
everything else (unknown tags, attributes, scripts) is escaped and shown as text.

The bot escapes user text before sending (`bot/render.py`), so what reaches here is the bot's
own markup; this is the second line of defence, for a page that must never run a script.
"""

from __future__ import annotations

from html import escape
from html.parser import HTMLParser

from markupsafe import Markup

# Telegram's formatting tags, mapped to the tag the page uses.
ALLOWED = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "u": "u",
    "ins": "u",
    "s": "s",
    "strike": "s",
    "del": "s",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "a",
}
LINK_SCHEMES = ("http://", "https://", "tg://", "mailto:")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.plain: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        mapped = ALLOWED.get(tag)
        if mapped is None:
            self.out.append(escape(self.get_starttag_text() or ""))
            return
        if mapped == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(LINK_SCHEMES):
                self.out.append(f'<a href="{escape(href)}" rel="noopener noreferrer nofollow">')
            else:
                self.out.append("<a>")
        else:
            self.out.append(f"<{mapped}>")
        self.open.append(mapped)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(escape(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        mapped = ALLOWED.get(tag)
        if mapped is None or mapped not in self.open:
            self.out.append(escape(f"</{tag}>"))
            return
        while self.open:  # close what was left open inside, like a browser would
            closing = self.open.pop()
            self.out.append(f"</{closing}>")
            if closing == mapped:
                break

    def handle_comment(self, data: str) -> None:
        self.out.append(escape(f"<!--{data}-->"))

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data))
        self.plain.append(data)

    def finish(self) -> tuple[str, str]:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out), "".join(self.plain)


def _parse(text: str) -> tuple[str, str]:
    parser = _Sanitiser()
    parser.feed(text)
    return parser.finish()


def to_page(text: str, parse_mode: str | None) -> Markup:
    """A message's text as safe page HTML (plain text when it was sent without a parse mode)."""
    if (parse_mode or "").upper() != "HTML":
        return Markup(escape(text, quote=True))
    return Markup(_parse(text)[0])


def to_plain(text: str, parse_mode: str | None) -> str:
    """What Telegram would store as the message's text: tags removed, entities decoded."""
    if (parse_mode or "").upper() != "HTML":
        return text
    return _parse(text)[1]
