"""What every reports handler needs, built once per update: the ReportService on the update's
session, and a `Turn` that sends replies in the citizen's script with user text escaped."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from aiogram import BaseMiddleware

from bot import texts
from bot.render import html
from reports import Limits, MediaStore, ReportService, is_demo_reporter, load_routing
from reports.service import ReportServices

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiogram import Bot, Router
    from aiogram.fsm.context import FSMContext
    from aiogram.types import Message, TelegramObject

    from ground.clock import Clock
    from ground.settings import Settings
    from knowledge.scripts import Script
    from reports import Routing

    Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


def report_services(data: dict[str, Any]) -> ReportServices:
    """The factory the composition root hands in (workflow data `report_services`); without
    one, made from the settings the same way."""
    services: ReportServices | None = data.get("report_services")
    if services is not None:
        return services
    settings: Settings = data["settings"]
    return ReportServices(
        clock=data["clock"],
        media=MediaStore(settings.media_dir, max_bytes=settings.max_photo_bytes),
        routing=_routing(),
        limits=Limits(reports_per_day=settings.reports_per_day),
    )


@cache
def _routing() -> Routing:
    """routing.yaml, read once per process (staff edit it and restart)."""
    return load_routing()


@dataclass
class Turn:
    """One step of a conversation: who, where, in which script, and the flow's state."""

    bot: Bot
    chat_id: int
    user_id: int
    state: FSMContext
    script: Script
    settings: Settings
    reports: ReportService
    clock: Clock

    @property
    def web_visitor(self) -> bool:
        """A visitor of the web sandbox (/chat), not a Telegram user: some steps say so."""
        return is_demo_reporter(self.user_id)

    def word(self, text: str) -> str:
        """One of our own words (a category, a button) in the citizen's script, not escaped."""
        return texts.say(text, self.script)

    def text(self, template: str, **values: object) -> str:
        """Our template in the citizen's script, with every value HTML-escaped."""
        escaped = {key: html(str(value)) for key, value in values.items()}
        return html(texts.say(template, self.script)).format(**escaped)

    async def send(self, template: str, *, markup: Any = None, **values: object) -> Message:
        return await self.bot.send_message(
            self.chat_id, self.text(template, **values), reply_markup=markup
        )

    async def send_html(self, text: str, *, markup: Any = None) -> Message:
        """A message already rendered (escaped) by the caller."""
        return await self.bot.send_message(self.chat_id, text, reply_markup=markup)


class ReportContext(BaseMiddleware):
    """Inner middleware of the reports routers: adds `reports` and `turn` to the handler data."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        settings: Settings = data["settings"]
        reports = report_services(data)(data["session"])
        data["reports"] = reports
        user, chat = data.get("event_from_user"), data.get("event_chat")
        if user is not None and chat is not None and "state" in data:
            data["turn"] = Turn(
                bot=data["bot"],
                chat_id=chat.id,
                user_id=user.id,
                state=data["state"],
                script=texts.script_for(data.get("citizen")),
                settings=settings,
                reports=reports,
                clock=data["clock"],
            )
        return await handler(event, data)


def provide_reports(router: Router) -> Router:
    """Every message and callback handler of `router` (and its sub-routers) gets the context."""
    context = ReportContext()
    router.message.middleware(context)
    router.callback_query.middleware(context)
    return router
