"""TOTP against RFC 6238's own test vectors, and the second factor on a real database: a code
within one step passes once, never again; a recovery code passes once; a half-done login ends
after its lifetime, after too many wrong codes and when the account changes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ground.clock import SHANGHAI
from staff import LoginChallenges, Method, Purpose, RecoveryCode, SecondFactor, StaffAccounts, totp
from staff.challenges import LIFETIME, MAX_FAILURES
from staff.second_factor import RECOVERY_CODES, recovery_digest

NOW = datetime(2026, 11, 3, 10, 0, 7, tzinfo=SHANGHAI)

# RFC 6238 Appendix B: (Unix time, SHA-1, SHA-256, SHA-512), 8 digits, 30 s steps, with the
# ASCII keys "1234567890" repeated to 20, 32 and 64 bytes.
VECTORS = [
    (59, "94287082", "46119246", "90693936"),
    (1111111109, "07081804", "68084774", "25091201"),
    (1111111111, "14050471", "67062674", "99943326"),
    (1234567890, "89005924", "91819424", "93441116"),
    (2000000000, "69279037", "90698825", "38618901"),
    (20000000000, "65353130", "77737706", "47863826"),
]
KEYS = {
    "sha1": b"1234567890" * 2,
    "sha256": (b"1234567890" * 4)[:32],
    "sha512": (b"1234567890" * 7)[:64],
}


@pytest.mark.parametrize(("unix", "sha1", "sha256", "sha512"), VECTORS)
def test_rfc_6238_test_vectors(unix: int, sha1: str, sha256: str, sha512: str) -> None:
    step = totp.step_at(datetime.fromtimestamp(unix, UTC))
    for digest, expected in (("sha1", sha1), ("sha256", sha256), ("sha512", sha512)):
        assert totp.hotp(KEYS[digest], step, digits=8, digest=digest) == expected


def test_the_apps_code_is_the_last_six_digits_of_the_sha1_vector() -> None:
    secret = base64.b32encode(KEYS["sha1"]).decode()
    assert totp.code_at(secret, totp.step_at(datetime.fromtimestamp(59, UTC))) == "287082"


def test_a_code_one_step_off_passes_two_steps_off_does_not_and_never_twice() -> None:
    secret = totp.new_secret()
    now_step = totp.step_at(NOW)
    for offset in (-1, 0, 1):
        code = totp.code_at(secret, now_step + offset)
        assert totp.matching_step(secret, code, now=NOW, after=None) == now_step + offset
        assert totp.matching_step(secret, code, now=NOW, after=now_step + offset) is None
    for offset in (-2, 2):
        assert (
            totp.matching_step(secret, totp.code_at(secret, now_step + offset), now=NOW, after=None)
            is None
        )
    assert totp.matching_step(secret, "12345", now=NOW, after=None) is None
    spaced = totp.code_at(secret, now_step)
    assert totp.matching_step(secret, f"{spaced[:3]} {spaced[3:]}", now=NOW, after=None) == now_step


def test_the_secret_and_its_uri_are_what_authenticator_apps_read() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and len(base64.b32decode(secret)) == 20
    assert (
        totp.grouped(secret).replace(" ", "") == secret and len(totp.grouped(secret).split()) == 8
    )
    uri = totp.provisioning_uri(secret, account="admin1", issuer="绿色铜仁助手")
    parts = urlsplit(uri)
    assert parts.scheme == "otpauth" and parts.netloc == "totp"
    assert unquote(parts.path) == "/绿色铜仁助手:admin1"
    assert parse_qs(parts.query) == {"secret": [secret], "issuer": ["绿色铜仁助手"]}


async def an_account_with_totp(
    sessions: async_sessionmaker[AsyncSession],
) -> tuple[int, str, list[str]]:
    async with sessions.begin() as session:
        account = await StaffAccounts(session).add(
            "wang", role="admin", password="a-long-password", now=NOW
        )
        factor = SecondFactor(session)
        secret = await factor.start_enrolment(account)
        assert await factor.confirm_enrolment(account, "000000x", now=NOW) is None
        wrong = str((int(totp.code_at(secret, totp.step_at(NOW))) + 1) % 10**6).zfill(6)
        assert await factor.confirm_enrolment(account, wrong, now=NOW) is None
        assert account.totp_secret is None
        earlier = totp.code_at(secret, totp.step_at(NOW) - 1)
        codes = await factor.confirm_enrolment(account, earlier, now=NOW)
        assert codes is not None and account.totp_secret == secret
        return account.id, secret, codes


async def verify(
    sessions: async_sessionmaker[AsyncSession], account_id: int, code: str, at: datetime
) -> Method | None:
    async with sessions.begin() as session:
        account = await StaffAccounts(session).get(account_id)
        return await SecondFactor(session).verify(account, code, now=at)


async def test_a_code_passes_once_and_not_the_one_used_to_enrol(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account_id, secret, _ = await an_account_with_totp(sessions)
    step = totp.step_at(NOW)
    assert await verify(sessions, account_id, totp.code_at(secret, step - 1), NOW) is None
    assert await verify(sessions, account_id, totp.code_at(secret, step), NOW) is Method.TOTP
    assert await verify(sessions, account_id, totp.code_at(secret, step), NOW) is None
    later = NOW + timedelta(seconds=30)
    assert await verify(sessions, account_id, totp.code_at(secret, step + 1), later) is Method.TOTP


async def test_recovery_codes_are_stored_hashed_and_each_passes_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account_id, _, codes = await an_account_with_totp(sessions)
    assert len(codes) == RECOVERY_CODES == len(set(codes))
    async with sessions() as session:
        stored = list(await session.scalars(select(RecoveryCode.digest)))
    assert sorted(stored) == sorted(recovery_digest(code) for code in codes)
    assert not set(codes) & set(stored)
    assert await verify(sessions, account_id, codes[0].upper(), NOW) is Method.RECOVERY
    assert await verify(sessions, account_id, codes[0], NOW) is None
    assert await verify(sessions, account_id, "aaaa-bbbb-cccc-dddd", NOW) is None
    async with sessions() as session:
        account = await StaffAccounts(session).get(account_id)
        assert await SecondFactor(session).remaining_recovery_codes(account) == RECOVERY_CODES - 1


async def test_a_reset_turns_totp_off_and_ends_sessions_and_challenges(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account_id, _, codes = await an_account_with_totp(sessions)
    async with sessions.begin() as session:
        account = await StaffAccounts(session).get(account_id)
        token = await LoginChallenges(session).open(account, Purpose.CODE, now=NOW)
        generation = account.generation
    async with sessions.begin() as session:
        account, was_on = await StaffAccounts(session).reset_totp("wang")
        assert was_on and account.generation == generation + 1 and not account.has_totp
        assert await LoginChallenges(session).find(token, now=NOW) is None
    assert await verify(sessions, account_id, codes[1], NOW) is None
    async with sessions.begin() as session:
        assert (await StaffAccounts(session).reset_totp("wang"))[1] is False


async def test_a_challenge_ends_after_its_lifetime_or_too_many_wrong_codes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account_id, _, _ = await an_account_with_totp(sessions)
    async with sessions.begin() as session:
        challenges = LoginChallenges(session)
        account = await StaffAccounts(session).get(account_id)
        short = await challenges.open(account, Purpose.CODE, now=NOW)
        assert await challenges.find(short, now=NOW + LIFETIME - timedelta(seconds=1))
        assert await challenges.find(short, now=NOW + LIFETIME) is None
        assert await challenges.find(short, now=NOW) is None  # ended for good
        token = await challenges.open(account, Purpose.CODE, now=NOW)
        for _ in range(MAX_FAILURES - 1):
            found = await challenges.find(token, now=NOW)
            assert found and await challenges.failed(found[0], now=NOW)
        found = await challenges.find(token, now=NOW)
        assert found and not await challenges.failed(found[0], now=NOW)
        assert await challenges.find(token, now=NOW) is None
        assert await challenges.find("not-a-token", now=NOW) is None
