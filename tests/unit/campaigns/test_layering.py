"""The outbox is shared by every domain, so it depends on none of them (no surface either:
tests/unit/greenbot/test_layering.py checks every domain for that)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_outbox_does_not_depend_on_campaigns() -> None:
    for path in (ROOT / "outbox").rglob("*.py"):
        assert "campaigns" not in path.read_text(encoding="utf-8"), path.name
