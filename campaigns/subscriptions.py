"""Who wants which campaign messages; the caller's session owns the transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from campaigns.models import Subscription, SubscriptionTopic
from campaigns.topics import TOPICS, checked_topics


@dataclass(frozen=True)
class Recipient:
    chat_id: int
    script: str  # hans | hant


class Subscriptions:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> Subscription | None:
        return await self.session.get(Subscription, user_id)

    async def subscribe(
        self,
        *,
        user_id: int,
        chat_id: int,
        now: datetime,
        topics: Iterable[str] = TOPICS,
        script: str = "hans",
    ) -> Subscription:
        """Add topics (all five by default) and make the subscription active."""
        chosen = checked_topics(topics)
        subscription = await self._get_or_create(user_id, chat_id, script, now)
        for topic in chosen - subscription.topics:
            subscription.topic_rows.append(SubscriptionTopic(user_id=user_id, topic=topic))
        subscription.active = bool(subscription.topic_rows)
        await self.session.flush()
        return subscription

    async def toggle(
        self, *, user_id: int, chat_id: int, topic: str, now: datetime, script: str = "hans"
    ) -> bool:
        """Flip one topic; True when now subscribed to it. No topic left means inactive."""
        checked_topics([topic])
        subscription = await self._get_or_create(user_id, chat_id, script, now)
        existing = [row for row in subscription.topic_rows if row.topic == topic]
        if existing:
            subscription.topic_rows.remove(existing[0])
        else:
            subscription.topic_rows.append(SubscriptionTopic(user_id=user_id, topic=topic))
        subscription.active = bool(subscription.topic_rows)
        await self.session.flush()
        return not existing

    async def unsubscribe_all(self, user_id: int, *, now: datetime) -> None:
        subscription = await self.get(user_id)
        if subscription is None:
            return
        subscription.topic_rows.clear()
        subscription.active = False
        subscription.updated_at = now
        await self.session.flush()

    async def set_script(self, user_id: int, script: str) -> None:
        await self.session.execute(
            update(Subscription).where(Subscription.user_id == user_id).values(script=script)
        )

    async def deactivate_chat(self, chat_id: int) -> int:
        """The citizen blocked the bot (403): stop broadcasting to them; their topics stay, for
        `reactivate_chat` when they write again."""
        result = await self.session.execute(
            update(Subscription).where(Subscription.chat_id == chat_id).values(active=False)
        )
        return result.rowcount

    async def reactivate_chat(self, chat_id: int) -> int:
        """They wrote to the bot again after a 403: resume the topics they still have."""
        result = await self.session.execute(
            update(Subscription)
            .where(
                Subscription.chat_id == chat_id,
                Subscription.user_id.in_(select(SubscriptionTopic.user_id)),
            )
            .values(active=True)
        )
        return result.rowcount

    async def erase(self, user_id: int) -> None:
        """/deleteme: forget the subscription entirely."""
        subscription = await self.get(user_id)
        if subscription is not None:
            await self.session.delete(subscription)  # its topic rows go with it
            await self.session.flush()

    async def audience(self, topics: Iterable[str] | None = None) -> list[Recipient]:
        """Active subscribers of any of `topics` (None: every active subscriber), one per chat."""
        rows = await self.session.execute(self._audience_query(topics))
        return [Recipient(chat_id, script) for chat_id, script in rows.all()]

    async def count(self, topics: Iterable[str] | None = None) -> int:
        query = self._audience_query(topics).subquery()
        return await self.session.scalar(select(func.count()).select_from(query)) or 0

    def _audience_query(self, topics: Iterable[str] | None) -> Select[tuple[int, str]]:
        query = select(Subscription.chat_id, func.min(Subscription.script)).where(
            Subscription.active.is_(True)
        )
        if topics is not None:
            chosen = sorted(checked_topics(topics))
            query = query.where(
                Subscription.user_id.in_(
                    select(SubscriptionTopic.user_id).where(SubscriptionTopic.topic.in_(chosen))
                )
            )
        return query.group_by(Subscription.chat_id).order_by(Subscription.chat_id)

    async def _get_or_create(
        self, user_id: int, chat_id: int, script: str, now: datetime
    ) -> Subscription:
        subscription = await self.get(user_id)
        if subscription is None:
            subscription = Subscription(
                user_id=user_id,
                chat_id=chat_id,
                active=False,
                script=script,
                created_at=now,
                updated_at=now,
                topic_rows=[],
            )
            self.session.add(subscription)
        subscription.chat_id = chat_id
        subscription.updated_at = now
        return subscription
