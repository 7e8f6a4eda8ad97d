"""Exception handlers: every known error becomes a Chinese 4xx page, never a traceback.

Domain messages are English and may quote input, so they go to the log (at info), not the page.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from urllib.parse import quote, urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import RedirectResponse, Response

from campaigns import (
    BroadcastNotFound,
    CampaignError,
    InvalidBroadcastState,
    InvalidDates,
    UnknownEvent,
    UnknownTopic,
)
from reports import (
    InvalidReport,
    InvalidTransition,
    ReportError,
    ReportNotFound,
    TooManyReports,
    UnknownDepartment,
)
from staff import (
    AccountNotFound,
    DuplicateAccount,
    InvalidAccount,
    StaffError,
    TelegramInUse,
    WeakPassword,
)
from staff.passwords import MIN_PASSWORD
from web.errors import LoginRequired, WebError
from web.sandbox import InvalidInput
from web.templating import page

log = logging.getLogger(__name__)

# (status, message) per domain error, most specific first.
DOMAIN_ERRORS: tuple[tuple[type[Exception], int, str], ...] = (
    (ReportNotFound, 404, "没有找到这个工单。"),
    (UnknownDepartment, 400, "转办的承办单位不在名单中，请从列表中选择。"),
    (
        InvalidTransition,
        400,
        "无法更改状态：当前状态不能改为所选状态，或缺少必填的处理说明、承办单位或原工单号。",
    ),
    (InvalidReport, 400, "筛选或填写的内容无效（类别、区县、位置等），请检查后重试。"),
    (TooManyReports, 429, "今天提交的举报已达上限。"),
    (ReportError, 400, "举报处理出错，请检查后重试。"),
    (UnknownEvent, 404, "没有这个活动。"),
    (InvalidDates, 400, "日期无效：结束日期不能早于开始日期，且跨度不能超过一年。"),
    (UnknownTopic, 400, "没有这个订阅主题。"),
    (BroadcastNotFound, 404, "没有找到这条群发消息。"),
    (InvalidBroadcastState, 409, "这条群发消息已经开始发送、已完成或已取消，不能再这样操作。"),
    (CampaignError, 400, "活动操作无效，请检查后重试。"),
    (AccountNotFound, 404, "没有这个工作人员账号。"),
    (DuplicateAccount, 409, "这个用户名已经有人使用。"),
    (TelegramInUse, 409, "这个 Telegram 账号已经关联了另一个工作人员账号。"),
    (WeakPassword, 400, f"密码太短或太长：至少 {MIN_PASSWORD} 个字符。"),
    (
        InvalidAccount,
        400,
        "用户名只能包含文字、数字、点、短横线和下划线（2–64 个字符），角色须为审核员或管理员。",
    ),
    (StaffError, 400, "账号操作无效。"),
    (InvalidInput, 400, "无法发送：内容为空、太大，或坐标超出范围（纬度 −90~90，经度 −180~180）。"),
)
HTTP_MESSAGES = {404: "页面不存在。", 405: "不支持这种请求方式。"}


def install(app: FastAPI) -> None:
    app.add_exception_handler(LoginRequired, _login_required)  # type: ignore[arg-type]
    app.add_exception_handler(WebError, _web_error)  # type: ignore[arg-type]
    for error_type, status, message in DOMAIN_ERRORS:
        app.add_exception_handler(error_type, _domain_handler(status, message))
    app.add_exception_handler(RequestValidationError, _invalid_request)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http_error)  # type: ignore[arg-type]


def error_page(request: Request, status: int, message: str) -> Response:
    return page(
        request,
        "error.html",
        {"status": status, "message": message, "back": _back(request)},
        status_code=status,
    )


async def _login_required(request: Request, error: LoginRequired) -> Response:
    return RedirectResponse(f"/login?next={quote(error.next_path)}", status_code=303)


async def _web_error(request: Request, error: WebError) -> Response:
    return error_page(request, error.status_code, error.message)


def _domain_handler(
    status: int, message: str
) -> Callable[[Request, Exception], Awaitable[Response]]:
    async def handle(request: Request, error: Exception) -> Response:
        log.info("%s %s: %s", request.method, request.url.path, type(error).__name__)
        return error_page(request, status, message)

    return handle


async def _invalid_request(request: Request, error: RequestValidationError) -> Response:
    return error_page(request, 400, "提交的内容不完整或格式不正确，请检查后重试。")


async def _http_error(request: Request, error: HTTPException) -> Response:
    message = HTTP_MESSAGES.get(error.status_code, "请求无法完成。")
    return error_page(request, error.status_code, message)


def server_error(request: Request, error: Exception) -> Response:
    """An unexpected error: log where it failed (the type and frames only: a message can quote
    personal data, so it must not reach the server's own traceback log either)."""
    frames = "".join(traceback.format_tb(error.__traceback__))
    log.error(
        "%s %s failed with %s\n%s", request.method, request.url.path, type(error).__name__, frames
    )
    return error_page(request, 500, "抱歉，出了点问题，请稍后再试。")


def _back(request: Request) -> str:
    """The page the form was on, when it is ours; else the console's home."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc != request.url.netloc:
        return "/"
    path = referer.path or "/"
    return path if path.startswith("/") and not path.startswith("//") else "/"
