"""Pictures (PNG, JPEG, TIFF with all its pages, GIF and WebP frames, BMP, HEIC): the text in
them, read with OCR, and the metadata that rides along (where a photo was taken, who took it,
whose camera, comments).

A roster printed and photographed, or a spreadsheet screenshot, shows the same names and
A-numbers as the workbook; `spillguard.ocr` turns its word boxes back into a table. When OCR
cannot run, a picture that may hold text raises `PictureNotRead` after its metadata has been
given: it blocks unless the policy accepts unread pictures. Icons, spacers and blank pictures
are decorative and never block.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from spillguard import ocr
from spillguard.extract.base import Limits, Source
from spillguard.extract.xmp import xmp_values
from spillguard.model import Content, Location, Passage, PictureNotRead, Uninspectable

if TYPE_CHECKING:
    from PIL.Image import Image

MAX_PIXELS = 100_000_000  # per frame: a poster scanned at 600 dpi; more is a decompression bomb
MAX_FRAMES = 500  # pages of a TIFF, frames of an animation; more fails closed
ICON_SIDE = 64  # pictures this small on both sides are icons, bullets and spacers
THIN_SIDE = 8  # a picture thinner than this is a rule or a border, not a line of text
BLANK_SPREAD = 12  # grey levels: a picture whose pixels all lie this close shows nothing

# Metadata fields that name or describe people (EXIF tag numbers).
IFD0_TEXT = {
    0x010E: "ImageDescription",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9C9B: "XPTitle",
    0x9C9C: "XPComment",
    0x9C9D: "XPAuthor",
    0x9C9E: "XPKeywords",
    0x9C9F: "XPSubject",
}
EXIF_TEXT = {0x9286: "UserComment", 0xA430: "CameraOwnerName"}
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
# Text chunks (PNG tEXt/iTXt, GIF and JPEG comments) that only say how the file was made.
TECHNICAL_INFO = frozenset({"software", "creation time", "dpi", "gamma", "interlace", "aspect", "duration"})


def extract_image(source: Source, limits: Limits) -> Iterator[Content]:
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    data = source.read()
    picture = open_picture(data)
    yield from metadata_passages(picture, data)
    yield from picture_text(picture, source, limits)


def open_picture(data: bytes) -> Image:
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    picture: Image
    try:
        picture = PILImage.open(io.BytesIO(data))
    except UnidentifiedImageError:
        picture = _open_heif(data)
    except (OSError, ValueError, SyntaxError) as exc:
        raise Uninspectable(f"corrupt picture ({exc.__class__.__name__})") from None
    width, height = picture.size
    if width * height > MAX_PIXELS:
        raise Uninspectable(f"over limit: picture of {width}x{height} pixels")
    return picture


def _open_heif(data: bytes) -> Image:
    """HEIC and AVIF phone photos, through pillow-heif where its wheel is installed."""
    try:
        from pillow_heif import open_heif
    except ImportError:
        raise PictureNotRead("picture not read: HEIC needs spillguard[ocr] (pillow-heif)") from None
    try:
        return open_heif(io.BytesIO(data)).to_pillow()  # type: ignore[no-any-return]
    except (OSError, ValueError, RuntimeError) as exc:
        raise Uninspectable(f"corrupt picture ({exc.__class__.__name__})") from None


# --- text in the picture ----------------------------------------------------------------------


def picture_text(picture: Image, source: Source, limits: Limits) -> Iterator[Content]:
    """OCR over every distinct frame that may hold text, a few frames at a time in parallel."""
    many = getattr(picture, "n_frames", 1) > 1
    batch: list[tuple[int, Image]] = []
    for number, frame in frames(picture):
        source.check_time()
        if not may_hold_text(frame):
            continue
        batch.append((number, frame))
        if len(batch) >= ocr.MAX_THREADS:
            yield from _read_batch(batch, many, source, limits)
            batch = []
    yield from _read_batch(batch, many, source, limits)


def _read_batch(
    batch: list[tuple[int, Image]], many: bool, source: Source, limits: Limits
) -> Iterator[Content]:
    if not batch:
        return
    if not limits.ocr:
        raise PictureNotRead("picture not read: OCR is turned off")
    try:
        readings = ocr.read_many([frame for _, frame in batch], source.deadline, limits.ocr_page_seconds)
    except ocr.OcrError as exc:
        raise PictureNotRead(f"picture not read: {exc}") from None
    for (number, _), words in zip(batch, readings, strict=True):
        where = ocr.Placement(f"page:{number}", page=number) if many else ocr.Placement("image")
        yield from ocr.contents(words, where)


def frames(picture: Image) -> Iterator[tuple[int, Image]]:
    """(1-based number, frame) for each distinct frame, upright as a viewer shows it. An
    animation repeats frames; each is read once."""
    from PIL import ImageOps

    count = getattr(picture, "n_frames", 1)
    if count > MAX_FRAMES:
        raise Uninspectable(f"over limit: {count} frames (limit {MAX_FRAMES})")
    seen: set[bytes] = set()
    for index in range(count):
        try:
            picture.seek(index)
            frame = ImageOps.exif_transpose(picture.copy())
            frame.load()
        except (OSError, ValueError, EOFError, SyntaxError) as exc:
            raise Uninspectable(f"corrupt picture (frame {index + 1}: {exc.__class__.__name__})") from None
        digest = hashlib.blake2b(frame.tobytes(), digest_size=16).digest()
        if digest not in seen:
            seen.add(digest)
            yield index + 1, frame


def may_hold_text(frame: Image) -> bool:
    """False for what is decorative whatever OCR would say: icons and bullets (no side over
    ICON_SIDE pixels), rules and borders (thinner than THIN_SIDE), and blank or near-uniform
    pictures. A photo cannot be told from a photographed list without reading it: it may."""
    width, height = frame.size
    if max(width, height) <= ICON_SIDE or min(width, height) < THIN_SIDE:
        return False
    low, high = ocr.prepared_grey(frame).getextrema()
    return isinstance(low, int) and isinstance(high, int) and high - low >= BLANK_SPREAD


# --- metadata -------------------------------------------------------------------------------


def metadata_passages(picture: Image, data: bytes) -> Iterator[Passage]:
    """EXIF fields that name people or places, text chunks and comments, and XMP values."""
    seen: set[tuple[str, str]] = set()
    for name, value in _metadata_fields(picture, data):
        value = " ".join(value.split())
        if value and (name, value) not in seen:
            seen.add((name, value))
            yield Passage(value, Location(f"metadata:{name}", "metadata", hidden=True))


def _metadata_fields(picture: Image, data: bytes) -> Iterator[tuple[str, str]]:
    try:
        exif = picture.getexif()
    except (OSError, ValueError, SyntaxError):
        exif = None
    if exif:
        for tag, name in IFD0_TEXT.items():
            if tag in exif:
                yield name, exif_text(exif[tag])
        inner = _ifd(exif, EXIF_IFD)
        for tag, name in EXIF_TEXT.items():
            if tag in inner:
                yield name, exif_text(inner[tag])
        position = gps_position(_ifd(exif, GPS_IFD))
        if position is not None:
            yield "GPS", f"GPS position: {position[0]:.6f}, {position[1]:.6f}"
    for key, value in picture.info.items():
        if not isinstance(key, str):
            continue
        if key.lower() in TECHNICAL_INFO or key.lower() in ("exif", "icc_profile", "xmp"):
            continue
        if isinstance(value, bytes) and key == "comment":
            yield "comment", value.decode("utf-8", errors="replace")
        elif isinstance(value, str) and not key.startswith("XML:"):
            yield key, value
    for key, value in xmp_values(data):
        yield f"xmp:{key}", value


def _ifd(exif: Any, tag: int) -> dict[int, Any]:
    try:
        return dict(exif.get_ifd(tag))
    except (OSError, ValueError, KeyError, SyntaxError, TypeError):
        return {}


def exif_text(value: object) -> str:
    """EXIF text in the shapes it comes in: ASCII, the XP* tags' UTF-16 bytes (or a tuple of
    byte values), and UserComment's 8-byte character-code prefix."""
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        value = bytes(v & 0xFF for v in value)
    if isinstance(value, bytes):
        head = value[:8]
        if head.startswith(b"UNICODE"):
            return value[8:].decode("utf-16", errors="replace").rstrip("\x00")
        if head.startswith((b"ASCII", b"JIS", b"\x00" * 8)):
            return value[8:].decode("utf-8", errors="replace").rstrip("\x00")
        if len(value) >= 2 and value[1:2] == b"\x00":
            return value.decode("utf-16-le", errors="replace").rstrip("\x00")
        return value.decode("utf-8", errors="replace").rstrip("\x00")
    return str(value).rstrip("\x00")


def gps_position(gps: dict[int, Any]) -> tuple[float, float] | None:
    """Decimal degrees from the GPS IFD (degrees, minutes, seconds and N/S, E/W refs)."""
    try:
        lat = _degrees(gps[2]) * (-1 if str(gps.get(1, "N")).upper().startswith("S") else 1)
        lon = _degrees(gps[4]) * (-1 if str(gps.get(3, "E")).upper().startswith("W") else 1)
    except (KeyError, TypeError, ValueError, ZeroDivisionError, IndexError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None
    return lat, lon


def _degrees(value: Any) -> float:
    parts = [float(v) for v in value]
    return parts[0] + (parts[1] / 60 if len(parts) > 1 else 0) + (parts[2] / 3600 if len(parts) > 2 else 0)
