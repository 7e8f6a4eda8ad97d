"""Probes for the orchestrator and metrics for Prometheus.

- `/healthz`: the process answers (no database): a failing one gets restarted.
- `/readyz`: the database answers `SELECT 1`; where this app holds the answer engine, its
  knowledge index is loaded; and where it answers questions (the sandbox, through its own
  dispatcher or the running bot's), the answerer's model is loaded and warmed in whichever
  process answers (a process worker loads its own after start-up). 503 with the reasons
  otherwise: the load balancer skips it, and no first question pays for the loading.
- `/metrics`: Prometheus text, counts read from the database (`web/metrics.py`), only to
  a scraper sending `Authorization: Bearer <GREENBOT_METRICS_TOKEN>`. Without that setting it
  answers 404, as if absent: the console's port is public and the counts are not.

The reverse proxy also fences `/metrics` to the internal networks (`deploy/nginx.conf`).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from web.deps import SessionsDep, SettingsDep
from web.metrics import CONTENT_TYPE, Metrics

if TYPE_CHECKING:
    from ground.settings import Settings

log = logging.getLogger(__name__)

router = APIRouter(tags=["health"])

READY_TIMEOUT = 3.0  # seconds for `SELECT 1`: a probe must answer well within its own timeout


def get_metrics(request: Request, sessions: SessionsDep) -> Metrics:
    """One Metrics per app, made on the first scrape (its cache and lock live with it)."""
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is None:
        metrics = request.app.state.metrics = Metrics(sessions)
    return metrics


MetricsDep = Annotated[Metrics, Depends(get_metrics)]


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, sessions: SessionsDep) -> JSONResponse:
    checks: dict[str, str] = {}
    reasons: list[str] = []
    try:
        async with asyncio.timeout(READY_TIMEOUT), sessions() as session:
            await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # the type only: a message may carry a host or a user name
        checks["database"] = "unreachable"
        reasons.append(f"database unreachable ({type(error).__name__})")
    engine: Any = getattr(request.app.state, "engine", None)
    if engine is None:
        checks["knowledge"] = "not used here"
    elif _index_loaded(engine):
        checks["knowledge"] = "ok"
    else:
        checks["knowledge"] = "not loaded"
        reasons.append("knowledge index not loaded")
    checks["answering"] = _answering(request)
    if checks["answering"] not in ("ok", "not used here"):
        reasons.append(f"answer model {checks['answering']}")
    if reasons:
        log.warning("not ready: %s", "; ".join(reasons))
        return JSONResponse({"status": "not ready", "checks": checks, "reasons": reasons}, 503)
    return JSONResponse({"status": "ready", "checks": checks})


def _answering(request: Request) -> str:
    """Whether the answerer the sandbox feeds (`bot.answerer.Answerer`, in the dispatcher's
    workflow data) has its model warm: `ok`, `loading`, `not started` (the bot has not built
    its dispatcher yet), or `not used here` (no sandbox in this app)."""
    console = getattr(request.app.state, "console", None)
    sandbox = getattr(console, "sandbox", None)
    if sandbox is None:
        return "not used here"
    dispatcher = sandbox.dispatcher
    if dispatcher is None:
        return "not started"
    answerer = dispatcher.workflow_data.get("answerer")
    if answerer is None:
        return "not used here"
    return "ok" if answerer.warm else "loading"


def _index_loaded(engine: Any) -> bool:
    """An AnswerEngine whose index has chunks and a vector store to search them in."""
    index = getattr(engine, "index", None)
    return bool(index is not None and getattr(index, "chunks", None) and index.store is not None)


def _bearer_ok(request: Request, settings: Settings) -> bool | None:
    """None: no token configured; else whether the request carries it (constant time)."""
    if settings.metrics_token is None or not settings.metrics_token.get_secret_value():
        return None
    expected = f"Bearer {settings.metrics_token.get_secret_value()}".encode()
    given = request.headers.get("authorization", "").encode()
    return hmac.compare_digest(given, expected)


@router.get("/metrics")
async def metrics(request: Request, settings: SettingsDep, registry: MetricsDep) -> Response:
    allowed = _bearer_ok(request, settings)
    if allowed is None:
        return JSONResponse({"detail": "Not Found"}, 404)
    if not allowed:
        log.info("metrics: a scrape without the right bearer token was refused")
        return JSONResponse(
            {"detail": "a bearer token is required"},
            401,
            headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
        )
    return Response(await registry.exposition(), media_type=CONTENT_TYPE)
