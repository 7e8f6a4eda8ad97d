"""What a citizen gathers before one domain call: a file once, a note line by line, and a line
that would make the note too long left out (the note kept is still one the domain accepts)."""

from __future__ import annotations

from bot.routers.report.collecting import Collected
from reports.media import StoredPhoto


def test_a_file_is_gathered_once_and_a_note_grows_within_its_bound() -> None:
    pending = Collected("k", ticket="TR-2612-0001")
    video = StoredPhoto(sha256="a" * 64, name="a" * 64 + ".mp4", size=10, kind="video")
    assert pending.add(video) and not pending.add(video)
    assert pending.kinds == ["video"] and pending.stored() == [video]
    assert pending.add_note("  河边还有油污 ", max_chars=20)
    assert pending.add_note("", max_chars=20)  # an empty caption changes nothing
    assert not pending.add_note("很" * 20, max_chars=20)
    assert pending.add_note("味道很大", max_chars=20)
    assert pending.note == "河边还有油污\n味道很大"
