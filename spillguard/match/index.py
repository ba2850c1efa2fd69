"""The repost index: for each leaked person, HMAC-SHA256 fingerprints (keyed with a secret kept
apart from the index) of their normalised identifiers and field combinations — the A-number;
name and birth date; name, nationality and facility. The index holds no value in clear and
nothing that can be reversed without the key; it says how many people it covers.

File layout: one JSON header line, then sorted fixed-size entries (16 bytes of fingerprint,
4 bytes of person number). Looked up by binary search over the bytes as read: loading is one
read, and memory is the file's size."""

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
from spillguard.people.identity import Person, keys
from spillguard.people.records import PersonRecord

FORMAT = "spillguard-repost-index"
VERSION = 1
DIGEST = 16  # bytes of HMAC-SHA256 kept: 2^-128 chance of a false match per pair
ENTRY = DIGEST + 4
HKDF_INFO = b"spillguard fingerprint v1"
MAX_HEADER = 4096


def fingerprint_key(secret: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret)


def fingerprints(key: bytes, record: PersonRecord) -> list[tuple[str, bytes]]:
    """The record's fingerprints, with the kind of key each is of ("A" for the A-number, "ND"
    name and birth date, "NNF" name, nationality and facility; see people.identity.keys)."""
    return [
        (parts[0], hmac.new(key, "\x1f".join(parts).encode(), hashlib.sha256).digest()[:DIGEST])
        for parts in keys(record)
    ]


# The top bit of an entry's person number says the person has an A-number in the index: a
# record whose own A-number is another one is another person, however alike their names.
HAS_A_NUMBER = 0x8000_0000


def build_index(key: bytes, people: Iterable[Person], out: Path) -> int:
    """Write the index of these people; return how many it covers."""
    entries: list[bytes] = []
    count = 0
    for number, person in enumerate(people):
        count += 1
        found = fingerprints(key, PersonRecord(person.fields, ""))
        flag = HAS_A_NUMBER if any(kind == "A" for kind, _ in found) else 0
        entries.extend(digest + struct.pack(">I", number | flag) for _, digest in found)
    entries.sort()
    header = {
        "format": FORMAT,
        "version": VERSION,
        "people": count,
        "entries": len(entries),
        "digest": DIGEST,
    }
    write_atomic(out, json.dumps(header).encode() + b"\n" + b"".join(entries))
    return count


@dataclass(frozen=True)
class Index:
    people: int
    data: bytes  # the sorted entries

    @classmethod
    def load(cls, path: Path) -> Index:
        raw = path.read_bytes()
        line, newline, data = raw.partition(b"\n")
        try:
            header = json.loads(line[:MAX_HEADER])
        except ValueError:
            header = None
        if not newline or not isinstance(header, dict) or header.get("format") != FORMAT:
            raise UserError(f"{path}: not a spillguard repost index")
        if header.get("version") != VERSION or header.get("digest") != DIGEST or len(data) % ENTRY:
            raise UserError(f"{path}: unsupported or damaged index")
        return cls(int(header["people"]), data)

    def __len__(self) -> int:
        return len(self.data) // ENTRY

    def people_of(self, digest: bytes) -> Iterator[tuple[int, bool]]:
        """The people a fingerprint belongs to (binary search over the entries): each person's
        number, and whether the index holds an A-number of theirs."""
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
