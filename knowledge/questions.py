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


# What kind of fact a question wants, and how a sentence that states one looks; first match wins
# (a date question's 几号 must not read as a figure question's 几). Sentences are checked as
# written (the plan is Traditional), so the sentence patterns use script-neutral characters.
ANSWER_SHAPES: tuple[tuple[re.Pattern[str], re.Pattern[str]], ...] = (
    (
        re.compile(r"什么时候|啥时候|哪天|何时|几号|幾號|哪一年|哪年|日期|什麼時候|甚麼時候"),
        re.compile(r"\d{4}年|\d{1,2}月\d{1,2}日"),
    ),
    (
        re.compile(r"电话|電話|热线|熱線|拨打|撥打|号码|號碼"),
        re.compile(r"\d{5,}"),
    ),
    (
        re.compile(r"多久|多长时间|多長時間|几天|幾天|多少天|期限|时限|時限"),
        re.compile(r"\d+\s*个?(?:日|天|月|年|小时|小時)|[一二三四五六七八九十]+个?(?:日|天|月)"),
    ),
    (
        re.compile(
            r"哪个部门|哪个单位|哪些部门|哪家单位|谁负责|谁来管|谁管|归哪|哪个局|牵头|找哪个"
        ),
        re.compile(r"(?:局|委|中心|部|辦|办|政府|分行|支行)[^。]{0,30}(?:負責|负责|牽頭|牵头)"),
    ),
    (ASKS_FOR_FIGURE, re.compile(r"\d")),
)


def answer_shape(text: str) -> re.Pattern[str] | None:
    """How a sentence answering `text` looks (a date, a phone number, a duration, a figure), or
    None when the question wants an explanation."""
    for asks, states in ANSWER_SHAPES:
        if asks.search(text):
            return states
    return None


def asks_for_figure(text: str) -> bool:
    """ "要到多少", "治理率": the answer is a target figure, so passages with one rank higher."""
    return bool(ASKS_FOR_FIGURE.search(text))
