"""Issue 13: the ways around the gate an attacker (or an unlucky operator) found, each as the
attacker would do it. Every document is made at test time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from gatekit import NOW, published, write_roster

import spillguard.pipeline as pipeline
import spillguard.publish as publishing
from spillguard.policy import DEFAULT_POLICY, load_policy
from spillguard.publish import publish
from testing.synth import facility_counts, write_rows


def run_publish(root: Path, **kwargs: Any) -> publishing.PublishResult:
    policy = load_policy(str(root / "spillguard.toml"))
    return publish(root / "site", str(root / "public"), policy, root / "approvals", NOW, jobs=0, **kwargs)


# --- 1. publish race -------------------------------------------------------------------------


def test_a_clean_file_renamed_in_for_the_parse_does_not_publish_the_roster(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The roster is there for the hash, a clean file is renamed over it for the parse, and the
    roster is renamed back before the copy: the gate must judge the bytes it hashed."""
    target = root / "site" / "files" / "report.xlsx"
    write_roster(target)
    roster_copy = write_roster(root / "spare" / "roster.xlsx")
    clean = root / "spare" / "clean.csv"
    write_rows(clean, facility_counts())
    real_sniff = pipeline.sniff
    real_gate = publishing.run_gate
    swapped: list[str] = []

    def sniff_after_swap(source: Any) -> str:
        if source.name == str(target) and not swapped:
            os.replace(clean, target)  # between the hash and the parse
            swapped.append("clean in")
        return real_sniff(source)

    def gate_then_swap_back(*args: Any, **kwargs: Any) -> Any:
        result = real_gate(*args, **kwargs)
        os.replace(roster_copy, target)  # between the gate and the copy
        return result

    monkeypatch.setattr(pipeline, "sniff", sniff_after_swap)
    monkeypatch.setattr(publishing, "run_gate", gate_then_swap_back)
    result = run_publish(root)
    assert swapped
    assert "files/report.xlsx" in [path for path, _ in result.blocked]
    assert "files/report.xlsx" not in published(root / "public")


def test_a_file_edited_in_place_while_it_is_read_is_uninspectable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "counts.csv"
    write_rows(target, facility_counts())
    real_sniff = pipeline.sniff

    def sniff_then_edit(source: Any) -> str:
        kind = real_sniff(source)
        with open(target, "ab") as fh:
            fh.write(b"more,rows\n")
        return kind

    monkeypatch.setattr(pipeline, "sniff", sniff_then_edit)
    report = pipeline.scan_path(str(target), DEFAULT_POLICY)[0]
    assert report.verdict == "block"
    assert report.uninspectable == "changed while being read"


# --- 3. symlinks out of the site --------------------------------------------------------------


def test_symlinks_leading_outside_the_site_are_listed_not_copied(root: Path) -> None:
    outside = root / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / ".env").write_text("DATABASE_PASSWORD=hunter2-not-a-real-one\n")
    (outside / "folder" / "notes.txt").write_text("Meeting at noon.\n")
    site = root / "site"
    (site / "env.txt").symlink_to(outside / ".env")
    (site / "passwd").symlink_to("/etc/passwd")
    (site / "linked-folder").symlink_to(outside / "folder")
    (site / "files" / "counts-again.csv").symlink_to(site / "files" / "facility-counts.csv")
    result = run_publish(root)
    blocked = dict(result.blocked)
    for rel in ("env.txt", "passwd", "linked-folder/notes.txt"):
        assert blocked[rel] == "a symlink leading outside the site"
    copies = published(root / "public")
    assert not {"env.txt", "passwd", "linked-folder/notes.txt"} & copies
    assert "files/counts-again.csv" in copies  # a link inside the site is published as before
    assert "hunter2" not in "".join(p.read_text() for p in (root / "public").rglob("*") if p.is_file())


def test_a_folder_alias_is_judged_by_the_real_folders_path_rules(root: Path) -> None:
    with (root / "spillguard.toml").open("a") as fh:
        fh.write('[[paths]]\npattern = "site/stats/*"\nno_personal_data = true\n')
    stats = root / "site" / "stats"
    stats.mkdir()
    (stats / "contact.txt").write_text(
        "Contact our press office: Maria Lopez, maria.lopez@agency.example, 202-555-0143\n"
    )
    (root / "site" / "a-alias").symlink_to("stats")
    result = run_publish(root)
    blocked = dict(result.blocked)
    assert "a-alias/contact.txt" in blocked, blocked
    assert "no personal data may be published under site/stats/*" in blocked["a-alias/contact.txt"]
    assert not {"a-alias/contact.txt", "stats/contact.txt"} & published(root / "public")


# --- 5. dot-folders ---------------------------------------------------------------------------


def test_rosters_in_nested_dot_folders_are_judged_and_the_sites_own_are_never_copied(root: Path) -> None:
    site = root / "site"
    for folder in (".git", ".spillguard", "sub/.git", "sub/.spillguard", ".well-known"):
        write_roster(site / folder / "roster.xlsx")
    result = run_publish(root)
    blocked = {path for path, _ in result.blocked}
    assert {"sub/.git/roster.xlsx", "sub/.spillguard/roster.xlsx", ".well-known/roster.xlsx"} <= blocked
    copies = published(root / "public")
    assert not any(p.startswith((".git/", ".spillguard/")) for p in copies)
    assert not any("roster" in p for p in copies)


# --- 12. FIFOs: nothing that is not a regular file is opened -----------------------------------


def fifo(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    return path


def test_fifos_given_as_inputs_are_one_line_errors_not_hangs(root: Path) -> None:
    from gatekit import run

    fifo(root / "approvals" / "stuck.json")
    done = run("gate", "site", "--approvals", "approvals", "--audit", "a.db", cwd=root)
    assert done.returncode == 2 and "stuck.json: cannot read: not a regular file" in done.stderr
    fifo(root / "policy.toml")
    done = run("gate", "site", "--policy", "policy.toml", "--audit", "a.db", cwd=root)
    assert done.returncode == 2 and "policy.toml: cannot read: not a regular file" in done.stderr
    fifo(root / "keys" / "carol.key")
    done = run("approve", "site/index.html", "--key", "keys/carol.key", "--reason", "x", cwd=root)
    assert done.returncode == 2 and "carol.key: cannot read: not a regular file" in done.stderr
    assert done.stderr.count("\n") == 1


def test_a_quarantined_fifo_is_not_opened_by_restore(root: Path) -> None:
    from gatekit import run

    from spillguard.watch import quarantine

    folder = quarantine.open_quarantine(root / "q")
    item = quarantine.take(fifo(root / "www" / "pipe.csv"), folder, {"verdict": "block"})
    done = run("quarantine", "restore", item.id, "-q", "q", "--force", "--audit", "a.db", cwd=root)
    assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr
    assert not (root / "www" / "pipe.csv").exists()


def test_a_scan_opens_a_fifo_without_waiting_for_a_writer(tmp_path: Path) -> None:
    path = fifo(tmp_path / "data.csv")
    report = pipeline.scan_path(str(path), DEFAULT_POLICY)[0]
    assert report.verdict == "block" and report.uninspectable == "not a regular file"


# --- 13. bad input is one line and exit 2, never a traceback ----------------------------------


def one_line_error(done: Any) -> bool:
    return bool(
        done.returncode == 2
        and done.stderr.startswith("spillguard: error: ")
        and done.stderr.count("\n") == 1
        and "Traceback" not in done.stderr
    )


def test_hostile_inputs_are_one_line_errors(root: Path) -> None:
    from gatekit import run

    approvals = root / ".spillguard" / "approvals"
    approvals.mkdir(parents=True)
    (approvals / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    done = run("gate", "site", "--audit", "a.db", cwd=root)
    assert one_line_error(done) and "deep.json: not an approval (nested too deeply)" in done.stderr
    (approvals / "deep.json").unlink()
    (root / "latin1.toml").write_bytes("[approvers]\n# Fran\xe7ois\n".encode("latin-1"))
    done = run("gate", "site", "--policy", "latin1.toml", "--audit", "a.db", cwd=root)
    assert one_line_error(done) and "latin1.toml: not UTF-8 text" in done.stderr
    key = ("--key", "keys/alice.key", "--reason", "r")
    done = run("approve", "site/index.html", *key, "--expires", "9999999d", cwd=root)
    assert one_line_error(done) and "too far in the future" in done.stderr
    done = run("approve", "site", *key, cwd=root)
    assert one_line_error(done) and "approve one file at a time" in done.stderr
    done = run("monitor", "http://[::1", "--once", cwd=root)
    assert one_line_error(done) and "not a valid URL" in done.stderr, done.stderr


def test_a_tree_a_thousand_folders_deep_is_walked(root: Path) -> None:
    from gatekit import run

    shutil.rmtree(root / "site")
    folder = root / "site"
    folder.mkdir()
    for _ in range(990):
        folder = folder / "d"
        folder.mkdir()  # one level at a time: mkdir(parents=True) recurses
    write_rows(folder / "counts.csv", facility_counts())
    for command in (["scan", "site"], ["gate", "site", "--audit", "a.db"], ["publish", "site", "public"]):
        done = run(*command, cwd=root)
        assert "Traceback" not in done.stderr and done.returncode == 0, (command, done.stderr[-300:])
    deep = "/".join(["d"] * 990) + "/counts.csv"
    assert (root / "public" / deep).is_file()
    for top in (root / "site", root / "public"):  # pytest's clean-up of old runs recurses too
        remove_deep(top / "d", 990)


def remove_deep(top: Path, depth: int) -> None:
    folders = [top / "/".join(["d"] * n) for n in range(1, depth)]
    for folder in reversed([top, *folders]):
        for entry in os.scandir(folder):
            if not entry.is_dir(follow_symlinks=False):
                os.unlink(entry.path)
        os.rmdir(folder)


# --- 15. file names cannot fake or reorder lines of output ------------------------------------


def test_file_names_with_newlines_escapes_and_bidi_marks_are_shown_escaped(root: Path) -> None:
    from gatekit import run

    names = [
        "roster\npublished  innocent.csv",  # a fake line of publish output
        "report\x1b[2K\rclean.xlsx",  # erase the line, start again
        "list\u202excsl.exe.xlsx",  # right-to-left override
    ]
    for name in names:
        write_roster(root / "site" / "files" / name)
    outputs = [
        run("publish", "site", "public", "--audit", "a.db", cwd=root).stdout,
        run("gate", "site", "--audit", "a.db", cwd=root).stdout,
        run("scan", "site", cwd=root).stdout,
    ]
    for out in outputs:
        assert "\x1b" not in out and "\u202e" not in out and "\r" not in out
        assert not any(line.startswith("published  innocent.csv") for line in out.splitlines())
        assert not any(line.startswith("innocent.csv") for line in out.splitlines())
    publish_out = outputs[0]
    assert "files/roster\\npublished  innocent.csv" in publish_out
    assert "files/report\\x1b[2K\\rclean.xlsx" in publish_out
    assert "files/list\\u202excsl.exe.xlsx" in publish_out


def test_an_error_naming_a_file_stays_one_line(root: Path) -> None:
    from gatekit import run

    done = run("gate", "no\nsuch\u202efile", "--audit", "a.db", cwd=root)
    assert (
        done.returncode == 2
        and done.stderr == "spillguard: error: no such file or directory: no\\nsuch\\u202efile\n"
    )


# --- 14. location text and masks keep no more than a reviewer needs ---------------------------


def test_sheet_names_holding_personal_data_are_masked_in_every_format(tmp_path: Path) -> None:
    from gatekit import run

    from testing.synth import write_workbook

    rows = [
        ["A-Number", "Name", "Date of Birth", "Nationality"],
        ["A212345622", "QUISPE MAMANI, ROSALIA", "05/24/1982", "PERU"],
        ["A212345623", "QUISPE MAMANI, EDGAR", "11/02/1979", "PERU"],
        ["A212345624", "TICONA, WILBER", "01/30/1990", "BOLIVIA"],
    ]
    write_workbook(
        tmp_path / "cases.xlsx",
        {"Summary": [["Facility", "Count"], ["North", "12"]], "QUISPE MAMANI A212345622": rows},
        {"QUISPE MAMANI A212345622": "hidden"},  # named in the reason: "(all hidden: sheet:...)"
    )
    for format in ("table", "json", "sarif", "csv"):
        done = run("scan", "-v", "--format", format, "--jobs", "0", "cases.xlsx", cwd=tmp_path)
        out = done.stdout
        assert done.returncode == 1 and "A*******22" in out, (format, out[:2000])
        assert "hidden: sheet:Q****E M****I A*******22" in out, (format, out[:2000])
        for secret in ("QUISPE", "MAMANI", "A212345622", "2123456", "1982", "05/24", "/82"):
            assert secret not in out, (format, secret)


def test_a_mask_keeps_at_most_two_digits_and_only_the_century_of_a_date() -> None:
    from spillguard.model import mask

    assert mask("A212345622", "a_number") == "A*******22"
    assert mask("123-45-6789", "ssn") == "*********89"
    assert mask("05/24/1982", "date_of_birth") == "**/**/19**"
    assert mask("1982-05-24", "date_of_birth") == "19**-**-**"
    assert mask("24 May 1982", "date_of_birth") == "** *** 19**"
    for value in ("A212345622", "202-555-0143", "X12345678", "12 Main Street 4567"):
        assert sum(c.isdigit() for c in mask(value)) <= 2, value


# --- 8. a policy that hides findings says so, and the gate records which policy ---------------


@pytest.mark.parametrize(
    "rules",
    [
        'allow_kinds = ["person_name", "a_number", "date_of_birth", "nationality", "detention_facility"]\n',
        '[[paths]]\npattern = "*"\nallow_kinds = ["person_name", "a_number", "date_of_birth", "nationality",'
        ' "detention_facility"]\n',
    ],
    ids=["allow_kinds", "paths-star"],
)
def test_a_policy_that_suppresses_a_roster_says_so_and_is_recorded_by_hash(root: Path, rules: str) -> None:
    import hashlib

    from gatekit import run

    from spillguard.audit import open_audit

    shutil.rmtree(root / "site")
    write_roster(root / "site" / "people.xlsx", count=20)
    policy = root / "loose.toml"
    policy.write_text(rules)
    done = run("gate", "site", "--policy", "loose.toml", "--audit", "a.db", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr  # the policy's call, but said aloud:
    assert "findings suppressed by the policy" in done.stdout or "finding(s) suppressed" in done.stdout
    assert "suppressed by the policy: 20 finding(s) (" in done.stdout
    if rules.startswith("[[paths]]"):
        assert 'paths[0] "*" allow_kinds a_number' in done.stdout
    else:
        assert "(allow_kinds a_number)" in done.stdout
    entry = open_audit(str(root / "a.db"), create=False).entries()[-1]
    assert entry.detail["policy_sha256"] == hashlib.sha256(policy.read_bytes()).hexdigest()
    assert sum(entry.detail["files"][0]["suppressed"].values()) >= 20
    scanned = run("scan", "site", "--policy", "loose.toml", cwd=root)
    assert "suppressed by the policy" in scanned.stdout


# --- 9. publish trusts its manifest only for what it wrote, and every run is logged ------------


def test_a_forged_manifest_deletes_nothing_publish_did_not_write(root: Path) -> None:
    import json

    from gatekit import run

    public = root / "public"
    (public / "uploads").mkdir(parents=True)
    (public / "uploads" / "theirs.pdf").write_text("someone else's file\n")
    (public / "notes.txt").write_text("edited by hand\n")
    assert run("publish", "site", "public", "--audit", "a.db", cwd=root).returncode == 1
    manifest = json.loads((public / publishing.MANIFEST).read_text())
    forged = {"sha256": "0" * 64, "size": 1}
    manifest["files"].update(
        {".": forged, "uploads": forged, "../site/index.html": forged, "notes.txt": forged}
    )
    (public / publishing.MANIFEST).write_text(json.dumps(manifest))
    done = run("publish", "site", "public", "--audit", "a.db", cwd=root)
    assert done.returncode == 1, done.stderr
    assert (public / "uploads" / "theirs.pdf").is_file()
    assert (public / "notes.txt").read_text() == "edited by hand\n"
    assert (public / "index.html").is_file() and (root / "site" / "index.html").is_file()


def test_a_symlinked_folder_in_dest_fails_that_file_and_the_run_is_logged(root: Path) -> None:
    from gatekit import run

    from spillguard.audit import open_audit

    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    (root / "public").mkdir()
    (root / "public" / "files").symlink_to(elsewhere)
    done = run("publish", "site", "public", "--audit", "a.db", cwd=root)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "FAILED     files/facility-counts.csv" in done.stdout
    assert "published  index.html" in done.stdout
    assert not list(elsewhere.iterdir())
    assert (root / "public" / publishing.MANIFEST).is_file()
    entries = open_audit(str(root / "a.db"), create=False).entries()
    assert [e.action for e in entries] == ["publish"]
    assert any("files/facility-counts.csv" in f for f in entries[0].detail["failed"])


def test_a_file_name_that_is_not_utf8_is_published_and_logged(root: Path) -> None:
    from gatekit import run

    from spillguard.audit import open_audit, verify

    with open(os.fsencode(root / "site") + b"/caf\xe9.html", "wb") as fh:
        fh.write(b"<p>Opening hours: 9-5.</p>\n")
    for command in (["gate", "site"], ["publish", "site", "public"]):
        done = run(*command, "--audit", "a.db", cwd=root)
        assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr[-500:]
    assert "published  caf\\xe9.html" in done.stdout
    log = open_audit(str(root / "a.db"), create=False)
    assert verify(log).ok and len(log.entries()) == 2
