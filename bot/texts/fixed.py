"""The bot's words for "was it fixed?" (bot/routers/report/fixed.py), in Simplified Chinese."""

THANKS_FIXED = "感谢您的确认！很高兴问题已经解决。工单 {ticket} 已记入办理满意度。"
ASK_EVIDENCE = (
    "很抱歉问题还没解决。请发一张现场照片，或用几句话说明现在的情况（可以都发），"
    "发完点“提交”，我们会把工单 {ticket} 重新交给工作人员办理。"
)
GOT_EVIDENCE = "已收到（照片、录音或视频 {pieces} 件{note}）。可以继续补充，或点“提交”。"
GOT_NOTE = "，文字说明已记下"
NEED_EVIDENCE = "请先发一张照片或写几句话说明情况，再点“提交”。"
REOPENED = (
    "工单 {ticket} 已重新打开，并附上了您的照片和说明。"
    "工作人员会尽快处理，进展会通过本机器人告诉您。"
)
CANCELLED = "已取消，工单 {ticket} 仍为“已办结”。如果问题还在，可以随时再点“没解决”。"
NOT_YOURS = "这不是您提交的举报，无法反馈办理结果。"
ANSWERED = "您已经反馈过这次的办理结果，谢谢！"
NOT_RESOLVED = "工单 {ticket} 现在不是“已办结”状态，暂时无需反馈。"
NOT_FOUND = "找不到这个工单，可能已被删除。"
FINISH_REPORT_FIRST = "请先完成或取消正在填写的举报，再反馈办理结果。"
PHOTO_PROBLEM = "刚才的文件没能保存，请重新发送，或用文字说明。"
TOO_MANY = "一次最多可以附 {max} 件照片、录音或视频，请点“提交”。"
NOTE_TOO_LONG = "说明最多 {max} 字，请精简后再发。"
BUTTON_SUBMIT = "提交"
BUTTON_CANCEL = "取消"
STAFF_REOPENED = "🔁 举报人反馈问题未解决，工单已重新打开："
