"""Is a new report about something already reported? Distance and text closeness.

Same category, in the last 7 days, and either within 100 m (haversine) or in the same district
with a character-bigram Jaccard of at least 0.6 (word segmentation is unnecessary for Chinese
bigrams and keeps this dependency-free).
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reports.models import Report

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
NEAR_METRES = 100.0
TEXT_THRESHOLD = 0.6
WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Similar:
    report: Report
    distance_m: float | None  # None when either report has no coordinates
    text_score: float  # bigram Jaccard, 0..1


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _normalise(text: str) -> str:
    """Fold width and case, drop whitespace and punctuation, so only the content compares."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if unicodedata.category(ch)[0] in "LN")


def bigrams(text: str) -> frozenset[str]:
    cleaned = _normalise(text)
    if len(cleaned) < 2:
        return frozenset({cleaned}) if cleaned else frozenset()
    return frozenset(cleaned[i : i + 2] for i in range(len(cleaned) - 1))


def text_similarity(a: str, b: str) -> float:
    """Jaccard of character bigrams: 1.0 for the same content, 0.0 for nothing shared."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


def compare(
    candidate: Report,
    *,
    lat: float | None,
    lon: float | None,
    district: str | None,
    description: str,
    near_m: float = NEAR_METRES,
    threshold: float = TEXT_THRESHOLD,
) -> Similar | None:
    """A Similar when `candidate` is near enough or reads alike in the same district."""
    distance = None
    if None not in (lat, lon, candidate.lat, candidate.lon):
        distance = haversine_m(lat, lon, candidate.lat, candidate.lon)  # type: ignore[arg-type]
    score = text_similarity(description, candidate.description)
    near = distance is not None and distance <= near_m
    alike = district is not None and candidate.district == district and score >= threshold
    return Similar(candidate, distance, score) if near or alike else None


def rank(matches: list[Similar]) -> list[Similar]:
    """Closest first, then most alike, then newest."""
    return sorted(
        matches,
        key=lambda m: (
            m.distance_m if m.distance_m is not None else math.inf,
            -m.text_score,
            -m.report.created_at.timestamp(),
        ),
    )
