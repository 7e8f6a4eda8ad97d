"""The durable outbox: every message GreenBot owes a citizen (status notices, reminders,
broadcast deliveries) is a row here first, so a crash or restart loses nothing and sends nothing
twice. `bot/notify.py` drains it through the Bot API.
"""

from outbox.models import OutboxMessage, OutboxStatus
from outbox.repo import Outbox

__all__ = ["Outbox", "OutboxMessage", "OutboxStatus"]
