"""The five things a citizen can subscribe to, matching the Q&A guides."""

from __future__ import annotations

from collections.abc import Iterable

from campaigns.errors import UnknownTopic

TOPICS: tuple[str, ...] = ("energy", "garbage", "travel", "water", "ecology")
# How every surface names them (Simplified; surfaces convert for 繁體 readers).
TOPIC_NAMES: dict[str, str] = {
    "energy": "节能降耗",
    "garbage": "垃圾分类",
    "travel": "绿色出行",
    "water": "节约用水",
    "ecology": "生态环保",
}


def checked_topics(topics: Iterable[str]) -> frozenset[str]:
    """The given topics, or UnknownTopic naming the first one that is not ours."""
    chosen = frozenset(topics)
    for topic in chosen:
        if topic not in TOPICS:
            raise UnknownTopic(topic)
    return chosen
