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


def templates(folder: Path | None) -> dict[str, bytes]:
    """(kind.lang) -> Word template: the shipped ones (made from their text), overridden or
    added to by `folder`'s `notice.LANG.docx` Word templates or `notice.LANG.txt.j2` texts."""
    found: dict[str, bytes] = {}
    shipped = importlib.resources.files("spillguard").joinpath("data/notices")
    for entry in shipped.iterdir():
        if entry.name.endswith(".txt.j2"):
            found[entry.name.removesuffix(".txt.j2")] = word_template(entry.read_text("utf-8"))
    if folder is not None:
        if not folder.is_dir():
            raise UserError(f"{folder}: not a folder of templates")
        for path in folder.glob("*.txt.j2"):
            found[path.name.removesuffix(".txt.j2")] = word_template(path.read_text("utf-8"))
        for path in folder.glob("*.docx"):
            found[path.stem] = path.read_bytes()
    return found


CLOSINGS = {"en": "Sincerely,", "es": "Atentamente,"}


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


# --- Word templates ----------------------------------------------------------------------------

CONTROL = re.compile(r"^\{%-?\s*(for|endfor|if|elif|else|endif)\b.*?-?%\}$")


def word_template(text: str) -> bytes:
    """A Word template (docxtpl) made from a text template: letterhead, date and recipient as
    fields, then the body (`# ` headings, `- ` list items, loops and conditions on lines of
    their own), then the closing and signature. A lawyer opens it in Word, changes wording,
    letterhead and styles, and it still renders: `--init-template` writes it for that."""
    from docx import Document
    from docx.shared import Inches, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, margin, Inches(1))
    head = document.add_paragraph()
    run = head.add_run("{{ sender.organisation }}")
    run.bold, run.font.size = True, Pt(14)
    head.add_run("{{ sender.address }}")
    document.add_paragraph("{{ date }}")
    document.add_paragraph("{{ recipient }}")
    prose: list[str] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        for line in block.strip().splitlines():
            stripped = line.strip()
            if CONTROL.match(stripped):
                _flush(document, prose)
                inner = stripped.strip("{%-} ").strip()
                document.add_paragraph("{%p " + inner + " %}")
            elif stripped.startswith("- "):
                _flush(document, prose)
                document.add_paragraph(stripped[2:], style="List Bullet")
            else:
                prose.append(stripped)
        _flush(document, prose)
    document.add_paragraph("{{ closing }}")
    document.add_paragraph("{{ signature }}")
    document.core_properties.author = ""
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _flush(document: Any, prose: list[str]) -> None:
    """The lines gathered so far as one paragraph (a heading when it starts with `# `)."""
    if prose:
        joined = " ".join(prose)
        if joined.startswith("# "):
            document.add_heading(joined[2:], level=1)
        else:
            document.add_paragraph(joined)
        prose.clear()


def render_word(
    template: bytes,
    context: dict[str, Any],
    sender: Sender,
    recipient: Sequence[str],
    date: str,
    language: str = "en",
) -> bytes:
    """The document: a Word template rendered with the context (sandboxed Jinja2), the
    sender's letterhead and signature, the recipient block and the date filled in."""
    from docxtpl import DocxTemplate, Listing
    from jinja2 import StrictUndefined, TemplateError
    from jinja2.sandbox import SandboxedEnvironment

    signature = "\n".join(part for part in (sender.signer, sender.title, sender.organisation) if part)
    if sender.contact:
        signature += f"\nReply to: {sender.contact}"
    fields = {
        **context,
        "sender": {
            **vars(sender),
            "address": Listing("\n" + sender.address.replace("; ", "\n")) if sender.address else "",
        },
        "date": date,
        "recipient": Listing("\n".join(part for line in recipient if line for part in line.split("; "))),
        "closing": CLOSINGS.get(language, CLOSINGS["en"]),
        "signature": Listing(signature),
    }
    document = DocxTemplate(io.BytesIO(template))
    try:
        document.render(fields, jinja_env=SandboxedEnvironment(undefined=StrictUndefined), autoescape=True)
    except TemplateError as exc:
        raise UserError(f"Word template: {exc}") from None
    document.core_properties.author = sender.organisation
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
