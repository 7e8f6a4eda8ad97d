"""/chat: the web chat sandbox. Each action posts a form; with the page's script it comes back
as the chat's new HTML (fetch), without it as a redirect to the page. No login: a visitor is a
citizen, known by a synthetic user id kept in the signed session cookie."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from starlette.responses import RedirectResponse, Response

from web.deps import ConsoleDep
from web.errors import WebError
from web.sandbox import InvalidInput, Sandbox, is_visitor, new_visitor_id
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


class SandboxOff(WebError):
    status_code = 503
    message = "网页体验版未开启。"


def _sandbox(console: ConsoleDep) -> Sandbox:
    if console.sandbox is None:
        raise SandboxOff()
    return console.sandbox


def _visitor(request: Request) -> int:
    visitor = request.session.get("visitor")
    if not isinstance(visitor, int) or not is_visitor(visitor):
        visitor = request.session["visitor"] = new_visitor_id()
    return visitor


async def _render(request: Request, sandbox: Sandbox, name: str) -> Response:
    visitor = _visitor(request)
    await sandbox.deliver_outbox(visitor)
    chat = sandbox.chat(visitor)
    context = {
        "chat": chat,
        "entries": chat.visible,
        "toasts": chat.take_toasts(),
        "visitor": visitor,
        "commands": sandbox.chats.commands,
        "places": PLACES,
    }
    return page(request, name, context)


async def _after(request: Request, sandbox: Sandbox) -> Response:
    if request.headers.get(FETCH_HEADER) == "fetch":
        return await _render(request, sandbox, "chat/_chat.html")
    return RedirectResponse("/chat#end", status_code=303)


@router.get("")
async def show_chat(request: Request, console: ConsoleDep) -> Response:
    if console.sandbox is None:
        return page(request, "chat/off.html", {"bot_running": console.bot_running}, status_code=503)
    return await _render(request, console.sandbox, "chat/page.html")


@router.get("/transcript")
async def show_transcript(request: Request, console: ConsoleDep) -> Response:
    """The chat's HTML alone: the page polls it for notices that arrive on their own."""
    return await _render(request, _sandbox(console), "chat/_chat.html")


@router.post("/send")
async def send_text(
    request: Request, console: ConsoleDep, text: Annotated[str, Form(max_length=4096)]
) -> Response:
    sandbox = _sandbox(console)
    await sandbox.send_text(_visitor(request), text)
    return await _after(request, sandbox)


@router.post("/press")
async def press_button(
    request: Request,
    console: ConsoleDep,
    message_id: Annotated[int, Form(ge=1)],
    data: Annotated[str, Form(max_length=64)],  # Bot API: callback_data is 1-64 bytes
) -> Response:
    sandbox = _sandbox(console)
    await sandbox.press(_visitor(request), message_id, data)
    return await _after(request, sandbox)


@router.post("/location")
async def send_location(
    request: Request,
    console: ConsoleDep,
    latitude: Annotated[float, Form()],
    longitude: Annotated[float, Form()],
) -> Response:
    sandbox = _sandbox(console)
    await sandbox.send_location(_visitor(request), latitude, longitude)
    return await _after(request, sandbox)


@router.post("/photo")
async def send_photo(
    request: Request,
    console: ConsoleDep,
    photo: Annotated[UploadFile, File()],
    caption: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    sandbox = _sandbox(console)
    data = await photo.read(sandbox.max_photo_bytes + 1)
    if len(data) > sandbox.max_photo_bytes:
        raise InvalidInput("photo too big")
    await sandbox.send_photo(_visitor(request), data, caption)
    return await _after(request, sandbox)


@router.post("/contact")
async def send_contact(
    request: Request, console: ConsoleDep, phone: Annotated[str, Form(max_length=32)]
) -> Response:
    sandbox = _sandbox(console)
    await sandbox.send_contact(_visitor(request), phone)
    return await _after(request, sandbox)


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
    chat = sandbox.chats.peek(_visitor(request))
    mine = chat is not None and any(entry.photo == file_id for entry in chat.visible)
    data = sandbox.files.get(file_id) if mine else None
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
