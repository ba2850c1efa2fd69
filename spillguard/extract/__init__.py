"""Extractors: one module per format family, chosen by the type sniffed from content.

Each extractor is `extract(source, limits) -> Iterator[Content]` and raises `Uninspectable`
when it cannot read everything. The table below is the whole registry; modules load lazily so
a scan of CSV files never imports the PDF engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spillguard.extract.base import Extractor, Limits, Source
    from spillguard.model import Content

EXTRACTORS: dict[str, str] = {
    "xlsx": "spillguard.extract.spreadsheet:extract_xlsx",
    "xlsm": "spillguard.extract.spreadsheet:extract_xlsx",
    "xlsb": "spillguard.extract.spreadsheet:extract_xlsb",
    "xls": "spillguard.extract.spreadsheet:extract_xls",
    "ods": "spillguard.extract.spreadsheet:extract_ods",
    "csv": "spillguard.extract.delimited:extract_delimited",
    "tsv": "spillguard.extract.delimited:extract_delimited",
    "txt": "spillguard.extract.plaintext:extract_text",
    "md": "spillguard.extract.plaintext:extract_text",
    "docx": "spillguard.extract.wordprocessing:extract_docx",
    "pptx": "spillguard.extract.presentation:extract_pptx",
    "odt": "spillguard.extract.opendocument:extract_odt",
    "pdf": "spillguard.extract.pdf:extract_pdf",
    "html": "spillguard.extract.markup:extract_html",
    "xml": "spillguard.extract.markup:extract_xml",
    "json": "spillguard.extract.markup:extract_json",
    "yaml": "spillguard.extract.yamldoc:extract_yaml",
    "zip": "spillguard.extract.archive:extract_zip",
    "tar": "spillguard.extract.archive:extract_tar",
    "gz": "spillguard.extract.archive:extract_compressed",
    "bz2": "spillguard.extract.archive:extract_compressed",
    "xz": "spillguard.extract.archive:extract_compressed",
    "png": "spillguard.extract.image:extract_image",
    "jpeg": "spillguard.extract.image:extract_image",
    "gif": "spillguard.extract.image:extract_image",
    "tiff": "spillguard.extract.image:extract_image",
    "bmp": "spillguard.extract.image:extract_image",
    "webp": "spillguard.extract.image:extract_image",
    "heic": "spillguard.extract.image:extract_image",
    "emf": "spillguard.extract.metafile:extract_emf",
    "wmf": "spillguard.extract.metafile:extract_wmf",
    "svm": "spillguard.extract.metafile:extract_unread_metafile",
    "ole-package": "spillguard.extract.olepackage:extract_ole_package",
    "doc": "spillguard.extract.legacy:extract_legacy",
    "ppt": "spillguard.extract.legacy:extract_legacy",
    "rtf": "spillguard.extract.legacy:extract_legacy",
    "wpd": "spillguard.extract.legacy:extract_legacy",
    "vsd": "spillguard.extract.legacy:extract_legacy",
    "vsdx": "spillguard.extract.legacy:extract_legacy",
    "svg": "spillguard.extract.markup:extract_svg",
    "sourcemap": "spillguard.extract.markup:extract_json",
    "js": "spillguard.extract.markup:extract_web_text",
    "css": "spillguard.extract.markup:extract_web_text",
    "ico": "spillguard.extract.image:extract_image",
    "woff": "spillguard.extract.webasset:extract_font",
    "woff2": "spillguard.extract.webasset:extract_font",
    "ttf": "spillguard.extract.webasset:extract_font",
    "otf": "spillguard.extract.webasset:extract_font",
    "ttc": "spillguard.extract.webasset:extract_font",
    "eot": "spillguard.extract.webasset:extract_eot",
    "wasm": "spillguard.extract.webasset:extract_wasm",
    "mp3": "spillguard.extract.media:extract_media",
    "aac": "spillguard.extract.media:extract_media",
    "mp4": "spillguard.extract.media:extract_media",
    "wav": "spillguard.extract.media:extract_media",
    "ogg": "spillguard.extract.media:extract_media",
    "flac": "spillguard.extract.media:extract_media",
    "webm": "spillguard.extract.media:extract_media",
    "avi": "spillguard.extract.media:extract_media",
    "flv": "spillguard.extract.media:extract_media",
    "aiff": "spillguard.extract.media:extract_media",
    "midi": "spillguard.extract.media:extract_media",
}


def extractor_for(kind: str) -> Extractor | None:
    target = EXTRACTORS.get(kind)
    if target is None:
        return None
    module, func = target.split(":")
    return getattr(importlib.import_module(module), func)  # type: ignore[no-any-return]


def extract(kind: str, source: Source, limits: Limits) -> Iterator[Content]:
    fn = extractor_for(kind)
    if fn is None:
        from spillguard.model import Uninspectable

        raise Uninspectable(f"no extractor for type {kind}")
    return fn(source, limits)


__all__ = ["EXTRACTORS", "extract", "extractor_for"]
