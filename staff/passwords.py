"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile)."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from staff.errors import WeakPassword

MIN_PASSWORD = 10
MAX_PASSWORD = 256


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WeakPassword(f"shorter than {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"longer than {MAX_PASSWORD} characters")
    return password


def hash_password(password: str) -> str:
    return _hasher().hash(check_password(password))


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; False for a wrong password or a damaged hash."""
    if len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """The hash was made with weaker parameters than today's defaults."""
    return _hasher().check_needs_rehash(password_hash)


def burn_time(password: str) -> None:
    """Verify against a throwaway hash, so an unknown name costs as long as a wrong password."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    return _hasher().hash(secrets.token_hex(16))
