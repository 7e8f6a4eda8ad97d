"""Every Chinese text the campaigns domain sends: reminder messages, and the progress reports and
final summary staff receive about a broadcast (queued in the outbox like any message owed).

Written in Simplified Chinese; OpenCC `s2t` for citizens who read Traditional. HTML parse mode:
calendar texts are escaped here; staff broadcast texts arrive as HTML and are kept as given.
"""

from __future__ import annotations

import html
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from campaigns.calendar import Reminder
    from outbox import DeliveryCounts

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


# --- to staff: progress and the final summary (plain text) -----------------------------------
BROADCAST_KINDS = {"broadcast": "群发", "reminder": "活动提醒"}
PROGRESS = (
    "📣 {kind} #{id} 进度：已送达 {sent}/{total}，待发送 {open}{extra}\n"
    "取消：/broadcast_cancel {id}"
)
FINISHED = "✅ {kind} #{id} 已结束：送达 {sent}/{total}{extra}"
EXTRA = {
    "blocked": "已屏蔽机器人 {n}",
    "failed": "发送失败 {n}",
    "uncertain": "不确定是否送达 {n}",
    "cancelled": "已取消 {n}",
}
WHY_UNCERTAIN = (
    "\n不确定是否送达的 {n} 条：发送程序在发出这些消息、等待 Telegram 回复时中断了（例如服务器"
    "重启），所以无法知道对方是否已经收到。为免重复打扰，系统没有自动重发；如需补发，可在管理后台"
    "该群发的页面选择“重新发送”。"
)
TEST_COPY = "🧪 测试发送（只发给您）：群发 #{id} 的订阅者将收到下面这条消息。"


def progress(counts: DeliveryCounts, *, reminder: bool = False) -> str:
    """What staff read while a broadcast drains, and its summary once nothing is open."""
    extras = [text.format(n=counts[status]) for status, text in EXTRA.items() if counts[status]]
    values = {
        "kind": BROADCAST_KINDS["reminder" if reminder else "broadcast"],
        "id": counts.broadcast_id,
        "sent": counts["sent"],
        "total": counts.total,
        "open": counts.open,
        "extra": "".join(f"，{extra}" for extra in extras),
    }
    if not counts.finished:
        return PROGRESS.format(**values)
    text = FINISHED.format(**values)
    if counts["uncertain"]:
        text += WHY_UNCERTAIN.format(n=counts["uncertain"])
    return text


STARS_PER_PAID_MESSAGE = 0.1  # Bot API: allow_paid_broadcast


def paid_cost(recipients: int) -> str:
    """What a paid broadcast to `recipients` costs in Telegram Stars: "12.5", "30"."""
    return f"{recipients * STARS_PER_PAID_MESSAGE:.1f}".removesuffix(".0")
