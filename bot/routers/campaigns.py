"""Placeholder router: its feature is being built (see the open issue)."""

from __future__ import annotations

from aiogram import Router

router = Router(name=__name__)
