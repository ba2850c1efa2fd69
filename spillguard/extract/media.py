"""Audio and video (mp3, mp4/m4a/mov, wav, ogg, flac, webm, avi, aiff, ...): what is said or
shown in them cannot be read here, so they are reported `not_inspected`, judged by the
policy's `[media] unread` (default warn: a web team sees them listed, the gate does not stop).
Their container metadata is read and scanned: tags (title, artist, comment, lyrics), RIFF
INFO chunks of WAV and AVI, and the position a phone recorded into a video (`©xyz`).

Tags are read with mutagen (the `assets` extra); without it only the RIFF and MP4 position
metadata are read, and the reason says so.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.extract.webasset import metadata
from spillguard.model import Content, MediaNotRead, Uninspectable

MAX_META_BOX = 64 * 1024 * 1024  # an MP4 `moov` box larger than this is not searched for a position
# ISO 6709 in a QuickTime/MP4 `©xyz` box: +37.7749-122.4194/ (latitude, longitude, [altitude])
ISO6709 = re.compile(rb"\xa9xyz.{4}([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)", re.S)
RIFF_INFO = {
    b"INAM": "title",
    b"IART": "artist",
    b"ICMT": "comment",
    b"ICOP": "copyright",
    b"ISBJ": "subject",
    b"IKEY": "keywords",
    b"ITCH": "technician",
    b"IENG": "engineer",
    b"ISRC": "source",
    b"IPRD": "product",
}
SKIPPED_TAGS = ("APIC", "covr", "PRIV", "GEOB", "MCDI", "metadata_block_picture", "UFID")


def extract_media(source: Source, limits: Limits) -> Iterator[Content]:
    if source.size > limits.max_file_bytes:
        raise Uninspectable(f"over limit: {source.size} bytes")
    data = source.read()
    seen: set[tuple[str, str]] = set()
    tags_read = True
    try:
        found = list(tag_fields(data))
    except ImportError:
        found, tags_read = [], False
    except Unrecognised:
        # Magic bytes alone are cheap to forge: a roster behind an MP3 frame header must not
        # pass as "media, not inspected". Containers mutagen knows must parse as such.
        raise Uninspectable("corrupt or unrecognised audio/video (its container does not parse)") from None
    found += riff_info(data)
    found += mp4_position(data)
    for label, value in found:
        value = " ".join(value.split())
        if value and (label, value) not in seen:
            seen.add((label, value))
            yield metadata(label, value)
    what = "audio and video are not read here"
    if not tags_read:
        what += "; tags not read: install spillguard[assets] (mutagen)"
    raise MediaNotRead(f"not inspected: {what}")


class Unrecognised(Exception):
    """A file whose magic says a container mutagen reads, and which mutagen cannot parse."""


# Containers mutagen parses (mp3 and ADTS frames, Ogg, FLAC, WAV, AIFF, MP4/QuickTime, MIDI).
VALIDATED_MAGICS = (b"ID3", b"\xff", b"OggS", b"fLaC", b"RIFF", b"FORM", b"MThd")


def tag_fields(data: bytes) -> Iterator[tuple[str, str]]:
    """(tag name, text) of every text tag mutagen finds: ID3 frames, MP4 atoms, Vorbis and
    FLAC comments, APE tags. Raises ImportError without mutagen, Unrecognised when a container
    mutagen knows does not parse."""
    import mutagen

    must_parse = data.startswith(VALIDATED_MAGICS) or data[4:8] == b"ftyp"
    if data.startswith(b"RIFF") and data[8:12] != b"WAVE":
        must_parse = False  # AVI: mutagen does not read it
    try:
        media = mutagen.File(io.BytesIO(data))
    except Exception:  # mutagen raises its own error per format, and worse on damaged files
        media = None
    if media is None:
        if must_parse:
            raise Unrecognised
        return  # a container mutagen does not know (WebM, AVI, FLV): not read, tags unknown
    tags = getattr(media, "tags", None)
    if not tags:
        return
    for key, value in tags.items():
        name = str(key)
        if name.split(":", 1)[0] in SKIPPED_TAGS:
            continue  # pictures and binary blobs
        for text in _texts(value):
            yield f"tag {name.split(':', 1)[0]}", text


def _texts(value: object) -> Iterator[str]:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, bytes | bytearray):
            continue
        text = getattr(item, "text", None)  # ID3 frames keep their strings in .text
        if text is not None:
            yield from (str(t) for t in (text if isinstance(text, list) else [text]))
        elif isinstance(item, str | int | float | tuple):
            yield str(item)


def riff_info(data: bytes) -> list[tuple[str, str]]:
    """The LIST/INFO chunk of a RIFF file (WAV, AVI): title, artist, comment, copyright."""
    if data[:4] != b"RIFF":
        return []
    out = []
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = data[offset : offset + 4], int.from_bytes(data[offset + 4 : offset + 8], "little")
        body = data[offset + 8 : offset + 8 + size]
        if chunk == b"LIST" and body[:4] == b"INFO":
            inner = 4
            while inner + 8 <= len(body):
                tag, length = body[inner : inner + 4], int.from_bytes(body[inner + 4 : inner + 8], "little")
                text = body[inner + 8 : inner + 8 + length].rstrip(b"\x00")
                out.append((f"riff {RIFF_INFO.get(tag, tag.decode('latin-1'))}", _decode(text)))
                inner += 8 + length + (length & 1)
        offset += 8 + size + (size & 1)
    return out


def _decode(text: bytes) -> str:
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError:
        return text.decode("latin-1")


def mp4_position(data: bytes) -> list[tuple[str, str]]:
    """Where a phone recorded a video: the `©xyz` box in the `moov` box, as a GPS position."""
    if data[4:8] not in (b"ftyp", b"moov", b"wide", b"free", b"mdat"):
        return []
    offset = 0
    while offset + 8 <= len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8]
        header = 8
        if size == 1:
            size, header = int.from_bytes(data[offset + 8 : offset + 16], "big"), 16
        elif size == 0:
            size = len(data) - offset
        if size < header:
            return []
        if kind == b"moov" and size <= MAX_META_BOX:
            match = ISO6709.search(data, offset, offset + size)
            if match:
                lat, lon = (float(g) for g in match.groups())
                return [("GPS", f"GPS position: {lat:.6f}, {lon:.6f}")]
        offset += size
    return []
