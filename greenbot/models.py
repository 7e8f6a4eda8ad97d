"""Import every domain's tables so `Base.metadata` (Alembic, create_all) sees them all."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "citizens.models",
    "citizens.conversations",
    "outbox.models",
    "knowledge.feedback",
    "knowledge.curated.models",  # curated answers, their history, knowledge gaps
    "reports.models",
    "campaigns.models",
    "staff.models",
    "web.sandbox.models",  # the chat sandbox's chats and limits (a surface's own tables)
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)
