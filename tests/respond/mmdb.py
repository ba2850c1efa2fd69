"""A minimal MaxMind DB writer, so tests can build a tiny ASN database at test time.

Implements just what an ASN database needs: an IPv6 search tree with 24-bit records (IPv4
networks under ::/96, where readers look for them) and maps of strings and unsigned integers.
Format: https://maxmind.github.io/MaxMind-DB/
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import Any

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"
EMPTY = -1


def _control(type_number: int, size: int) -> bytes:
    if type_number <= 7:
        first, extended = type_number << 5, b""
    else:
        first, extended = 0, bytes([type_number - 7])
    if size < 29:
        return bytes([first | size]) + extended
    if size < 29 + 256:
        return bytes([first | 29]) + extended + bytes([size - 29])
    return bytes([first | 30]) + extended + struct.pack(">H", size - 285)


def _uint(type_number: int, value: int) -> bytes:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
    return _control(type_number, len(raw)) + raw


def encode(value: Any) -> bytes:
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _control(2, len(raw)) + raw
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, int):
        return _uint(6 if value < 2**32 else 9, value)
    if isinstance(value, dict):
        body = b"".join(encode(str(k)) + encode(v) for k, v in value.items())
        return _control(7, len(value)) + body
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(v) for v in value)
    raise TypeError(f"cannot encode {type(value).__name__}")


def _bits(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> list[int]:
    if network.version == 4:
        address, prefix = int(network.network_address), 96 + network.prefixlen
    else:
        address, prefix = int(network.network_address), network.prefixlen
    return [(address >> (127 - i)) & 1 for i in range(prefix)]


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]], database_type: str) -> None:
    nodes: list[list[Any]] = [[EMPTY, EMPTY]]
    data = b""
    offsets: dict[str, int] = {}
    for cidr, record in networks.items():
        encoded = encode(record)
        key = encoded.hex()
        if key not in offsets:
            offsets[key] = len(data)
            data += encoded
        bits = _bits(ipaddress.ip_network(cidr))
        node = 0
        for bit in bits[:-1]:
            if isinstance(nodes[node][bit], tuple):
                raise ValueError(f"{cidr} overlaps a network already written (unsupported)")
            if nodes[node][bit] == EMPTY:
                nodes.append([EMPTY, EMPTY])
                nodes[node][bit] = len(nodes) - 1
            node = nodes[node][bit]
        nodes[node][bits[-1]] = ("data", offsets[key])
    count = len(nodes)

    def record_value(record: Any) -> int:
        if record == EMPTY:
            return count
        if isinstance(record, tuple):
            return count + 16 + record[1]
        return int(record)

    tree = b"".join(
        record_value(left).to_bytes(3, "big") + record_value(right).to_bytes(3, "big")
        for left, right in nodes
    )
    metadata = {
        "node_count": count,
        "record_size": 24,
        "ip_version": 6,
        "database_type": database_type,
        "languages": ["en"],
        "binary_format_major_version": 2,
        "binary_format_minor_version": 0,
        "build_epoch": 1669593600,
        "description": {"en": "spillguard test database"},
    }
    meta = METADATA_MARKER + _metadata(metadata)
    path.write_bytes(tree + b"\x00" * 16 + data + meta)


def _metadata(metadata: dict[str, Any]) -> bytes:
    """The metadata map; readers insist on uint16 and uint64 where the format says so."""
    uint16 = {"record_size", "ip_version", "binary_format_major_version",
              "binary_format_minor_version"}  # fmt: skip
    body = b""
    for key, value in metadata.items():
        body += encode(key)
        if key in uint16:
            body += _uint(5, value)
        elif key == "build_epoch":
            body += _uint(9, value)
        else:
            body += encode(value)
    return _control(7, len(metadata)) + body
