"""The answer engine's own words, in Simplified Chinese (converted for Traditional readers).

They live in the domain, not in bot/texts.py, because every surface (CLI, bot, web sandbox)
shows the same answers.
"""

from __future__ import annotations

CAPABILITIES = (
    "· 解读《铜仁市“十四五”节能减排综合工作方案》的目标和措施\n"
    "· 垃圾分类、绿色出行、家庭节能等绿色生活知识\n"
    "· 举报污染或能源浪费（发送 /report）\n"
    "· 订阅全国节能宣传周、全国低碳日等活动提醒（发送 /subscribe）"
)

INTRODUCTION = (
    "您好！我是绿色铜仁助手，可以回答关于铜仁市节能减排和绿色生活的问题，并注明出处。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "试试问我：“垃圾分类怎么做？”或“2025年农村污水治理率要到多少？”"
)

THANKS = "不客气！还有关于节能减排或绿色生活的问题，随时问我。"

NOT_COVERED = (
    "抱歉，知识库里没有能回答这个问题的内容，我不想给您不准确的信息。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "其他政务问题，请拨打 12345 政务服务便民热线咨询。"
)

NOT_COVERED_PLACE = (
    "抱歉，我的知识库只涵盖铜仁市的节能减排方案和绿色生活指南，没有关于“{subject}”的资料，"
    "我不想给您不准确的信息。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "其他政务问题，请拨打 12345 政务服务便民热线咨询。"
)

NOT_COVERED_PRICE = (
    "抱歉，方案和指南里没有具体的价格或收费信息，我不想给您不准确的信息。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "价格和收费问题，请向商家或拨打 12345 政务服务便民热线咨询。"
)

NOT_COVERED_YEAR = (
    "抱歉，方案和指南里没有关于{subject}年的内容（方案讲的是“十四五”时期，即2021—2025年），"
    "我不想给您不准确的信息。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "其他政务问题，请拨打 12345 政务服务便民热线咨询。"
)

NOT_COVERED_DETAIL = (
    "抱歉，方案和指南里没有具体的人名、地址这类信息，我不想给您不准确的信息。\n"
    f"我可以帮您：\n{CAPABILITIES}\n"
    "具体情况请拨打 12345 政务服务便民热线咨询。"
)

OUT_OF_SCOPE = {
    "place": NOT_COVERED_PLACE,
    "year": NOT_COVERED_YEAR,
    "price": NOT_COVERED_PRICE,
    "detail": NOT_COVERED_DETAIL,
}

DEFINITION = "{term}，通俗地说：{explain}"
IN_THE_PLAN = "方案中的原文："
GUIDE_TIP = "您可以这样做："
SEE_ALSO = "另见：{document}·{title}"
GLOSSARY_CITATION = "释义：绿色铜仁助手词汇表（通俗解释，供参考）"

EMPTY_QUESTION = "请输入您想了解的问题，例如：“垃圾分类怎么做？”"

CITATION_PLAN = "出处：{document}{section} {title}"
CITATION_GUIDE = "出处：{document}·{title}"
LEAD_UNITS = "牵头单位：{names}"
RESPONSIBLE_UNITS = "责任单位：{names}"
GUIDE_ORIGIN = "依据：{origin}"
