"""Area alerts in the bot (/alerts): a citizen picks the districts whose daily digest they get.
Simplified Chinese; `texts.say` converts for 繁體. The digest's own words are the domain's
(`reports/alerts.py`), rendered at send time.

Plain text: escape with `bot.render.html` before sending as HTML.
"""

from __future__ import annotations

ALERTS_INTRO = (
    "片区提醒：选择您关心的区县，每天 {hour}:00（北京时间）以后，我会把上次摘要以来该区县"
    "新提交和新办结的举报汇总成一条摘要发给您；没有新情况的日子不打扰。\n"
    "摘要只列工单号、类别、处理状态和工作人员公开发布的说明，不含举报人的任何信息。\n"
    "点下面的区县开启或关闭（✅ 表示已订阅）："
)
SUBSCRIBED_TO = "已订阅：{districts}"
SUBSCRIBED_NONE = "目前没有订阅任何片区。"
QUIET_HOURS = "🌙 夜间免打扰：每天 {start}:00 至次日 {end}:00（北京时间）不发摘要。"
BUTTON_ON = "✅ {district}"
BUTTON_OFF = "⬜ {district}"
BUTTON_STOP = "全部取消"
BUTTON_DONE = "完成"
TOGGLED_ON = "已订阅「{district}」"
TOGGLED_OFF = "已取消「{district}」"
ALL_OFF = "已取消全部片区提醒"
SAVED = "好的，设置已保存。{summary}\n发送 /alerts 随时可以调整。"


def district_list(districts: list[str]) -> str:
    return "、".join(districts)
