"""Claw-back letters: one per entity that got a copy, as DOCX and PDF, from an editable template.

The template folder holds `letter.txt.j2`, a Jinja2 text template (sandboxed: a template is
configuration, not code). Its output is split into paragraphs at blank lines; a paragraph
starting with `# ` is a heading. `write_default_template` gives responders a starting point.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.sax.saxutils import escape

from spillguard.errors import UserError
from spillguard.files import write_atomic, write_text_atomic
from spillguard.respond.entities import Entity
from spillguard.timefmt import iso_z

TEMPLATE_NAME = "letter.txt.j2"

DEFAULT_TEMPLATE = """\
# Request to destroy improperly obtained personal data

To: {{ entity.name }}
Reference: incident {{ incident.id }}, {{ entity.id }}
Date: {{ today }}

On {{ incident.published }} a file containing personal data of other people was published on
our website by mistake. It was removed on {{ incident.removed or "(not yet removed)" }}.

File: {{ incident.file_name }}
SHA-256: {{ incident.sha256 }}
Size: {{ "{:,}".format(incident.size) }} bytes
Published at: {% for url in incident.urls %}{{ url }}{% if not loop.last %}, {% endif %}{% endfor %}

Our access logs show that the file was downloaded from network addresses belonging to you:

{% for c in entity.clients -%}
- {{ c.ip }}: {{ c.requests }} request(s) between {{ iso(c.first_seen) }} and
{{- " " ~ iso(c.last_seen) }}, {{ "{:,}".format(c.bytes) }} bytes
{%- if c.complete %} (a complete copy){% endif %}
{% endfor %}
We ask you to delete every copy of this file, including copies in backups, caches, e-mail and
derived documents, not to share it or its contents, and to certify in writing within 10
days that you have done so, naming who did it and when.

If you believe you did not download this file, please tell us.
"""


class LetterError(UserError, ValueError):
    """A template folder or template that cannot produce letters."""


@dataclass(frozen=True)
class LetterIncident:
    """What a letter says about the incident (strings, ready to print)."""

    id: int
    title: str
    file_name: str
    sha256: str
    size: int
    urls: tuple[str, ...]
    published: str
    removed: str | None


@dataclass(frozen=True)
class WrittenLetter:
    entity: Entity
    docx: Path
    pdf: Path


def write_default_template(directory: Path) -> Path:
    path = directory / TEMPLATE_NAME
    if path.exists():
        raise LetterError(f"{path} exists; not overwriting an edited template")
    write_text_atomic(path, DEFAULT_TEMPLATE)
    return path


def load_template(directory: Path) -> str:
    path = directory / TEMPLATE_NAME
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise LetterError(
            f"{path} not found (create one with: spillguard clawback --init-template {directory})"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise LetterError(f"{path}: cannot read: {exc}") from exc


def render_text(template: str, incident: LetterIncident, entity: Entity, today: datetime) -> str:
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    try:
        return env.from_string(template).render(
            incident=incident, entity=entity, today=iso_z(today)[:10], iso=iso_z
        )
    except jinja2.TemplateError as exc:
        raise LetterError(f"letter template: {exc}") from exc


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def to_docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs(text):
        if paragraph.startswith("# "):
            document.add_heading(paragraph[2:].strip(), level=1)
        else:
            lines = paragraph.split("\n")
            para = document.add_paragraph()
            for number, line in enumerate(lines):
                run = para.add_run(line)
                if number < len(lines) - 1:
                    run.add_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(text: str, title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    styles = getSampleStyleSheet()
    story = []
    for paragraph in paragraphs(text):
        if paragraph.startswith("# "):
            story.append(Paragraph(escape(paragraph[2:].strip()), styles["Heading1"]))
        else:
            # reportlab reads markup: escape the text, keep the line breaks
            story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["Normal"]))
        story.append(Spacer(1, 8))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title=title, author="spillguard").build(story)
    return out.getvalue()


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", text).strip("_") or "entity"


def letter_stems(incident_id: object, entity_ids: list[str]) -> list[str]:
    """One file name stem per recipient, none alike (also when letter case is ignored, as on
    some file systems): the slug of the entity id, and where two slugs meet (`a b`, `a_b`),
    a short hash of the id. The suffix is added, never substituted: `incident-2-203.0.113.7`
    keeps its last dot."""
    slugs = [_slug(entity_id) for entity_id in entity_ids]
    shared = {slug.lower() for slug in slugs if sum(s.lower() == slug.lower() for s in slugs) > 1}
    stems = []
    for entity_id, slug in zip(entity_ids, slugs, strict=True):
        if slug.lower() in shared:
            slug += "-" + hashlib.sha256(entity_id.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        stems.append(f"incident-{incident_id}-{slug}")
    if len({stem.lower() for stem in stems}) != len(stems):  # two entities with one id
        raise LetterError("two recipients share one id: merge them before writing letters")
    return stems


def write_letters(
    template: str,
    incident: LetterIncident,
    entities: list[Entity],
    out_dir: Path,
    today: datetime,
) -> list[WrittenLetter]:
    written = []
    stems = letter_stems(incident.id, [entity.id for entity in entities])
    for entity, stem in zip(entities, stems, strict=True):
        text = render_text(template, incident, entity, today)
        docx_path, pdf_path = out_dir / f"{stem}.docx", out_dir / f"{stem}.pdf"
        write_atomic(docx_path, to_docx(text))
        write_atomic(pdf_path, to_pdf(text, f"Claw-back request: {incident.file_name}"))
        written.append(WrittenLetter(entity, docx_path, pdf_path))
    # Every letter reported written must be there: count the files, not the loop.
    files = {path for letter in written for path in (letter.docx, letter.pdf) if path.is_file()}
    if len(files) != 2 * len(entities):
        raise LetterError(f"{out_dir}: {len(files)} letter files written for {len(entities)} recipients")
    return written
