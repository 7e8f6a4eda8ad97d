"""Campaign reminders and broadcasts in the bot: citizens' subscription texts, staff's broadcast
and calendar texts (progress reports are the domain's:
`campaigns.texts`). Simplified Chinese; `texts.say` converts for 繁體.

Plain text (escape with `bot.render.html` before sending as HTML) unless a name says `_html`.
"""

from __future__ import annotations

from campaigns import TOPIC_NAMES
from campaigns.texts import BROADCAST_KINDS

# --- citizens: /subscribe, /unsubscribe ------------------------------------------------------
TOPIC_LABELS = TOPIC_NAMES
SUBSCRIBE_INTRO = (
    "活动提醒：全国节能宣传周、全国低碳日、六五环境日、贵州生态日等活动前 3 天和当天早上，"
    "我会提醒您，并附一条实用小贴士。\n"
    "点下面的主题开启或关闭（✅ 表示已订阅）："
)
SUBSCRIBED_TO = "已订阅：{topics}"
SUBSCRIBED_NONE = "目前没有订阅任何主题。"
QUIET_HOURS = (
    "🌙 夜间免打扰：每天 {start}:00 至次日 {end}:00（北京时间）不发提醒，"
    "这段时间到期的提醒会在早上 {end}:00 以后发出。"
)
BUTTON_ON = "✅ {label}"
BUTTON_OFF = "⬜ {label}"
BUTTON_ALL = "全部订阅"
BUTTON_STOP = "全部取消"
BUTTON_DONE = "完成"
TOGGLED_ON = "已订阅「{label}」"
TOGGLED_OFF = "已取消「{label}」"
ALL_ON = "已订阅全部主题"
SAVED = "好的，设置已保存。{summary}\n发送 /subscribe 随时可以调整。"
UNSUBSCRIBE_CONFIRM = "确定不再接收任何活动提醒吗？"
BUTTON_CONFIRM_STOP = "确定，全部取消"
BUTTON_KEEP = "保留提醒"
UNSUBSCRIBED = "好的，已停止所有活动提醒。想再收到时，发送 /subscribe 即可。"
KEPT = "好的，提醒保持不变。"
NOT_SUBSCRIBED = "您目前没有订阅活动提醒。发送 /subscribe 可以选择感兴趣的主题。"


def topic_list(topics: list[str] | tuple[str, ...] | frozenset[str] | None) -> str:
    """Topic labels in the fixed order, or 全部订阅者 for None (a broadcast to everyone)."""
    if topics is None:
        return AUDIENCE_ALL
    return "、".join(TOPIC_LABELS[t] for t in TOPIC_LABELS if t in topics)


# --- staff: /broadcast -------------------------------------------------------------------------
BROADCAST_PROMPT = (
    "请发送要群发的内容：一段文字，或一张带说明文字的图片（可用 Telegram 的粗体、链接等格式）。"
    "发送 /cancel 放弃。"
)
BROADCAST_TEXT_ONLY = "请发送文字或一张图片；其他类型的消息不能群发。发送 /cancel 放弃。"
BROADCAST_EMPTY = "内容是空的，请发送要群发的文字。"
BROADCAST_TOO_LONG = "内容太长：{kind}最多 {limit} 字，现在是 {length} 字。请删减后重新发送。"
KIND_TEXT = "文字"
KIND_CAPTION = "图片说明"
AUDIENCE_PROMPT = "发给谁？（括号里是目前的订阅人数）"
AUDIENCE_BUTTONS = "请点上面的按钮选择收件人，或发送 /cancel 放弃。"
NOBODY_YET = "这个主题目前没有订阅者，请选择其他收件人。"
STALE = "这个按钮已失效，请重新发送 /broadcast。"
AUDIENCE_ALL = "全部订阅者"
AUDIENCE_BUTTON = "{label}（{count} 人）"
PREVIEW_HEADER = "预览：下面就是订阅者将收到的消息。"
PREVIEW_SUMMARY = "群发 #{id}\n收件人：{audience}，共 {count} 人。\n确认无误后选择发送方式："
PAID_WARNING = (
    "\n⚠️ 已开启付费群发（allow_paid_broadcast）：每条消息从机器人余额扣 0.1 星，"
    "这次约 {stars} 星（Telegram Stars）。"
)
BUTTON_TEST = "先发给我测试"
TEST_QUEUED = "测试消息马上发到这里，只有您会收到。"
TEST_ON_ITS_WAY = "测试消息正在发送，请稍候。"
BUTTON_SEND_NOW = "立即发送"
BUTTON_SCHEDULE = "定时发送"
BUTTON_DISCARD = "放弃"
ASK_TIME = "请输入发送时间（北京时间），格式如 {example}。发送 /cancel 放弃。"
BAD_TIME = "时间格式不对，请按 {example} 这样的格式输入（北京时间）。"
PAST_TIME = "这个时间已经过去了，请输入将来的时间。"
QUIET_NOTE = "\n（该时间在夜间免打扰时段内，实际会在 {at} 开始发送。）"
SCHEDULED = "已安排群发 #{id}：{at}（北京时间）发给{audience}。\n取消：/broadcast_cancel {id}{note}"
STARTED = (
    "群发 #{id} 已开始，共 {count} 人，进度和最后的送达报告会发到这里。\n"
    "取消：/broadcast_cancel {id}{note}"
)
STARTED_QUIET = "\n现在是夜间免打扰时段，将在 {at} 开始发送。"
NOBODY = "目前没有符合条件的订阅者，群发 #{id} 没有发出。"
DISCARDED = "好的，群发 #{id} 已放弃。"
NOT_A_DRAFT = "群发 #{id} 已经{status}，不能再操作。"
CANCEL_USAGE = "用法：/broadcast_cancel 群发编号，例如 /broadcast_cancel 12"
CANCELLED = "已取消群发 #{id}：{count} 条未发送的消息不再发送。"
NOT_FOUND = "没有编号为 {id} 的群发。"
ALREADY_DONE = "群发 #{id} 已经发送完毕，无法取消。"
LIST_HEADER = "最近的群发："
LIST_EMPTY = "还没有群发记录。"
LIST_ROW = "#{id} {kind} · {status} · {audience} · {progress}{when}"
LIST_PROGRESS = "已送达 {sent}/{total}"
KIND_NAMES = BROADCAST_KINDS
STATUS_NAMES = {
    "draft": "草稿",
    "scheduled": "已安排",
    "sending": "发送中",
    "done": "已完成",
    "cancelled": "已取消",
}

# --- staff: /campaign_dates --------------------------------------------------------------------
DATES_USAGE = (
    "登记今年公布的活动日期：\n"
    "/campaign_dates 全国节能宣传周 {year}-06-22 {year}-06-28\n"
    "/campaign_dates 全国低碳日 {year}-06-24\n"
    "（名称也可以用编号，日期为北京时间。）\n\n"
    "{year} 年的日期：\n{events}"
)
DATES_ROW = "· {name}（{id}）：{dates}"
DATES_UNKNOWN_YET = "尚未公布"
DATES_UNKNOWN_EVENT = "没有名为「{event}」的活动。可用的有：{names}"
DATES_BAD = "日期不对：请用 {example} 这样的格式，结束日期不能早于开始日期。"
DATES_SAVED = "已登记 {year} 年{name}：{dates}。\n提醒时间：{reminders}"
DATES_PAST = "（这些提醒时间都已过去，不会再发送。）"
