"""Jinja2 for the console: autoescape on for every template, and the few filters pages share.

Nothing here marks user text safe: the only `Markup` a template receives is the sandbox's
sanitised message HTML (`web/sandbox/markup.py`) and the charts' numbers.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import HTMLResponse

from ground.clock import chinese_date, local_time
from reports import CATEGORY_NAMES, DISTRICTS, STATUS_NAMES, Status, category_name, status_name
from web.auth import CSRF_FIELD, csrf_token, take_flashes

TEMPLATES = Path(__file__).with_name("templates")


def _local_time(moment: datetime | None) -> str:
    """The `local_time` filter: 2026年6月18日 09:00 (ground/clock.py), blank for none."""
    return local_time(moment) if moment is not None else ""


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        local_time=_local_time,
        chinese_date=chinese_date,
        status_name=lambda value: status_name(value) if value else "",
        category_name=category_name,
    )
    env.globals.update(
        CSRF_FIELD=CSRF_FIELD,
        STATUSES=[(s.value, STATUS_NAMES[s]) for s in Status],
        CATEGORIES=[(c.value, name) for c, name in CATEGORY_NAMES.items()],
        DISTRICTS=DISTRICTS,
    )
    return env


def _common(request: Request) -> dict[str, Any]:
    return {
        "csrf_token": csrf_token(request),
        "flashes": take_flashes(request),
        "staff": getattr(request.state, "staff", None),
    }


templates = Jinja2Templates(env=_environment(), context_processors=[_common])


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
