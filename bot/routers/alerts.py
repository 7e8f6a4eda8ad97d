"""Area alerts: a citizen subscribes to a daily digest of new and resolved reports in a
district (issue 17). Filled in by the change that builds them."""

from __future__ import annotations

from aiogram import Router

router = Router(name=__name__)
