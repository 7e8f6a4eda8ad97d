"""A citizen's evidence, from Telegram into the media store: getFile, download, size-checked,
and stored by content hash (reports/media.py) while a flow waits for it.

Photos (and images sent as files) are stripped of their metadata (EXIF: GPS, device); voice
notes (OGG/Opus) and videos (MP4, round video notes too, or either sent as a file) are checked
by their magic bytes and kept as they came, for staff only (see reports/media.py on video
metadata). Each kind has its size limit in the settings (`GREENBOT_MAX_PHOTO_BYTES`,
`…_VOICE_BYTES`, `…_VIDEO_BYTES`), checked against what Telegram says before the download and
against the bytes after it; a bot cannot download more than 20 MB anyway.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import Message

from bot.texts import reports as words
from reports import InvalidReport
from reports.media import PHOTO, VIDEO, VOICE, NotThatMedia

if TYPE_CHECKING:
    from aiogram import Bot

    from bot.routers.report.context import Turn
    from ground.settings import Settings
    from reports import MediaStore, StoredPhoto

log = logging.getLogger(__name__)


class NotAPicture(ValueError):
    """The file is not what it was sent as: no image the store can decode (and so strip), no
    OGG voice note, no MP4 video."""


@dataclass(frozen=True)
class Incoming:
    file_id: str
    size: int | None  # what Telegram says; the store checks the real bytes again
    kind: str = PHOTO


# Files (documents) taken as evidence, by the type the sending app claims; the bytes decide.
# iOS sends a video picked as a file as QuickTime (.MOV): an ISO media file like MP4 and 3GP.
_DOCUMENT_KINDS = {
    "audio/ogg": VOICE,
    "audio/opus": VOICE,
    "video/mp4": VIDEO,
    "video/quicktime": VIDEO,
    "video/3gpp": VIDEO,
}


def incoming_photo(message: Message) -> Incoming | None:
    """The largest size of a photo, or an image sent as a file; None for anything else."""
    if message.photo:
        largest = message.photo[-1]
        return Incoming(largest.file_id, largest.file_size)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return Incoming(document.file_id, document.file_size)
    return None


def incoming_evidence(message: Message) -> Incoming | None:
    """A photo, a voice note, a video or a video note (or one of them sent as a file); None
    for anything else (a sticker, a PDF, music)."""
    photo = incoming_photo(message)
    if photo is not None:
        return photo
    if message.voice is not None:
        return Incoming(message.voice.file_id, message.voice.file_size, VOICE)
    if message.video is not None:
        return Incoming(message.video.file_id, message.video.file_size, VIDEO)
    if message.video_note is not None:
        return Incoming(message.video_note.file_id, message.video_note.file_size, VIDEO)
    document = message.document
    if document is not None:
        kind = _DOCUMENT_KINDS.get((document.mime_type or "").lower())
        if kind is not None:
            return Incoming(document.file_id, document.file_size, kind)
    return None


def max_bytes(settings: Settings, kind: str) -> int:
    """The settings' size limit for a kind of evidence."""
    return {
        PHOTO: settings.max_photo_bytes,
        VOICE: settings.max_voice_bytes,
        VIDEO: settings.max_video_bytes,
    }[kind]


def too_big(settings: Settings, incoming: Incoming) -> bool:
    """Over the limit by what Telegram says: refused before anything is downloaded."""
    return incoming.size is not None and incoming.size > max_bytes(settings, incoming.kind)


async def fetch(
    bot: Bot, incoming: Incoming, media: MediaStore, *, limit: int | None = None
) -> StoredPhoto:
    """Download and store; InvalidReport when empty or over the size limit (the store's, and
    `limit` when given), NotAPicture when it is not what it was sent as, TelegramAPIError (or
    a network error) when Telegram does not hand the file over."""
    file = await bot.get_file(incoming.file_id)
    if file.file_path is None:
        raise FileNotFoundError("getFile returned no file_path")
    buffer = await bot.download_file(file.file_path)
    data = buffer.read() if buffer is not None else b""
    if limit is not None and len(data) > limit:
        raise InvalidReport(f"{incoming.kind} of {len(data)} bytes exceeds {limit}")
    media.check(data, incoming.kind)
    try:
        return await asyncio.to_thread(media.put_evidence, data, incoming.kind)
    except NotThatMedia as error:
        raise NotAPicture(str(error)) from error


def _mb(limit: int) -> int:
    return limit // (1024 * 1024) or 1


async def receive(turn: Turn, incoming: Incoming, *, markup: Any = None) -> StoredPhoto | None:
    """Download and store one piece of evidence; None, and the citizen told why in a line,
    when it is too big, not what it claims to be, or Telegram does not hand it over."""
    limit = max_bytes(turn.settings, incoming.kind)
    oversized = turn.text(words.TOO_BIG[incoming.kind], mb=_mb(limit))
    if too_big(turn.settings, incoming):
        log.info("%s of %s bytes refused unread", incoming.kind, incoming.size)
        await turn.send_html(oversized, markup=markup)
        return None
    try:
        return await fetch(turn.bot, incoming, turn.reports.media, limit=limit)
    except NotAPicture:
        log.info("a %s that is not one refused", incoming.kind)
        await turn.send(words.UNREADABLE[incoming.kind], markup=markup)
    except InvalidReport:
        await turn.send_html(oversized, markup=markup)
    except TelegramBadRequest as error:
        if "too big" not in str(error).lower():  # getFile's refusal past 20 MB
            raise
        await turn.send_html(oversized, markup=markup)
    except (TelegramAPIError, aiohttp.ClientError, FileNotFoundError) as error:
        log.warning("%s download failed: %s", incoming.kind, type(error).__name__)
        await turn.send(words.FETCH_FAILED[incoming.kind], markup=markup)
    return None
