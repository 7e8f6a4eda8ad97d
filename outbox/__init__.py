"""The durable outbox: every message GreenBot owes a citizen (status notices, reminders,
broadcast deliveries) is a row here first, so a crash or restart loses nothing and sends nothing
twice. `OutboxSender` drains it through the `Transport` that reaches each recipient (`Routes`);
the surfaces bring their transports (Telegram: `bot/notify.py`; the web sandbox:
`web/sandbox/transport.py`), so the outbox knows neither.
"""

from outbox.models import OutboxMessage, OutboxStatus
from outbox.repo import DeliveryCounts, Outbox, QueuedMessage
from outbox.sender import OutboxSender
from outbox.transport import EVERY_CHAT, Chats, Nudge, Outcome, Routes, SendResult, Transport

__all__ = [
    "EVERY_CHAT",
    "Chats",
    "DeliveryCounts",
    "Nudge",
    "Outbox",
    "OutboxMessage",
    "OutboxSender",
    "OutboxStatus",
    "Outcome",
    "QueuedMessage",
    "Routes",
    "SendResult",
    "Transport",
]
