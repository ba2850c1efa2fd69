"""Approvals: Ed25519 keys, signed approvals bound to a file's sha256 and findings, verified
offline. Each way an approval can fail to count is named: forged, untrusted key, expired,
wrong file, findings changed, duplicate signer. Bad key and approval files are one-line errors
naming the file."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from gatekit import NOW, approve, make_keys, run, write_policy, write_roster

from spillguard.approvals import (
    DUPLICATE,
    EXPIRED,
    FINDINGS_CHANGED,
    FORGED,
    UNTRUSTED,
    WRONG_FILE,
    ApprovalError,
    decide,
    load_approvals,
    load_private_key,
    load_public_key,
    new_key_pair,
    read_approval,
)
from spillguard.policy import load_policy
from spillguard.scan import scan


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a roster, three approvers' keys (mallory untrusted) and a policy."""
    monkeypatch.chdir(tmp_path)
    keys = make_keys(tmp_path / "keys", "alice", "bob", "mallory")
    write_policy(tmp_path, {"alice": keys["alice"], "bob": keys["bob"]})
    write_roster(tmp_path / "site" / "roster.xlsx")
    return tmp_path


def judge(
    bench: Path, policy_name: str = "spillguard.toml", now: object = NOW
) -> tuple[str, list[str | None]]:
    policy = load_policy(str(bench / policy_name))
    report = scan(["site/roster.xlsx"], policy, jobs=0).files[0]
    decision = decide(report, policy.for_path(report.path), load_approvals(bench / "approvals"), now)  # type: ignore[arg-type]
    return decision.state, [c.problem for c in decision.checks]


def sign_as(bench: Path, name: str, **kwargs: object) -> Path:
    policy = load_policy(str(bench / "spillguard.toml"))
    _, path = approve(
        bench / "site/roster.xlsx", bench / "keys" / f"{name}.key", policy, bench / "approvals", **kwargs
    )  # type: ignore[arg-type]
    return path


def test_keys_new_writes_a_private_key_only_its_owner_reads(tmp_path: Path) -> None:
    done = run("keys", "new", "alice", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    private, public = tmp_path / "alice.key", tmp_path / "alice.pub"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert public.read_text().endswith(" alice\n")
    assert load_public_key(public) in done.stdout  # the line to paste into the policy
    load_private_key(private)
    again = run("keys", "new", "alice", cwd=tmp_path)
    assert again.returncode == 2 and "already exists" in again.stderr
    assert run("keys", "new", "../evil", cwd=tmp_path).returncode == 2


def test_two_trusted_people_approve_a_critical_file(bench: Path) -> None:
    assert judge(bench) == ("missing", [])
    sign_as(bench, "alice")
    assert judge(bench) == ("missing", [None])  # one of two
    sign_as(bench, "bob", now=NOW + timedelta(seconds=1))
    assert judge(bench) == ("approved", [None, None])


def test_an_untrusted_key_does_not_count(bench: Path) -> None:
    sign_as(bench, "alice")
    sign_as(bench, "mallory")
    state, problems = judge(bench)
    assert state == "invalid"
    assert problems[1] is not None and problems[1].startswith(UNTRUSTED)


def test_a_forged_approval_does_not_count(bench: Path) -> None:
    sign_as(bench, "alice")
    path = sign_as(bench, "bob", now=NOW + timedelta(seconds=1))
    data = json.loads(path.read_text())
    data["reason"] = "something the signer never said"
    path.write_text(json.dumps(data))
    assert judge(bench) == ("invalid", [None, FORGED])
    # Swapping in a trusted key under someone else's signature is forged too.
    data = json.loads(path.read_text())
    data["reason"] = "approved by the privacy office"
    data["key"] = json.loads(next((bench / "approvals").glob("*alice*")).read_text())["key"]
    path.write_text(json.dumps(data))
    state, problems = judge(bench)
    assert state == "invalid" and FORGED in problems


def test_an_expired_approval_does_not_count(bench: Path) -> None:
    sign_as(bench, "alice", now=NOW - timedelta(days=40), expires=NOW - timedelta(days=10))
    sign_as(bench, "bob")
    state, problems = judge(bench)
    assert state == "invalid"
    assert problems[0] is not None and problems[0].startswith(EXPIRED)
    assert problems[1] is None


def test_any_change_to_the_file_voids_its_approvals(bench: Path) -> None:
    sign_as(bench, "alice")
    sign_as(bench, "bob", now=NOW + timedelta(seconds=1))
    write_roster(bench / "site" / "roster.xlsx", seed=8)  # same name, other people
    assert judge(bench) == ("invalid", [WRONG_FILE, WRONG_FILE])


def test_an_approval_of_other_findings_does_not_count(bench: Path) -> None:
    sign_as(bench, "alice")
    sign_as(bench, "bob", now=NOW + timedelta(seconds=1))
    # The same bytes judged under another policy: the approvers saw other findings.
    keys = {n: load_public_key(bench / "keys" / f"{n}.pub") for n in ("alice", "bob")}
    write_policy(bench, keys, "[[paths]]\npattern = 'site/*'\nallow_kinds = ['nationality']\n")
    assert judge(bench) == ("invalid", [FINDINGS_CHANGED, FINDINGS_CHANGED])


def test_one_person_twice_is_one_approval(bench: Path) -> None:
    sign_as(bench, "alice")
    sign_as(bench, "alice", now=NOW + timedelta(seconds=1), reason="approving again")
    state, problems = judge(bench)
    assert state == "invalid"
    assert problems[0] is None
    assert problems[1] is not None and problems[1].startswith(DUPLICATE)


def test_two_keys_of_one_person_are_one_approval(bench: Path) -> None:
    keys = {n: load_public_key(bench / "keys" / f"{n}.pub") for n in ("alice", "bob", "mallory")}
    # mallory's key is alice's second key: the policy lists both under alice
    text = f'[approvers]\nalice = ["{keys["alice"]}", "{keys["mallory"]}"]\nbob = "{keys["bob"]}"\n'
    (bench / "spillguard.toml").write_text(text)
    sign_as(bench, "alice")
    sign_as(bench, "mallory", now=NOW + timedelta(seconds=1))
    state, problems = judge(bench)
    assert state == "invalid" and problems[1] is not None and DUPLICATE in problems[1]


def test_approvals_needed_follow_the_policy(bench: Path) -> None:
    keys = {n: load_public_key(bench / "keys" / f"{n}.pub") for n in ("alice", "bob")}
    write_policy(bench, keys, "[approvals]\ncritical = 1\n")
    sign_as(bench, "alice")
    assert judge(bench)[0] == "approved"


# --- bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[1, 2]", "not an approval (expected a JSON object)"),
        ('{"schema": "spillguard.approval/1"}', "missing field 'path'"),
    ],
)
def test_a_malformed_approval_is_an_error_naming_it(bench: Path, content: str, message: str) -> None:
    folder = bench / ".spillguard" / "approvals"
    folder.mkdir(parents=True)
    (folder / "broken.json").write_text(content)
    with pytest.raises(ApprovalError) as caught:
        load_approvals(folder)
    assert str(caught.value).startswith(f"{folder / 'broken.json'}: {message}")
    done = run("gate", "site", cwd=bench)
    assert done.returncode == 2
    assert done.stderr.startswith("spillguard: error: .spillguard/approvals/broken.json: ")
    assert done.stderr.count("\n") == 1


def test_every_field_of_an_approval_is_checked(bench: Path) -> None:
    path = sign_as(bench, "alice")
    good = json.loads(path.read_text())
    for change, message in [
        ({"sha256": "abc"}, "must be 64 hex digits"),
        ({"key": "ed25519:short"}, "'key' is not an Ed25519 public key"),
        ({"signature": "!!"}, "'signature' is not a base64"),
        ({"expires": "next week"}, "'expires' is not an ISO 8601 time"),
        ({"created": 5}, "field 'created' has the wrong type"),
        ({"extra": 1}, "unknown field 'extra'"),
        ({"schema": "spillguard.approval/9"}, "unknown schema"),
    ]:
        path.write_text(json.dumps({**good, **change}))
        with pytest.raises(ApprovalError, match=message):
            read_approval(path)


def test_the_gate_fails_closed_when_approvals_cannot_be_read(
    bench: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_as(bench, "alice")
    sign_as(bench, "bob", now=NOW + timedelta(seconds=1))
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)  # as for a folder without read rights
    with pytest.raises(ApprovalError, match="approvals: cannot read approvals: Permission denied"):
        load_approvals(bench / "approvals")


def test_the_gate_command_fails_closed_on_an_unreadable_approvals_folder(bench: Path) -> None:
    # root reads every folder, so unreadable is made another way: a file in its place, and an
    # approval that is a folder
    (bench / "not-a-folder").write_text("")
    done = run("gate", "site", "--approvals", "not-a-folder", cwd=bench)
    assert done.returncode == 2 and "not-a-folder: cannot read approvals: not a folder" in done.stderr
    (bench / "approvals" / "odd.json").mkdir(parents=True)
    done = run("gate", "site", "--approvals", "approvals", cwd=bench)
    assert done.returncode == 2 and "odd.json: cannot read" in done.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"garbage", "not a PEM private key"),
        (b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "not a PEM private key"),
    ],
)
def test_a_malformed_key_is_an_error_naming_it(bench: Path, content: bytes, message: str) -> None:
    (bench / "bad.key").write_bytes(content)
    done = run("approve", "site/roster.xlsx", "--key", "bad.key", "--reason", "ok", cwd=bench)
    assert done.returncode == 2
    assert done.stderr == f"spillguard: error: bad.key: {message}\n"
    assert not (bench / ".spillguard" / "approvals").exists()


def test_a_key_that_is_not_ed25519_is_refused(tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "ec.key").write_bytes(pem)
    with pytest.raises(ApprovalError, match=r"ec\.key: not an Ed25519 key"):
        load_private_key(tmp_path / "ec.key")
    (tmp_path / "bad.pub").write_text("ssh-ed25519 AAAA alice\n")
    with pytest.raises(ApprovalError, match=r"bad\.pub: not a spillguard public key"):
        load_public_key(tmp_path / "bad.pub")
    with pytest.raises(ApprovalError, match="already exists"):
        new_key_pair("ec", tmp_path)


def test_approve_on_the_command_line(bench: Path) -> None:
    args = ("site/roster.xlsx", "--key", "keys/alice.key", "--reason", "court order", "--expires", "30d")
    done = run("approve", *args, cwd=bench)
    assert done.returncode == 0, done.stderr
    assert "approved by alice" in done.stdout
    written = list((bench / ".spillguard" / "approvals").glob("*.json"))
    assert len(written) == 1
    approval = read_approval(written[0])
    assert approval.path == "site/roster.xlsx" and approval.reason == "court order"
    assert approval.expires is not None
    # nobody's data is in it: names and A-numbers stay in the workbook
    assert "A2" not in written[0].read_text().replace(approval.signature, "").replace(approval.key, "")
    past = run(
        "approve",
        "site/roster.xlsx",
        "--key",
        "keys/bob.key",
        "--reason",
        "x",
        "--expires",
        "2001-01-01",
        cwd=bench,
    )
    assert past.returncode == 2 and "already in the past" in past.stderr
    untrusted = run("approve", "site/roster.xlsx", "--key", "keys/mallory.key", "--reason", "x", cwd=bench)
    assert untrusted.returncode == 0 and "not among the policy's approvers" in untrusted.stderr
    no_reason = run("approve", "site/roster.xlsx", "--key", "keys/bob.key", "--reason", " ", cwd=bench)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr


def respell(key: str) -> str:
    """The same 32 bytes in other base64: the last character's two unused bits flipped."""
    import base64

    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    body = key.removeprefix("ed25519:")
    flipped = body[:-2] + alphabet[alphabet.index(body[-2]) ^ 1] + body[-1]
    assert flipped != body and base64.b64decode(flipped) == base64.b64decode(body)
    return "ed25519:" + flipped


def test_two_spellings_of_one_key_are_one_person(bench: Path) -> None:
    from spillguard.policy import PolicyError

    alice = load_public_key(bench / "keys" / "alice.pub")
    (bench / "spillguard.toml").write_text(f'[approvers]\nalice = "{alice}"\ncarol = "{respell(alice)}"\n')
    with pytest.raises(PolicyError, match=r"approvers\.carol: key already listed for 'alice'"):
        load_policy(str(bench / "spillguard.toml"))
    (bench / "spillguard.toml").write_text(f'[approvers]\nalice = "{alice}"\n')
    approver = load_policy(str(bench / "spillguard.toml")).approver_for_key(respell(alice))
    assert approver is not None and approver.name == "alice"
