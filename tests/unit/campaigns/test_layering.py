"""campaigns/ and outbox/ are domains: surfaces build on them, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SURFACES = {"aiogram", "fastapi", "starlette", "bot", "web"}


@pytest.mark.parametrize("package", ["campaigns", "outbox"])
def test_a_domain_never_imports_a_surface_framework(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert name.split(".")[0] not in SURFACES, f"{path.name} imports {name}"


def test_the_outbox_does_not_depend_on_campaigns() -> None:
    for path in (ROOT / "outbox").rglob("*.py"):
        assert "campaigns" not in path.read_text(encoding="utf-8"), path.name
