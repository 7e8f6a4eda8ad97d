"""The web chat sandbox: talk to GreenBot in a browser, through the bot's own handlers.

Names are imported on first use: `web.sandbox.models` (its tables, which `greenbot.models`
imports for Alembic) must not pull aiogram in with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web.sandbox.limits import Limits, TooBusy
    from web.sandbox.sandbox import InvalidInput, Sandbox, Visitor, is_visitor, new_visitor_id

__all__ = [
    "InvalidInput",
    "Limits",
    "Sandbox",
    "TooBusy",
    "Visitor",
    "is_visitor",
    "new_visitor_id",
]
_HOMES = {"Limits": "limits", "TooBusy": "limits"}


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'web.sandbox' has no attribute {name!r}")
    module = importlib.import_module(f"web.sandbox.{_HOMES.get(name, 'sandbox')}")
    return getattr(module, name)
