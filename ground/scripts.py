"""Citizen-facing text in the citizen's script: domains write Simplified, Traditional readers
get it converted (OpenCC), in one place for every domain."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def _s2t() -> Any:
    """OpenCC's Simplified→Traditional converter, loaded once (it reads dictionary files)."""
    import opencc

    return opencc.OpenCC("s2t.json")


def in_script(text: str, script: str) -> str:
    """`text` as the citizen reads it: unchanged for `hans`, converted for `hant`."""
    return _s2t().convert(text) if script == "hant" and text else text
