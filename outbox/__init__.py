"""The durable outbox: every message GreenBot owes a citizen (status notices, reminders,
broadcast deliveries) is a row here first, so a crash or restart loses nothing and sends nothing
twice. `OutboxSender` drains it through a `Transport` (`bot/notify.py` wraps the Bot API).
"""

from outbox.models import OutboxMessage, OutboxStatus
from outbox.repo import DeliveryCounts, Outbox, QueuedMessage
from outbox.sender import OutboxSender
from outbox.transport import Outcome, SendResult, Transport

__all__ = [
    "DeliveryCounts",
    "Outbox",
    "OutboxMessage",
    "OutboxSender",
    "OutboxStatus",
    "Outcome",
    "QueuedMessage",
    "SendResult",
    "Transport",
]
