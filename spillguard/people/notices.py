"""Notices to the people a leak exposed, in their language, and to their attorneys (one letter
per attorney listing all their affected clients). Each is rendered from a text template a
lawyer can edit (`spillguard/data/notices/notice.LANG.txt.j2`; another language is one file
dropped into `--templates`), written as a Word document with a letterhead, a recipient block
and a signature block, and the PDF is converted from that same document by LibreOffice, so the
two never differ. Page size: US Letter."""

from __future__ import annotations

import datetime as dt
import importlib.resources
import io
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spillguard.errors import UserError
from spillguard.files import write_atomic

LANGUAGES = {"es": ("spanish", "espanol", "español", "es", "spa"), "en": ("english", "en", "eng")}
PDF_BATCH = 50  # documents per LibreOffice run
CONVERT_SECONDS_PER_DOCUMENT = 10.0


@dataclass(frozen=True)
class Sender:
    organisation: str
    address: str
    contact: str
    signer: str
    title: str


@dataclass(frozen=True)
class Draft:
    notice_id: str
    kind: str  # "person" or "attorney"
    position: int | None  # the person's position in the store (person notices)
    language: str
    docx: Path
    pdf: Path | None


def language_of(case_language: str, available: set[str]) -> str:
    """The template language for a case's language: its code if we have a template, else English."""
    wanted = case_language.strip().casefold()
    for code, spellings in LANGUAGES.items():
        if wanted in spellings and code in available:
            return code
    if wanted in available:
        return wanted
    return "en"


def templates(folder: Path | None) -> dict[str, str]:
    """(kind.lang) -> template text: the shipped ones, overridden or added to by `folder`."""
    found: dict[str, str] = {}
    shipped = importlib.resources.files("spillguard").joinpath("data/notices")
    for entry in shipped.iterdir():
        if entry.name.endswith(".txt.j2"):
            found[entry.name.removesuffix(".txt.j2")] = entry.read_text("utf-8")
    if folder is not None:
        if not folder.is_dir():
            raise UserError(f"{folder}: not a folder of templates")
        for path in folder.glob("*.txt.j2"):
            found[path.name.removesuffix(".txt.j2")] = path.read_text("utf-8")
    return found


def render(template: str, context: dict[str, Any]) -> str:
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    try:
        return SandboxedEnvironment(undefined=StrictUndefined).from_string(template).render(**context)
    except TemplateError as exc:
        raise UserError(f"notice template: {exc}") from None


CLOSINGS = {"en": "Sincerely,", "es": "Atentamente,"}


def docx_bytes(text: str, sender: Sender, recipient: Sequence[str], date: str, language: str = "en") -> bytes:
    """The notice as a Word document: letterhead, date, recipient, body, signature."""
    from docx import Document
    from docx.shared import Inches, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Inches(1))
    document.core_properties.author = sender.organisation
    document.core_properties.title = "Notice"
    if sender.organisation or sender.address:
        head = document.add_paragraph()
        run = head.add_run(sender.organisation)
        run.bold, run.font.size = True, Pt(14)
        if sender.address:
            head.add_run("\n" + sender.address.replace("; ", "\n"))
    document.add_paragraph(date)
    document.add_paragraph("\n".join(part for line in recipient if line for part in line.split("; ")))
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.strip()
        if lines.startswith("# "):
            document.add_heading(lines[2:], level=1)
        elif lines.startswith("- "):
            for item in lines.splitlines():
                document.add_paragraph(item.removeprefix("- ").strip(), style="List Bullet")
        else:
            document.add_paragraph(" ".join(line.strip() for line in lines.splitlines()))
    closing = CLOSINGS.get(language, CLOSINGS["en"])
    signature = "\n".join(part for part in (sender.signer, sender.title, sender.organisation) if part)
    if sender.contact:
        signature += f"\nReply to: {sender.contact}"
    document.add_paragraph(f"{closing}\n\n\n{signature}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(documents: Sequence[Path]) -> dict[Path, Path]:
    """PDFs converted from the Word documents themselves (LibreOffice, in batches, each run
    bounded in time and memory and with its own profile). Missing LibreOffice: an error naming
    the package to install."""
    from spillguard.extract.base import MiB
    from spillguard.extract.legacy import converter, run
    from spillguard.model import Uninspectable

    program = converter()
    if program is None:
        raise UserError("PDFs need LibreOffice (Debian's libreoffice-writer-nogui; make setup installs it)")
    out: dict[Path, Path] = {}
    for start in range(0, len(documents), PDF_BATCH):
        batch = list(documents[start : start + PDF_BATCH])
        with tempfile.TemporaryDirectory(prefix="spillguard-notices-") as folder:
            work = Path(folder)
            command = [
                program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--invisible",
                "--nologo", "--norestore", "--nodefault", "--nolockcheck", "--convert-to", "pdf",
                "--outdir", str(work / "out"), *(str(d.resolve()) for d in batch),
            ]  # fmt: skip
            try:
                run(command, CONVERT_SECONDS_PER_DOCUMENT * len(batch), 4096 * MiB, work)
            except Uninspectable as exc:
                raise UserError(f"PDF conversion failed: {exc}") from None
            for document in batch:
                produced = work / "out" / (document.stem + ".pdf")
                if not produced.is_file() or produced.stat().st_size == 0:
                    raise UserError(f"PDF conversion wrote nothing for {document.name}")
                target = document.with_name(document.stem + ".pdf")
                write_atomic(target, produced.read_bytes())
                out[document] = target
    return out


def due_date(drafted: dt.date, days: int) -> dt.date:
    return drafted + dt.timedelta(days=days)


def people_date(value: dt.date, language: str) -> str:
    months = {
        "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
        "en": "January February March April May June July August September October November December",
    }
    names = months.get(language, months["en"]).split()
    if language == "es":
        return f"{value.day} de {names[value.month - 1]} de {value.year}"
    return f"{names[value.month - 1]} {value.day}, {value.year}"
