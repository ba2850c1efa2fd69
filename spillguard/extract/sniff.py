"""Tell a file's type from its bytes, never from its name: a roster renamed to `.txt` is still a
workbook, and a "report.pdf" that is really a zip is still a zip."""

from __future__ import annotations

import json
import re
import zipfile

from spillguard.extract.base import Source
from spillguard.model import Uninspectable

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"BM", "bmp"),
)
# ISO base media brands of HEIF still pictures (phone photos); AVIF shares the container.
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"})
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}
TEXT_SAMPLE = 64 * 1024


def sniff(source: Source) -> str:
    """Return the type name used as key of EXTRACTORS, or an image/unknown type name."""
    head = source.head(TEXT_SAMPLE)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(source)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(source)
    if head.startswith(b"%PDF") or b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"\x1f\x8b"):
        return "gz"
    if head.startswith(b"BZh"):
        return "bz2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp" and head[8:12] in HEIF_BRANDS:
        return "heic"
    if head[40:44] == b" EMF" and head[:4] == b"\x01\x00\x00\x00":
        return "emf"  # Office's "paste as picture": text records, read without OCR
    if head.startswith(b"\xd7\xcd\xc6\x9a") or head[:6] in (
        b"\x01\x00\x09\x00\x00\x03",
        b"\x02\x00\x09\x00\x00\x03",
    ):
        return "wmf"
    if head.startswith(b"VCLMTF"):
        return "svm"  # LibreOffice's own metafile
    for magic, kind in IMAGE_MAGICS:
        if head.startswith(magic):
            return kind
    asset = sniff_web_asset(head)
    if asset is not None:
        return asset
    if head.startswith(b"{\\rtf"):
        return "rtf"
    if head.startswith(b"\xffWPC"):
        return "wpd"  # WordPerfect
    if head.startswith((b"Rar!", b"7z\xbc\xaf\x27\x1c")):
        return "unsupported-archive"
    return sniff_text(head)


# Fonts, icons, WebAssembly, audio and video: what a web root serves beside its documents.
FONT_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"wOFF", "woff"),
    (b"wOF2", "woff2"),
    (b"\x00\x01\x00\x00", "ttf"),
    (b"true", "ttf"),  # old Apple TrueType
    (b"OTTO", "otf"),
    (b"ttcf", "ttc"),
)
ICON_MAGICS = (b"\x00\x00\x01\x00", b"\x00\x00\x02\x00")  # .ico and .cur: a count of pictures follows
EOT_VERSIONS = frozenset({0x00010000, 0x00020001, 0x00020002})
MEDIA_MAGICS: tuple[tuple[bytes, str], ...] = (
    (b"ID3", "mp3"),
    (b"OggS", "ogg"),
    (b"fLaC", "flac"),
    (b"\x1aE\xdf\xa3", "webm"),  # Matroska/WebM (EBML)
    (b"FLV\x01", "flv"),
    (b"MThd", "midi"),
)
RIFF_MEDIA = {b"WAVE": "wav", b"AVI ": "avi"}


def sniff_web_asset(head: bytes) -> str | None:
    """Fonts, icons, WebAssembly, audio and video containers by their magic numbers."""
    for magic, kind in FONT_MAGICS:
        if head.startswith(magic) and len(head) >= 12 and 0 < int.from_bytes(head[4:6], "big") < 256:
            return kind
    if len(head) > 36 and head[34:36] == b"LP" and int.from_bytes(head[8:12], "little") in EOT_VERSIONS:
        return "eot"
    if head.startswith(b"\x00asm") and len(head) >= 8:
        return "wasm"
    if head[:4] in ICON_MAGICS and len(head) >= 22 and head[4:6] != b"\x00\x00":
        return "ico"
    for magic, kind in MEDIA_MAGICS:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] in RIFF_MEDIA:
        return RIFF_MEDIA[head[8:12]]
    if head.startswith(b"FORM") and head[8:12] in (b"AIFF", b"AIFC"):
        return "aiff"
    if head[4:8] == b"ftyp":
        return "mp4"  # ISO base media (mp4, m4a, mov, 3gp); HEIF pictures are told apart earlier
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free") and head[:4] != b"\x00\x00\x00\x00":
        return "mp4"  # QuickTime without a file-type box
    if len(head) >= 4 and head[0] == 0xFF and head[1] & 0xF0 == 0xF0 and head[1] != 0xFE:  # not a BOM
        # MPEG audio frame sync (mp3 without ID3) or ADTS AAC; checked last: least specific
        if not head[1] & 0x06:
            return "aac" if head[2] >> 2 & 0xF < 13 else None
        if head[2] >> 4 not in (0, 15) and head[2] >> 2 & 3 != 3:
            return "mp3"
    return None


def _sniff_zip(source: Source) -> str:
    try:
        with zipfile.ZipFile(source.open()) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                mime = zf.read("mimetype")[:100].strip()
                if mime in ODF_MIMETYPES:
                    return ODF_MIMETYPES[mime]
            if "xl/workbook.xml" in names or any(n.startswith("xl/workbook") for n in names):
                if "xl/workbook.bin" in names:
                    return "xlsb"
                return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
            if "word/document.xml" in names or any(n.startswith("word/") for n in names):
                return "docx"
            if "ppt/presentation.xml" in names or any(n.startswith("ppt/") for n in names):
                return "pptx"
            if any(n.startswith("visio/") for n in names):
                return "vsdx"
            if "[Content_Types].xml" in names:
                return "ooxml-unknown"
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError):
        # A broken zip that says it is Office is still a broken Office file: fail closed later.
        return "zip"
    return "zip"


def _sniff_ole(source: Source) -> str:
    import olefile

    try:
        with olefile.OleFileIO(source.open()) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
            # Word 97's file information block says whether the text is encrypted (fEncrypted)
            word_flags = ole.openstream("WordDocument").read(12)[10:12] if "worddocument" in streams else b""
    except Exception:  # olefile raises a variety of errors on corrupt input
        return "ole-corrupt"
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return "ooxml-encrypted"
    if len(word_flags) == 2 and word_flags[1] & 0x01:
        return "legacy-encrypted"
    if "encryptedsummary" in streams:
        return "legacy-encrypted"  # PowerPoint 97's encrypted document
    if "workbook" in streams or "book" in streams:
        return "xls"
    if "worddocument" in streams:
        return "doc"
    if "powerpoint document" in streams:
        return "ppt"
    if "visiodocument" in streams:
        return "vsd"
    from spillguard.extract.olepackage import is_package

    if is_package(streams):
        return "ole-package"  # an object embedded in an Office file: its payload is read
    return "ole"


def sniff_text(head: bytes) -> str:
    """Text types; `binary` when the bytes are not text in any encoding we accept."""
    if not head:
        return "empty"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or _looks_utf16(head):
        text = head.decode("utf-16", errors="ignore")
    else:
        if _binary(head):
            return "binary"
        text = (
            head.decode("utf-8", errors="ignore")
            if _is_utf8(head)
            else head.decode("cp1252", errors="replace")
        )
    return classify_text(text.lstrip("\ufeff \t\r\n"), complete=len(head) < TEXT_SAMPLE)


def classify_text(text: str, complete: bool = False) -> str:
    """`complete`: the text is the whole file, so JSON can be checked by parsing it."""
    lowered = text[:2048].lower()
    if text.startswith(("{", "[")) and _json_like(text, complete):
        return "sourcemap" if SOURCE_MAP.match(text) else "json"
    if lowered.startswith(("<!doctype html", "<html")) or ("<html" in lowered and "<body" in lowered):
        return "html"
    if lowered.startswith("<?xml") or (text.startswith("<") and not lowered.startswith("<!--")):
        if any(tag in lowered for tag in ("<html", "<body", "<table", "<div", "<p>")):
            return "html"
        return "svg" if SVG_ROOT.search(lowered) else "xml"
    if lowered.startswith("<!--") and ("<html" in lowered or "<div" in lowered or "<table" in lowered):
        return "html"
    if CSS.match(text):
        return "css"
    if JAVASCRIPT.search(text[:4096]):
        return "js"
    if _delimited(text):
        return "tsv" if _delimited(text) == "\t" else "csv"
    if _yaml_like(text):
        return "yaml"
    return "txt"


YAML_KEY = re.compile(r"^(?:---\s*$|\s*(?:- )?[\w\"'.-][\w \"'.-]{0,60}:(?:\s|$)|\s*- \S)")
YAML_SHARE = 0.8
YAML_MIN_LINES = 3


def _yaml_like(text: str) -> bool:
    """Structured YAML: most of the first lines are `key: value`, `- item` or `---`, with
    at least one mapping key (prose with a colon now and then is text)."""
    lines = [line for line in text.splitlines()[:40] if line.strip() and not line.lstrip().startswith("#")]
    if len(lines) < YAML_MIN_LINES:
        return False
    keyed = sum(1 for line in lines if YAML_KEY.match(line))
    return keyed >= len(lines) * YAML_SHARE and any(re.match(r"^\s*(?:- )?[^\s:]+:", line) for line in lines)


SVG_ROOT = re.compile(r"^(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*|<!doctype[^>]*>\s*)*<svg[\s>]", re.S)
# Source Map v3 (what a bundler writes beside minified JavaScript): JSON with these keys.
SOURCE_MAP = re.compile(r'\{\s*"(?:version|file|sources|sourceRoot|names|mappings|sections)"\s*:')
# Stylesheets and scripts: judged by how they start, after comments; they are text either way.
_LEADING_COMMENTS = r"(?:\s*(?:/\*.*?\*/|//[^\n]*\n))*\s*"
CSS = re.compile(
    _LEADING_COMMENTS + r"(?:@(?:charset|import|media|font-face|layer|keyframes|supports|namespace)\b"
    r"|[*:.#]?[\w\-\[\]=\"':.,#>~+ ()*]{1,200}\{\s*(?:[\w-]+\s*:|\}|[.#\w-]+[^{}]*\{))",
    re.S,
)
JAVASCRIPT = re.compile(
    r"^" + _LEADING_COMMENTS + r"(?:[\"']use strict[\"']|\(function\b|!function\b|function\s+[\w$]+\s*\("
    r"|(?:var|let|const)\s+[\w$\[{]|import\s+[\w{*\"']|export\s+(?:default|const|function|class|\{)"
    r"|(?:window|document|self|globalThis|module\.exports|define|require)\b\s*[.(=\[]"
    r"|\(\s*\(\s*\)\s*=>|[\w$]+\s*=\s*function\b|class\s+[\w$]+\s*(?:extends|\{))",
    re.S,
)


def _json_like(text: str, complete: bool) -> bool:
    if complete:
        try:
            json.loads(text)
            return True
        except ValueError:
            pass
    first = text.split("\n", 1)[0].strip()
    try:
        json.loads(first)
        return True  # JSON Lines, or JSON on one line
    except ValueError:
        pass
    if complete:
        return False
    # A long multi-line JSON document: the first line alone is not valid, but its shape is.
    return bool(re.match(r'[\[{]\s*(?:"[^"\n]*"\s*:|[\[{"]|\d|true|false|null|\]|\})', text))


def _delimited(text: str) -> str | None:
    """The delimiter when the first lines split into the same number (>1) of fields."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if len(lines) < 2:
        return None
    if len(text) >= TEXT_SAMPLE - 4:
        lines = lines[:-1]  # the sample may cut the last line short
    for delim in (",", "\t", ";", "|"):
        counts = {line.count(delim) for line in lines}
        if len(counts) == 1 and next(iter(counts)) >= 1:
            return delim
    # Quoted fields may contain the delimiter: fall back to the csv sniffer.
    import csv

    try:
        dialect = csv.Sniffer().sniff("\n".join(lines), delimiters=",\t;|")
        if dialect.delimiter in ",\t;|" and all(dialect.delimiter in line for line in lines):
            return dialect.delimiter
    except csv.Error:
        return None
    return None


def _binary(head: bytes) -> bool:
    sample = head[:4096]
    if b"\x00" in sample:
        return True
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control > len(sample) * 0.05


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start > len(head) - 4  # cut in the middle of a character at the sample end


def _looks_utf16(head: bytes) -> bool:
    sample = head[:200]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4 and sample[0::2].count(0) == 0


UNINSPECTABLE_TYPES: dict[str, str] = {
    "ooxml-encrypted": "encrypted",
    "legacy-encrypted": "encrypted",
    "ole-corrupt": "corrupt OLE2 container",
    "ole": "unknown OLE2 document",
    "odp": "OpenDocument presentations are not supported yet",
    "ooxml-unknown": "unknown Office Open XML package",
    "binary": "unknown binary type",
    "unsupported-archive": "unsupported archive type (rar, 7z)",
}
IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "tiff", "bmp", "webp", "heic", "ico"})


def refuse(kind: str) -> None:
    """Raise Uninspectable for types we recognise but cannot read completely."""
    if kind in UNINSPECTABLE_TYPES:
        raise Uninspectable(UNINSPECTABLE_TYPES[kind])
