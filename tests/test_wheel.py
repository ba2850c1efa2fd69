"""The sdist and wheel a release ships: built from this tree's tracked files with `build` (the
build backend from the index), the wheel from the sdist; installed into a fresh virtual
environment that borrows only the third-party packages already installed here, and run:
`spillguard --version`, and a scan that needs the shipped data (name tables, places,
vocabulary) to block a roster and pass statistics. Catches files the packaging leaves out."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from spillguard._version import __version__

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy of the files git tracks: setuptools builds in the tree's build/, which
    # two test workers building at once (or a stale build/ of other files) would share.
    tree = tmp_path_factory.mktemp("tree")
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        if (REPO / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, tree / name)
    out = tmp_path_factory.mktemp("wheel")
    # The sdist as a release builds it, then the wheel from the sdist (what pip does with an
    # sdist): a file the sdist leaves out is missing from the wheel too, and fails below.
    for step in (["--sdist", str(tree)], None):
        if step is None:
            (sdist,) = out.glob("spillguard-*.tar.gz")
            step = ["--wheel", str(sdist)]
        built = subprocess.run(
            [sys.executable, "-m", "build", "--outdir", str(out), *step],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if built.returncode != 0:
            pytest.fail(built.stderr[-2000:] or built.stdout[-2000:])
    (path,) = out.glob("spillguard-*.whl")
    return path


def test_the_wheel_carries_the_data_and_no_generator_of_people(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "spillguard/data/name-evidence.tsv.gz",
        "spillguard/data/passports.toml",
        "spillguard/data/places.txt.gz",
        "spillguard/data/vocabulary.toml",
        "spillguard/data/letters/letter.txt.j2",
        "spillguard/data/letters/deletion.txt.j2",
        "spillguard/data/crawlers.toml",
        "spillguard/data/notices/notice.es.txt.j2",
        "spillguard/data/incident-report.html.j2",
    ):
        assert needed in names, needed
    assert not any(name.startswith(("testing/", "tests/")) for name in names)


def test_the_wheel_installs_into_a_fresh_environment_and_scans(wheel: Path, tmp_path: Path) -> None:
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    # Borrow the third-party packages installed here (no network), never this source tree.
    borrowed = [p for p in site.getsitepackages() if Path(p).is_dir()]
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    (Path(purelib) / "borrowed.pth").write_text("\n".join(borrowed) + "\n")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(purelib)  # what pip does with a pure-Python wheel
    work = tmp_path / "work"
    work.mkdir()
    version = subprocess.run(
        [str(python), "-m", "spillguard", "--version"], capture_output=True, text=True, cwd=work
    )
    assert version.stdout.strip() == f"spillguard {__version__}", version.stderr
    where = subprocess.run(
        [str(python), "-c", "import spillguard; print(spillguard.__file__)"],
        capture_output=True,
        text=True,
        cwd=work,
    ).stdout
    assert where.startswith(purelib), where  # the installed copy, not the source tree
    (work / "roster.csv").write_text(
        "Name,A-Number,Date of Birth,Country of Citizenship\n"
        "KOVAR ISTEL, ANDRA,A212345678,1980-01-02,HONDURAS\n"
        "MUNSEL, ODAR,A223456789,1975-05-06,GUATEMALA\n"
    )
    (work / "counts.csv").write_text("Facility,Detainees\nNorth,12\nSouth,7\n")
    scanned = subprocess.run(
        [str(python), "-m", "spillguard", "scan", "roster.csv", "counts.csv", "--jobs", "1"],
        capture_output=True, text=True, cwd=work, timeout=300,
    )  # fmt: skip
    assert scanned.returncode == 1, scanned.stderr
    assert "BLOCK  roster.csv" in scanned.stdout and "PASS   counts.csv" in scanned.stdout
