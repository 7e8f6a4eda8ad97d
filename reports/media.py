"""Photos on disk, named by content (SHA-256): identical photos are stored once.

Takes bytes; fetching a file from Telegram is the bot's job. Files are written before the
report's transaction commits, so a rolled-back submission can leave an unreferenced file behind;
that is harmless (same content, same name) and can be swept by comparing with `report_photos`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reports.errors import InvalidReport

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", ".png"),
    (b"GIF8", ".gif"),
)


def _extension(data: bytes) -> str:
    """A file extension from the magic bytes, so a web page can serve it with the right type."""
    for signature, extension in _SIGNATURES:
        if data.startswith(signature):
            return extension
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ".webp"
    return ".bin"


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    name: str  # `<sha256><ext>`: what ReportPhoto.name keeps
    size: int


class MediaStore:
    """A directory of content-addressed files, each at most `max_bytes` long."""

    def __init__(self, root: Path, *, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def check(self, data: bytes) -> None:
        """Raise InvalidReport for an empty or oversized photo (before anything is written)."""
        if not data:
            raise InvalidReport("empty photo")
        if len(data) > self.max_bytes:
            raise InvalidReport(f"photo of {len(data)} bytes exceeds {self.max_bytes}")

    def put(self, data: bytes) -> StoredPhoto:
        """Store `data` once; a second identical photo returns the same name without writing."""
        self.check(data)
        digest = hashlib.sha256(data).hexdigest()
        photo = StoredPhoto(sha256=digest, name=digest + _extension(data), size=len(data))
        target = self.path(photo.name)
        if not target.exists():
            self._write_atomically(target, data)
        return photo

    def put_once(self, photo: bytes | StoredPhoto) -> StoredPhoto:
        """Store raw bytes; a photo already stored (by the bot, mid-conversation) passes through."""
        return photo if isinstance(photo, StoredPhoto) else self.put(photo)

    def unique(
        self, photos: Sequence[bytes | StoredPhoto], *, max_count: int
    ) -> list[bytes | StoredPhoto]:
        """Drop identical photos, then check size and count, before anything is written."""
        by_digest: dict[str, bytes | StoredPhoto] = {}
        for photo in photos:
            if isinstance(photo, StoredPhoto):
                if photo.size > self.max_bytes or not self.exists(photo.name):
                    raise InvalidReport(f"stored photo {photo.name!r} is missing or too big")
                digest = photo.sha256
            else:
                self.check(photo)
                digest = hashlib.sha256(photo).hexdigest()
            by_digest.setdefault(digest, photo)
        if len(by_digest) > max_count:
            raise InvalidReport(f"{len(by_digest)} photos, at most {max_count}")
        return list(by_digest.values())

    def path(self, name: str) -> Path:
        """Where a stored photo lives (two-character fan-out keeps directories small)."""
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise InvalidReport(f"bad media name: {name!r}")
        return self.root / name[:2] / name

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def _write_atomically(self, target: Path, data: bytes) -> None:
        """Write to a temporary file and rename, so a reader never sees half a photo."""
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
