"""Network owners from .mmdb and TSV databases, reverse DNS on request, agent classes."""

from __future__ import annotations

from pathlib import Path

import pytest

from spillguard.respond.attribution import (
    AttributionError,
    MmdbOwners,
    NetworkOwner,
    TsvOwners,
    open_owner_database,
    reverse_dns,
)
from spillguard.respond.exposure import analyze, attribute
from spillguard.respond.url_paths import NORMALIZE_SQL, normalize_path
from tests.respond import loggen
from tests.respond.test_exposure import QUERY


def test_mmdb_gives_asn_and_organization(mmdb_path: Path) -> None:
    owners = open_owner_database(mmdb_path)

    assert isinstance(owners, MmdbOwners)
    assert owners.owner("203.0.113.10") == NetworkOwner(64500, "Example University")
    assert owners.owner("2001:db8::50") == NetworkOwner(64505, "Example Hosting GmbH")
    assert owners.owner("192.0.2.90") == NetworkOwner(None, None)
    assert owners.owner("not an ip") == NetworkOwner(None, None)


def test_tsv_ranges_are_looked_up_by_address(tmp_path: Path) -> None:
    path = tmp_path / "ip2asn.tsv"
    path.write_text(
        "203.0.113.0\t203.0.113.63\t64500\tZZ\tExample University\n"
        "198.51.100.0\t198.51.100.255\t0\tNone\tNot routed\n"
        "2001:db8::\t2001:db8:ffff:ffff:ffff:ffff:ffff:ffff\t64505\tZZ\tExample Hosting GmbH\n"
    )

    owners = open_owner_database(path)

    assert isinstance(owners, TsvOwners)
    assert owners.owner("203.0.113.63") == NetworkOwner(64500, "Example University")
    assert owners.owner("203.0.113.64") == NetworkOwner(None, None)
    assert owners.owner("198.51.100.20") == NetworkOwner(None, "Not routed")
    assert owners.owner("2001:db8::50").asn == 64505


def test_a_broken_tsv_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("203.0.113.0\t203.0.113.63\t64500\tZZ\tok\nnonsense\n")

    with pytest.raises(AttributionError, match=r"bad.tsv:2"):
        open_owner_database(path)


def test_attribution_fills_every_client(tmp_path: Path, mmdb_path: Path) -> None:
    exposure = analyze([loggen.write_log(tmp_path, "combined")], QUERY, threads=1)

    attributed = attribute(exposure, open_owner_database(mmdb_path), {"203.0.113.10": "h.example"})

    by_ip = {c.ip: c for c in attributed.clients}
    assert by_ip["203.0.113.10"].organization == "Example University"
    assert by_ip["203.0.113.10"].hostname == "h.example"
    assert by_ip["198.51.100.20"].asn == 64502
    assert by_ip["203.0.113.60"].organization == "Example Newsroom Ltd"
    assert by_ip["192.0.2.90"].asn is None


def test_reverse_dns_uses_the_resolver_and_tolerates_failures() -> None:
    names = {"203.0.113.10": "reader.example"}

    result = reverse_dns(["203.0.113.10", "203.0.113.11", "203.0.113.10"], names.get)

    assert result == {"203.0.113.10": "reader.example", "203.0.113.11": None}


@pytest.mark.parametrize(
    "target",
    [
        "/Files//FY23%20x.xlsx?a=1",
        "https://cdn.example.net:443/a/B.xlsx#frag",
        "files/a.xlsx",
        "/a%ff.xlsx",
        "/a+b%2Bc.xlsx",
        "/%C3%A9t%C3%A9.XLSX",
    ],
)
def test_python_and_sql_normalization_agree(target: str) -> None:
    import duckdb

    con = duckdb.connect()
    con.execute(NORMALIZE_SQL)

    assert con.execute("SELECT sg_norm(?)", [target]).fetchone() == (normalize_path(target),)
