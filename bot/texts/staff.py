"""The staff check's refusals (`bot/staff.py`), each naming the role the action needs: a
reviewer told "仅限工作人员" for an admin's command would be told something untrue."""

from __future__ import annotations

REVIEWERS_ONLY = "抱歉，这项操作仅限工作人员使用。"
ADMINS_ONLY = "抱歉，这项操作仅限管理员使用。"
