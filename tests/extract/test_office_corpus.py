"""Word and PowerPoint extractors against Apache POI's test files, read in place: every file
either yields all its content or is declared uninspectable, within a time bound; and the
hidden layers known to be in some of them are found."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from spillguard.extract.base import Extractor, Limits, Source
from spillguard.extract.presentation import extract_pptx
from spillguard.extract.wordprocessing import extract_docx
from spillguard.model import Content, Passage, Uninspectable

pytestmark = pytest.mark.corpus

DOCUMENTS = "poi/test-data/document"
SLIDESHOWS = "poi/test-data/slideshow"
SECONDS_PER_FILE = 30.0  # the largest file in the corpus takes well under a second


def files(root: Path, folder: str, patterns: tuple[str, ...]) -> list[Path]:
    base = root / folder
    return sorted(path for pattern in patterns for path in base.glob(pattern))


def consume(extractor: Extractor, path: Path) -> Iterator[Content]:
    deadline = time.monotonic() + SECONDS_PER_FILE
    source = Source.from_path(str(path), path.stat().st_size, deadline=deadline)
    yield from extractor(source, Limits(timeout_seconds=SECONDS_PER_FILE))


def run_all(extractor: Extractor, paths: list[Path]) -> dict[str, str]:
    """Each file's outcome: 'ok' or the uninspectable reason. Any other exception fails."""
    outcomes: dict[str, str] = {}
    for path in paths:
        started = time.monotonic()
        try:
            for _ in consume(extractor, path):
                pass
            outcomes[path.name] = "ok"
        except Uninspectable as exc:
            outcomes[path.name] = f"uninspectable: {exc}"
        elapsed = time.monotonic() - started
        assert elapsed < SECONDS_PER_FILE, f"{path.name} took {elapsed:.1f}s"
    return outcomes


def found(extractor: Extractor, path: Path) -> set[tuple[str, str, bool]]:
    return {
        (c.location.part, c.location.layer, c.location.hidden)
        for c in consume(extractor, path)
        if isinstance(c, Passage)
    }


def test_every_docx_completes_or_is_uninspectable(corpora: Path) -> None:
    paths = files(corpora, DOCUMENTS, ("*.docx",))
    assert paths, "no docx files in the corpus"
    outcomes = run_all(extract_docx, paths)
    # Most of the corpus is ordinary documents; a collapse to "all uninspectable" is a bug.
    assert sum(outcome == "ok" for outcome in outcomes.values()) > len(paths) * 0.8


def test_every_pptx_completes_or_is_uninspectable(corpora: Path) -> None:
    paths = files(corpora, SLIDESHOWS, ("*.pptx", "*.pptm"))
    assert paths, "no pptx files in the corpus"
    outcomes = run_all(extract_pptx, paths)
    assert sum(outcome == "ok" for outcome in outcomes.values()) > len(paths) * 0.8


def test_ole2_containers_are_uninspectable(corpora: Path) -> None:
    # Encrypted OOXML is an OLE2 compound file, not a zip.
    path = corpora / DOCUMENTS / "bug53475-password-is-pass.docx"
    if not path.exists():
        pytest.skip("file absent from this corpus version")
    with pytest.raises(Uninspectable):
        list(consume(extract_docx, path))


def test_tracked_changes_in_delins(corpora: Path) -> None:
    layers = found(extract_docx, corpora / DOCUMENTS / "delins.docx")
    assert ("body", "tracked_change", True) in layers
    assert ("body", "tracked_change", False) in layers


def test_comments_in_comment_docx(corpora: Path) -> None:
    assert ("comment", "comment", True) in found(extract_docx, corpora / DOCUMENTS / "comment.docx")


def test_hidden_text_in_bug59058(corpora: Path) -> None:
    # Its "Top of Form" runs carry w:vanish.
    texts = {
        c.text
        for c in consume(extract_docx, corpora / DOCUMENTS / "bug59058.docx")
        if isinstance(c, Passage) and c.location.layer == "hidden_text"
    }
    assert "Top of Form" in texts


def test_comments_in_45545(corpora: Path) -> None:
    layers = found(extract_pptx, corpora / SLIDESHOWS / "45545_Comment.pptx")
    assert ("comment", "comment", True) in layers


def test_hidden_slides_in_60810(corpora: Path) -> None:
    # slide4.xml, slide21.xml and slide22.xml say <p:sld show="0">; the slide list puts them
    # 4th, 21st and 22nd. Slide 22's SmartArt is hidden with it.
    layers = found(extract_pptx, corpora / SLIDESHOWS / "60810.pptx")
    hidden_slides = {part for part, layer, hidden in layers if hidden and layer == "text"}
    assert hidden_slides == {"slide:4", "slide:21", "slide:22", "slide:22:diagramData"}
    assert ("slide:1", "text", False) in layers
