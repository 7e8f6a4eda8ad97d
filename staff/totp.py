"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA-1, 6 digits, 30 s
steps, what every authenticator app (Google Authenticator, Microsoft Authenticator, FreeOTP,
1Password…) reads from an `otpauth://totp/` URI. Standard library only.

A code is accepted for the step before and after the current one (clock drift, a code typed as
it turns over) and only for a step later than the last one accepted (RFC 6238 §5.2: a used
code must not be accepted again), which the caller stores.
"""

from __future__ import annotations

import base64
import hmac
import re
import secrets
import struct
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

if TYPE_CHECKING:
    from datetime import datetime

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
SECRET_BYTES = 20  # 160 bits, RFC 4226 §4's recommended length for HMAC-SHA-1
CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A random secret as unpadded base32 (32 characters), the form authenticator apps take."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The `otpauth://` URI an app scans (Google Authenticator's Key Uri Format; SHA-1, 6
    digits and 30 s are its defaults, left out so the QR code stays small)."""
    label = quote(f"{issuer}:{account}", safe="")
    query = urlencode({"secret": secret, "issuer": issuer}, quote_via=quote)
    return f"otpauth://totp/{label}?{query}"


def step_at(moment: datetime) -> int:
    """RFC 6238's T: whole steps since the Unix epoch."""
    return int(moment.timestamp()) // STEP_SECONDS


def hotp(key: bytes, counter: int, *, digits: int = DIGITS, digest: str = "sha1") -> str:
    """RFC 4226 §5.3: HMAC of the big-endian counter, dynamic truncation, last `digits`."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def secret_key(secret: str) -> bytes:
    """The raw key of a base32 secret (spaces and case as typed, padding optional)."""
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def code_at(secret: str, step: int) -> str:
    return hotp(secret_key(secret), step)


def normalise(code: str) -> str:
    """What was typed, without the spaces and dashes some apps show inside a code."""
    return re.sub(r"[\s\-]", "", code)


def matching_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The step `code` belongs to, within one step of `now` and later than `after` (the last
    step accepted); None when it matches none of them."""
    typed = normalise(code)
    if not CODE.fullmatch(typed):
        return None
    key = secret_key(secret)
    current = step_at(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Compare every candidate, so the time taken says nothing about which one matched.
        if hmac.compare_digest(hotp(key, step), typed) and (after is None or step > after):
            found = step
    return found
