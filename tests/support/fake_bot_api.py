"""A fake Telegram Bot API over real HTTP on 127.0.0.1, for the real bot and for benchmarks.

Speaks the wire format aiogram uses (form-encoded or multipart with `attach://`, JSON-string
fields, `{"ok": ..., "result"|"error_code", "description", "parameters"}`), delivers simulated
users' updates by getUpdates long polling or to a webhook, and injects 429/403/5xx on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

from aiohttp import ClientSession, ClientTimeout, MultipartReader, web

from tests.support.fake_faults import SEND_METHODS, Faults
from tests.support.fake_methods import BotMethods
from tests.support.fake_params import decode_params
from tests.support.fake_records import ApiError, BotMessage, Upload, bad_request
from tests.support.fake_updates import ChatView, FakeUser

if TYPE_CHECKING:
    from types import TracebackType

__all__ = ["ApiError", "BotMessage", "Call", "ChatView", "FakeBotAPI", "FakeUser", "Stats"]

# Defaults in the Bot API docs: every update type but these unless asked for by name.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@dataclass(frozen=True)
class Call:
    """One request as the bot made it: params decoded, `at` on the monotonic clock."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    description: str | None = None


@dataclass
class Stats:
    """Counters for benchmarks; sends are the message-creating methods that succeeded."""

    sends: int = 0
    sends_per_chat: Counter[int] = field(default_factory=Counter)
    too_many_requests: int = 0
    errors: Counter[int] = field(default_factory=Counter)
    calls_per_method: Counter[str] = field(default_factory=Counter)


class FakeBotAPI:
    """The fake server; `async with FakeBotAPI() as fake:` then point aiogram at `fake.url`."""

    def __init__(
        self,
        token: str = "123456789:TEST-greenbot-fake-token",
        *,
        bot_username: str = "greenbot_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        strict_chats: bool = False,
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.host, self.port = host, port
        self.latency = latency
        self.methods = BotMethods(token, bot_username=bot_username, strict_chats=strict_chats)
        self.methods.on_change = self._notify
        self.calls: list[Call] = []
        self.stats = Stats()
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)
        self.dropped_updates: list[dict[str, Any]] = []  # filtered out by allowed_updates
        self.polls_started = 0  # getUpdates calls begun (`calls` records them when they end)
        self._allowed_updates: set[str] | None = None
        self._queue: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(100_000_001)
        self._poller: asyncio.Future[str] | None = None
        self._waiters: dict[int, list[asyncio.Future[None]]] = {}
        self._views: dict[int, ChatView] = {}
        self.faults = Faults()
        self._runner: web.AppRunner | None = None
        self._client: ClientSession | None = None
        self._handlers = {
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
        }
        self._names = {name.lower(): name for name in [*self.methods.handlers, *self._handlers]}

    # lifecycle
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)  # uploads go up to 50 MB
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._client = ClientSession(timeout=ClientTimeout(total=30))

    async def stop(self) -> None:
        """Release a pending long poll first, or shutdown would wait for its timeout."""
        self._wake_poller("closing")
        if self._client is not None:
            await self._client.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._client = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # the simulated world, for tests
    def user(
        self,
        user_id: int,
        first_name: str = "市民",
        *,
        language_code: str = "zh-hans",
        username: str | None = None,
        last_name: str | None = None,
    ) -> FakeUser:
        """A citizen in a private chat with the bot (chat id == user id); the same object for
        the same id, so a test and a helper share marks."""
        existing = self._views.get(user_id)
        if isinstance(existing, FakeUser):
            return existing
        return FakeUser(
            self,
            user_id,
            first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )

    def chat(self, chat_id: int, *, title: str | None = None) -> ChatView:
        """The transcript of any chat (a staff group: a negative id); one view per chat."""
        if chat_id not in self._views:
            if chat_id < 0 or title is not None:
                kind = "supergroup" if str(chat_id).startswith("-100") else "group"
                self.methods.add_chat({"id": chat_id, "type": kind, "title": title or "Staff"})
            self._views[chat_id] = ChatView(self, chat_id)
        return self._views[chat_id]

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def commands(self, *, scope: dict[str, Any] | None = None, language_code: str = "") -> list:
        return self.methods.get_my_commands({"scope": scope, "language_code": language_code}, {})

    def duplicates(self) -> dict[tuple[int, str], int]:
        """(chat id, text or caption) sent more than once: a broadcast that resent."""
        seen: Counter[tuple[int, str]] = Counter()
        for chat_id, sent in self.methods.transcripts.items():
            seen.update((chat_id, message.text or "") for message in sent)
        return {key: count for key, count in seen.items() if count > 1}

    def reset_counters(self) -> None:
        """Forget calls and stats (after a benchmark's warm-up); chats and messages stay."""
        self.calls.clear()
        self.stats = Stats()

    # fault injection
    # fault injection (see Faults)
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        times: int = 1,
        description: str | None = None,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next `times` calls of `method` ("*" for any) with an error, no effect."""
        self.faults.fail_next(method, status, retry_after, times, description, chat_id=chat_id)

    def block(self, chat_id: int) -> None:
        """Every call to this chat gets 403, like a user who blocked the bot."""
        self.faults.block(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.faults.unblock(chat_id)

    def enforce_rate(
        self, global_per_sec: int = 30, per_chat_per_sec: int = 1, per_group_per_min: int = 20
    ) -> None:
        """Bot API flood limits as sliding windows; a send over them gets 429 + retry_after."""
        self.faults.enforce_rate(global_per_sec, per_chat_per_sec, per_group_per_min)

    def relax_rate(self) -> None:
        self.faults.relax_rate()

    # updates
    async def deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        """Give the update an id and queue it for getUpdates, or post it to the webhook."""
        update = {"update_id": next(self._update_ids), **update}
        kind = next(key for key in update if key != "update_id")
        if not self._is_allowed(kind):
            self.dropped_updates.append(update)
            return update
        if self.webhook_url is not None:
            await self.post_update(self.webhook_url, update, secret_token=self.webhook_secret)
        else:
            self._queue.append(update)
            self._wake_poller("update")
        return update

    async def post_update(
        self, url: str, update: dict[str, Any], *, secret_token: str | None = None
    ) -> int:
        """POST like Telegram does; a method in the response body is executed as a call."""
        assert self._client is not None, "start the fake first"
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token} if secret_token else {}
        async with self._client.post(url, json=update, headers=headers) as response:
            status = response.status
            params, files = await _read_body(response) if status == 200 else ({}, {})
        self.webhook_deliveries.append((update.get("update_id", 0), status))
        if "method" in params:
            await self._call(str(params.pop("method")), params, files)
        return status

    def pending_updates(self) -> list[dict[str, Any]]:
        return list(self._queue)

    # HTTP
    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        params, files = await _read_body(request)
        params = {**request.query, **params}
        status, payload = await self._call(request.match_info["method"], params, files)
        return web.json_response(payload, status=status)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(ApiError(401, "Unauthorized").payload(), status=401)
        stored = self.methods.file_paths.get(request.match_info["path"])
        if stored is None:
            return web.json_response(ApiError(404, "Not Found").payload(), status=404)
        return web.Response(body=stored.data, content_type="application/octet-stream")

    async def _call(
        self, method: str, raw: dict[str, Any], files: dict[str, Upload]
    ) -> tuple[int, dict[str, Any]]:
        name = self._names.get(method.lower(), method)
        params: dict[str, Any] = {}
        if self.latency:
            await asyncio.sleep(self.latency)
        try:
            params = decode_params(raw)
            self.faults.check(name, params)
            if name in self._handlers:
                result = await self._handlers[name](params)
            elif name in self.methods.handlers:
                result = self.methods.handlers[name](params, files)
            else:
                raise ApiError(404, "Not Found")
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as error:
            status, payload = error.status, error.payload()
        self._count(name, params, status)
        self.calls.append(Call(name, params, time.monotonic(), status, payload.get("description")))
        return status, payload

    def _count(self, method: str, params: dict[str, Any], status: int) -> None:
        stats = self.stats
        stats.calls_per_method[method] += 1
        if status == 200 and method in SEND_METHODS:
            stats.sends += 1
            stats.sends_per_chat[params.get("chat_id")] += 1  # type: ignore[index]
        elif status != 200:
            stats.errors[status] += 1
            stats.too_many_requests += status == 429

    # getUpdates and webhooks
    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active;"
                " use deleteWebhook to delete the webhook first",
            )
        self.polls_started += 1
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"] or ()) or None
        offset, limit = p.get("offset", 0), min(max(p.get("limit", 100), 1), 100)
        self._confirm(offset)
        self._wake_poller("conflict")  # only one long poll at a time, as on Telegram
        timeout = max(0, p.get("timeout", 0))
        deadline = time.monotonic() + timeout
        while not self._queue and (remaining := deadline - time.monotonic()) > 0:
            self._poller = poller = asyncio.get_running_loop().create_future()
            await asyncio.wait([poller], timeout=remaining)
            outcome = poller.result() if poller.done() else "timeout"
            if outcome == "conflict":
                raise ApiError(409, CONFLICT)
            if outcome in ("closing", "timeout"):
                break
        return list(itertools.islice(self._queue, limit))

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            while len(self._queue) > -offset:
                self._queue.popleft()
            return
        while self._queue and self._queue[0]["update_id"] < offset:
            self._queue.popleft()

    def _wake_poller(self, outcome: str) -> None:
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(outcome)

    def _is_allowed(self, kind: str) -> bool:
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATES
        return kind in self._allowed_updates

    async def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = p.get("url") or None
        secret = p.get("secret_token")
        if secret is not None and not _valid_secret(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if url is not None and not str(url).startswith(("http://", "https://")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if p.get("drop_pending_updates"):
            self._queue.clear()
        if "allowed_updates" in p:
            self._allowed_updates = set(p["allowed_updates"] or ()) or None
        self.webhook_url, self.webhook_secret = url, secret if url else None
        self._wake_poller("conflict")
        return True

    async def _delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self.webhook_url = self.webhook_secret = None
        return True

    async def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook_url or "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        failures = [status for _, status in self.webhook_deliveries if status != 200]
        if failures:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = f"Wrong response from the webhook: {failures[-1]}"
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    # waiting for the bot, for ChatView
    def _notify(self, chat_id: int) -> None:
        for waiter in self._waiters.pop(chat_id, ()):
            if not waiter.done():
                waiter.set_result(None)

    async def changed(self, chat_id: int, timeout: float) -> None:
        """Return when the chat's transcript changes, or raise TimeoutError."""
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(chat_id, []).append(waiter)
        try:
            await asyncio.wait_for(waiter, timeout)
        finally:
            with contextlib.suppress(ValueError):
                self._waiters.get(chat_id, []).remove(waiter)


def _valid_secret(secret: str) -> bool:
    allowed = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
    return 1 <= len(secret) <= 256 and set(secret) <= allowed


async def _read_body(
    message: web.Request | Any,
) -> tuple[dict[str, Any], dict[str, Upload]]:
    """Form, multipart or JSON fields of a request (or a webhook's reply) and its file parts."""
    content_type = message.content_type
    if content_type == "application/json":
        body = await message.json() if message.content_length != 0 else {}
        return (body if isinstance(body, dict) else {}), {}
    params: dict[str, Any] = {}
    files: dict[str, Upload] = {}
    if content_type == "multipart/form-data":
        reader = MultipartReader(message.headers, message.content)
        while (part := await reader.next()) is not None:
            data = await part.read()  # type: ignore[union-attr]
            if part.filename:  # type: ignore[union-attr]
                files[part.name] = Upload(part.filename, bytes(data))  # type: ignore[union-attr]
            else:
                params[part.name] = data.decode()  # type: ignore[union-attr]
    elif content_type == "application/x-www-form-urlencoded":
        params.update(await message.post())
    return params, files
