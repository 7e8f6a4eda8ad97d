"""Stickers, voice, photos, files and the like outside a flow: one polite line, never an error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiogram import F, Router

from bot import texts
from bot.render import html

if TYPE_CHECKING:
    from aiogram.types import Message

    from citizens import Citizen

router = Router(name=__name__)
router.message.filter(F.chat.type == "private")


async def _explain(message: Message, text: str, citizen: Citizen | None) -> None:
    await message.answer(html(texts.say(text, texts.script_for(citizen))))


@router.message(F.sticker)
async def explain_sticker(message: Message, citizen: Citizen | None) -> None:
    await _explain(message, texts.MEDIA_STICKER, citizen)


@router.message(F.voice | F.audio | F.video_note)
async def explain_voice(message: Message, citizen: Citizen | None) -> None:
    await _explain(message, texts.MEDIA_VOICE, citizen)


@router.message(~F.text)
async def explain_other(message: Message, citizen: Citizen | None) -> None:
    """Photos, videos, documents, locations, contacts: until the report flow takes photos."""
    await _explain(message, texts.MEDIA_OTHER, citizen)
