"""The login throttle over HTTP: growing delays per name and per address (429 with
Retry-After), never a lockout the right password cannot pass, unknown names throttled without a
password hash each, one counter for every instance on one database, and X-Forwarded-For
believed only from a trusted proxy."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import Request

from ground.clock import ManualClock
from ground.db import create_engine, session_factory
from tests.web.conftest import PASSWORD, Browser, Web, web_settings
from web.addresses import client_address, trusted_networks

WRONG = "wrong-password-x"


def from_address(app: FastAPI, address: str) -> Browser:
    person = Browser(app)
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    person.http = httpx.AsyncClient(transport=transport, base_url="http://console.test")
    return person


async def test_wrong_passwords_get_growing_delays_and_the_right_one_passes_after_them(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    for _ in range(5):
        assert (await person.log_in("admin1", WRONG)).status_code == 401
    delays = []
    for _ in range(4):
        refused = await person.log_in("admin1", PASSWORD)  # even the right one waits
        assert refused.status_code == 429 and "次数过多" in refused.text
        delays.append(int(refused.headers["retry-after"]))
        web.clock.advance(seconds=delays[-1])
        assert (await person.log_in("admin1", WRONG)).status_code == 401
    assert delays == [1, 2, 4, 8]
    waited = await person.log_in("admin1", PASSWORD)
    assert waited.status_code == 429 and waited.headers["retry-after"] == "16"
    web.clock.advance(seconds=16)
    assert (await person.log_in("admin1", PASSWORD)).status_code == 303
    await person.post("/logout")
    assert (await person.log_in("admin1", WRONG)).status_code == 401  # forgotten on success


async def test_the_delay_is_capped_at_a_few_minutes(
    web: Web, browser: Callable[[], Browser]
) -> None:
    person = browser()
    waits = []
    for _ in range(40):
        response = await person.log_in("admin1", WRONG)
        if response.status_code == 429:
            waits.append(int(response.headers["retry-after"]))
            web.clock.advance(seconds=waits[-1])
    assert waits[:10] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]
    assert max(waits) == 300  # GREENBOT_CONSOLE_LOGIN_MAX_DELAY_SECONDS
    web.clock.advance(seconds=300)
    assert (await person.log_in("admin1", PASSWORD)).status_code == 303


async def test_unknown_names_are_throttled_too_without_costing_a_password_hash(
    browser: Callable[[], Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    import staff.accounts

    hashed = []
    burn = staff.accounts.burn_time
    monkeypatch.setattr(staff.accounts, "burn_time", lambda p: (hashed.append(1), burn(p)))
    person = browser()
    answers = [(await person.log_in("no-such-person", WRONG)).status_code for _ in range(12)]
    assert answers == [401] * 5 + [429] * 7
    assert len(hashed) == 5  # a waiting attempt is refused before any hash


async def test_one_address_trying_many_names_waits_and_other_addresses_do_not(
    web: Web,
) -> None:
    attacker, colleague = from_address(web.app, "203.0.113.9"), from_address(web.app, "10.1.1.1")
    for number in range(20):
        assert (await attacker.log_in(f"guess{number}", WRONG)).status_code == 401
    assert (await attacker.log_in("reviewer1", PASSWORD)).status_code == 429
    assert (await colleague.log_in("reviewer1", PASSWORD)).status_code == 303
    await attacker.close()
    await colleague.close()


@pytest.fixture
async def second_instance(
    tmp_path: Path, web: Web
) -> AsyncIterator[tuple[FastAPI, async_sessionmaker[AsyncSession]]]:
    """Another `create_app` with its own engine on the same database file and its own clock."""
    from web.app import create_app

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'web.db'}")
    sessions = session_factory(engine)
    app = create_app(web_settings(tmp_path), sessions=sessions, clock=ManualClock(web.clock.now()))
    yield app, sessions
    await engine.dispose()


async def test_two_instances_on_one_database_share_the_counter(
    web: Web, second_instance: tuple[FastAPI, async_sessionmaker[AsyncSession]]
) -> None:
    first, second = Browser(web.app), Browser(second_instance[0])
    for number in range(5):
        person = first if number % 2 else second
        assert (await person.log_in("admin1", WRONG)).status_code == 401
    assert (await first.log_in("admin1", PASSWORD)).status_code == 429
    assert (await second.log_in("admin1", PASSWORD)).status_code == 429
    await first.close()
    await second.close()


async def test_forwarded_addresses_count_only_behind_a_trusted_proxy(
    tmp_path: Path, web: Web
) -> None:
    from web.app import create_app

    settings = web_settings(tmp_path, web_trusted_proxies="127.0.0.1")
    proxied = create_app(settings, sessions=web.sessions, clock=web.clock)
    nginx = Browser(proxied)  # every request arrives from 127.0.0.1, the proxy
    for number in range(20):
        spoofed = {"X-Forwarded-For": f"198.51.100.{number}, 203.0.113.9"}
        await nginx.get("/login")
        response = await nginx.post(
            "/login", {"name": f"guess{number}", "password": WRONG}, headers=spoofed
        )
        assert response.status_code == 401
    blocked = await nginx.post(
        "/login",
        {"name": "reviewer1", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert blocked.status_code == 429  # the left entries were the client's own invention
    other = await nginx.post(
        "/login",
        {"name": "reviewer1", "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.10"},
    )
    assert other.status_code == 303
    await nginx.close()


def request_from(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 1), "headers": headers})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("203.0.113.9", "1.2.3.4", [], "203.0.113.9"),  # no proxy trusted: the header is ignored
        ("203.0.113.9", "1.2.3.4", ["172.16.0.0/12"], "203.0.113.9"),  # not from the proxy
        ("172.18.0.5", "1.2.3.4, 198.51.100.7", ["172.16.0.0/12"], "198.51.100.7"),
        ("172.18.0.5", "198.51.100.7, 172.18.0.9", ["172.16.0.0/12"], "198.51.100.7"),
        ("172.18.0.5", None, ["172.16.0.0/12"], "172.18.0.5"),
        ("172.18.0.5", "garbage", ["172.16.0.0/12"], "172.18.0.5"),
    ],
)
def test_the_client_address_is_the_first_untrusted_hop_from_the_right(
    peer: str, forwarded: str | None, trusted: list[str], client: str
) -> None:
    assert client_address(request_from(peer, forwarded), trusted_networks(trusted)) == client
