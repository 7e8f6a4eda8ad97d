"""The five things a citizen can subscribe to, matching the Q&A guides."""

from __future__ import annotations

from collections.abc import Iterable

from campaigns.errors import UnknownTopic

TOPICS: tuple[str, ...] = ("energy", "garbage", "travel", "water", "ecology")


def checked_topics(topics: Iterable[str]) -> frozenset[str]:
    """The given topics, or UnknownTopic naming the first one that is not ours."""
    chosen = frozenset(topics)
    for topic in chosen:
        if topic not in TOPICS:
            raise UnknownTopic(topic)
    return chosen
