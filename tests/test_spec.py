"""The scan report as the command prints it validates against spec/report.schema.json, and the
schema covers every field the contract (spec/report.md) shows."""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from testing.synth import (
    csv_bytes,
    facility_counts,
    roster_people,
    simple_roster_rows,
    write_docx_layers,
    write_pdf_text,
    write_rows,
    write_workbook,
    zip_bytes,
)

SPEC = Path(__file__).resolve().parents[1] / "spec"
ENTRY_POINT = shutil.which("spillguard", path=os.path.dirname(sys.executable))
COMMAND = [ENTRY_POINT] if ENTRY_POINT else [sys.executable, "-m", "spillguard"]


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((SPEC / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def problems(check: Draft202012Validator, data: Any) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in check.iter_errors(data)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every shape of entry: a blocking workbook with a hidden sheet, a member of an archive, a
    document with hidden layers, a PDF, routine counts that pass, and a file that cannot be
    read (uninspectable)."""
    root = tmp_path_factory.mktemp("site")
    people = roster_people(20, seed=5)
    rows = simple_roster_rows(people)
    write_workbook(root / "stats.xlsx", {"Summary": facility_counts(), "R": rows}, {"R": "hidden"})
    write_rows(root / "counts.csv", facility_counts())
    (root / "bundle.zip").write_bytes(zip_bytes({"inner/list.csv": csv_bytes(rows[:6])}))
    write_docx_layers(root / "memo.docx", *(p.roster_name for p in people[:3]))
    write_pdf_text(root / "list.pdf", [" ".join(map(str, row)) for row in rows[:8]])
    (root / "junk.bin").write_bytes(random.Random(4).randbytes(2048).replace(b"\x00", b"\x01") + b"\x00" * 64)
    return root


def scan_json(*args: str | Path) -> dict[str, Any]:
    result = subprocess.run(
        [*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode in (0, 1), result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize("extra", [(), ("--show-values",)], ids=["masked", "values"])
def test_the_scan_report_validates_against_its_schema(site: Path, extra: tuple[str, ...]) -> None:
    report = scan_json("scan", "--format", "json", *extra, site)
    assert problems(validator("report.schema.json"), report) == []
    verdicts = {Path(f["path"]).name: f["verdict"] for f in report["files"]}
    assert verdicts["stats.xlsx"] == "block" and verdicts["counts.csv"] == "pass"
    assert any(f["uninspectable"] for f in report["files"])  # the schema's other branch is used
    assert any("!" in f["path"] for f in report["files"])


def test_the_gate_report_validates_against_the_same_schema(site: Path, tmp_path: Path) -> None:
    report = scan_json(
        "gate", "--format", "json", "--audit", tmp_path / "audit.db", "--approvals", tmp_path / "none", site
    )
    assert problems(validator("report.schema.json"), report) == []


def test_the_schema_catches_what_breaks_the_contract(site: Path) -> None:
    check = validator("report.schema.json")
    report = scan_json("scan", "--format", "json", site)
    blocked = next(f for f in report["files"] if f["verdict"] == "block" and f["findings"])
    broken = json.loads(json.dumps(report))
    renamed = next(f for f in broken["files"] if f["path"] == blocked["path"])
    renamed["people"] = renamed.pop("individuals")
    assert any("individuals" in p for p in problems(check, broken))
    unread = next(f for f in json.loads(json.dumps(report))["files"] if f["uninspectable"])
    unread["verdict"] = "pass"  # an uninspectable file must block
    assert problems(check, {**report, "files": [unread]})


def test_the_schema_names_every_field_of_the_contract() -> None:
    """Each key in spec/report.md's example is a property the schema describes."""
    contract = (SPEC / "report.md").read_text(encoding="utf-8")
    example = contract.split("```json", 1)[1].split("```", 1)[0]
    keys = set(re.findall(r'"([a-z_]+)":', example)) - {"a_number", "person_name", "date_of_birth",
                                                          "nationality", "detention_facility"}  # fmt: skip
    schema_text = (SPEC / "report.schema.json").read_text(encoding="utf-8")
    described = set(re.findall(r'"([a-z_]+)": \{', schema_text))
    assert keys and keys <= described, sorted(keys - described)
