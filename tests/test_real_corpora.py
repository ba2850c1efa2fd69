"""Real documents nobody on the project wrote (../shared/corpora, skipped when absent): every
public agency publication in `public-docs` passes, and every real people list in `public-people`
blocks with the number of individuals its expected.json gives (within 2%). A wrong verdict on
any of them fails, naming the file and the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import corpora_root

from spillguard import FileReport, scan

pytestmark = pytest.mark.corpus
INDIVIDUALS_TOLERANCE = 0.02


def scanned(folder: str) -> list[tuple[dict[str, Any], FileReport]]:
    root = corpora_root()
    if root is None or not (root / folder / "expected.json").is_file():
        pytest.skip(f"../shared/corpora/{folder} is absent")
    entries = json.loads((root / folder / "expected.json").read_text())["files"]
    paths = [str(root / folder / e["out"]) for e in entries]
    report = scan(paths, jobs=2)
    by_path = {f.path: f for f in report.files}
    return [(e, by_path[p]) for e, p in zip(entries, paths, strict=True)]


def test_every_public_document_passes() -> None:
    wrong = [
        f"{Path(r.path).name}: {r.verdict}: {r.reason}"
        for e, r in scanned("public-docs")
        if r.verdict == "block"
    ]
    assert not wrong, "\n".join(wrong)


def test_every_real_people_list_blocks_with_its_individuals() -> None:
    wrong = []
    for entry, result in scanned("public-people"):
        want = entry["individuals"]
        if result.verdict != "block" or abs(result.individuals - want) > want * INDIVIDUALS_TOLERANCE:
            wrong.append(f"{entry['out']}: {result.verdict}, {result.individuals} of {want}: {result.reason}")
    assert not wrong, "\n".join(wrong)
