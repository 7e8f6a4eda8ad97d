"""Add to my report: the reporter adds a photo, a voice note, a video or a note to an open
report (issue 17). Filled in by the change that builds it."""

from __future__ import annotations

from aiogram import Router

router = Router(name=__name__)
