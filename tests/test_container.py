"""The container image, read from its Dockerfile (no Docker daemon runs where the tests do;
.ci/run builds and runs the image where one does): Python 3.11 on Debian, Tesseract with the
languages OCR uses and LibreOffice for every legacy format, the project installed with the
pinned constraints and extras that exist, `spillguard` as the entrypoint, an ordinary user, and
a build context (.dockerignore) that holds every file the COPY lines name and nothing else the
build needs is missing from: the project builds from that context alone."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from docker.utils.build import PatternMatcher, exclude_paths
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from spillguard import ocr
from spillguard.extract import legacy

REPO = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
NOT_IN_THE_IMAGE = (".git", ".venv", ".mypy_cache", ".pytest_cache", ".ruff_cache", "tests", "build")


@pytest.fixture(scope="module")
def dockerfile() -> list[dict[str, str]]:
    with (REPO / "Dockerfile").open("rb") as fh:
        return [i for i in DockerfileParser(fileobj=fh).structure if i["instruction"] != "COMMENT"]


def instructions(dockerfile: list[dict[str, str]], name: str) -> list[str]:
    return [i["value"] for i in dockerfile if i["instruction"] == name]


def commands(dockerfile: list[dict[str, str]]) -> list[list[str]]:
    """Every command the RUN lines chain with &&, split as the shell splits it."""
    return [shlex.split(part) for run in instructions(dockerfile, "RUN") for part in run.split("&&")]


def ignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def system_packages_of_the_setup_script() -> set[str]:
    script = (REPO / "scripts" / "install-system-deps.sh").read_text()
    block = re.search(r"^PACKAGES=\((.*?)^\)", script, re.S | re.M)
    assert block is not None
    return {line.split("#")[0].strip() for line in block.group(1).splitlines()} - {""}


def test_the_image_is_python_3_11_on_debian(dockerfile: list[dict[str, str]]) -> None:
    (base,) = instructions(dockerfile, "FROM")
    assert re.fullmatch(r"python:3\.11-slim-(bookworm|trixie)", base), base


def test_it_installs_tesseract_and_libreoffice_for_what_the_scanner_reads(
    dockerfile: list[dict[str, str]],
) -> None:
    installs = [c for c in commands(dockerfile) if c[:2] == ["apt-get", "install"]]
    assert installs, "no apt-get install"
    packages = {word for c in installs for word in c[2:] if not word.startswith("-")}
    # The data of every language OCR reads, and the converter of every legacy format.
    assert {"tesseract-ocr", *(f"tesseract-ocr-{lang}" for lang in ocr.LANGUAGES)} <= packages
    assert set(legacy.DEBIAN_PACKAGES.values()) <= packages
    # One list of system packages: the image takes its own from the setup script's.
    assert packages <= system_packages_of_the_setup_script()


def test_it_installs_the_project_with_the_pinned_constraints(dockerfile: list[dict[str, str]]) -> None:
    (install,) = [c for c in commands(dockerfile) if c[:3] == ["pip", "install", "-c"]]
    assert install[3] == "constraints.txt"
    (project,) = install[4:]
    named = re.fullmatch(r"\.\[([\w,-]+)\]", project)  # this folder, with extras
    assert named is not None, project
    chosen = set(named.group(1).split(","))
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert chosen <= set(extras), chosen - set(extras)
    # A full scan: without these pictures, fonts and media tags are not read but fail closed.
    assert {"ocr", "assets"} <= chosen
    # Everything the image installs by name is pinned in the constraints it installs with.
    pinned = {
        canonicalize_name(line.split("==")[0]) for line in (REPO / "constraints.txt").read_text().split()
    }
    wanted = [*PYPROJECT["project"]["dependencies"], *(d for e in chosen for d in extras[e])]
    assert {canonicalize_name(Requirement(d).name) for d in wanted} <= pinned


def test_the_entrypoint_is_spillguard_run_by_an_ordinary_user(dockerfile: list[dict[str, str]]) -> None:
    assert instructions(dockerfile, "ENTRYPOINT") == ['["spillguard"]']  # exec form: signals reach it
    assert "spillguard" in PYPROJECT["project"]["scripts"]
    user = instructions(dockerfile, "USER")[-1]
    assert user not in {"root", "0"} and not user.startswith(("root:", "0:"))
    assert any(c[0] == "useradd" and c[-1] == user for c in commands(dockerfile))


def test_every_copied_path_is_in_the_build_context(dockerfile: list[dict[str, str]]) -> None:
    assert not instructions(dockerfile, "ADD")  # COPY only: nothing fetched or unpacked by magic
    excluded = PatternMatcher(ignore_patterns()).matches
    sources = [word for copy in instructions(dockerfile, "COPY") for word in shlex.split(copy)[:-1]]
    assert "constraints.txt" in sources and "spillguard" in sources
    for source in sources:
        assert not source.startswith("--"), f"COPY {source}: no flags expected"
        path = REPO / source
        assert path.exists(), source
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        left_out = [f for f in files if "__pycache__" not in f.parts and excluded(str(f.relative_to(REPO)))]
        assert not left_out, left_out[:5]
    for name in NOT_IN_THE_IMAGE:
        assert excluded(name) and excluded(f"{name}/anything"), name
    assert excluded("spillguard/__pycache__/model.cpython-311.pyc")


def test_the_project_builds_from_the_build_context_alone(tmp_path: Path) -> None:
    """pip builds the wheel from the files Docker would send, as the image's pip install does:
    a file the build needs (pyproject.toml's readme, the package data) left out fails here."""
    context = tmp_path / "context"
    for name in exclude_paths(str(REPO), ignore_patterns()):
        source = REPO / name
        if source.is_file():
            (context / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, context / name)
    assert not (context / "tests").exists() and not (context / ".venv").exists()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("spillguard-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"spillguard/data/vocabulary.toml", "spillguard/data/name-evidence.tsv.gz"} <= names
