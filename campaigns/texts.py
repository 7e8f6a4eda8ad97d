"""Every Chinese text the campaigns domain sends: reminder messages and script conversion.

Written in Simplified Chinese; OpenCC `s2t` for citizens who read Traditional. HTML parse mode:
calendar texts are escaped here; staff broadcast texts arrive as HTML and are kept as given.
"""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.calendar import Reminder

TIP = "💡 小贴士：{tip}"
ASK = "👉 发送「{ask}」问问绿色铜仁助手"
MANAGE = "（发送 /subscribe 可以调整或取消提醒）"


def chinese_date(day: date) -> str:
    return f"{day.month}月{day.day}日"


def chinese_dates(start: date, end: date) -> str:
    """6月23日至29日; 5月30日至6月5日 across months; one day when start == end."""
    if start == end:
        return chinese_date(start)
    tail = f"{end.day}日" if end.month == start.month else chinese_date(end)
    return f"{chinese_date(start)}至{tail}"


def reminder_text(reminder: Reminder) -> str:
    """The HTML reminder in Simplified Chinese: what day it is, one action, one question to ask."""
    event = reminder.event
    message = event.messages[reminder.kind].format(
        name=event.name,
        theme=event.theme,
        date=chinese_date(reminder.day),
        dates=chinese_dates(reminder.day, reminder.end),
    )
    lines = [
        f"<b>{html.escape(event.name)}</b>",
        html.escape(message),
        "",
        html.escape(TIP.format(tip=event.tip)),
        html.escape(ASK.format(ask=event.ask)),
        html.escape(MANAGE),
    ]
    return "\n".join(lines)
