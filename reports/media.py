"""Photos on disk, named by content (SHA-256): identical photos are stored once.

Takes bytes; fetching a file from Telegram is the bot's job. Every photo is decoded and
re-encoded before it is stored (`strip_metadata`): EXIF (GPS position, device, time), XMP,
comments and colour profiles are dropped, the EXIF orientation is applied to the pixels first.
A photo sent as a file keeps its EXIF in Telegram; a precise location is sensitive personal
information (PIPL Art. 28), never kept without its own consent. Bytes that do not decode as an
image are refused. The name is the hash of the stored (stripped) bytes.

Voice notes (OGG/Opus, as Telegram records them) and short videos (MP4, video notes too) are
evidence of another kind (`KINDS`): checked by their magic bytes (OGG `OggS`, an MP4 `ftyp` box
first), size-limited per kind, and stored as they came, by content hash, without decoding.
Their container metadata is NOT stripped: an MP4 may carry where it was shot (a `©xyz` GPS atom,
Apple's location key) and the recording device. That is why voice and video are evidence for
staff only: served to logged-in staff (the console's /media, the staff's Telegram view), never
published, never in Open311, the open data or the transparency page (reports/publication.py
publishes a staff-written text and a coarse place, never a reporter's files), and the citizen is
told so when asked for them.

Files are written before the report's transaction commits, so a rolled-back submission can leave
an unreferenced file behind; that is harmless (same content, same name) and can be swept by
comparing with `report_photos`.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from reports.errors import InvalidReport

PHOTO, VOICE, VIDEO = "photo", "voice", "video"
KINDS = (PHOTO, VOICE, VIDEO)
RECORDINGS = frozenset({VOICE, VIDEO})  # stored as they came, not decoded
# Telegram lets a bot download files of at most 20 MB (getFile): nothing bigger can arrive.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
# The store's own ceilings for recordings: what a bot can receive at all. The settings
# (GREENBOT_MAX_VOICE_BYTES, GREENBOT_MAX_VIDEO_BYTES, at most this) are checked tighter where
# files come in (bot/routers/report/photos.py), so a store built without them agrees.
MAX_VOICE_BYTES = TELEGRAM_DOWNLOAD_LIMIT
MAX_VIDEO_BYTES = TELEGRAM_DOWNLOAD_LIMIT
MAX_RECORDINGS = 3  # voice notes and videos in one report (photos have Limits.max_photos)
MAX_PIXELS = 50_000_000  # a 50-megapixel camera; more is a decompression bomb, not a photo
JPEG_QUALITY = 90
# What an image keeps through re-encoding: how it animates and which colour is transparent.
# Everything else in Pillow's `info` (exif, xmp, comment, icc_profile, dpi …) is dropped.
KEPT_INFO = ("transparency", "duration", "loop", "background", "disposal")
# Formats kept as they are; anything else Pillow decodes (TIFF, BMP …) is stored as PNG.
KEPT_FORMATS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WEBP", "GIF": "GIF"}
# What Pillow raises for bytes that are not a (whole, sane) image.
UNDECODABLE = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
)

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


_RECORDING_EXTENSIONS = {VOICE: ".ogg", VIDEO: ".mp4"}
# MP4 / QuickTime / 3GP all open with a `ftyp` box: 4 bytes of size, then the type.
_FTYP_MIN_SIZE = 8


def sniff_kind(data: bytes) -> str | None:
    """What the bytes are by their magic: `voice` for an OGG stream (`OggS`), `video` for an
    ISO media file (an `ftyp` box first: MP4, MOV, 3GP), `photo` for a JPEG, PNG, GIF or WebP
    signature; None for anything else. Photos are decoded later anyway (strip_metadata)."""
    if data.startswith(b"OggS"):
        return VOICE
    if len(data) >= _FTYP_MIN_SIZE and data[4:8] == b"ftyp":
        if int.from_bytes(data[:4], "big") >= _FTYP_MIN_SIZE:
            return VIDEO
        return None
    return PHOTO if _extension(data) != ".bin" else None


def strip_metadata(data: bytes) -> bytes:
    """The picture alone: decoded, turned upright by its EXIF orientation, re-encoded in its
    own format with no metadata. The same input gives the same output (dedup by hash holds).
    InvalidReport when `data` is not an image Pillow can decode, or is too large to be one."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                pixels = image.width * image.height
                clean = _reencode(image) if pixels <= MAX_PIXELS else None
    except UNDECODABLE as error:
        raise InvalidReport(f"not a decodable image: {type(error).__name__}") from error
    if clean is None:
        raise InvalidReport(f"an image of {pixels} pixels")
    return clean


def _reencode(image: Image.Image) -> bytes:
    kind = KEPT_FORMATS.get(image.format or "", "PNG")
    if kind == "GIF" and getattr(image, "n_frames", 1) > 1:
        frames = [_bare(frame.copy()) for frame in ImageSequence.Iterator(image)]
        first, rest = frames[0], frames[1:]
        options: dict[str, object] = {"save_all": True, "append_images": rest}
    else:
        image.seek(0)
        first = _bare(ImageOps.exif_transpose(image.copy()))
        options = {}
    if kind == "JPEG":
        if first.mode not in ("L", "RGB", "CMYK"):
            first = first.convert("RGB")
        options.update(quality=JPEG_QUALITY)
    elif kind == "WEBP":
        options.update(quality=JPEG_QUALITY)
    output = io.BytesIO()
    first.save(output, format=kind, **options)
    return output.getvalue()


def _bare(image: Image.Image) -> Image.Image:
    """The same pixels with no metadata left for an encoder to copy from `info`."""
    image.info = {key: image.info[key] for key in KEPT_INFO if key in image.info}
    image.encoderinfo = {}
    return image


class _Stripped(bytes):
    """Bytes `strip_metadata` made already: stored as they are (`unique` hands these out)."""


@dataclass(frozen=True)
class StoredPhoto:
    """A stored piece of evidence; despite the name, of any of `KINDS` (a photo by default)."""

    sha256: str
    name: str  # `<sha256><ext>`: what ReportPhoto.name keeps
    size: int
    kind: str = PHOTO


class NotThatMedia(InvalidReport):
    """The bytes are not what they were sent as (no OGG voice, no MP4 video, no image)."""


class MediaStore:
    """A directory of content-addressed files: photos of at most `max_bytes`, voice notes of
    at most `max_voice_bytes` and videos of at most `max_video_bytes`."""

    def __init__(
        self,
        root: Path,
        *,
        max_bytes: int,
        max_voice_bytes: int = MAX_VOICE_BYTES,
        max_video_bytes: int = MAX_VIDEO_BYTES,
    ) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.limits = {PHOTO: max_bytes, VOICE: max_voice_bytes, VIDEO: max_video_bytes}

    def limit(self, kind: str) -> int:
        """The size limit of a kind of evidence, in bytes; InvalidReport for an unknown kind."""
        if kind not in self.limits:
            raise InvalidReport(f"unknown evidence kind: {kind!r}")
        return self.limits[kind]

    def check(self, data: bytes, kind: str = PHOTO) -> None:
        """Raise InvalidReport for empty or oversized evidence (before anything is written)."""
        if not data:
            raise InvalidReport(f"empty {kind}")
        if len(data) > self.limit(kind):
            raise InvalidReport(f"{kind} of {len(data)} bytes exceeds {self.limit(kind)}")

    def put_evidence(self, data: bytes, kind: str) -> StoredPhoto:
        """Store a photo (`put`: decoded and stripped) or a recording: checked by its magic
        bytes and stored as it came, by content hash (container metadata kept: see the module
        docstring). InvalidReport when empty or too big, NotThatMedia when the bytes are not
        the kind they were sent as."""
        self.check(data, kind)
        if kind == PHOTO:
            try:
                clean = strip_metadata(data)
            except InvalidReport as error:
                raise NotThatMedia(str(error)) from error
            return self.put(_Stripped(clean))
        if sniff_kind(data) != kind:
            raise NotThatMedia(f"not a {kind}: {data[:8]!r}")
        digest = hashlib.sha256(data).hexdigest()
        stored = StoredPhoto(
            sha256=digest, name=digest + _RECORDING_EXTENSIONS[kind], size=len(data), kind=kind
        )
        target = self.path(stored.name)
        if not target.exists():
            self._write_atomically(target, data)
        return stored

    def put(self, data: bytes) -> StoredPhoto:
        """Store `data` stripped of its metadata (`strip_metadata`), once: a second identical
        photo returns the same name without writing. InvalidReport when it is no image."""
        self.check(data)
        if not isinstance(data, _Stripped):
            data = strip_metadata(data)
            self.check(data)  # re-encoded: a PNG may grow
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
        self,
        photos: Sequence[bytes | StoredPhoto],
        *,
        max_count: int,
        max_recordings: int = MAX_RECORDINGS,
    ) -> list[bytes | StoredPhoto]:
        """Drop identical evidence, then check sizes and counts (`max_count` photos,
        `max_recordings` voice notes and videos, already stored), before anything is written.
        Photos given as bytes come back stripped (`strip_metadata`): two files of the same
        picture with different metadata are one photo once stored."""
        by_digest: dict[str, bytes | StoredPhoto] = {}
        for photo in photos:
            if isinstance(photo, StoredPhoto):
                if photo.size > self.limit(photo.kind) or not self.exists(photo.name):
                    raise InvalidReport(f"stored {photo.kind} {photo.name!r} is missing or too big")
                by_digest.setdefault(photo.sha256, photo)
            else:
                self.check(photo)
                by_digest.setdefault(hashlib.sha256(photo).hexdigest(), photo)
        recordings = sum(
            isinstance(item, StoredPhoto) and item.kind in RECORDINGS for item in by_digest.values()
        )
        if len(by_digest) - recordings > max_count:
            raise InvalidReport(f"{len(by_digest) - recordings} photos, at most {max_count}")
        if recordings > max_recordings:
            raise InvalidReport(f"{recordings} voice notes and videos, at most {max_recordings}")
        kept: dict[str, bytes | StoredPhoto] = {}
        for photo in by_digest.values():
            if isinstance(photo, StoredPhoto):
                kept.setdefault(photo.sha256, photo)
                continue
            clean = _Stripped(strip_metadata(photo))
            self.check(clean)
            kept.setdefault(hashlib.sha256(clean).hexdigest(), clean)
        return list(kept.values())

    def path(self, name: str) -> Path:
        """Where a stored file lives (two-character fan-out keeps directories small)."""
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
