"""Web assets judged by what they are: fonts and WebAssembly pass with their strings scanned,
audio and video are listed as not inspected (policy decides), SVG, JavaScript, CSS and source
maps are scanned as text, and unknown binaries still fail closed unless a path rule relaxes
them. Every file is made at test time (tests/webassets.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import webassets as wa

from spillguard.extract.base import Source
from spillguard.extract.sniff import sniff
from spillguard.model import FileReport
from spillguard.pipeline import scan_bytes
from spillguard.policy import PolicyError, load_policy

pytest.importorskip("fontTools")
pytest.importorskip("mutagen")

CONTACT = f"Designed by {wa.PERSON}, phone {wa.PHONE}, maria.gonzalez@example.org"


def scan_one(name: str, data: bytes, policy_text: str | None = None, tmp: Path | None = None) -> FileReport:
    policy = None
    if policy_text is not None:
        assert tmp is not None
        (tmp / "spillguard.toml").write_text(policy_text)
        policy = load_policy(str(tmp / "spillguard.toml"))
        name = str(tmp / name)
    return scan_bytes(name, data, policy)[0]


def metadata_kinds(report: FileReport, part: str) -> set[str]:
    return {f.kind for f in report.findings if f.location.part == part and f.location.layer == "metadata"}


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("ttf", lambda: wa.font(wa.CLEAN_NAMES)),
        ("otf", lambda: wa.font(wa.CLEAN_NAMES, cff=True)),
        ("woff", lambda: wa.font(wa.CLEAN_NAMES, flavor="woff")),
        ("woff2", lambda: wa.font(wa.CLEAN_NAMES, flavor="woff2")),
        ("eot", lambda: wa.eot(wa.CLEAN_NAMES)),
        ("ico", wa.icon),
        ("wasm", lambda: wa.wasm("clang", "hello world")),
        ("wav", lambda: wa.wav({b"INAM": "briefing"})),
        ("mp4", lambda: wa.mp4("briefing", "office")),
        ("svg", lambda: wa.SVG.encode()),
        ("js", lambda: wa.JS.encode()),
        ("css", lambda: wa.CSS.encode()),
        ("sourcemap", wa.source_map),
    ],
)
def test_web_assets_are_sniffed_by_content_not_name(kind: str, make: object) -> None:
    data = make()  # type: ignore[operator]
    assert sniff(Source.from_bytes("no-extension", data)) == kind
    report = scan_bytes("no-extension", data)[0]
    assert report.uninspectable is None, report.reason
    assert report.verdict == ("warn" if kind in ("wav", "mp4") else "pass"), report.reason


def test_audio_sniffing_does_not_swallow_other_binaries() -> None:
    assert sniff(Source.from_bytes("x", b"\xff\xfb\x90\x64" + bytes(200))) == "mp3"
    assert sniff(Source.from_bytes("x", b"\xff\xff\xff\xff" + bytes(200))) == "binary"
    assert sniff(Source.from_bytes("x", b"\x00\x01\x00\x00" + bytes(200))) == "binary"  # no tables
    assert sniff(Source.from_bytes("x", b"Dear Ana,\nthe list { follows }.\n")) == "txt"
    assert sniff(Source.from_bytes("x", "a,b\n1,2\n".encode("utf-16"))) == "csv"  # BOM, not MPEG sync


@pytest.mark.parametrize("flavor", [None, "woff", "woff2"])
def test_a_font_name_table_goes_through_the_detectors(flavor: str | None) -> None:
    names = {**wa.CLEAN_NAMES, "designer": CONTACT}
    report = scan_bytes("f", wa.font(names, flavor=flavor))[0]
    kinds = metadata_kinds(report, "metadata:font designer")
    assert {"phone_number", "email_address"} <= kinds, report.findings
    assert report.verdict == "pass"  # contact details alone, as on any page
    assert all(wa.PHONE not in str(f.as_dict()) for f in report.findings)  # masked


def test_eot_header_names_and_wrapped_font_are_read() -> None:
    names = {**wa.CLEAN_NAMES, "fullName": CONTACT, "designer": f"by {CONTACT}"}
    report = scan_bytes("f.eot", wa.eot(names))[0]
    assert "phone_number" in metadata_kinds(report, "metadata:eot full name")  # the header
    assert "phone_number" in metadata_kinds(report, "metadata:font designer")  # the font inside


def test_a_compressed_or_broken_font_fails_closed() -> None:
    data = bytearray(wa.eot(wa.CLEAN_NAMES))
    data[12] = 0x04  # MicroType Express compression flag
    report = scan_bytes("f.eot", bytes(data))[0]
    assert report.verdict == "block" and "MicroType Express" in (report.uninspectable or "")
    broken = wa.font(wa.CLEAN_NAMES)[:200]
    report = scan_bytes("f.ttf", broken)[0]
    assert report.verdict == "block" and (report.uninspectable or "").startswith("corrupt font")


def test_webassembly_strings_are_scanned() -> None:
    report = scan_bytes("m.wasm", wa.wasm("clang", f"contact: {CONTACT}"))[0]
    assert "phone_number" in metadata_kinds(report, "metadata:wasm data")
    report = scan_bytes("m.wasm", b"\x00asm\x01\x00\x00\x00\x0b\xff\xff\x03")[0]
    assert report.verdict == "block" and "corrupt WebAssembly" in (report.uninspectable or "")


def test_media_are_not_inspected_and_their_metadata_is_scanned() -> None:
    report = scan_bytes("v.mp4", wa.mp4(f"Interview, {CONTACT}", "Office", position="+37.7749-122.4194/"))[0]
    assert report.verdict == "warn" and report.uninspectable is None
    assert "not inspected" in report.reason and report.extra["not_inspected"]
    assert "phone_number" in metadata_kinds(report, "metadata:tag ©nam")
    assert "gps_location" in metadata_kinds(report, "metadata:GPS")
    wav = scan_bytes("a.wav", wa.wav({b"ICMT": CONTACT}))[0]
    assert wav.verdict == "warn" and "phone_number" in metadata_kinds(wav, "metadata:riff comment")


@pytest.mark.parametrize(("setting", "verdict"), [("block", "block"), ("pass", "pass"), ("warn", "warn")])
def test_the_policy_decides_what_unread_media_do(tmp_path: Path, setting: str, verdict: str) -> None:
    report = scan_one("a.wav", wa.wav({b"INAM": "x"}), f'[media]\nunread = "{setting}"\n', tmp_path)
    assert report.verdict == verdict, report.reason
    assert (report.uninspectable is not None) == (setting == "block")


def test_media_policy_is_validated(tmp_path: Path) -> None:
    (tmp_path / "spillguard.toml").write_text('[media]\nunread = "maybe"\n')
    with pytest.raises(PolicyError, match=r"media\.unread"):
        load_policy(str(tmp_path / "spillguard.toml"))
    (tmp_path / "spillguard.toml").write_text('[media]\nread = "pass"\n')
    with pytest.raises(PolicyError, match=r"unknown key media\.'read'"):
        load_policy(str(tmp_path / "spillguard.toml"))


UNKNOWN = b"\x13\x37\x00\x01" + bytes(range(256)) * 4


def test_unknown_binaries_still_fail_closed(tmp_path: Path) -> None:
    report = scan_one("assets/blob.bin", UNKNOWN, "", tmp_path)
    assert report.verdict == "block" and report.uninspectable == "unknown binary type"


RELAX = """
[[paths]]
pattern = "assets/*"
uninspectable = "warn"
uninspectable_reasons = ["unknown binary type"]
reason = "build output of the site generator"
"""


def test_a_path_rule_relaxes_uninspectable_files_for_the_reasons_it_names(tmp_path: Path) -> None:
    relaxed = scan_one("assets/blob.bin", UNKNOWN, RELAX, tmp_path)
    assert relaxed.verdict == "warn" and relaxed.uninspectable is None
    assert relaxed.extra["relaxed"] == {
        "pattern": "assets/*",
        "verdict": "warn",
        "reason": "build output of the site generator",
    }
    assert "not inspected: unknown binary type" in relaxed.reason
    elsewhere = scan_one("files/blob.bin", UNKNOWN, RELAX, tmp_path)
    assert elsewhere.verdict == "block"
    other_reason = scan_one("assets/x.eot", bytes(wa.eot(wa.CLEAN_NAMES))[:90], RELAX, tmp_path)
    assert other_reason.verdict == "block", other_reason.reason  # a corrupt font is not relaxed


def test_a_relaxation_never_lets_personal_data_through(tmp_path: Path) -> None:
    policy = RELAX.replace('uninspectable_reasons = ["unknown binary type"]\n', "")
    names = {**wa.CLEAN_NAMES, "designer": CONTACT}
    report = scan_one("assets/f.ttf", wa.font(names), policy, tmp_path)
    assert report.findings and report.verdict == "pass"  # read: judged by what it says, not relaxed
    assert "relaxed" not in report.extra


def test_path_rule_uninspectable_is_validated(tmp_path: Path) -> None:
    (tmp_path / "spillguard.toml").write_text('[[paths]]\npattern = "a/*"\nuninspectable = "ok"\n')
    with pytest.raises(PolicyError, match=r"paths\[0\]\.uninspectable"):
        load_policy(str(tmp_path / "spillguard.toml"))


@pytest.mark.parametrize("kind", ["svg", "css", "js"])
def test_pictures_written_into_svg_css_and_js_are_scanned_as_pictures(kind: str) -> None:
    import base64

    uri = "data:image/png;base64," + base64.b64encode(wa.icon_png()).decode()
    data = {
        "svg": wa.SVG.replace("<rect", f'<image href="{uri}" width="120" height="40"/>\n  <rect'),
        "css": wa.CSS + f'.logo {{ background: url("{uri}"); }}\n',
        "js": wa.JS + f'const logo = "{uri}";\n',
    }[kind].encode()
    reports = scan_bytes(f"asset.{kind}", data)
    assert reports[0].type == kind
    assert [(r.path, r.type) for r in reports[1:]] == [(f"asset.{kind}!picture-1.png", "png")]


def test_a_forged_media_header_does_not_make_a_roster_not_inspected() -> None:
    roster = b"Name,A-Number,DOB\nGARCIA LOPEZ, MARIA,A212345622,03/04/1988\n"
    for magic in (b"\xff\xfb\x90\x64", b"ID3\x04\x00\x00\x00\x00\x00\x00", b"OggS\x00\x02"):
        report = scan_bytes("song.mp3", magic + roster)[0]
        assert report.verdict == "block" and "unrecognised audio/video" in (report.uninspectable or ""), magic
