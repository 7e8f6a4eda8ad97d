"""What the bot says when a request meets a known domain error (`bot/errors.py` maps each
exception type to one of these). Simplified Chinese; `texts.say` converts for 繁體 readers."""

from __future__ import annotations

REPORT_NOT_FOUND = "找不到这条举报，它可能已被删除或编号有误。发送 /myreports 查看您的举报。"
NOT_NOW = "这条举报的状态刚刚有了变化，这一步现在不能再做。请重新打开它查看最新状态。"
UNKNOWN_DEPARTMENT = "没有这个承办单位，请从列表中选择。"
BUSY = "系统正忙，刚才的操作没有完成，请稍等一分钟再试。"
