"""`spillguard exposure --format json` validates against spec/exposure.schema.json, with and
without an incident store, network owners and internal networks."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from tests.respond import loggen

SCHEMA = Path(__file__).resolve().parents[2] / "spec" / "exposure.schema.json"


def validate(text: str) -> tuple[dict[str, object], list[str]]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    data = json.loads(text)
    errors = Draft202012Validator(schema).iter_errors(data)
    return data, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]


def test_exposure_json_validates(app: typer.Typer, tmp_path: Path, mmdb_path: Path) -> None:
    logs = [loggen.write_log(tmp_path, "combined", compress=True), loggen.write_log(tmp_path, "s3")]
    args = [str(a) for a in logs]
    urls = [a for url in loggen.URLS for a in ("--url", url)]
    window = ["--from", "2022-11-28T14:00:00Z", "--to", "2022-11-28T19:00:00Z"]
    owners = ["--asn-db", str(mmdb_path), "--internal", "192.0.2.0/24"]
    command = ["exposure", *args, *urls, "--size", str(loggen.SIZE), *window, *owners, "--format", "json"]
    result = CliRunner().invoke(app, command)
    assert result.exit_code == 0, result.stderr
    data, errors = validate(result.stdout)
    assert errors == []
    assert data["clients"] and data["requests"] and data["first_outside_download"]


def test_an_open_window_and_no_owners_validate_too(app: typer.Typer, tmp_path: Path) -> None:
    log = loggen.write_log(tmp_path, "common")
    result = CliRunner().invoke(
        app, ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE), "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data, errors = validate(result.stdout)
    assert errors == []
    assert data["query"]["from"] is None  # type: ignore[index]


def test_the_schema_refuses_a_renamed_field(app: typer.Typer, tmp_path: Path) -> None:
    log = loggen.write_log(tmp_path, "combined")
    result = CliRunner().invoke(
        app, ["exposure", str(log), "--url", loggen.URLS[0], "--size", str(loggen.SIZE), "--format", "json"]
    )
    data = json.loads(result.stdout)
    client = data["clients"][0]
    client["downloaded"] = client.pop("complete")
    _, errors = validate(json.dumps(data))
    assert any("complete" in e for e in errors)
