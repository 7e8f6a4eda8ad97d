"""Checks on what a citizen submits, before anything is stored; failures raise InvalidReport."""

from __future__ import annotations

import re

from reports.errors import InvalidReport

MIN_DESCRIPTION = 1
MAX_DESCRIPTION = 4000
MAX_ADDRESS = 500
_PHONE = re.compile(r"^\+?[0-9][0-9 \-]{4,19}$")


def check_description(text: str) -> str:
    """Stripped description of 1 to 4,000 characters."""
    cleaned = (text or "").strip()
    if not MIN_DESCRIPTION <= len(cleaned) <= MAX_DESCRIPTION:
        raise InvalidReport(f"description of {len(cleaned)} characters (1..{MAX_DESCRIPTION})")
    return cleaned


def check_location(
    lat: float | None, lon: float | None, address: str | None
) -> tuple[float | None, float | None, str | None]:
    """A location needs coordinates (both, in range) or a typed address, or both."""
    if (lat is None) != (lon is None):
        raise InvalidReport("latitude and longitude come together")
    if lat is not None and lon is not None:
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise InvalidReport(f"coordinates out of range: {lat}, {lon}")
        lat, lon = float(lat), float(lon)
    cleaned = (address or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_ADDRESS:
        raise InvalidReport(f"address longer than {MAX_ADDRESS} characters")
    if lat is None and cleaned is None:
        raise InvalidReport("a report needs coordinates or an address")
    return lat, lon, cleaned


def check_phone(phone: str | None) -> str | None:
    """An optional phone number: digits with an optional leading +, spaces or dashes."""
    cleaned = (phone or "").strip()
    if not cleaned:
        return None
    if not _PHONE.match(cleaned):
        raise InvalidReport("phone number is not valid")
    return cleaned


def check_script(script: str) -> str:
    """`hant` for Traditional readers; anything else reads Simplified."""
    return "hant" if script == "hant" else "hans"
