"""The report being filled in, kept in the FSM data under one key so it survives a restart
(database or Redis storage) and never mixes with other flows' data (the Q&A follow-up)."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from aiogram.fsm.state import State, StatesGroup

from reports import StoredPhoto
from reports.media import PHOTO

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext

KEY = "report"
# After filing, only the ticket and the summary message it was filed from are kept, so 提交
# pressed on that summary again (a double tap) is answered with the ticket.
FILED = "report_filed"
# The domain needs coordinates or an address; a citizen who skips the location still named
# the district, so the report says plainly that no closer place was given.
UNSPECIFIED_ADDRESS = "（未提供具体位置）"

Contact = Literal["phone", "none", "anonymous"]


class ReportFlow(StatesGroup):
    """One state per thing awaited, in the order the citizen meets them."""

    category = State()
    description = State()
    consent = State()  # how to give the place: share the location (consent), type it, or not
    location = State()  # the shared location, once consented to
    address = State()  # a typed address
    district = State()
    similar = State()  # similar reports shown: follow one, or keep filing
    photos = State()
    contact = State()
    summary = State()


@dataclass
class Draft:
    category: str | None = None
    description: str | None = None
    lat: float | None = None
    lon: float | None = None
    # When the citizen agreed to share the precise location (ISO time): no consent, no
    # coordinates (PIPL Art. 29: sensitive personal information needs its own consent).
    location_consent: str | None = None
    address: str | None = None
    district: str | None = None
    # The evidence: StoredPhoto fields, `kind` photo, voice or video (a draft saved before
    # kinds existed has none: photos).
    photos: list[dict[str, Any]] = field(default_factory=list)
    contact: Contact | None = None
    phone: str | None = None
    editing: bool = False  # came from the summary's 修改: the next step is the summary again
    similar_checked: str | None = None  # signature of the place and text last checked

    @classmethod
    async def load(cls, state: FSMContext) -> Draft:
        raw = (await state.get_data()).get(KEY) or {}
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in raw.items() if key in known})

    async def save(self, state: FSMContext) -> None:
        await state.update_data({KEY: asdict(self)})

    def stored_photos(self) -> list[StoredPhoto]:
        return [StoredPhoto(**photo) for photo in self.photos]

    def add_evidence(self, piece: StoredPhoto) -> bool:
        """False when the same file (same content) is already in the draft."""
        if any(existing["sha256"] == piece.sha256 for existing in self.photos):
            return False
        self.photos.append(asdict(piece))
        return True

    def count(self, *kinds: str) -> int:
        """How many pieces of evidence of these kinds the draft holds."""
        return sum(1 for piece in self.photos if piece.get("kind", PHOTO) in kinds)

    def set_location(
        self, *, lat: float | None = None, lon: float | None = None, address: str | None = None
    ) -> None:
        """The place; without coordinates a consent given earlier no longer applies."""
        if lat is None or lon is None or self.location_consent is None:
            lat = lon = None
            self.location_consent = None
        self.lat, self.lon, self.address = lat, lon, address

    def consented_at(self) -> datetime | None:
        """When the coordinates kept in the draft were consented to; None when none are."""
        if self.lat is None or self.location_consent is None:
            return None
        return datetime.fromisoformat(self.location_consent)

    def signature(self) -> str:
        """What the similar-reports check depends on, short enough to keep in the FSM data."""
        text = hashlib.sha256((self.description or "").encode()).hexdigest()[:16]
        return f"{self.category}|{self.district}|{self.lat}|{self.lon}|{text}"

    def submission(self) -> dict[str, Any]:
        """Keyword arguments for ReportService.submit (besides who and in which script)."""
        anonymous = self.contact == "anonymous"
        consented = self.consented_at() is not None
        has_place = consented or self.address
        return {
            "category": self.category,
            "description": self.description or "",
            "district": self.district or "",
            "lat": self.lat if consented else None,
            "lon": self.lon if consented else None,
            "address": self.address if has_place else UNSPECIFIED_ADDRESS,
            "photos": self.stored_photos(),
            # An anonymous reporter's number would be hidden from staff anyway: not kept at all.
            "phone": self.phone if self.contact == "phone" else None,
            "anonymous": anonymous,
        }


async def discard(state: FSMContext) -> None:
    """Leave the flow and forget the draft (phone number included)."""
    await state.set_state(None)
    data = await state.get_data()
    if data.pop(KEY, None) is not None:
        await state.set_data(data)


async def file_away(state: FSMContext, *, ticket: str, summary_id: int | None) -> None:
    """Leave the flow after filing: the draft is forgotten, the ticket remembered for the
    summary it came from (its message id) in the same storage, so a restart keeps it too."""
    await state.set_state(None)
    data = await state.get_data()
    data.pop(KEY, None)
    if summary_id is not None:
        data[FILED] = {"summary_id": summary_id, "ticket": ticket}
    await state.set_data(data)


async def ticket_filed_from(state: FSMContext, summary_id: int) -> str | None:
    """The ticket of the report filed from this summary message, if it was filed."""
    filed = (await state.get_data()).get(FILED) or {}
    return filed.get("ticket") if filed.get("summary_id") == summary_id else None
