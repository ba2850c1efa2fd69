#!/usr/bin/env bash
# System packages the project needs beyond its Python wheels. Idempotent: installs with apt-get
# only what is missing, and only as root on a Debian-like system; anywhere else it names what
# is missing and carries on (the tests that need it then skip, except under CI, where they fail).
set -euo pipefail

PACKAGES=(
    postgresql  # server for the PostgreSQL incident-store tests (tests/pg.py)
    # OCR of text in pictures (spillguard/ocr.py): the tesserocr wheel brings the engine, these
    # bring its English and Spanish models (and the command-line tool, handy for debugging).
    tesseract-ocr
    tesseract-ocr-eng
    tesseract-ocr-spa
    fonts-dejavu-core  # the font the OCR tests render their rosters in
    # Legacy formats (spillguard/extract/legacy.py): LibreOffice converts .doc, .rtf, .wpd to
    # .docx, .ppt to .pptx and Visio to PDF, headless; without them those files fail closed.
    libreoffice-writer-nogui
    libreoffice-impress-nogui
    libreoffice-draw-nogui
    # The incident report is rendered to a picture in its tests (tests/respond/test_incident_report.py).
    chromium
    poppler-utils  # pdftoppm: the notices' PDFs as pictures, to look at them
)
# `install-system-deps.sh bench`: also the peers the benchmarks measure against.
if [ "${1:-}" = "bench" ]; then
    PACKAGES+=(goaccess)
fi

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
else
    echo "note: system packages missing: ${missing[*]} (as root: apt-get install ${missing[*]})" >&2
fi
