"""HTML messages from plain text: escape every user and corpus string, cite, split at the limit.

Text is split as plain text first and escaped afterwards, so a cut never falls inside a tag or
an `&amp;`-style entity; each piece carries its own opening and closing tag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from bot import texts

if TYPE_CHECKING:
    from collections.abc import Sequence

    from knowledge.answer import Answer
    from knowledge.scripts import Script

MESSAGE_LIMIT = 4096  # Bot API sendMessage text limit, in UTF-16 code units
# 查看原文 pages: about one phone screen of Chinese (≈16 characters × 30 lines), so the longest
# sections of the plan (≈600 characters) turn a page instead of filling several screens.
PAGE_CHARS = 500
PARAGRAPH = "\n\n"
# Ends of sentences (the delimiter stays with its sentence) and line breaks.
SENTENCE_END = re.compile(r"(?<=[。！？；!?;…\n])")


Measure = Callable[[str], int]


@dataclass(frozen=True)
class Block:
    """A paragraph of plain text, optionally wrapped in one Telegram HTML tag (b, i)."""

    text: str
    tag: str | None = None


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def html(text: str) -> str:
    """Plain text made safe for parse_mode=HTML (quotes too: harmless, and safe in attributes)."""
    return escape(text, quote=True)


def split_text(text: str, budget: int, measure: Measure = len) -> list[str]:
    """Cut `text` into pieces of at most `budget` (by `measure`), at sentence ends or line
    breaks where possible, else between characters; whitespace-only pieces are dropped."""
    pieces = []
    while text.strip():
        head, text = _take(text, budget, measure, may_cut=True)
        if head.strip():
            pieces.append(head.strip())
    return pieces


def _take(text: str, room: int, measure: Measure, *, may_cut: bool) -> tuple[str, str]:
    """The longest run of whole sentences at the start of `text` that fits `room`, and the
    rest; when no sentence fits and `may_cut`, as many characters as fit (never fewer than one).

    `measure` must add up over concatenation (len, or the UTF-16 length of escaped text).
    """
    taken, size = 0, 0
    for sentence in SENTENCE_END.split(text):
        cost = measure(sentence)
        if size + cost > room:
            break
        taken, size = taken + len(sentence), size + cost
    if taken == 0 and may_cut:
        for char in text:
            cost = measure(char)
            if taken and size + cost > room:
                break
            taken, size = taken + 1, size + cost
    return text[:taken], text[taken:]


def pack(blocks: list[Block], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Blocks as HTML messages of at most `limit`, blank lines between blocks; a block that
    does not fit the rest of a message continues in the next one, tags closed and reopened."""
    messages: list[str] = []
    current = ""
    for block in blocks:
        opening, closing = (f"<{block.tag}>", f"</{block.tag}>") if block.tag else ("", "")
        text = block.text
        while text.strip():
            separator = PARAGRAPH if current else ""
            room = limit - utf16_len(current + separator + opening + closing)
            head, rest = _take(text, room, _html_len, may_cut=not current)
            if not head.strip():
                if head:  # only whitespace fitted: skip it
                    text = rest
                    continue
                messages.append(current)  # the next sentence needs a fresh message
                current = ""
                continue
            current += f"{separator}{opening}{html(head.strip())}{closing}"
            text = rest
    if current:
        messages.append(current)
    return messages


def _html_len(text: str) -> int:
    return utf16_len(html(text))


def answer(result: Answer, *, lead: Sequence[Block] = ()) -> list[str]:
    """An engine answer: `lead` blocks (the question asked by a button, a note), the body,
    then the citation (section, title, departments) in italics."""
    blocks = [*lead, Block(result.body or result.answer)]
    if result.citation:
        blocks.append(Block(result.citation, "i"))
    return pack(blocks)


def source_page(*, citation: str, page_text: str, page: int, pages: int, script: Script) -> str:
    """One page of 查看原文: the citation (section, title, departments), page n of m, the text."""
    counter = texts.say(texts.SOURCE_PAGE, script).format(page=page + 1, pages=pages)
    blocks = [Block(citation, "i"), Block(counter, "b"), Block(page_text)]
    return pack(blocks)[0]  # a page is at most PAGE_CHARS, far below the message limit


def pages(text: str) -> list[str]:
    """A section's text in pages of at most PAGE_CHARS characters, cut at sentence ends."""
    return split_text(text, PAGE_CHARS) or [text]


def plain(text: str) -> list[str]:
    """A plain-text reply (the engine's greeting or not-covered text) as HTML messages."""
    return pack([Block(text)])


def shorten(text: str, limit: int = 80) -> str:
    """A citizen's question quoted back in a prompt, on one line and not too long."""
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"
