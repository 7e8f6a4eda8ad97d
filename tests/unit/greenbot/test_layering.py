"""Imports flow one way: surfaces (bot/, web/, the CLI) → domains → greenbot's db and clock.

Read from the source with `ast`, so an import inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
DOMAINS = ("knowledge", "reports", "campaigns", "outbox", "citizens", "staff")
SURFACE_LIBRARIES = ("aiogram", "fastapi", "starlette", "uvicorn", "jinja2")
SURFACES = ("bot", "web")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def domain_files() -> list[Path]:
    return [
        path
        for domain in DOMAINS
        if (REPO / domain).is_dir()
        for path in sorted((REPO / domain).rglob("*.py"))
    ]


@pytest.mark.parametrize("path", domain_files(), ids=lambda p: str(p.relative_to(REPO)))
def test_a_domain_module_imports_no_surface_and_no_web_or_bot_library(path: Path) -> None:
    offending = {
        name
        for name in imported_modules(path)
        if name.split(".")[0] in SURFACE_LIBRARIES + SURFACES
    }
    assert offending == set(), f"{path.relative_to(REPO)} imports {sorted(offending)}"


def test_the_layering_check_sees_every_domain() -> None:
    assert {p.relative_to(REPO).parts[0] for p in domain_files()} >= {
        "knowledge",
        "reports",
        "campaigns",
        "outbox",
        "citizens",
    }
