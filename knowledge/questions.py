"""What a citizen typed, made safe to retrieve with: tags and control characters gone, length
bounded, and recognised as a greeting, a thank-you or a real question."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

Intent = Literal["question", "greeting", "thanks", "empty"]

TAG = re.compile(r"<[^>]{0,200}>")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u2028-\u202e\ufeff]")
SPACE = re.compile(r"\s+")
MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u9fff\uf900-\ufaff]")
GREETING = re.compile(
    r"^(/start|/help|你好|您好|妳好|嗨|哈喽|哈囉|hi|hello|hey|在吗|在嗎|在不在|早上好|晚上好|下午好|"
    r"帮助|幫助|help|菜单|菜單|你是谁|你是誰|你能做什么|你能做什麼|你会什么|你會什麼|怎么用|怎麼用|功能)"
    r"[\s!！。.,，?？~～呀啊哇呢吗嗎]*$",
    re.IGNORECASE,
)
THANKS = re.compile(
    r"^(谢谢|謝謝|多谢|多謝|感谢|感謝|thanks|thank you|thx|好的|ok|okay|收到)"
    r"[\s!！。.,，~～啦了呀你您]*$",
    re.IGNORECASE,
)
FOLLOW_UP = re.compile(
    r"^(那|那么|那麼|那如果|还有|還有|另外|再问|再問|那要是)|[呢嘞]\s*[？?]?\s*$"
)
FOLLOW_UP_MAX_CHARS = 14
ASKS_FOR_FIGURE = re.compile(r"多少|几|幾|比例|百分|%|％|目标|目標|指标|指標|要到|达到|達到|率")


@dataclass(frozen=True)
class CleanQuestion:
    text: str  # what retrieval sees
    intent: Intent


def clean(raw: str, *, max_chars: int) -> CleanQuestion:
    text = html.unescape(TAG.sub(" ", raw or ""))
    text = SPACE.sub(" ", CONTROL.sub("", text)).strip()[:max_chars]
    if not MEANINGFUL.search(text):
        return CleanQuestion(text="", intent="empty")
    if GREETING.match(text):
        return CleanQuestion(text=text, intent="greeting")
    if THANKS.match(text):
        return CleanQuestion(text=text, intent="thanks")
    return CleanQuestion(text=text, intent="question")


def is_follow_up(text: str) -> bool:
    """Short questions leaning on the last one: "那农村呢？", "还有公交车呢"."""
    return len(text) <= FOLLOW_UP_MAX_CHARS and bool(FOLLOW_UP.search(text))


def asks_for_figure(text: str) -> bool:
    """ "要到多少", "治理率": the answer is a target figure, so passages with one rank higher."""
    return bool(ASKS_FOR_FIGURE.search(text))
