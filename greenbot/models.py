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
            # A domain not built yet is skipped; an import error inside one that exists is not.
            if not error.name or not name.startswith(error.name):
                raise
