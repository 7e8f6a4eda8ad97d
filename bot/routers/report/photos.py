"""A citizen's photo, from Telegram into the media store: getFile, download, size-checked,
stripped of its metadata (EXIF: GPS, device) and named by content hash (reports/media.py),
while the flow waits at the photos step. Photos sent as files (documents) go the same way."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram.types import Message

from reports import InvalidReport

if TYPE_CHECKING:
    from aiogram import Bot

    from reports import MediaStore, StoredPhoto


class NotAPicture(ValueError):
    """The file is no image the media store can decode (and so strip)."""


@dataclass(frozen=True)
class Incoming:
    file_id: str
    size: int | None  # what Telegram says; the store checks the real bytes again


def incoming_photo(message: Message) -> Incoming | None:
    """The largest size of a photo, or an image sent as a file; None for anything else."""
    if message.photo:
        largest = message.photo[-1]
        return Incoming(largest.file_id, largest.file_size)
    document = message.document
    if document is not None and (document.mime_type or "").startswith("image/"):
        return Incoming(document.file_id, document.file_size)
    return None


async def fetch(bot: Bot, photo: Incoming, media: MediaStore) -> StoredPhoto:
    """Download and store; InvalidReport when empty or over the size limit, NotAPicture when
    it does not decode, TelegramAPIError (or a network error) when Telegram does not hand the
    file over."""
    file = await bot.get_file(photo.file_id)
    if file.file_path is None:
        raise FileNotFoundError("getFile returned no file_path")
    buffer = await bot.download_file(file.file_path)
    data = buffer.read() if buffer is not None else b""
    media.check(data)
    try:
        return await asyncio.to_thread(media.put, data)
    except InvalidReport as error:
        raise NotAPicture(str(error)) from error
