"""Fixtures for the incident-response tests: logs and databases built at test time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import typer

from spillguard.cli.respond import register
from tests import pg
from tests.respond import loggen
from tests.respond.mmdb import write_mmdb

pytest.importorskip("duckdb")

# Documentation ASNs (RFC 5398) for invented networks.
NETWORKS = {
    "203.0.113.0/28": {"autonomous_system_number": 64500,
                       "autonomous_system_organization": "Example University"},
    "203.0.113.48/28": {"autonomous_system_number": 64501,
                        "autonomous_system_organization": "Example Newsroom Ltd"},
    "198.51.100.16/29": {"autonomous_system_number": 64502,
                         "autonomous_system_organization": "Example Search Inc"},
    "198.51.100.24/29": {"autonomous_system_number": 64503,
                         "autonomous_system_organization": "Example Archive Foundation"},
    "198.51.100.40/29": {"autonomous_system_number": 64504,
                         "autonomous_system_organization": "Example Monitoring Co"},
    "2001:db8::/32": {"autonomous_system_number": 64505,
                      "autonomous_system_organization": "Example Hosting GmbH"},
}  # fmt: skip


@pytest.fixture
def mmdb_path(tmp_path: Path) -> Path:
    path = tmp_path / "asn.mmdb"
    write_mmdb(path, NETWORKS, "GeoLite2-ASN")
    return path


@pytest.fixture
def combined_log(tmp_path: Path) -> Path:
    return loggen.write_log(tmp_path, "combined")


@pytest.fixture
def app() -> typer.Typer:
    """Only the incident-response commands, as the main CLI registers them."""
    application = typer.Typer(pretty_exceptions_enable=False)

    @application.callback()
    def root() -> None:
        """spillguard"""

    register(application)
    return application


@pytest.fixture
def postgres_url(postgres_server: pg.PostgresServer) -> Iterator[str]:
    """A postgresql:// URL of a new, empty database, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty incident store of each backend; PostgreSQL's server starts only when asked for."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store' / 'incidents.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url
