"""Chinese texts of the reports feature: the citizen's 随手拍 flow, /myreports, /privacy,
/deleteme and the staff's queue. Plain text in Simplified; `texts.say` converts for 繁體 readers,
`bot/render.py` escapes whatever a citizen typed before it goes into an HTML message."""

from __future__ import annotations

# --- personal data (shown before a first report and by /privacy) ---------------------------
PRIVACY_NOTICE = (
    "🔒 个人信息说明\n"
    "· 保存什么：您的举报（类别、描述、位置、区县）、照片，以及您选择留下的手机号。\n"
    "· 谁能看到：处理举报的工作人员和承办部门能看到举报内容；您留下的手机号只有管理员"
    "和经授权的工作人员能看到，仅用于回访核实。选择匿名时，工作人员也看不到您的身份和"
    "联系方式。\n"
    "· 公开什么：工作人员审核后，可能公开一段由工作人员撰写的举报摘要，"
    "以及类别、区县、提交时间、办理状态和大致位置（约 100 米范围）；"
    "您的身份、联系方式、照片和描述原文永远不会公开。\n"
    "· 保存多久：手机号在提交{kept}后删除；举报内容作为环境监督记录保留。\n"
    "· 您的权利：发送 /deleteme 可以抹去举报中的身份和联系方式并取消订阅；"
    "发送 /privacy 可以再次查看本说明。"
)
DELETE_CONFIRM = (
    "确定要删除您的个人信息吗？\n"
    "· 您的 {count} 条举报会保留（问题仍会被处理），但其中的身份和手机号将被抹去；\n"
    "· 您关注的举报、活动提醒和片区提醒订阅会被取消；\n"
    "· 之后这些举报的处理进展将无法再通知您。\n"
    "此操作无法撤销。"
)
BUTTON_DELETE_CONFIRM = "确认删除"
BUTTON_DELETE_KEEP = "不删除"
DELETED = (
    "已删除。{count} 条举报中的身份和手机号已抹去，关注和订阅已取消。"
    "您仍然可以随时提问或发起新的举报。"
)
DELETE_KEPT = "好的，什么都没有删除。"

_NUMERALS = "一两三四五六七八九十"


def kept_for(days: int) -> str:
    """A retention period as people say it: 365 → 一年, 730 → 两年, 400 →  400 天."""
    years, rest = divmod(days, 365)
    if rest == 0 and 1 <= years <= len(_NUMERALS):
        return f"{_NUMERALS[years - 1]}年"
    return f" {days} 天"


# --- the flow -------------------------------------------------------------------------------
ASK_CATEGORY = "📷 随手拍/举报（第 1 步，共 7 步）\n请选择问题类别："
ASK_DESCRIPTION = (
    "第 2 步：请用文字描述问题：发生了什么、持续多久、影响范围等（1～4000 字）。"
    "请不要在描述里写手机号等个人信息。"
)
# The location step asks first how the place is given: a precise location is sensitive personal
# information (PIPL Art. 28) and needs its own consent before it is shared (Art. 29).
ASK_LOCATION_CONSENT = (
    "第 3 步：问题在哪里？\n"
    "🔒 定位坐标能精确到您所在的位置，属于敏感个人信息。只有您同意后才会记录，"
    "并且只提供给处理这条举报的工作人员和承办部门，不会公开。请选择：\n"
    "· 📍 同意并分享定位：下一步发送您当前的位置（需在现场）；\n"
    "· ✏ 输入地址：直接输入地址，例如“碧江区锦江北路 12 号附近”；\n"
    "· 只选区县：不提供具体位置，下一步只选区县。"
)
ASK_LOCATION = (
    "第 3 步：感谢您的同意。请点下方“📍 发送当前位置”分享定位（需在现场）。\n"
    "也可以直接输入地址，或点“跳过”只选区县。"
)
ASK_ADDRESS = "第 3 步：请输入问题所在的地址，例如“碧江区锦江北路 12 号附近”。"
CONSENT_FIRST = (
    "这次发送的位置没有保存：分享定位前需要您单独同意。"
    "请点上面消息里的“📍 同意并分享定位”，或改为输入地址、只选区县。"
)
ASK_DISTRICT = "第 4 步：请选择问题所在的区县："
# The district read from the place given (reports/places.py), for the citizen to confirm.
PROPOSE_DISTRICT = {
    "address": "第 4 步：您填写的地址在{district}，对吗？",
    "point": "第 4 步：您分享的位置在{district}，对吗？",
}
ASK_PHOTOS = (
    "第 5 步：请发送现场照片（最多 {max} 张，可一次选多张），"
    "也可以发语音或短视频（合计最多 {recordings} 条）。"
    "语音和视频只提供给处理举报的工作人员，不会公开。"
    "发完后点“完成”；没有照片也可以直接点“完成”。"
)
ASK_CONTACT = (
    "第 6 步：是否留下联系方式？\n"
    "· 📱 分享手机号：工作人员核实情况时可以联系您；\n"
    "· 不留手机号：工作人员只能看到您的 Telegram 账号编号；\n"
    "· 匿名举报：{anonymity}"
)
# The same step for a visitor of the web sandbox (/chat), who has no Telegram account here.
ASK_CONTACT_WEB = (
    "第 6 步：是否留下联系方式？\n"
    "· 📱 分享手机号：工作人员核实情况时可以联系您；\n"
    "· 不留手机号：工作人员只看到这是网页体验区的访客和一个体验编号，联系不到您；\n"
    "· 匿名举报：{anonymity}"
)
SUMMARY = "第 7 步：请核对您的举报"
SUMMARY_CATEGORY = "类别：{value}"
SUMMARY_DESCRIPTION = "描述：{value}"
SUMMARY_LOCATION = "位置：{value}"
SUMMARY_DISTRICT = "区县：{value}"
SUMMARY_PHOTOS = "照片：{count} 张"
SUMMARY_RECORDINGS = "语音：{voice} 条｜视频：{video} 段"
SUMMARY_CONTACT = "联系方式：{value}"
SUMMARY_HINT = "确认无误请点“提交”，需要修改请点“修改”。"
LOCATION_POINT = "已分享定位（{lat:.5f}, {lon:.5f}；经您同意）"
LOCATION_NONE = "未提供（仅区县）"
CONTACT_PHONE = "手机号（仅工作人员可见）"
CONTACT_NONE = "不留手机号"
CONTACT_ANONYMOUS = "匿名"

BUTTON_BACK = "↩ 返回上一步"
BUTTON_CANCEL = "✖ 取消"
BUTTON_SKIP = "跳过"
BUTTON_DONE = "完成"
BUTTON_SEND_LOCATION = "📍 发送当前位置"
BUTTON_CONSENT_LOCATION = "📍 同意并分享定位"
BUTTON_TYPE_ADDRESS = "✏ 输入地址"
BUTTON_DISTRICT_ONLY = "只选区县"
BUTTON_YES = "是"
BUTTON_OTHER_DISTRICT = "选择其他区县"
BUTTON_SHARE_PHONE = "📱 分享手机号"
BUTTON_NO_PHONE = "不留手机号"
BUTTON_ANONYMOUS = "匿名举报"
BUTTON_SUBMIT = "✅ 提交"
BUTTON_EDIT = "✏ 修改"
BUTTON_KEEP_FILING = "不是同一个问题，继续填写"
BUTTON_FOLLOW = "关注 {ticket}"
EDIT_WHAT = "要修改哪一项？"
EDIT_FIELDS = {
    "category": "类别",
    "description": "描述",
    "location": "位置",
    "district": "区县",
    "photos": "照片/音视频",
    "contact": "联系方式",
}

# --- what the citizen entered, acknowledged --------------------------------------------------
GOT_LOCATION = "📍 已记录位置。"
GOT_ADDRESS = "已记录地址。"
SKIPPED_LOCATION = "好的，不提供具体位置。"
GOT_PHOTO = "已收到第 {count} 张照片（最多 {max} 张）。还可以继续发送，或点“完成”。"
PHOTO_AGAIN = "这张照片已经收到过了，不用重复发送。"
GOT_RECORDING = {
    "voice": "🎙 已收到语音（语音和视频合计最多 {max} 条）。还可以继续发送，或点“完成”。",
    "video": "🎬 已收到视频（语音和视频合计最多 {max} 条）。还可以继续发送，或点“完成”。",
}
RECORDING_AGAIN = "这条已经收到过了，不用重复发送。"
# A voice note (or a video) where the description is expected: kept, and text still asked for,
# since staff search, route and read descriptions (there is no speech recognition here).
RECORDING_KEPT_ASK_TEXT = (
    "已保存这条{what}，会作为证据随举报一起提交（只有工作人员能看到）。"
    "请再用文字写一两句话描述问题，例如“锦江北路工地夜里施工，扬尘很大”。"
)
RECORDING_WHAT = {"voice": "语音", "video": "视频"}
NOTED = "好的。"

# --- wrong input: a hint, and nothing entered is lost ----------------------------------------
HINT_CATEGORY = "请点上面消息里的按钮选择类别，或发送 /cancel 取消。"
HINT_DESCRIPTION = "请用文字描述问题（照片在第 5 步发送）。已填写的内容都还在。"
DESCRIPTION_TOO_LONG = (
    "描述太长了：{length} 字，最多 {max} 字。请精简后重新发送，已填写的其他内容都还在。"
)
HINT_LOCATION = "请点“📍 发送当前位置”、直接输入地址，或点“跳过”。"
HINT_CONSENT = "请点上面消息里的按钮：同意并分享定位、输入地址或只选区县；也可以直接输入地址。"
HINT_ADDRESS = "请用文字输入地址，或点“↩ 返回上一步”。"
ADDRESS_TOO_LONG = "地址太长了（最多 {max} 字），请写得简短一些。"
HINT_DISTRICT = "请点上面消息里的按钮选择区县，或直接输入区县名称，例如“碧江区”。"
HINT_PHOTOS = "请发送照片、语音或短视频，或点“完成”进入下一步。已收到 {count} 份材料。"
TOO_MANY_PHOTOS = (
    "最多只能上传 {max} 张照片，这张没有保存。已保存的 {max} 张都还在，请点“完成”继续。"
)
TOO_MANY_RECORDINGS = (
    "语音和视频合计最多 {max} 条，这条没有保存。已保存的材料都还在，请点“完成”继续。"
)
PHOTO_TOO_BIG = "这张照片太大了（超过 {mb} MB），没有保存。请换一张或压缩后再发。"
PHOTO_FAILED = "这张照片没能下载，请再发送一次。"
PHOTO_UNREADABLE = "这个文件打不开，不像是照片，没有保存。请换一张照片再发。"
TOO_BIG = {
    "photo": PHOTO_TOO_BIG,
    "voice": "这条语音太长了（超过 {mb} MB），没有保存。请分成几条短一些的语音再发。",
    "video": "这段视频太大了（超过 {mb} MB），没有保存。请剪短一些，或改发照片。",
}
UNREADABLE = {
    "photo": PHOTO_UNREADABLE,
    "voice": "这个文件打不开，不像是语音，没有保存。请直接按住话筒录一条语音再发。",
    "video": "这个文件打不开，不像是 MP4 视频，没有保存。请直接拍一段视频再发。",
}
FETCH_FAILED = {
    "photo": PHOTO_FAILED,
    "voice": "这条语音没能下载，请再发送一次。",
    "video": "这段视频没能下载，请再发送一次。",
}
HINT_CONTACT = "请点下方按钮：分享手机号、不留手机号或匿名举报。"
NOT_YOUR_CONTACT = "请点“📱 分享手机号”分享您自己的号码，不要转发别人的名片。"
HINT_SUMMARY = "请点上面消息里的“提交”“修改”或“取消”。"
HINT_SIMILAR = "请点上面消息里的按钮：关注已有的举报，或继续填写新的举报。"
STALE = "这个按钮已失效。发送 /report 重新开始举报。"
SUBMITTED_ALREADY = "您的举报已经提交，工单号 {ticket}，无需重复提交。"  # an alert: plain text

# --- similar reports, limits, the result -------------------------------------------------------
SIMILAR_FOUND = (
    "附近最近 7 天已有相似的举报，可能是同一个问题。您可以关注它，处理进展会同样通知您，"
    "不必重复举报："
)
SIMILAR_ITEM = "· {ticket}｜{category}｜{where}｜{when}提交｜{status}"
SIMILAR_NEAR = "相距约 {metres} 米"
SIMILAR_TEXT = "同区县、描述相近"
FOLLOWED = "已关注 {ticket}。处理进展会通过本机器人通知您。感谢您的监督！"
ALREADY_FOLLOWING = "您已经在关注 {ticket}（或这是您自己的举报），进展会通知您。"
LIMIT_REACHED = (
    "您今天已经提交了 {limit} 条举报，达到每日上限。感谢您的热心监督！请明天再来；"
    "情况紧急请拨打 12369 环保举报热线。"
)
SUBMITTED = (
    "✅ 举报已提交，工单号：{ticket}\n"
    "承办单位：{department}\n"
    "按规定，举报会在 15 天内决定是否受理、60 天内办结。每次状态变化都会通知您，"
    "也可以随时发送 /myreports 查看。"
)
SUBMIT_FAILED = "提交没有成功：{reason}。已填写的内容都还在，请修改后再提交。"
INVALID_REASON = "内容不完整或格式不对"
CANCELLED = "已取消这次举报，填写的内容已清除。"

# --- /myreports ------------------------------------------------------------------------------
MY_REPORTS_EMPTY = "您还没有提交过举报。发送 /report 或点菜单“随手拍/举报”开始。"
MY_REPORTS = "您的举报（最近 {shown} 条，共 {total} 条）："
MY_REPORT_ITEM = "· {ticket}｜{category}｜{district}｜{date}｜{status}"
MY_REPORTS_ADD_HINT = "还在办理中的举报，可以点下方按钮补充照片、语音、视频或文字说明。"
BUTTON_ADD = "📎 补充材料 {ticket}"

# --- add to my report (from /myreports) ---------------------------------------------------------
ADD_ASK = (
    "📎 为 {ticket} 补充材料：请发送照片、语音、短视频（最多 {max} 份），"
    "或直接输入文字说明，可以发送多条。发完后点“完成”提交，点“取消”放弃。"
    "补充的内容会加入办理记录，只有工作人员能看到，不会公开。"
)
ADD_GOT = (
    "已收到：文字说明{note}，照片 {photos} 张，语音 {voice} 条，视频 {video} 段。"
    "可以继续发送，或点“完成”。"
)
ADD_NOTE_YES = "有"
ADD_NOTE_NO = "无"
ADD_HINT = "请发送照片、语音、短视频或文字说明，发完后点“完成”；不补充了请点“取消”。"
ADD_NOTHING_YET = "还没有收到要补充的内容。请先发送照片、语音、视频或文字说明，再点“完成”。"
ADD_TOO_MANY = "一次最多补充 {max} 份材料，这份没有保存。已收到的都还在，请点“完成”提交。"
ADD_NOTE_TOO_LONG = "文字说明太长了（最多 {max} 字），这条没有保存。请精简后再发，已收到的都还在。"
ADD_DONE = "✅ 已为 {ticket} 补充材料，已加入办理记录，工作人员会看到。感谢您的补充！"
ADD_CANCELLED = "好的，这次没有补充任何内容。"
ADD_NOT_YOURS = "找不到这条举报，或者它不是您提交的，不能补充材料。发送 /myreports 查看您的举报。"
ADD_CLOSED = (
    "{ticket} 已经办结或不再办理，不能再补充材料。如果问题仍然存在，"
    "可以在办结通知里点“没解决”，或发送 /report 重新举报。"
)
ADD_LIMIT = "{ticket} 补充的材料已经达到上限，这次没有保存。如有新情况，请发送 /report 另行举报。"
ADD_FAILED = "这次补充没有成功，请稍后再试一次。"
ADD_FINISH_REPORT_FIRST = (
    "您正在填写一条新的举报。请先提交或取消它（发送 /cancel），再来补充材料，已填写的内容都还在。"
)
ADD_PENDING = "您正在为 {ticket} 补充材料，请先点“完成”提交，或点“取消”放弃，再补充别的举报。"
ADD_STALE = "这个按钮已失效。发送 /myreports 重新选择要补充的举报。"  # an alert: plain text
# The staff chat's line about an addition: no reporter identity, the citizen's note shortened.
STAFF_ADDITION = "📎 工单 {ticket} 的举报人补充了材料（照片 {photos}，语音 {voice}，视频 {video}）"
STAFF_ADDITION_NOTE = "说明：{note}"

# --- staff ------------------------------------------------------------------------------------
STAFF_NEW = "🆕 新举报"
STAFF_CARD_HEAD = "工单 {ticket}｜{status}"
STAFF_CARD_LINES = (
    "类别：{category}｜承办：{department}\n"
    "区县：{district}｜地址：{address}\n"
    "坐标：{point}\n"
    "描述：{description}\n"
    "材料：{evidence}\n"
    "举报人：{reporter}\n"
    "提交：{created}｜受理期限：{respond_by}｜办结期限：{close_by}"
)
STAFF_EVIDENCE = {"photo": "照片 {n} 张", "voice": "语音 {n} 条", "video": "视频 {n} 段"}
STAFF_NO_EVIDENCE = "无"
STAFF_OVERDUE = "⚠ 已逾期：{which}"
STAFF_DEADLINES = {"respond": "未在 15 天内受理", "close": "未在 60 天内办结"}
STAFF_ANONYMOUS = "匿名（身份和联系方式已隐藏）"
STAFF_REPORTER = "Telegram 用户 {user_id}{phone}"
STAFF_REPORTER_WEB = "网页体验区访客 #{user_id}{phone}"
STAFF_PHONE = "，手机 {phone}"
STAFF_ERASED = "已应本人要求抹去身份"
STAFF_CONTACT_HIDDEN = "实名（联系方式仅管理员在网页后台可见）"
STAFF_DEMO = "【演示】网页体验区提交，不是市民的真实举报"
STAFF_NOTE = "最新说明：{note}"
STAFF_ACTIONS = {
    "accepted": "受理",
    "rejected": "不予受理",
    "transferred": "转办",
    "in_progress": "办理中",
    "resolved": "办结",
    "duplicate": "重复",
    "reopened": "重新办理",
}
STAFF_PHOTOS_BUTTON = "🖼 照片"
STAFF_QUEUE_EMPTY = "没有待处理的举报。"
STAFF_QUEUE_HEAD = "待处理举报 第 {page}/{pages} 页，共 {total} 条（最早的在前）："
STAFF_QUEUE_ITEM = "{n}. {ticket}｜{category}｜{district}｜{status}{overdue}"
STAFF_QUEUE_OVERDUE = "｜⚠逾期"
STAFF_PICK_DEPARTMENT = "把 {ticket} 转办给哪个单位？"
STAFF_ASK_ORIGINAL = "{ticket} 与哪个工单重复？请回复原工单号，例如 TR-2611-0001。"
STAFF_ASK_NOTE = "请回复{action} {ticket} 的说明（会发给举报人，最多 2000 字）："
STAFF_NOTE_TEXT_ONLY = "请用文字回复说明，或发送 /cancel 放弃这次操作。"
STAFF_DONE = "已更新：{ticket} → {status}。举报人会收到通知。"
STAFF_NOT_FOUND = "找不到工单 {ticket}。"
STAFF_INVALID = "操作没有成功：{ticket} 当前状态是“{status}”，不能改为“{target}”。"
STAFF_NOTE_TOO_LONG = "说明太长了（最多 {max} 字），请精简后重新回复。"
STAFF_BAD_ORIGINAL = "原工单 {original} 不存在、已被拒绝或就是本工单，请重新输入原工单号。"
STAFF_STALE = "这个操作已过期，请重新打开工单。"
STAFF_NO_PHOTOS = "这条举报没有照片。"
