"""The web surface's own refusals; `web/handlers.py` turns them (and domain errors) into pages."""

from __future__ import annotations


class WebError(Exception):
    """A refusal with a status code and a Chinese message for the page."""

    status_code = 400
    message = "请求无效。"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        if message:
            self.message = message


class LoginRequired(WebError):
    """Not logged in (or the session ended): go to the login page, then come back."""

    status_code = 303
    message = "请先登录。"

    def __init__(self, next_path: str = "/") -> None:
        super().__init__()
        self.next_path = next_path


class Forbidden(WebError):
    status_code = 403
    message = "您的账号没有权限访问此页面（需要管理员权限）。"


class CsrfRejected(WebError):
    status_code = 403
    message = "表单已过期或来源无法确认，请刷新页面后重试。"


class BadInput(WebError):
    status_code = 400
    message = "提交的内容不完整或格式不正确，请检查后重试。"


class NotFound(WebError):
    status_code = 404
    message = "页面不存在。"
