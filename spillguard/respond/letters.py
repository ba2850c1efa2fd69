"""Claw-back letters: one per organisation that got a copy, one per subscriber of an internet
access provider (sent to the provider to pass on), a cache-removal request to each search
engine or web archive, and a deletion request to the operator of each AI crawler. Each is
rendered from a text template a lawyer can edit (Jinja2, sandboxed: a template is
configuration, not code), written as a Word document with the sender's letterhead, a recipient
block and a signature block, and converted to PDF from that same document (LibreOffice), so
the two never differ; US Letter.

The template folder holds Word templates (docxtpl: Jinja2 tags in a .docx a lawyer edits in
Word) `letter.docx` for organisations, and optionally `subscriber.docx`, `takedown.docx` and
`deletion.docx`; a text template `NAME.txt.j2` may stand instead of each (blank lines between
paragraphs, `# ` a heading, `- ` a list item). Where one is absent the shipped one is used.
`write_default_template` writes the four Word templates as a starting point.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from spillguard.errors import UserError
from spillguard.files import write_atomic
from spillguard.people.notices import people_date
from spillguard.respond.entities import AI_OPERATOR, CRAWLER, SUBSCRIBER, Entity
from spillguard.timefmt import iso_z

TEMPLATE_NAME = "letter.txt.j2"
KIND_TEMPLATES = {
    CRAWLER: "takedown.txt.j2",
    SUBSCRIBER: "subscriber.txt.j2",
    AI_OPERATOR: "deletion.txt.j2",
}
REPLY_DAYS = 10


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
    holds: str = "personal data"  # what kind of data the file holds, never the values


@dataclass(frozen=True)
class WrittenLetter:
    entity: Entity
    docx: Path
    pdf: Path


def _shipped(name: str) -> str:
    return importlib.resources.files("spillguard").joinpath(f"data/letters/{name}").read_text("utf-8")


def _word(name: str) -> str:
    return name.removesuffix(".txt.j2") + ".docx"


def write_default_template(directory: Path) -> Path:
    """The shipped letters as Word templates, to open and edit in Word."""
    from spillguard.people.notices import word_template

    names = (TEMPLATE_NAME, *KIND_TEMPLATES.values())
    existing = [_word(n) for n in names if (directory / _word(n)).exists() or (directory / n).exists()]
    if existing:
        raise LetterError(f"{directory / existing[0]} exists; not overwriting an edited template")
    for name in names:
        write_atomic(directory / _word(name), word_template(_shipped(name)))
    return directory / _word(TEMPLATE_NAME)


def load_template(directory: Path) -> dict[str, bytes]:
    """kind -> Word template: `letter.docx` (or `letter.txt.j2`) is required; the others
    default to the shipped ones."""
    from spillguard.people.notices import word_template

    out: dict[str, bytes] = {}
    for kind, name in (("", TEMPLATE_NAME), *KIND_TEMPLATES.items()):
        word, text = directory / _word(name), directory / name
        try:
            if word.is_file():
                out[kind] = word.read_bytes()
            elif text.is_file():
                out[kind] = word_template(text.read_text(encoding="utf-8"))
            elif kind:
                out[kind] = word_template(_shipped(name))
            else:
                raise LetterError(
                    f"{word} not found (create one with: spillguard clawback --init-template {directory})"
                )
        except (OSError, UnicodeDecodeError) as exc:
            raise LetterError(f"{word}: cannot read: {exc}") from exc
    return out


def for_people(value: datetime) -> str:
    """`November 28, 2022 at 14:22 UTC`: a time a reader does not have to decode."""
    moment = value.astimezone(UTC)
    return f"{moment:%B} {moment.day}, {moment.year} at {moment:%H:%M} UTC"


def context(incident: LetterIncident, entity: Entity, today: datetime) -> dict[str, object]:
    deadline = today + timedelta(days=REPLY_DAYS)
    return {
        "incident": incident,
        "entity": entity,
        "today": people_date(today.date(), "en"),
        "deadline": people_date(deadline.date(), "en"),
        "when": for_people,
        "iso": iso_z,
    }


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


def default_templates() -> dict[str, bytes]:
    """The shipped letters as Word templates, by recipient kind ("" for organisations)."""
    from spillguard.people.notices import word_template

    return {
        kind: word_template(_shipped(name)) for kind, name in (("", TEMPLATE_NAME), *KIND_TEMPLATES.items())
    }


def write_letters(
    templates: dict[str, bytes],
    incident: LetterIncident,
    entities: list[Entity],
    out_dir: Path,
    today: datetime,
    sender: object,
) -> list[WrittenLetter]:
    """DOCX for every recipient, then their PDFs converted from those documents. File names
    are `incident-ID-ENTITY.docx`: the entity id whole (an address keeps its dots), so no
    recipient's letter can overwrite another's; the count written is checked."""
    from spillguard.people.notices import render_word, to_pdf

    documents: list[tuple[Entity, Path]] = []
    stems = letter_stems(incident.id, [entity.id for entity in entities])
    for entity, stem in zip(entities, stems, strict=True):
        template = templates.get(entity.kind) or templates[""]
        path = out_dir / f"{stem}.docx"
        recipient = (
            [entity.name] if entity.kind != SUBSCRIBER else [entity.name, "(to be passed on by the provider)"]
        )
        date = people_date(today.date(), "en")
        write_atomic(path, render_word(template, context(incident, entity, today), sender, recipient, date))  # type: ignore[arg-type]
        documents.append((entity, path))
    pdfs = to_pdf([p for _, p in documents])
    written = [WrittenLetter(entity, path, pdfs[path]) for entity, path in documents]
    missing = [w for w in written if not (w.docx.is_file() and w.pdf.is_file())]
    if missing or len(written) != len(entities):
        raise LetterError(f"{len(missing) or len(entities) - len(written)} letters were not written")
    return written
