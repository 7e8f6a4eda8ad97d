"""/chat: the web chat sandbox. Each action posts a form; with the page's script it comes back
as the chat's new HTML (fetch), without it as a redirect to the page. No login: a visitor is a
citizen, known by a synthetic user id kept in the signed session cookie.

Limits hold per source address, not per cookie (a new cookie is a new visitor, and new
visitors are limited too): past one, the action is refused with 429 and a polite sentence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from web.addresses import client_address
from web.deps import ConsoleDep
from web.errors import WebError
from web.sandbox import (
    InvalidInput,
    Sandbox,
    TooBusy,
    Visitor,
    is_visitor,
    new_visitor_id,
)
from web.sandbox.limits import MESSAGE, PRESS, REPORT, VISITOR
from web.sandbox.sandbox import PHOTOS_AT_ONCE
from web.templating import page

router = APIRouter(prefix="/chat")

FETCH_HEADER = "x-requested-with"
# Places a visitor can pick instead of typing coordinates: the districts' seats (approximate).
PLACES = (
    ("碧江区（铜仁市政府附近）", 27.7183, 109.1910),
    ("万山区", 27.5190, 109.2136),
    ("江口县", 27.6996, 108.8393),
    ("玉屏侗族自治县", 27.2380, 108.9063),
    ("石阡县", 27.5134, 108.2233),
    ("思南县", 27.9375, 108.2530),
    ("印江土家族苗族自治县", 27.9942, 108.4090),
    ("德江县", 28.2639, 108.1198),
    ("沿河土家族自治县", 28.5638, 108.5030),
    ("松桃苗族自治县", 28.1541, 109.2026),
)
# Emoji-only buttons said in words too: where the emoji font is missing they are not empty
# boxes, and a screen reader names them (the bot's Telegram buttons stay as they are).
SPOKEN_LABELS = {"👍": "有帮助", "👎": "没帮助"}

# What a visitor over a limit is told (the page's script shows it in an alert).
BUSY = {
    MESSAGE: "您发送得太快了，请休息一分钟再试。",
    PRESS: "您点得太快了，请稍等一会儿再点。",
    VISITOR: "这个网络最近开始的体验会话太多了，请稍后再试，或继续使用已打开的页面。",
    REPORT: (
        "这个网络最近在体验区提交的举报太多了，请一小时后再试。"
        "真实的举报请通过 Telegram 机器人提交，紧急情况请拨打 12369 环保举报热线。"
    ),
}


class SandboxOff(WebError):
    status_code = 503
    message = "网页体验版未开启。"


class SandboxBusy(WebError):
    status_code = 429
    message = BUSY[MESSAGE]


def _sandbox(console: ConsoleDep) -> Sandbox:
    if console.sandbox is None:
        raise SandboxOff()
    return console.sandbox


def _visitor(request: Request, console: ConsoleDep) -> Visitor:
    """Who acts (the cookie's visitor id, a new one if none) and from which source address."""
    visitor = request.session.get("visitor")
    if not isinstance(visitor, int) or not is_visitor(visitor):
        visitor = request.session["visitor"] = new_visitor_id()
    address = client_address(request, console.auth.trusted_proxies)
    return Visitor(visitor, _sandbox(console).limits.source(address))


async def _render(request: Request, console: ConsoleDep, name: str) -> Response:
    sandbox = _sandbox(console)
    visitor = _visitor(request, console)
    chat = await sandbox.view(visitor)
    context = {
        "chat": chat,
        "entries": chat.visible,
        "toasts": chat.toasts,
        "visitor": visitor.id,
        "commands": sandbox.chats.commands,
        "places": PLACES,
        "spoken_labels": SPOKEN_LABELS,
    }
    return page(request, name, context)


async def _act(
    request: Request, console: ConsoleDep, action: Callable[[Sandbox, Visitor], Awaitable[None]]
) -> Response:
    """Do what the visitor asked, then show the chat (fetch) or go back to the page."""
    sandbox = _sandbox(console)
    try:
        await action(sandbox, _visitor(request, console))
    except TooBusy as busy:
        raise SandboxBusy(BUSY[busy.kind]) from None
    if request.headers.get(FETCH_HEADER) == "fetch":
        return await _render(request, console, "chat/_chat.html")
    return RedirectResponse("/chat#end", status_code=303)


@router.get("")
async def show_chat(request: Request, console: ConsoleDep) -> Response:
    if console.sandbox is None:
        return page(request, "chat/off.html", {"bot_running": console.bot_running}, status_code=503)
    return await _render(request, console, "chat/page.html")


@router.get("/transcript")
async def show_transcript(request: Request, console: ConsoleDep) -> Response:
    """The chat's HTML alone: the page polls it for notices that arrive on their own."""
    return await _render(request, console, "chat/_chat.html")


@router.post("/send")
async def send_text(
    request: Request, console: ConsoleDep, text: Annotated[str, Form(max_length=4096)]
) -> Response:
    return await _act(request, console, lambda sandbox, visitor: sandbox.send_text(visitor, text))


@router.post("/press")
async def press_button(
    request: Request,
    console: ConsoleDep,
    message_id: Annotated[int, Form(ge=1)],
    data: Annotated[str, Form(max_length=64)],  # Bot API: callback_data is 1-64 bytes
) -> Response:
    return await _act(
        request, console, lambda sandbox, visitor: sandbox.press(visitor, message_id, data)
    )


@router.post("/location")
async def send_location(
    request: Request,
    console: ConsoleDep,
    latitude: Annotated[float, Form()],
    longitude: Annotated[float, Form()],
) -> Response:
    return await _act(
        request,
        console,
        lambda sandbox, visitor: sandbox.send_location(visitor, latitude, longitude),
    )


@router.post("/photo")
async def send_photo(
    request: Request,
    console: ConsoleDep,
    photo: Annotated[list[UploadFile], File()],
    caption: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    """One photo or several chosen at once (the file input takes `multiple`)."""
    sandbox = _sandbox(console)
    photos = []
    for upload in photo[:PHOTOS_AT_ONCE]:  # the rest are not read, only counted
        data = await upload.read(sandbox.max_photo_bytes + 1)
        if len(data) > sandbox.max_photo_bytes:
            raise InvalidInput("photo too big")
        photos.append(data)
    left_out = len(photo) - len(photos)
    return await _act(
        request,
        console,
        lambda sandbox, visitor: sandbox.send_photos(visitor, photos, caption, left_out=left_out),
    )


@router.post("/contact")
async def send_contact(
    request: Request, console: ConsoleDep, phone: Annotated[str, Form(max_length=32)]
) -> Response:
    return await _act(
        request, console, lambda sandbox, visitor: sandbox.send_contact(visitor, phone)
    )


@router.post("/restart")
async def restart(request: Request, console: ConsoleDep) -> Response:
    """Start over as a new visitor (the old chat's reports stay filed)."""
    _sandbox(console)
    request.session["visitor"] = new_visitor_id()
    return RedirectResponse("/chat", status_code=303)


@router.get("/files/{file_id}")
async def show_file(request: Request, console: ConsoleDep, file_id: str) -> Response:
    """A photo in the visitor's own chat (sent or received); others' stay unreachable."""
    sandbox = _sandbox(console)
    data = await sandbox.chats.photo(_visitor(request, console).id, file_id)
    if data is None:
        return Response(status_code=404)
    return Response(data, media_type=_image_type(data), headers={"Cache-Control": "private"})


def _image_type(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"GIF8"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    return "application/octet-stream"
