"""CSV and TSV: encoding and delimiter sniffed, rows streamed in chunks so a million-row
export is read at constant memory."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from spillguard.extract.base import Limits, Source
from spillguard.extract.sniff import TEXT_SAMPLE
from spillguard.model import Content, Table, Uninspectable

CHUNK_ROWS = 20_000
MAX_FIELD = 16 * 1024 * 1024
CODEPAGE_TIE = 0.01  # chaos/coherence difference below which two code pages fit equally


def extract_delimited(source: Source, limits: Limits) -> Iterator[Content]:
    head = source.head(TEXT_SAMPLE)
    encoding = sniff_encoding(head)
    sample = head.decode(encoding, errors="ignore")
    delimiter = sniff_delimiter(sample)
    csv.field_size_limit(MAX_FIELD)
    with source.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        chunk: list[list[str]] = []
        first = 1
        try:
            for row in reader:
                chunk.append(row)
                if len(chunk) >= CHUNK_ROWS:
                    source.check_time()
                    yield _table(chunk, first)
                    first += len(chunk)
                    chunk = []
        except csv.Error as exc:
            raise Uninspectable(f"corrupt delimited text ({exc})") from None
        if chunk or first == 1:
            yield _table(chunk, first)


def _table(rows: list[list[str]], first: int) -> Table:
    return Table(
        part="body",
        rows=rows,
        row_numbers=range(first, first + len(rows)),
        key="body",
        is_continuation=first > 1,
    )


def sniff_encoding(head: bytes) -> str:
    """BOMs first, then UTF-8, then charset-normalizer's best guess, then cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start > len(head) - 4:
            return "utf-8"
    from charset_normalizer import from_bytes

    matches = from_bytes(head[:16384])
    best = matches.best()
    if best is None:
        return "cp1252"
    # Short Western text often fits several single-byte code pages equally well (an export
    # with "PEÑA" reads as cp1250 "PEŃA" too); on a tie, take the one Windows in the US and
    # Western Europe writes.
    for match in matches:
        if (
            "cp1252" in match.could_be_from_charset
            and match.chaos <= best.chaos + CODEPAGE_TIE
            and match.coherence >= best.coherence - CODEPAGE_TIE
        ):
            return "cp1252"
    return best.encoding


def sniff_delimiter(sample: str) -> str:
    lines = [line for line in sample.splitlines()[:50] if line.strip()][:-1] or sample.splitlines()[:1]
    best, best_score = ",", -1
    for delim in (",", "\t", ";", "|"):
        counts = [line.count(delim) for line in lines]
        if not counts or min(counts) == 0:
            continue
        # The delimiter splits every line into the same number of fields, most often.
        score = sum(1 for c in counts if c == max(set(counts), key=counts.count)) * 10 + min(counts)
        if score > best_score:
            best, best_score = delim, score
    return best
