"""Campaign errors: messages are for logs; surfaces turn them into Chinese replies."""

from __future__ import annotations


class CampaignError(Exception):
    pass


class UnknownEvent(CampaignError):
    pass


class UnknownTopic(CampaignError):
    pass


class InvalidDates(CampaignError):
    pass


class BroadcastNotFound(CampaignError):
    pass


class InvalidBroadcastState(CampaignError):
    """E.g. scheduling a broadcast that is already sending, or starting a cancelled one."""
