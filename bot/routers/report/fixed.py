"""Was it fixed? The reporter's answer to a resolution (issue 17)."""

from __future__ import annotations

from aiogram import Router

router = Router(name=__name__)
