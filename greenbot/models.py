"""Import every domain's tables so `Base.metadata` (Alembic, create_all) sees them all."""

from __future__ import annotations

import importlib

MODEL_MODULES = (
    "citizens.models",
    "outbox.models",
    "knowledge.feedback",
    "reports.models",
    "campaigns.models",
)


def import_all_models() -> None:
    for name in MODEL_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:  # a real import error inside an existing module
                raise
