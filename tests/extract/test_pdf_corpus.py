"""The redaction check against Free Law Project's x-ray test PDFs, read in place from
../shared/corpora (skipped when absent). Expectations are x-ray's own, from its tests/test_utils.py:
files x-ray finds bad redactions in must give under_redaction text here, and the files it must
stay quiet on must give none."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from spillguard.extract.base import Limits, Source
from spillguard.extract.pdf import extract_pdf, redacted_text
from spillguard.model import Content, Passage, Uninspectable

pytestmark = pytest.mark.corpus

SECONDS_PER_FILE = 20.0

# x-ray: test_we_find_rectangles_when_we_should, test_bad_redactions_on_single_page (3 on
# rectangles_yes.pdf), test_cross_hatched_redactions (16).
REDACTED = {
    "rectangles_yes.pdf": 3,
    "rectangles_yes_2.pdf": None,  # x-ray only asserts that boxes are found
    "bad_cross_hatched_redactions.pdf": 16,
}
# x-ray: test_tricky_rectangles, test_whitespace_only_redaction_no_results, test_unfilled_rect,
# test_ok_words_not_redacted, test_multiline_redaction, test_text_on_rectangles_ok,
# test_ignoring_partial_occlusions, test_we_do_not_find_rectangles_when_we_should_not.
CLEAN = (
    "rectangles_no.pdf",
    "no_bad_redactions.2.1.pdf",
    "no_bad_redactions.3.1.pdf",
    "no_bad_redactions.3.2.pdf",
    "no_bad_redactions.4.1.pdf",
    "no_bad_redactions.5.5.pdf",
    "no_bad_redactions.6.2.pdf",
    "no_bad_redactions.7.1.pdf",
    "no_bad_redactions.8.1.pdf",
    "whitespace_redactions.pdf",
    "whitespace_redactions_2.pdf",
    "whitespace_redaction_with_comma.pdf",
    "unfilled_rect.pdf",
    "ok_words.pdf",
    "multi_line_redaction_ok.pdf",
    "partial_intersections_ok.pdf",
    "rect_ordering_0.8.pdf",
    "rect_ordering_1.23.pdf",
    "rect_ordering_2.1.pdf",
    "rect_ordering_3.20.pdf",
    "rect_ordering_4.1.pdf",
    "rect_ordering_5.2.pdf",
    "rect_ordering_6.19.pdf",
)


@pytest.fixture
def assets(corpora: Path) -> Path:
    folder = corpora / "x-ray" / "tests" / "assets"
    if not folder.is_dir():
        pytest.skip("x-ray corpus is absent")
    return folder


def extract(path: Path) -> list[Content]:
    source = Source.from_path(str(path), path.stat().st_size)
    return list(extract_pdf(source, Limits()))


def redactions(contents: list[Content]) -> list[Passage]:
    return [c for c in contents if isinstance(c, Passage) and c.location.layer == "under_redaction"]


def test_every_asset_gives_a_result_or_uninspectable_in_bounded_time(assets: Path) -> None:
    paths = sorted(assets.glob("*.pdf"))
    assert paths
    for path in paths:
        started = time.monotonic()
        try:
            contents = extract(path)
        except Uninspectable:
            continue
        assert contents, path.name
        assert time.monotonic() - started < SECONDS_PER_FILE, path.name


@pytest.mark.parametrize("name", sorted(REDACTED))
def test_text_under_boxes_is_found(assets: Path, name: str) -> None:
    found = redactions(extract(assets / name))
    assert found, name
    assert all(p.location.hidden and p.location.page == 1 for p in found)
    expected = REDACTED[name]
    if expected is not None:
        assert bad_bars(assets / name) == expected


def bad_bars(path: Path) -> int:
    """Bars that hide real text, counted as x-ray counts them (the extractor reports whole
    lines, so one line under two bars is one passage)."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        total = 0
        for page in doc:
            textpage = page.get_textpage()
            total += len(list(redacted_text(page, textpage)))
            textpage.close()
            page.close()
        return total
    finally:
        doc.close()


@pytest.mark.parametrize("name", CLEAN)
def test_no_false_redactions(assets: Path, name: str) -> None:
    assert redactions(extract(assets / name)) == []
