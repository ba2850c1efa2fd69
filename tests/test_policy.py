"""spillguard.toml: it extends the built-in policy, is validated strictly (every error names
the file and the key), and its per-path rules, allowed kinds and allowlist change what the
scanner reports, with the file re-assessed as if the allowed findings were never there."""

from __future__ import annotations

from pathlib import Path

import pytest
from gatekit import run, write_roster

from spillguard.policy import DEFAULT_POLICY, PolicyError, keyed_hash, load_policy, normalize_value
from spillguard.scan import scan
from testing.synth import write_rows

SALT = "pepper-for-tests-0123"
PUBLIC_KEY = "ed25519:" + "A" * 43 + "="


def policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spillguard.toml"
    path.write_text(text)
    return path


def verdict(path: Path, policy_file: Path | None = None) -> str:
    rules = load_policy(str(policy_file)) if policy_file else DEFAULT_POLICY
    return scan([str(path)], rules, jobs=0).files[0].verdict


def test_an_empty_file_is_the_built_in_policy(tmp_path: Path) -> None:
    loaded = load_policy(str(policy(tmp_path, "")))
    assert loaded.block == DEFAULT_POLICY.block
    assert loaded.warn == DEFAULT_POLICY.warn
    assert loaded.limits == DEFAULT_POLICY.limits
    assert loaded.critical_approvals == 2
    assert loaded.other_approvals == 1


def test_thresholds_and_limits_extend_the_defaults(tmp_path: Path) -> None:
    loaded = load_policy(
        str(policy(tmp_path, 'block_at = "medium"\nwarn_at = "low"\n[limits]\ntimeout_seconds = 30\n'))
    )
    assert loaded.block == {"critical", "high", "medium"}
    assert loaded.warn == {"low"}
    assert loaded.limits.timeout_seconds == 30
    assert loaded.limits.max_file_bytes == DEFAULT_POLICY.limits.max_file_bytes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("blok_at = 'high'\n", "unknown key 'blok_at'"),
        ("[limits]\nmax_bytes = 3\n", "unknown key limits.'max_bytes'"),
        ("[limits]\ntimeout_seconds = -1\n", "limits.timeout_seconds must be positive"),
        ("block_at = 'severe'\n", "block_at: unknown severity 'severe'"),
        ("allow_kinds = ['person-name']\n", "unknown kind 'person-name' (did you mean 'person_name'?)"),
        ("[approvals]\ncritical = 0\n", "approvals.critical must be at least 1"),
        ("[approvals]\ncritical = true\n", "approvals.critical has the wrong type"),
        ("[approvals]\nquorum = 3\n", "unknown key approvals.'quorum'"),
        ("[approvers]\nalice = 'ssh-ed25519 AAAA'\n", "approvers.alice: not an Ed25519 public key"),
        (f"[approvers]\nalice = '{PUBLIC_KEY}'\nbob = '{PUBLIC_KEY}'\n", "key already listed for 'alice'"),
        ("[[paths]]\nallow_kinds = ['person_name']\n", "paths[0]: missing 'pattern'"),
        ("[[paths]]\npattern = 'a/*'\nallow = true\n", "unknown key paths[0].'allow'"),
        (
            f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'a-numbr'\nhash = '{'0' * 64}'\n"
            "reason = 'x'\nwho = 'y'\n",
            "allowlist.entries[0]: unknown rule id 'a-numbr'",
        ),
        (
            "[[allowlist.entries]]\nrule = 'ssn'\nhash = '00'\nreason = 'x'\nwho = 'y'\n",
            "allowlist.salt must be set",
        ),
        (
            f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'ssn'\nhash = 'abc'\nreason = 'x'\n"
            "who = 'y'\n",
            "allowlist.entries[0].hash: not a keyed hash",
        ),
        (
            f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'ssn'\nhash = '{'0' * 64}'\n",
            "allowlist.entries[0]: missing 'reason'",
        ),
        (
            f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'ssn'\nhash = '{'0' * 64}'\n"
            "reason = 'x'\nwho = 'y'\nadded = '2026-11-30'\n",
            "allowlist.entries[0].added: not a date (write it as 2026-11-30, without quotes)",
        ),
        ("block_at = \n", "not valid TOML"),
    ],
)
def test_a_bad_policy_is_an_error_naming_the_file_and_the_key(
    tmp_path: Path, text: str, message: str
) -> None:
    path = policy(tmp_path, text)
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_bad_policy_is_one_line_and_exit_2_on_the_command_line(tmp_path: Path) -> None:
    path = policy(tmp_path, "[approvals]\nsenior = 2\n")
    (tmp_path / "a.txt").write_text("nothing here\n")
    done = run("gate", "a.txt", "--policy", str(path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"spillguard: error: {path}: unknown key approvals.'senior'")
    assert "Traceback" not in done.stderr
    missing = run("gate", "a.txt", "--policy", "nope.toml", cwd=tmp_path)
    assert missing.returncode == 2 and "nope.toml: cannot read" in missing.stderr


def test_spillguard_toml_in_the_working_directory_is_used_by_default(tmp_path: Path) -> None:
    policy(tmp_path, "allow_kinds = 42\n")
    (tmp_path / "a.txt").write_text("nothing here\n")
    done = run("gate", "a.txt", cwd=tmp_path)
    assert done.returncode == 2 and "spillguard.toml: allow_kinds has the wrong type" in done.stderr


def test_scan_reads_the_same_policy_as_the_gate(tmp_path: Path) -> None:
    """`spillguard scan` judges by spillguard.toml in the working directory, or --policy, as the
    gate does; without one, by the built-in policy."""
    judges(tmp_path)  # names with birth dates: high
    assert run("scan", "bench", cwd=tmp_path).returncode == 1
    policy(tmp_path, 'block_at = "critical"\nwarn_at = "high"\n')
    relaxed = run("scan", "bench/judges.csv", "--format", "json", cwd=tmp_path)
    assert relaxed.returncode == 0 and '"verdict": "warn"' in relaxed.stdout
    (tmp_path / "spillguard.toml").rename(tmp_path / "other.toml")
    assert run("scan", "bench/judges.csv", cwd=tmp_path).returncode == 1
    assert run("scan", "--policy", "other.toml", "bench/judges.csv", cwd=tmp_path).returncode == 0
    bad = run("scan", "bench/judges.csv", "--policy", "nope.toml", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.startswith("spillguard: error: nope.toml: cannot read")


# --- what the policy changes -----------------------------------------------------------------


def judges(tmp_path: Path) -> Path:
    """A bench roster: names with birth dates (high), nobody linked to immigration."""
    (tmp_path / "bench").mkdir()
    return write_rows(
        tmp_path / "bench" / "judges.csv",
        [
            ["Name", "Date of Birth"],
            ["OKONKWO-BRANDT, LIESEL", "03/14/1961"],
            ["VARGAS TELLO, ANSELM", "11/02/1958"],
        ],
    )


def test_allowed_kinds_are_left_out_and_the_file_reassessed(tmp_path: Path) -> None:
    path = judges(tmp_path)
    assert verdict(path) == "block"
    rules = policy(tmp_path, "[[paths]]\npattern = 'bench/*'\nallow_kinds = ['person_name']\n")
    report = scan([str(path)], load_policy(str(rules)), jobs=0).files[0]
    # Without the names, birth dates belong to nobody: no record, nothing to block.
    assert report.verdict == "pass"
    assert report.records == 0
    assert all(f.kind != "person_name" for f in report.findings)
    assert report.extra["allowed"] == {
        "kinds": {"person_name": 2},
        "allowlist": [],
        "allowlist_counts": {},
        "suppressed": 2,
    }


def test_allowing_a_kind_does_not_make_a_roster_of_detainees_publishable(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "bench" / "roster.xlsx")
    rules = policy(tmp_path, "[[paths]]\npattern = 'bench/*'\nallow_kinds = ['person_name', 'nationality']\n")
    report = scan([str(roster)], load_policy(str(rules)), jobs=0).files[0]
    assert report.verdict == "block"  # A-numbers with birth dates and facilities still identify people
    assert "person_name" not in report.counts and "nationality" not in report.counts


def test_path_rules_apply_only_under_their_pattern_relative_to_the_policy(tmp_path: Path) -> None:
    path = judges(tmp_path)
    (tmp_path / "other").mkdir()
    elsewhere = write_rows(
        tmp_path / "other" / "judges.csv", [["Name", "Date of Birth"], ["OKONKWO, LIESEL", "03/14/1961"]]
    )
    rules = load_policy(
        str(policy(tmp_path, "[[paths]]\npattern = 'bench/*'\nallow_kinds = ['person_name']\n"))
    )
    assert rules.relative(str(path)) == "bench/judges.csv"
    assert rules.relative(str(path) + "!inner.csv") == "bench/judges.csv"  # members follow the archive
    assert [f.verdict for f in scan([str(path), str(elsewhere)], rules, jobs=0).files] == ["pass", "block"]


def test_a_threshold_per_path(tmp_path: Path) -> None:
    contact = tmp_path / "contact" / "index.txt"
    contact.parent.mkdir()
    contact.write_text("Write to the front desk at frontdesk.dc@agency.example any time.\n")
    assert verdict(contact) == "pass"
    rules = policy(tmp_path, "[[paths]]\npattern = 'contact/*'\nblock_at = 'low'\n")
    assert verdict(contact, rules) == "block"


def test_allowlist_entries_key_on_the_value_not_its_position(tmp_path: Path) -> None:
    contact = tmp_path / "contact" / "index.txt"
    contact.parent.mkdir()
    contact.write_text("Write to the front desk at frontdesk.dc@agency.example any time.\n")
    entry = keyed_hash(SALT.encode(), "email_address", "FrontDesk.DC@Agency.example")  # other case
    text = (
        "[[paths]]\npattern = 'contact/*'\nblock_at = 'low'\n"
        f"[allowlist]\nsalt = '{SALT}'\n[[allowlist.entries]]\nrule = 'email-address'\nhash = '{entry}'\n"
        "path = 'contact/*'\nreason = 'the public front desk'\nwho = 'privacy office'\n"
    )
    rules = policy(tmp_path, text)
    assert verdict(contact, rules) == "pass"
    contact.write_text("Opening hours changed.\n\nWrite to frontdesk.dc@agency.example.\n")  # moved
    assert verdict(contact, rules) == "pass"
    contact.write_text("Write to the front desk at j.whitcombe@agency.example any time.\n")  # a person
    assert verdict(contact, rules) == "block"


def test_the_allowlist_never_holds_the_value(tmp_path: Path) -> None:
    digest = keyed_hash(SALT.encode(), "a_number", "A212345622")
    assert "212345622" not in digest
    assert digest == keyed_hash(SALT.encode(), "a_number", "A-212-345-622")
    assert digest != keyed_hash(b"another salt of ours", "a_number", "A212345622")
    assert normalize_value("person_name", "  Ｍaría\tJosé  GARCÍA ") == "maría josé garcía"
