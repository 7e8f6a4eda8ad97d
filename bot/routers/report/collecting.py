"""What a citizen gathers over several messages before one domain call: pieces of evidence and a
note for a report (adding to it, `additions.py`; answering 没解决, `fixed.py`).

Kept in the FSM data under the flow's key, as JSON (the stored files' fields), so a restart or
another instance loses nothing; the files themselves are in the media store already.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from reports.media import PHOTO, StoredPhoto

if TYPE_CHECKING:
    from aiogram.fsm.context import FSMContext


@dataclass
class Collected:
    key: str  # the flow's key in the FSM data
    ticket: str = ""
    note: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)  # StoredPhoto fields

    @classmethod
    async def load(cls, state: FSMContext, key: str) -> Collected:
        raw = (await state.get_data()).get(key) or {}
        return cls(
            key,
            ticket=str(raw.get("ticket") or ""),
            note=str(raw.get("note") or ""),
            evidence=list(raw.get("evidence") or []),
        )

    async def save(self, state: FSMContext) -> None:
        data = {"ticket": self.ticket, "note": self.note, "evidence": self.evidence}
        await state.update_data({self.key: data})

    @staticmethod
    async def leave(state: FSMContext, key: str) -> None:
        """Out of the flow, and what it gathered dropped (the stored files stay unreferenced)."""
        await state.set_state(None)
        data = await state.get_data()
        if data.pop(key, None) is not None:
            await state.set_data(data)

    @property
    def kinds(self) -> list[str]:
        return [piece.get("kind", PHOTO) for piece in self.evidence]

    def stored(self) -> list[StoredPhoto]:
        return [StoredPhoto(**piece) for piece in self.evidence]

    def add(self, piece: StoredPhoto) -> bool:
        """False when the same file (same content) was gathered already."""
        if any(kept["sha256"] == piece.sha256 for kept in self.evidence):
            return False
        self.evidence.append(asdict(piece))
        return True

    def add_note(self, more: str, *, max_chars: int) -> bool:
        """Add a line to the note; False (and nothing changed) when it would pass `max_chars`."""
        line = more.strip()
        joined = f"{self.note}\n{line}" if self.note and line else self.note or line
        if len(joined) > max_chars:
            return False
        self.note = joined
        return True
