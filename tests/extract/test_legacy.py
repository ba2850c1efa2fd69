""".doc, .ppt and .rtf read through LibreOffice with their hidden layers: each built here by
converting our own generated .docx/.pptx with the same converter, a roster placed in a tracked
deletion, a comment, hidden text and speaker notes; each must block with the layer named.
Skipped where LibreOffice is absent (`make setup` installs it from Debian's packages), except
the test that it then fails closed with a reason saying what to install. The real .doc files of
../shared/corpora/poi get verdicts in bounded time (corpus marker, a sample)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from spillguard.extract.base import Limits, Source
from spillguard.extract.legacy import converter, extract_legacy
from spillguard.extract.sniff import sniff
from spillguard.model import FileReport, Uninspectable
from spillguard.pipeline import scan_bytes
from testing.synth import roster_people as make_people
from testing.synth import write_docx_layers, write_pptx_layers

needs_converter = pytest.mark.skipif(converter() is None, reason="LibreOffice is not installed")
PEOPLE = make_people(3, seed=31)
LINES = [f"{p.roster_name} A{p.a_number} DOB {p.born:%m/%d/%Y} {p.country}" for p in PEOPLE]


def soffice(path: Path, target: str, folder: Path) -> Path:
    """Convert `path` with LibreOffice into `folder`, with a profile of its own."""
    profile = (folder / f"profile-{path.stem}-{target.split(':')[0]}").as_uri()
    subprocess.run(
        [str(converter()), f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
         "--outdir", str(folder), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    (out,) = [p for p in folder.glob(f"{path.stem}.*") if p.suffix == "." + target.split(":")[0]]
    return out


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if converter() is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("legacy")
    words = write_docx_layers(folder / "report.docx", comment=LINES[0], deleted=LINES[1], hidden=LINES[2])
    deck = write_pptx_layers(folder / "briefing.pptx", notes=LINES[0], hidden_slide=LINES[1])
    return {
        "doc": soffice(words, "doc:MS Word 97", folder),
        "rtf": soffice(words, "rtf", folder),
        "ppt": soffice(deck, "ppt:MS PowerPoint 97", folder),
    }


def layers(report: FileReport) -> set[str]:
    return {f.location.layer for f in report.findings if f.kind == "a_number"}


@needs_converter
@pytest.mark.parametrize("kind", ["doc", "rtf"])
def test_word_formats_block_with_each_hidden_layer_named(legacy: dict[str, Path], kind: str) -> None:
    data = legacy[kind].read_bytes()
    assert sniff(Source.from_bytes("x", data)) == kind
    report = scan_bytes(legacy[kind].name, data)[0]
    assert report.type == kind and report.verdict == "block", report.reason
    assert layers(report) == {"tracked_change", "comment", "hidden_text"}
    assert report.individuals == 3


@needs_converter
def test_powerpoint_blocks_with_speaker_notes_and_hidden_slides_named(legacy: dict[str, Path]) -> None:
    data = legacy["ppt"].read_bytes()
    assert sniff(Source.from_bytes("x", data)) == "ppt"
    report = scan_bytes("briefing.ppt", data)[0]
    assert report.verdict == "block", report.reason
    found = {(f.location.layer, f.location.hidden) for f in report.findings if f.kind == "a_number"}
    assert ("notes", True) in found, found
    assert any(f.location.hidden and f.location.part.startswith("slide") for f in report.findings), found


@needs_converter
def test_a_conversion_past_its_time_fails_closed(legacy: dict[str, Path]) -> None:
    source = Source.from_path(str(legacy["doc"]), legacy["doc"].stat().st_size)
    started = time.monotonic()
    with pytest.raises(Uninspectable, match="timed out converting"):
        list(extract_legacy(source, Limits(convert_seconds=0.2)))
    assert time.monotonic() - started < 10


def test_without_libreoffice_the_file_fails_closed_saying_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    rtf = rb"{\rtf1\ansi Hello}"
    report = scan_bytes("memo.rtf", rtf)[0]
    assert report.type == "rtf" and report.verdict == "block"
    assert "LibreOffice is not installed" in (report.uninspectable or "")
    assert "libreoffice-writer-nogui" in (report.uninspectable or "")


def test_legacy_formats_are_sniffed_by_content() -> None:
    assert sniff(Source.from_bytes("x", rb"{\rtf1\ansi x}")) == "rtf"
    assert sniff(Source.from_bytes("x", b"\xffWPC" + bytes(60))) == "wpd"


# --- the real .doc files of Apache POI's test data ------------------------------------------

SAMPLE = 6  # conversions take a second or two each; a spread of the corpus keeps `make test` short
SECONDS_PER_FILE = 60.0


@needs_converter
@pytest.mark.corpus
def test_real_doc_files_get_verdicts_in_bounded_time(corpora: Path) -> None:
    folder = corpora / "poi" / "test-data" / "document"
    if not folder.is_dir():
        pytest.skip("poi corpus is absent")
    paths = sorted(folder.glob("*.doc"))
    assert paths
    sample = paths[:: max(1, len(paths) // SAMPLE)][:SAMPLE]
    for path in sample:
        started = time.monotonic()
        report = scan_bytes(path.name, path.read_bytes())[0]
        assert report.verdict in ("pass", "warn", "block"), path.name
        assert not (report.uninspectable or "").startswith("internal error"), (path.name, report.reason)
        assert time.monotonic() - started < SECONDS_PER_FILE, path.name


# --- OLE objects embedded in Office files ----------------------------------------------------


def packaged(name: str, data: bytes) -> bytes:
    """An OLE Packager stream (`\\x01Ole10Native`) holding a file, as Office writes it."""
    path = f"C:\\Users\\editor\\{name}".encode() + b"\x00"
    body = b"\x02\x00" + name.encode() + b"\x00" + path + b"\x00\x00\x03\x00"
    body += len(path).to_bytes(4, "little") + path + len(data).to_bytes(4, "little") + data
    return len(body).to_bytes(4, "little") + body


def test_a_packaged_file_is_unwrapped_with_its_name() -> None:
    from spillguard.extract.olepackage import is_package, ole10_native

    assert ole10_native(packaged("roster.csv", b"a,b\n1,2\n")) == ("roster.csv", b"a,b\n1,2\n")
    assert ole10_native(b"\x10\x00\x00\x00garbage") == ("", b"garbage")  # handed on whole
    assert is_package({"\x01ole10native", "\x01compobj"}) and is_package({"contents", "\x01ole"})
    assert not is_package({"\x01ole10native", "worddocument"}) and not is_package({"\x01compobj"})


@pytest.mark.corpus
def test_embedded_ole_objects_in_real_files_are_read(corpora: Path) -> None:
    path = corpora / "poi" / "test-data" / "spreadsheet" / "bug64512_embed.xlsx"
    if not path.is_file():
        pytest.skip("poi corpus is absent")
    reports = scan_bytes(path.name, path.read_bytes())
    types = {r.path.split("!", 1)[1]: r.type for r in reports if "!" in r.path}
    assert types.get("oleObject1.bin") == "ole-package", types
    assert any(name.endswith(".pdf") and kind == "pdf" for name, kind in types.items()), types
    assert all(r.uninspectable is None for r in reports), [r.reason for r in reports]


def test_a_policy_can_turn_conversion_off(tmp_path: Path) -> None:
    from spillguard.policy import load_policy

    (tmp_path / "spillguard.toml").write_text("[limits]\nconvert = false\nconvert_seconds = 30\n")
    policy = load_policy(str(tmp_path / "spillguard.toml"))
    assert policy.limits.convert_seconds == 30
    report = scan_bytes(str(tmp_path / "memo.rtf"), rb"{\rtf1\ansi Hello}", policy)[0]
    assert report.verdict == "block" and "conversion is turned off" in (report.uninspectable or "")


@needs_converter
def test_concurrent_conversions_do_not_share_a_profile(legacy: dict[str, Path]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from spillguard.extract.legacy import convert

    data = legacy["doc"].read_bytes()
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: convert(data, "doc", Limits()), range(3)))
    assert all(r.startswith(b"PK") for r in results)  # three .docx, none refused by a lock


# --- Visio ----------------------------------------------------------------------------------

VISIO = 'xmlns="http://schemas.microsoft.com/office/visio/2012/main" xmlns:r="{}"'.format(
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
)
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
VISIO_RELS = "http://schemas.microsoft.com/visio/2010/relationships"


def visio_drawing(text: str) -> bytes:
    """The smallest .vsdx LibreOffice opens: one page with one rectangle holding `text`."""
    from testing.synth import zip_bytes

    def rels(kind: str, target: str) -> str:
        return f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{VISIO_RELS}/{kind}" Target="{target}"/></Relationships>'  # noqa: E501

    types = "".join(
        f'<Override PartName="/visio/{part}.xml" ContentType="application/vnd.ms-visio.{kind}+xml"/>'
        for part, kind in (("document", "drawing.main"), ("pages/pages", "pages"), ("pages/page1", "page"))
    )
    corners = [(0, 0), (6, 0), (6, 1), (0, 1), (0, 0)]
    rows = "".join(
        f'<Row T="{"MoveTo" if i == 0 else "LineTo"}" IX="{i + 1}">'
        f'<Cell N="X" V="{x}"/><Cell N="Y" V="{y}"/></Row>'
        for i, (x, y) in enumerate(corners)
    )
    shape = {"PinX": 4, "PinY": 8, "Width": 6, "Height": 1, "LocPinX": 3, "LocPinY": 0.5}
    cells = "".join(f'<Cell N="{n}" V="{v}"/>' for n, v in shape.items())
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>',
        "_rels/.rels": rels("document", "visio/document.xml"),
        "visio/document.xml": f"<VisioDocument {VISIO}><DocumentSettings/></VisioDocument>",
        "visio/_rels/document.xml.rels": rels("pages", "pages/pages.xml"),
        "visio/pages/pages.xml": f'<Pages {VISIO}><Page ID="0" NameU="Page-1" Name="Page-1"><PageSheet>'
        '<Cell N="PageWidth" V="8.5"/><Cell N="PageHeight" V="11"/></PageSheet>'
        '<Rel r:id="rId1"/></Page></Pages>',
        "visio/pages/_rels/pages.xml.rels": rels("page", "page1.xml"),
        "visio/pages/page1.xml": f'<PageContents {VISIO}><Shapes><Shape ID="1" Type="Shape">{cells}'
        f'<Section N="Geometry" IX="0">{rows}</Section><Text>{text}</Text></Shape></Shapes></PageContents>',
    }
    return zip_bytes({name: body.encode() for name, body in parts.items()})


@needs_converter
def test_a_visio_drawing_is_read() -> None:
    data = visio_drawing(LINES[0])
    assert sniff(Source.from_bytes("x", data)) == "vsdx"
    report = scan_bytes("org-chart.vsdx", data)[0]
    assert report.verdict == "block" and {"a_number", "person_name"} <= set(report.counts), report.reason


@needs_converter
def test_a_visio_drawing_inside_a_docx_is_read(tmp_path: Path) -> None:
    from testing.synth import add_zip_parts

    path = write_docx_layers(tmp_path / "memo.docx", comment="ok", deleted="none", hidden="nothing")
    add_zip_parts(path, {"word/embeddings/Microsoft_Visio_Drawing.vsdx": visio_drawing(LINES[1])})
    reports = {r.path: r for r in scan_bytes("memo.docx", path.read_bytes())}
    member = reports["memo.docx!word/embeddings/Microsoft_Visio_Drawing.vsdx"]
    assert member.type == "vsdx" and member.verdict == "block", member.reason
    assert reports["memo.docx"].verdict == "block"
