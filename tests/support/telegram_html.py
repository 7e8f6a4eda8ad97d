"""Telegram's parse_mode=HTML, as the server applies it: plain text plus entities, or an error.

Follows tdlib's `parse_html` (the code behind the Bot API): only the tags in the Bot API
"HTML style" section, the four named entities plus numeric ones, an unknown `&...` kept as is,
and error texts in tdlib's words ("Unsupported start tag "br" at byte offset 5").
Offsets and lengths are UTF-16 code units, like real MessageEntity objects.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_TAG_NAME = re.compile(r"[^\s>]*")  # tdlib reads a tag name up to a space or ">"
_ATTR_NAME = re.compile(r"[a-zA-Z0-9_-]*")
_UNQUOTED = re.compile(r"[a-zA-Z0-9_.:/?=&%+#-]*")


class HtmlParseError(ValueError):
    """The text is not Telegram HTML; the message is tdlib's, after "can't parse entities: "."""


@dataclass
class _Open:
    tag: str
    offset: int
    attrs: dict[str, str] = field(default_factory=dict)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (message limits and entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def unescape_entity(text: str, pos: int) -> tuple[str, int] | None:
    """The character an `&...;` at pos stands for and where it ends, or None to keep `&`."""
    match = _ENTITY.match(text, pos)
    if match is None:
        return None
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        char = NAMED_ENTITIES.get(name)
        return (char, match.end()) if char else None
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and MessageEntity dicts for `text`; raises HtmlParseError like the server."""
    out: list[str] = []
    size = 0  # UTF-16 length of what is in `out`
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = unescape_entity(text, i)
            piece, i = decoded if decoded else ("&", i + 1)
        elif char != "<":
            piece, i = char, i + 1
        elif i + 1 < n and text[i + 1] == "/":
            i = _close_tag(text, i, stack, entities, size)
            continue
        else:
            opened, i = _open_tag(text, i, size)
            stack.append(opened)
            continue
        out.append(piece)
        size += utf16_len(piece)
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def to_plain(text: str) -> str:
    """What the citizen reads: tags stripped, entities unescaped (lenient, never raises)."""
    try:
        return parse_html(text)[0]
    except HtmlParseError:
        return html.unescape(re.sub(r"<[^>]*>", "", text))


def _offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8"))


def _open_tag(text: str, begin: int, size: int) -> tuple[_Open, int]:
    name_end = _TAG_NAME.match(text, begin + 1).end()  # type: ignore[union-attr]
    tag = text[begin + 1 : name_end].lower()
    if name_end >= len(text):
        raise HtmlParseError(f"Unclosed start tag at byte offset {_offset(text, begin)}")
    if tag not in ENTITY_TYPES:
        raise HtmlParseError(f'Unsupported start tag "{tag}" at byte offset {_offset(text, begin)}')
    attrs, end = _attributes(text, name_end, tag, begin)
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_offset(text, begin)}'
        )
    return _Open(tag, size, attrs), end


def _attributes(text: str, pos: int, tag: str, begin: int) -> tuple[dict[str, str], int]:
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n:
            raise HtmlParseError(f"Unclosed start tag at byte offset {_offset(text, begin)}")
        if text[pos] == ">":
            return attrs, pos + 1
        name_end = _ATTR_NAME.match(text, pos).end()  # type: ignore[union-attr]
        name = text[pos:name_end].lower()
        if not name:
            raise HtmlParseError(
                f'Empty attribute name in the tag "{tag}" at byte offset {_offset(text, begin)}'
            )
        pos = name_end
        while pos < n and text[pos].isspace():
            pos += 1
        if pos >= n or text[pos] != "=":
            if name == "expandable" or (pos < n and text[pos] == ">"):
                attrs[name] = ""
                continue
            raise HtmlParseError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {_offset(text, begin)}'
            )
        pos += 1
        while pos < n and text[pos].isspace():
            pos += 1
        if pos < n and text[pos] in "'\"":
            close = text.find(text[pos], pos + 1)
            if close < 0:
                raise HtmlParseError(f"Unclosed start tag at byte offset {_offset(text, begin)}")
            attrs[name] = html.unescape(text[pos + 1 : close])
            pos = close + 1
        else:
            value_end = _UNQUOTED.match(text, pos).end()  # type: ignore[union-attr]
            attrs[name] = text[pos:value_end]
            pos = value_end


def _close_tag(
    text: str, begin: int, stack: list[_Open], entities: list[dict[str, Any]], size: int
) -> int:
    close = text.find(">", begin)
    if close < 0:
        raise HtmlParseError(f"Unclosed end tag at byte offset {_offset(text, begin)}")
    name = text[begin + 2 : close].strip().lower()
    if not stack:
        raise HtmlParseError(f"Unexpected end tag at byte offset {_offset(text, begin)}")
    opened = stack.pop()
    if name and name != opened.tag:
        raise HtmlParseError(
            f"Unmatched end tag at byte offset {_offset(text, begin)}, "
            f'expected "</{opened.tag}>", found "</{name}>"'
        )
    length = size - opened.offset
    if length > 0:
        entities.append(_entity(opened, length))
    return close + 1


def _entity(opened: _Open, length: int) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "type": ENTITY_TYPES[opened.tag],
        "offset": opened.offset,
        "length": length,
    }
    if opened.tag == "a":
        entity["url"] = opened.attrs.get("href", "")
    elif opened.tag == "blockquote" and "expandable" in opened.attrs:
        entity["type"] = "expandable_blockquote"
    elif opened.tag == "tg-emoji":
        entity["custom_emoji_id"] = opened.attrs.get("emoji-id", "")
    elif opened.tag == "code" and opened.attrs.get("class", "").startswith("language-"):
        entity["language"] = opened.attrs["class"].removeprefix("language-")
    return entity
