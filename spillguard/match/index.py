"""The repost index: for each leaked person, HMAC-SHA256 fingerprints (keyed with a secret kept
apart from the index) of their normalised identifiers and field combinations — the A-number;
name and birth date; name, nationality and facility. The index holds no value in clear and
nothing that can be reversed without the key; it says how many people it covers.

File layout: one JSON header line, then sorted fixed-size entries (16 bytes of fingerprint,
4 bytes of person number), then a bitmap with one bit set per fingerprint (at its first bits),
then a bitmap with one bit set per keyed word of the leaked names. Looked up by binary search
over the bytes as read, after the bitmap has turned away the many fingerprints of a document
that are nobody's; text is read for names only where two name words stand together. Loading is
one read, and memory is the file's size."""

from __future__ import annotations

import hashlib
import hmac
import json
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from spillguard.errors import UserError
from spillguard.files import write_atomic
from spillguard.people.identity import Person, keys, name_words
from spillguard.people.records import PersonRecord

FORMAT = "spillguard-repost-index"
VERSION = 2
DIGEST = 16  # bytes of HMAC-SHA256 kept: 2^-128 chance of a false match per pair
ENTRY = DIGEST + 4
HKDF_INFO = b"spillguard fingerprint v1"
MAX_HEADER = 4096


def fingerprint_key(secret: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret)


def fingerprint(key: bytes, parts: tuple[str, ...]) -> bytes:
    """One identity key (its kind first, see people.identity.keys), keyed and cut to DIGEST."""
    return hmac.digest(key, "\x1f".join(parts).encode(), hashlib.sha256)[:DIGEST]


def fingerprints(key: bytes, record: PersonRecord) -> list[tuple[str, bytes]]:
    """The record's fingerprints, with the kind of key each is of ("A" for the A-number, "ND"
    name and birth date, "NNF" name, nationality and facility; see people.identity.keys)."""
    return [(parts[0], fingerprint(key, parts)) for parts in keys(record)]


# The top bit of an entry's person number says the person has an A-number in the index: a
# record whose own A-number is another one is another person, however alike their names.
HAS_A_NUMBER = 0x8000_0000


def build_index(key: bytes, people: Iterable[Person], out: Path) -> int:
    """Write the index of these people; return how many it covers."""
    entries: list[bytes] = []
    words: set[bytes] = set()
    count = 0
    for number, person in enumerate(people):
        count += 1
        found = fingerprints(key, PersonRecord(person.fields, ""))
        flag = HAS_A_NUMBER if any(kind == "A" for kind, _ in found) else 0
        entries.extend(digest + struct.pack(">I", number | flag) for _, digest in found)
        words.update(word_fingerprint(key, w) for w in name_words(person.fields.get("person_name", "")))
    entries.sort()
    filter_log2, words_log2 = _bitmap_log2(len(entries)), _bitmap_log2(len(words))
    header = {
        "format": FORMAT,
        "version": VERSION,
        "people": count,
        "entries": len(entries),
        "digest": DIGEST,
        "filter_log2": filter_log2,
        "words_log2": words_log2,
    }
    body = b"".join(entries) + _bitmap(entries, filter_log2) + _bitmap(words, words_log2)
    write_atomic(out, json.dumps(header).encode() + b"\n" + body)
    return count


def word_fingerprint(key: bytes, word: str) -> bytes:
    return fingerprint(key, ("W", word))


def _bitmap_log2(items: int) -> int:
    """About 16 bits an item: one in sixteen misses gets past the bitmap."""
    return max(16, (items * 16).bit_length())


def _bitmap(digests: Iterable[bytes], log2: int) -> bytes:
    bitmap = bytearray(1 << (log2 - 3))
    for digest in digests:
        bit = _bit(digest, log2)
        bitmap[bit >> 3] |= 1 << (bit & 7)
    return bytes(bitmap)


def _bit(digest: bytes, log2: int) -> int:
    return int.from_bytes(digest[:8], "big") >> (64 - log2)


def _in_bitmap(bitmap: bytes, log2: int, digest: bytes) -> bool:
    bit = _bit(digest, log2)
    return bool(bitmap[bit >> 3] >> (bit & 7) & 1)


@dataclass(frozen=True)
class Index:
    people: int
    data: bytes  # the sorted entries
    bitmap: bytes
    filter_log2: int
    words: bytes
    words_log2: int

    @classmethod
    def load(cls, path: Path) -> Index:
        raw = path.read_bytes()
        line, newline, rest = raw.partition(b"\n")
        try:
            header = json.loads(line[:MAX_HEADER])
        except ValueError:
            header = None
        if not newline or not isinstance(header, dict) or header.get("format") != FORMAT:
            raise UserError(f"{path}: not a spillguard repost index")
        try:
            people, entries, filter_log2, words_log2 = (
                int(header[k]) for k in ("people", "entries", "filter_log2", "words_log2")
            )
            supported = header["version"] == VERSION and header["digest"] == DIGEST
        except (KeyError, TypeError, ValueError):
            supported = False
        size = filters = -1
        if supported and 16 <= filter_log2 <= 40 and 16 <= words_log2 <= 40:
            filters = entries * ENTRY + (1 << (filter_log2 - 3))
            size = filters + (1 << (words_log2 - 3))
        if len(rest) != size:
            raise UserError(f"{path}: unsupported or damaged index (build it again: spillguard fingerprint)")
        data, bitmap, words = rest[: entries * ENTRY], rest[entries * ENTRY : filters], rest[filters:]
        return cls(people, data, bitmap, filter_log2, words, words_log2)

    def __len__(self) -> int:
        return len(self.data) // ENTRY

    def people_of(self, digest: bytes) -> Iterator[tuple[int, bool]]:
        """The people a fingerprint belongs to (binary search over the entries): each person's
        number, and whether the index holds an A-number of theirs."""
        if not _in_bitmap(self.bitmap, self.filter_log2, digest):
            return
        lo, hi = 0, len(self)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.data[mid * ENTRY : mid * ENTRY + DIGEST] < digest:
                lo = mid + 1
            else:
                hi = mid
        while lo < len(self) and self.data[lo * ENTRY : lo * ENTRY + DIGEST] == digest:
            value = struct.unpack(">I", self.data[lo * ENTRY + DIGEST : (lo + 1) * ENTRY])[0]
            yield value & ~HAS_A_NUMBER, bool(value & HAS_A_NUMBER)
            lo += 1

    def has_name_word(self, key: bytes, word: str) -> bool:
        """Whether a leaked name may hold this word (one in sixteen others is said to as well)."""
        return _in_bitmap(self.words, self.words_log2, word_fingerprint(key, word))

    def people_in(self, key: bytes, record: PersonRecord) -> set[int]:
        """The leaked people this record is: by its A-number; by its name with birth date, or
        with nationality and facility, unless the record's A-number says it is someone else."""
        found = fingerprints(key, record)
        by_number = {n for kind, d in found if kind == "A" for n, _ in self.people_of(d)}
        has_number = any(kind == "A" for kind, _ in found)
        people = set(by_number)
        for kind, digest in found:
            if kind == "A":
                continue
            for number, indexed_number in self.people_of(digest):
                if not (has_number and indexed_number and number not in by_number):
                    people.add(number)
        return people
