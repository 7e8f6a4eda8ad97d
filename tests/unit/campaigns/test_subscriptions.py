"""Subscriptions: subscribe, toggle a topic, unsubscribe, erase, and who a broadcast reaches."""

from __future__ import annotations

import pytest

from campaigns import TOPICS, Recipient, Subscriptions, UnknownTopic


async def test_subscribing_with_no_topics_named_takes_all_five(sessions, clock) -> None:
    async with sessions.begin() as session:
        subscription = await Subscriptions(session).subscribe(
            user_id=1, chat_id=11, now=clock.now()
        )
        assert subscription.active and subscription.topics == frozenset(TOPICS)


async def test_toggling_a_topic_flips_it_and_the_last_one_off_means_inactive(sessions, clock):
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        assert await subs.toggle(user_id=1, chat_id=11, topic="water", now=clock.now()) is True
        assert await subs.toggle(user_id=1, chat_id=11, topic="energy", now=clock.now()) is True
        assert (await subs.get(1)).topics == {"water", "energy"}
        assert await subs.toggle(user_id=1, chat_id=11, topic="water", now=clock.now()) is False
        assert await subs.toggle(user_id=1, chat_id=11, topic="energy", now=clock.now()) is False
        assert not (await subs.get(1)).active


async def test_an_unknown_topic_is_refused(sessions, clock) -> None:
    async with sessions() as session:
        with pytest.raises(UnknownTopic):
            await Subscriptions(session).toggle(user_id=1, chat_id=1, topic="cats", now=clock.now())


async def test_unsubscribing_from_everything_leaves_no_topics(sessions, clock) -> None:
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=11, now=clock.now())
        await subs.unsubscribe_all(1, now=clock.now())
        subscription = await subs.get(1)
        assert not subscription.active and subscription.topics == frozenset()
        assert await subs.audience() == []


async def test_the_audience_is_active_subscribers_of_any_chosen_topic(sessions, clock) -> None:
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=11, now=clock.now(), topics=["water"])
        await subs.subscribe(
            user_id=2, chat_id=22, now=clock.now(), topics=["energy", "travel"], script="hant"
        )
        await subs.subscribe(user_id=3, chat_id=33, now=clock.now(), topics=["garbage"])
        await subs.deactivate_chat(33)
    async with sessions() as session:
        subs = Subscriptions(session)
        assert await subs.audience(["energy", "water"]) == [
            Recipient(11, "hans"),
            Recipient(22, "hant"),
        ]
        assert await subs.audience(["travel"]) == [Recipient(22, "hant")]
        assert await subs.audience() == [Recipient(11, "hans"), Recipient(22, "hant")]
        assert await subs.count(["garbage"]) == 0, "a chat that blocked the bot is left out"
        assert await subs.count() == 2


async def test_a_chat_that_blocked_the_bot_resumes_its_topics_when_it_writes_again(
    sessions, clock
) -> None:
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=11, now=clock.now(), topics=["water"])
        await subs.subscribe(user_id=2, chat_id=22, now=clock.now(), topics=["water"])
        await subs.unsubscribe_all(2, now=clock.now())
        assert await subs.deactivate_chat(11) == 1
        assert await subs.count() == 0
        await subs.reactivate_chat(11)
        await subs.reactivate_chat(22)
        assert await subs.audience() == [Recipient(11, "hans")], "an unsubscribe is respected"


async def test_erasing_a_subscriber_forgets_them(sessions, clock) -> None:
    async with sessions.begin() as session:
        await Subscriptions(session).subscribe(user_id=1, chat_id=11, now=clock.now())
    async with sessions.begin() as session:
        await Subscriptions(session).erase(1)
    async with sessions() as session:
        assert await Subscriptions(session).get(1) is None
        assert await Subscriptions(session).count() == 0


async def test_the_script_follows_the_citizens_choice(sessions, clock) -> None:
    async with sessions.begin() as session:
        subs = Subscriptions(session)
        await subs.subscribe(user_id=1, chat_id=11, now=clock.now())
        await subs.set_script(1, "hant")
    async with sessions() as session:
        assert await Subscriptions(session).audience() == [Recipient(11, "hant")]
