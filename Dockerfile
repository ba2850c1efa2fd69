# spillguard in a container, for pipelines that run images rather than Python:
#
#   docker build -t spillguard .
#   docker run --rm -v "$PWD/site:/data:ro" spillguard scan /data
#
# Everything a full scan reads: text in pictures (OCR, with Tesseract's English and Spanish
# data), legacy Office and Visio files (LibreOffice, headless), fonts and media tags (the assets
# extra); and the watchers and incident-response commands (the watch and respond extras).
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# The system packages of scripts/install-system-deps.sh that spillguard runs with; its
# test-only ones (the PostgreSQL server, Chromium, poppler) stay out. Without these, pictures and
# legacy documents are not read, and the scan fails closed on them.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-spa \
        libreoffice-writer-nogui libreoffice-impress-nogui libreoffice-draw-nogui \
        fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Scans run as an ordinary user: a hostile file that gets past a parser finds no root.
RUN useradd --create-home --uid 10001 --user-group spillguard

# The project with every dependency at the version constraints.txt pins, as `make setup`
# installs it; the source goes once it is installed.
WORKDIR /src
COPY pyproject.toml constraints.txt README.md ./
COPY spillguard ./spillguard
RUN pip install pip==24.3.1 \
    && pip install -c constraints.txt '.[ocr,assets,watch,respond]' \
    && rm -rf /src

USER spillguard
WORKDIR /data
ENTRYPOINT ["spillguard"]
CMD ["--help"]
