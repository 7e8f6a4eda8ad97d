"""Staff's response templates in the console (issue 17). Filled in by the change that builds
them."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
