"""`spillguard baseline`: a site taken into the allowlist as it is (keyed hashes, never values),
the gate stopping only on what is new, and stale entries found and pruned."""

from __future__ import annotations

import datetime as dt
import json
import re
import stat
from pathlib import Path

import pytest
from gatekit import run

from spillguard.baseline import BaselineError, create_baseline
from spillguard.policy import load_policy
from testing.synth import (
    Person,
    facility_counts,
    roster_people,
    simple_roster_rows,
    write_rows,
    write_workbook,
)

BY = ("--by", "Privacy Office", "--reason", "published before the gate")
POLICY = (
    "# the site's policy: kept as written\n"
    'block_at = "high"  # the default, said aloud\n\n[approvals]\ncritical = 2\n'
)


@pytest.fixture
def people() -> list[Person]:
    return roster_people(9, seed=7)  # the site lists the first 8; the 9th is added later


def write_roster(root: Path, listed: list[Person]) -> Path:
    return write_workbook(root / "site" / "files" / "roster.xlsx", {"Roster": simple_roster_rows(listed)})


@pytest.fixture
def root(tmp_path: Path, people: list[Person]) -> Path:
    (tmp_path / "site" / "files").mkdir(parents=True)
    write_roster(tmp_path, people[:8])
    write_rows(tmp_path / "site" / "files" / "facility-counts.csv", facility_counts())
    return tmp_path


def values(person: Person) -> list[str]:
    """Everything the roster prints of a person, and the other spellings of its numbers."""
    row = simple_roster_rows([person])[1]
    return [*row, person.a_number, person.family, person.given, person.date_of_birth.isoformat()]


def in_clear(text: str, value: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.IGNORECASE) is not None


def found_values(root: Path) -> set[str]:
    done = run("scan", "site", "--format", "json", "--show-values", cwd=root)
    return {f["value"] for file in json.loads(done.stdout)["files"] for f in file["findings"]}


def test_a_baseline_lets_the_site_through_and_holds_no_value(root: Path, people: list[Person]) -> None:
    assert run("gate", "site", "--audit", "a.db", cwd=root).returncode == 1  # the roster blocks

    made = run("baseline", "create", "site", *BY, cwd=root)

    assert made.returncode == 0, made.stderr
    assert re.fullmatch(
        r"baseline: \d+ entries added to spillguard.toml \(made it\) for 1 file; 0 .*\n", made.stdout
    )
    gate = run("gate", "site", "--audit", "a.db", cwd=root)
    assert gate.returncode == 0, gate.stdout
    assert "gate: 2 files: 0 blocked" in gate.stdout
    # one line for the many entries that cover the roster, not one line each
    assert re.search(r"suppressed by the policy: \d+ finding\(s\) \(\d+ allowlist entries\)\n", gate.stdout)
    assert len(gate.stdout.splitlines()) == 4
    assert run("scan", "site", "--policy", "spillguard.toml", cwd=root).returncode == 0
    policy = (root / "spillguard.toml").read_text()
    shown = [v for p in people[:8] for v in values(p) if in_clear(policy, v) or in_clear(made.stdout, v)]
    assert not shown, shown
    loaded = load_policy(str(root / "spillguard.toml"))
    assert len(loaded.salt) == 64
    assert {(e.who, e.reason, e.path, e.added) for e in loaded.allowlist} == {
        (
            "Privacy Office",
            "published before the gate",
            "site/files/roster.xlsx",
            dt.datetime.now(dt.UTC).date().isoformat(),
        )
    }
    # identifiers only: nationalities, facilities and birth dates are shared by many people
    assert {e.rule for e in loaded.allowlist} == {"a-number", "person-name"}
    assert len(loaded.allowlist) == 16  # 8 people, each once
    assert stat.S_IMODE((root / "spillguard.toml").stat().st_mode) == 0o644


def test_a_person_added_later_blocks_and_only_they_are_found(root: Path, people: list[Person]) -> None:
    assert run("baseline", "create", "site", *BY, cwd=root).returncode == 0
    write_roster(root, people)  # one more row

    assert run("gate", "site", "--audit", "a.db", cwd=root).returncode == 1
    found = found_values(root)
    newcomer = people[8]
    assert {f"A{newcomer.a_number}", newcomer.roster_name} <= found
    assert found <= set(values(newcomer)), found - set(values(newcomer))


def test_a_person_added_beside_shared_values_is_judged_with_them(root: Path, people: list[Person]) -> None:
    """Nationalities and facilities get no entry: allowlisted, they would leave a person added to
    a roster of names, nationalities and facilities a name alone, and the gate would pass it."""
    rows = [[row[1], row[3], row[4]] for row in simple_roster_rows(people[:8])]  # name, nationality, facility
    roster = root / "site" / "files" / "roster.xlsx"
    write_workbook(roster, {"Roster": rows})
    assert run("baseline", "create", "site", *BY, cwd=root).returncode == 0
    assert run("gate", "site", "--audit", "a.db", cwd=root).returncode == 0
    newcomer = [
        people[8].roster_name,
        rows[1][1],
        rows[1][2],
    ]  # beside an earlier row's nationality, facility

    write_workbook(roster, {"Roster": [*rows, newcomer]})

    done = run("scan", "site", "--format", "json", cwd=root)
    assert done.returncode == 1
    (judged,) = (f for f in json.loads(done.stdout)["files"] if f["path"].endswith("roster.xlsx"))
    assert (judged["severity"], judged["individuals"]) == ("critical", 1)


def test_an_existing_policy_keeps_its_comments_and_settings(root: Path) -> None:
    (root / "spillguard.toml").write_text(POLICY)
    (root / "spillguard.toml").chmod(0o640)

    made = run("baseline", "create", "site", *BY, cwd=root)

    assert made.returncode == 0, made.stderr
    assert "(salt created)" in made.stdout
    text = (root / "spillguard.toml").read_text()
    assert text.startswith(POLICY)
    assert "\n\n\n" not in text  # one blank line between entries, not two
    assert load_policy(str(root / "spillguard.toml")).critical_approvals == 2
    assert stat.S_IMODE((root / "spillguard.toml").stat().st_mode) == 0o640
    again = run("baseline", "create", "site", *BY, cwd=root)
    assert again.returncode == 0
    assert again.stdout.startswith("baseline: nothing new to add")
    assert (root / "spillguard.toml").read_text() == text


def test_audit_finds_the_entries_of_a_removed_row_and_prunes_them(root: Path, people: list[Person]) -> None:
    (root / "spillguard.toml").write_text(POLICY)
    assert run("baseline", "create", "site", *BY, cwd=root).returncode == 0
    clean = run("baseline", "audit", "site", cwd=root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    before = len(load_policy(str(root / "spillguard.toml")).allowlist)
    write_roster(root, people[:7])  # the last row is gone

    audited = run("baseline", "audit", "site", "--format", "json", cwd=root)

    assert audited.returncode == 1
    report = json.loads(audited.stdout)
    stale = [e for e in report["entries"] if e["state"] == "stale"]
    assert len(stale) == report["stale"] == 2  # the A-number and the name of the one removed
    assert {e["why"] for e in stale} == {"its value is no longer in the files it covers"}
    assert {e["rule"] for e in stale} == {"a-number", "person-name"}
    table = run("baseline", "audit", "site", cwd=root)
    assert table.returncode == 1
    assert [line.split()[0] for line in table.stdout.splitlines()[:-1]] == ["STALE"] * len(stale)
    assert f"{len(stale)} stale" in table.stdout.splitlines()[-1]

    pruned = run("baseline", "audit", "site", "--prune", cwd=root)

    assert pruned.returncode == 0, pruned.stdout
    assert pruned.stdout.splitlines()[-1].endswith(f"{len(stale)} removed")
    assert len(load_policy(str(root / "spillguard.toml")).allowlist) == before - len(stale)
    assert (root / "spillguard.toml").read_text().startswith(POLICY)
    assert run("baseline", "audit", "site", cwd=root).returncode == 0
    assert run("gate", "site", "--audit", "a.db", cwd=root).returncode == 0


def test_audit_says_when_a_file_is_gone(root: Path, people: list[Person]) -> None:
    odd = write_rows(root / "site" / "files" / "list[1].csv", simple_roster_rows(people[:3]))
    assert run("baseline", "create", "site", *BY, cwd=root).returncode == 0
    assert run("gate", "site", "--audit", "a.db", cwd=root).returncode == 0  # `[1]` is no wildcard
    odd.unlink()

    report = json.loads(run("baseline", "audit", "site", "-f", "json", cwd=root).stdout)

    gone = {e["path"] for e in report["entries"] if e["why"] == "its file is gone"}
    assert gone == {"site/files/list[[]1].csv"}
    checked_elsewhere = json.loads(
        run("baseline", "audit", "site/files/roster.xlsx", "-f", "json", cwd=root).stdout
    )
    assert {e["state"] for e in checked_elsewhere["entries"] if e["path"] == "site/files/roster.xlsx"} == {
        "ok"
    }


def test_interactive_audit_asks_of_each_stale_entry(root: Path, people: list[Person]) -> None:
    assert run("baseline", "create", "site", *BY, cwd=root).returncode == 0
    before = len(load_policy(str(root / "spillguard.toml")).allowlist)
    write_roster(root, people[:7])

    asked = run("baseline", "audit", "site", "--interactive", cwd=root, stdin="y\n" + "n\n" * 20)

    assert asked.returncode == 1  # the entries kept are still stale
    assert asked.stderr.count("remove it?") == 2
    assert len(load_policy(str(root / "spillguard.toml")).allowlist) == before - 1
    assert asked.stdout.startswith("PRUNED")


@pytest.mark.parametrize(
    ("args", "policy", "message"),
    [
        (
            ["create", "site", "--by", " ", "--reason", "x"],
            None,
            "--by and --reason must say who decided and why",
        ),
        (
            ["create", "site", *BY],
            "[allowlist]\nsalt = 'short'\n",
            "allowlist.salt is shorter than 16 characters",
        ),
        (["create", "site", *BY], "block_at = \n", "spillguard.toml: not valid TOML"),
        (["create", "nowhere", *BY], None, "no such file or directory: nowhere"),
        (["audit", "site"], None, "no policy to audit: give --policy"),
        (["audit", "site", "--policy", "missing.toml"], None, "missing.toml: no such policy file"),
        (["audit", "site", "--format", "xml"], "", "unknown format 'xml' (use table or json)"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    root: Path, args: list[str], policy: str | None, message: str
) -> None:
    if policy is not None:
        (root / "spillguard.toml").write_text(policy)

    done = run("baseline", *args, cwd=root)

    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr
    assert policy is not None or not (root / "spillguard.toml").exists()


def test_a_policy_edited_meanwhile_is_not_overwritten(root: Path) -> None:
    policy = root / "spillguard.toml"
    policy.write_text(POLICY)

    def someone_edits(done: int, total: int, path: str) -> None:
        policy.write_text(POLICY + "\n# edited by hand meanwhile\n")

    with pytest.raises(BaselineError, match="changed while it was being edited"):
        create_baseline([str(root / "site")], policy, "Privacy Office", "why", dt.date(2026, 11, 30),
                        jobs=0, progress=someone_edits)  # fmt: skip
    assert policy.read_text().endswith("# edited by hand meanwhile\n")


def test_what_no_entry_can_cover_is_named_and_exit_1(root: Path) -> None:
    (root / "site" / "files" / "blob.bin").write_bytes(bytes(range(1, 256)) * 8 + b"\x00" * 64)

    done = run("baseline", "create", "site", *BY, cwd=root)

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "baseline: not covered: site/files/blob.bin could not be read (it still blocks)"
    ]
    assert run("gate", "site", "--audit", "a.db", cwd=root).stdout.startswith("BLOCK     site/files/blob.bin")
