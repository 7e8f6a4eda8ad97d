"""The web surface under uvicorn: `web_server(settings, app)` serves the app `web.app.create_app`
built. `greenbot run` (greenbot/root.py) composes it with the bot in one event loop."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import uvicorn

if TYPE_CHECKING:
    import socket

    from fastapi import FastAPI

    from ground.settings import Settings

Announce = Callable[[str], None]


class WebServer(uvicorn.Server):
    """uvicorn, minus its own signal handling (the process decides when to stop: `stop()`),
    saying where it listens once it does."""

    def __init__(self, config: uvicorn.Config, announce: Announce | None = None) -> None:
        super().__init__(config)
        self.announce = announce

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.announce is not None:
            base = f"http://{self.config.host}:{self.config.port}"
            self.announce(f"GreenBot web console: {base}/   chat sandbox: {base}/chat")

    def stop(self) -> None:
        self.should_exit = True


def web_server(settings: Settings, app: FastAPI, announce: Announce | None = None) -> WebServer:
    config = uvicorn.Config(
        app,
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        log_config=None,  # uvicorn's records go through our handler: JSON when asked, redacted
        access_log=False,  # URLs carry ticket numbers and searches: keep them out of the logs
        proxy_headers=False,
        lifespan="on",
    )
    return WebServer(config, announce)
