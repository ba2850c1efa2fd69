"""Who owns the network an address is in: ASN and organization, from an offline database.

The user supplies the database (MaxMind GeoLite2-ASN or DB-IP ASN `.mmdb`, or an
ip-to-ASN TSV of `start end asn country description`), so attribution works on a machine
with no network and never leaks the list of downloaders to a lookup service. Reverse DNS
does reach the network, so it only runs when asked.
"""

from __future__ import annotations

import bisect
import ipaddress
import socket
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from spillguard.errors import UserError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RDNS_TIMEOUT_SECONDS = 5.0


class AttributionError(UserError, ValueError):
    """A network-owner database that cannot be read."""


@dataclass(frozen=True)
class NetworkOwner:
    asn: int | None
    organization: str | None


UNKNOWN_OWNER = NetworkOwner(None, None)


class OwnerLookup(Protocol):
    def owner(self, ip: str) -> NetworkOwner: ...


def _parse_ip(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None


class MmdbOwners:
    """MaxMind DB files: GeoLite2-ASN / DB-IP ASN keys, and ipinfo's `asn`/`as_name`."""

    def __init__(self, path: Path) -> None:
        import maxminddb

        try:
            self._reader = maxminddb.open_database(str(path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise AttributionError(f"{path}: not a readable .mmdb database: {exc}") from exc

    def owner(self, ip: str) -> NetworkOwner:
        address = _parse_ip(ip)
        if address is None:
            return UNKNOWN_OWNER
        try:
            record = self._reader.get(address)
        except ValueError:  # an IPv6 address in an IPv4-only database
            return UNKNOWN_OWNER
        if not isinstance(record, dict):
            return UNKNOWN_OWNER
        asn = record.get("autonomous_system_number", record.get("asn"))
        org = record.get("autonomous_system_organization", record.get("as_name"))
        if isinstance(asn, str):
            digits = asn.upper().removeprefix("AS")
            asn = int(digits) if digits.isdigit() else None
        return NetworkOwner(asn if isinstance(asn, int) else None, org if isinstance(org, str) else None)


class TsvOwners:
    """iptoasn-style TSV: `range_start<TAB>range_end<TAB>asn<TAB>country<TAB>description`."""

    def __init__(self, path: Path) -> None:
        rows: dict[int, list[tuple[int, int, NetworkOwner]]] = {4: [], 6: []}
        try:
            with open(path, encoding="utf-8", errors="replace") as handle:
                for number, line in enumerate(handle, 1):
                    self._add(rows, line, number, path)
        except OSError as exc:
            raise AttributionError(f"{path}: cannot read: {exc.strerror or exc}") from exc
        self._starts: dict[int, list[int]] = {}
        self._rows: dict[int, list[tuple[int, int, NetworkOwner]]] = {}
        for version, ranges in rows.items():
            ranges.sort(key=lambda row: row[0])
            self._rows[version] = ranges
            self._starts[version] = [row[0] for row in ranges]

    @staticmethod
    def _add(
        rows: dict[int, list[tuple[int, int, NetworkOwner]]], line: str, number: int, path: Path
    ) -> None:
        if not line.strip() or line.startswith("#"):
            return
        parts = line.rstrip("\r\n").split("\t")
        first, last = (_parse_ip(p) for p in parts[:2]) if len(parts) >= 3 else (None, None)
        if first is None or last is None or first.version != last.version:
            raise AttributionError(f"{path}:{number}: expected start, end, asn separated by tabs")
        digits = parts[2].strip().upper().removeprefix("AS")
        asn = int(digits) if digits.isdigit() and int(digits) != 0 else None
        org = parts[4].strip() if len(parts) > 4 and parts[4].strip() else None
        if asn is None and org is None:
            return  # "Not routed" rows of iptoasn
        rows[first.version].append((int(first), int(last), NetworkOwner(asn, org)))

    def owner(self, ip: str) -> NetworkOwner:
        address = _parse_ip(ip)
        if address is None:
            return UNKNOWN_OWNER
        key = int(address)
        index = bisect.bisect_right(self._starts[address.version], key) - 1
        if index >= 0:
            start, end, owner = self._rows[address.version][index]
            if start <= key <= end:
                return owner
        return UNKNOWN_OWNER


def open_owner_database(path: Path) -> OwnerLookup:
    """An .mmdb file or an ip-to-ASN TSV, told apart by content."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 128 * 1024))
            tail = handle.read()
    except OSError as exc:
        raise AttributionError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    if b"\xab\xcd\xefMaxMind.com" in tail:
        return MmdbOwners(path)
    return TsvOwners(path)


def in_networks(ip: str, networks: Iterable[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    address = _parse_ip(ip)
    return address is not None and any(address in net for net in networks)


Resolver = Callable[[str], str | None]


def system_resolver(ip: str) -> str | None:
    try:
        return socket.gethostbyaddr(ip)[0]
    except (OSError, UnicodeError):
        return None


def reverse_dns(
    ips: Iterable[str], resolver: Resolver = system_resolver, timeout: float = RDNS_TIMEOUT_SECONDS
) -> dict[str, str | None]:
    """Host names for `ips`, looked up in parallel; slow or failed look-ups give None."""
    unique = sorted(set(ips))
    pool = ThreadPoolExecutor(max_workers=16)
    futures = {ip: pool.submit(resolver, ip) for ip in unique}
    wait(futures.values(), timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    return {ip: (f.result() if f.done() and not f.exception() else None) for ip, f in futures.items()}
