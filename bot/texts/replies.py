"""Staff's response templates in the bot (issue 17): offered when staff are asked for a note.

Staff-facing, in Simplified Chinese like the other staff texts (`say` converts for 繁體 readers).
"""

from __future__ import annotations

REPLY_OFFER = "也可以选用回复模板，点按钮即以填好的内容作为说明发给举报人（不用再回复）："
REPLY_ITEM = "{n}. {title}：{note}"
REPLY_BUTTON = "{n}. {title}"
REPLY_USED = "已选用回复模板「{title}」，发给举报人的说明：\n{note}"
REPLY_GONE = "这个回复模板已被删除或修改，不再适用于这次操作。请选用其他模板，或直接回复说明。"
# A report's evidence other than photos, sent to staff as files (the 🖼 照片 button).
EVIDENCE_KINDS = {"voice": "语音", "video": "视频"}
