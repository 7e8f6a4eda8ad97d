"""Every citizen-facing string of the bot, in Simplified Chinese; `say` converts for 繁體 readers.

Plain text: `bot/render.py` escapes what goes into HTML messages. The engine's own answers
(not-covered reply, greetings) live in `knowledge/phrases.py`, shared with the CLI and the web.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from knowledge.scripts import Script, ScriptConverter

if TYPE_CHECKING:
    from citizens import Citizen

_SCRIPTS = ScriptConverter()  # the bot's own converter: the engine's is busy in its worker thread


def say(text: str, script: Script) -> str:
    """`text` in the reader's script (texts are written in Simplified)."""
    return _SCRIPTS.to_traditional(text) if script == "hant" else text


def convert(text: str, script: Script) -> str:
    """Any text (a corpus passage, a suggestion) in the reader's script."""
    return _SCRIPTS.to_script(text, script)


def simplified(text: str) -> str:
    return _SCRIPTS.to_simplified(text)


def script_for(citizen: Citizen | None) -> Script:
    """The script for the bot's own words: chosen by /lang, else the last one detected."""
    return "hant" if citizen is not None and citizen.script == "hant" else "hans"


def detect(text: str, default: Script = "hans") -> Script:
    """The script a message was written in; `default` when it does not tell (digits, emoji,
    characters common to both), so a 繁體 reader stays 繁體 through "2025年？"."""
    return _SCRIPTS.detect(text, default=default)


@cache
def both_scripts(text: str) -> frozenset[str]:
    """A menu button as either keyboard shows it, so a 繁體 button press still matches."""
    return frozenset({text, _SCRIPTS.to_traditional(text)})


# --- menu (reply keyboard) ------------------------------------------------------------------
MENU_ASK = "问政策"
MENU_REPORT = "随手拍/举报"
MENU_CAMPAIGNS = "活动提醒"
MENU_HELP = "帮助"
MENU_PLACEHOLDER = "直接输入您的问题…"

WELCOME = (
    "您好，{name}！我是绿色铜仁助手 🌱\n"
    "我可以解读《铜仁市“十四五”节能减排综合工作方案》，回答垃圾分类、绿色出行、家庭节能等问题，"
    "每个回答都注明出处。\n"
    "直接输入问题就行，例如：“2025年农村污水治理率要到多少？”"
)
HELP = (
    "怎么用绿色铜仁助手：\n"
    "· 直接输入问题，我会从《方案》和绿色生活指南里找答案，并注明章节和责任单位\n"
    "· 回答下面可以点 👍/👎 评价、“查看原文”看完整条文，或点相关问题继续问\n"
    "· 可以接着问，比如先问“县城污水处理率要达到多少？”再问“那农村呢？”\n"
    "命令：\n{commands}\n"
    "其他政务问题请拨打 12345 政务服务便民热线。"
)
ASK_PROMPT = "请直接输入您想了解的问题，例如：“新建建筑要执行什么节能标准？”"
CANCELLED = "好的，已取消。有问题随时直接问我。"

# --- commands (setMyCommands) ---------------------------------------------------------------
COMMANDS = {
    "start": "开始使用，显示主菜单",
    "help": "使用帮助",
    "lang": "切换简体/繁體",
    "report": "随手拍：举报污染或能源浪费",
    "myreports": "查看我的举报",
    "subscribe": "订阅节能宣传周等活动提醒",
    "unsubscribe": "取消活动提醒",
    "alerts": "片区举报提醒（每日摘要）",
    "privacy": "隐私说明",
    "deleteme": "删除我的个人信息",
    "cancel": "取消当前操作",
}

# --- answers --------------------------------------------------------------------------------
ASKED = "问：{question}"
LONG_QUESTION = "（您的消息较长，我只读了前 {limit} 字。）"
UNKNOWN_COMMAND = "没有这个命令。发送 /help 查看我能做什么，或直接输入您的问题。"
BUTTON_UP = "👍"
BUTTON_DOWN = "👎"
BUTTON_SOURCE = "查看原文"
BUTTON_PREVIOUS = "◀"
BUTTON_NEXT = "▶"
SOURCE_PAGE = "第 {page}/{pages} 页"

# --- feedback -------------------------------------------------------------------------------
THANKS_UP = "谢谢您的评价！"
THANKS_DOWN = "收到，谢谢您的反馈。"
REASON_PROMPT = (
    "抱歉这个回答没能帮到您。关于“{question}”，可以告诉我哪里不对或缺了什么吗？"
    "直接回复文字即可，也可以点“跳过”。"
)
BUTTON_SKIP = "跳过"
REASON_SAVED = "谢谢！您的意见已记录，工作人员会据此完善知识库。"
REASON_SKIPPED = "好的，不用填写原因。有问题随时问我。"
REASON_TEXT_ONLY = "请用文字写下原因，或点“跳过”。"
NOT_YOUR_ANSWER = "只能评价您自己提问得到的回答。"

# --- language -------------------------------------------------------------------------------
LANG_PROMPT = "请选择显示文字："
LANG_HANS = "简体中文"
LANG_HANT = "繁體中文"
LANG_CHOSEN = "好的，以后用{language}回复您。"

# --- everything else ------------------------------------------------------------------------
STALE_BUTTON = "这个按钮已失效，请重新提问。"
SLOW_DOWN = "请慢一点 🙏 消息太多了，请稍等一会儿再发。"
ERROR = "抱歉，处理您的消息时出了点问题，请稍后再试。"
MEDIA_STICKER = "收到您的表情 😊 我只能读懂文字，请直接输入您的问题。"
MEDIA_VOICE = "暂时还听不了语音，请用文字输入您的问题。"
MEDIA_OTHER = "我目前只能读懂文字消息，请用文字输入您的问题；要举报污染或能源浪费，请发送 /report。"
