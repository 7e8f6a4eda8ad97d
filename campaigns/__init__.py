"""Campaigns: the green-days calendar, subscriptions, broadcasts, reminders and their scheduler.

Messages reach citizens only through the outbox (`outbox.OutboxSender` delivers them).
"""

from campaigns.announced import AnnouncedDates, load_calendar
from campaigns.broadcasts import Broadcasts
from campaigns.calendar import Calendar, Event, Occurrence, Reminder
from campaigns.errors import (
    BroadcastNotFound,
    CampaignError,
    InvalidBroadcastState,
    InvalidDates,
    UnknownEvent,
    UnknownTopic,
)
from campaigns.models import Broadcast, BroadcastStatus, Subscription
from campaigns.quiet import next_allowed
from campaigns.reminders import enqueue_reminder
from campaigns.subscriptions import Recipient, Subscriptions
from campaigns.topics import TOPIC_NAMES, TOPICS

__all__ = [
    "TOPICS",
    "TOPIC_NAMES",
    "AnnouncedDates",
    "Broadcast",
    "BroadcastNotFound",
    "BroadcastStatus",
    "Broadcasts",
    "Calendar",
    "CampaignError",
    "Event",
    "InvalidBroadcastState",
    "InvalidDates",
    "Occurrence",
    "Recipient",
    "Reminder",
    "Subscription",
    "Subscriptions",
    "UnknownEvent",
    "UnknownTopic",
    "enqueue_reminder",
    "load_calendar",
    "next_allowed",
]
