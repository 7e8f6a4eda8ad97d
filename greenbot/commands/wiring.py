"""What the CLI's commands ask the composition root for (`greenbot.root.Wiring`), handed over
through typer's context: the CLI imports no surface and not the root, and the root builds each
long-lived object (the answer engine, the reports' use cases) the one way it builds it for
`greenbot run`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import typer

if TYPE_CHECKING:
    from ground.settings import Settings
    from knowledge.answer import AnswerEngine
    from knowledge.index import Progress
    from reports.service import ReportServices

WIRING = "greenbot.wiring"  # where the root's Wiring waits in the context's meta


class Wiring(Protocol):
    def engine(
        self, settings: Settings, *, rebuild: bool = False, progress: Progress | None = None
    ) -> AnswerEngine: ...

    def report_services(self, settings: Settings) -> ReportServices: ...

    def run(
        self, settings: Settings, engine: AnswerEngine, announce: Callable[[str], None]
    ) -> None: ...


def wiring(ctx: typer.Context) -> Wiring:
    """The root's Wiring (the context's meta is shared by a command and its sub-commands)."""
    found = ctx.meta.get(WIRING)
    if found is None:
        raise typer.BadParameter("start GreenBot with `greenbot` (greenbot.root:main)")
    return found  # type: ignore[no-any-return]
