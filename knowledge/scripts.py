"""Simplified/Traditional: detect which script a citizen wrote in and convert between them.

Retrieval runs on Simplified text; answers go back in the citizen's script (OpenCC tables).
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

Script = Literal["hans", "hant"]


class ScriptConverter:
    """OpenCC converters, loaded once per process (each load reads dictionary files)."""

    @cached_property
    def _t2s(self):  # type: ignore[no-untyped-def]
        import opencc

        return opencc.OpenCC("t2s.json")

    @cached_property
    def _s2t(self):  # type: ignore[no-untyped-def]
        import opencc

        return opencc.OpenCC("s2t.json")

    def to_simplified(self, text: str) -> str:
        return self._t2s.convert(text) if text else text

    def to_traditional(self, text: str) -> str:
        return self._s2t.convert(text) if text else text

    def to_script(self, text: str, script: Script) -> str:
        return self.to_traditional(text) if script == "hant" else self.to_simplified(text)

    def detect(self, text: str, default: Script = "hans") -> Script:
        """Traditional when the text has more Traditional-only characters than Simplified-only."""
        simplified = self.to_simplified(text)
        traditional = self.to_traditional(text)
        trad_only = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
        simp_only = sum(1 for a, b in zip(text, traditional, strict=False) if a != b)
        if trad_only > simp_only:
            return "hant"
        if simp_only > trad_only:
            return "hans"
        return default
