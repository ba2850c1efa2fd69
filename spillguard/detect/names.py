"""Is this a person's name? Decided from evidence, not from a stop list:

- shape: letters only, 1 to 6 capitalised words (particles like de, van inside), no digits;
- frequency: how often each word is a surname or a given name (census tables) against how
  often it is an ordinary English or Spanish word (wordfreq): SMITH is a name far more often
  than a word, STANDARD and PENDING are words, MARTIN is both but mostly a name;
- what it is part of: a run that ends in a street suffix (Ted Turner Drive), holds an
  organisation or custody word (Joe Corley Processing Center, Adams County Det Cen) or is a
  known place (Jim Hogg, Sierra Blanca, Los Angeles, California) names no person.

The word classes and tables live in spillguard/data (see vocabulary.py); tests generate names
from Faker and random syllables, which these tables never saw.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from spillguard.detect import gazetteer
from spillguard.detect.vocabulary import frequency, places, vocabulary

FACILITY_WORDS = re.compile(
    r"(?i)\b(?:processing center|detention|correctional|county jail|jail|prison|penitentiary"
    r"|justice center|staging facility|residential center|spc|cdf|ipc|facility|institution)\b"
)
# Words before a name that say the person is a public official speaking in that role.
OFFICIAL_TITLES = re.compile(
    r"(?i)\b(?:secretary|director|commissioner|senator|representative|rep\.|sen\.|governor|"
    r"president|vice president|mayor|judge|justice|honorable|hon\.|ambassador|minister|"
    r"chief|deputy|acting|administrator|spokesperson|spokesman|spokeswoman|press secretary|"
    r"attorney general|officer|sheriff|chairman|chairwoman|chair|superintendent|warden)\.?\s*$"
)
PERSON_CUES_BEFORE = re.compile(
    r"(?i)\b(?:mr|ms|mrs|miss|sr|sra|srta|dr|respondent|detainee|applicant|petitioner|beneficiary|"
    r"client|claimant|defendant|inmate|noncitizen|migrant|asylee|refugee|named|name|nombre|son|"
    r"daughter|wife|husband|mother|father|brother|sister|minor|child|dear|individual|patient|"
    r"passenger|plaintiff|decedent|victim|witness)\b\.?[,:]?\s*$"
)
PERSON_CUES_AFTER = re.compile(
    r"(?i)^\s*[,(]?\s*(?:born|age|aged|a native|a citizen|a national|who was|was detained|"
    r"was arrested|was removed|was deported|was released|was booked|a#|a-\s*\d|dob|d\.o\.b|\(a[#-]?\s*\d)"
)
NAME_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’.-](?=[^\W\d_]))*\.?")
PARTICLES = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "DA", "DOS", "DAS", "VAN", "VON", "DER", "BIN", "BEN", "AL", "EL"}
    | {"DI", "DU", "LE", "Y", "E", "ABU", "IBN", "MAC", "ST"}
)
MAX_NAME_LENGTH = 80
NOT_IN_NAMES = re.compile(r"[\d@/&:;()\[\]{}<>=+*#$%]")  # digits and symbols no name is written with
# Evidence per word, in zipf points (orders of magnitude), clipped: one word can say a lot but
# not everything.
EVIDENCE_CLIP = 4.0
# A value whose words are on average this much more common as words than as names is words:
# "Meets Standard" (-2.5 a word), "En Español" (-1.8); "Will Long" (-0.45) stays a name.
ORDINARY_WORDS_PER_TOKEN = -1.5


@lru_cache(maxsize=65_536)
def fold_word(token: str) -> str:
    """`gazetteer.fold` for one word, remembered: prose repeats its words."""
    return gazetteer.fold(token)


def name_tokens(value: str) -> list[str]:
    return NAME_TOKEN.findall(value)


def capitalised(token: str) -> bool:
    """Starts with a capital, or is written in a script without case (Arabic, Persian, Hindi,
    Chinese), where every word may be a name."""
    first = token[0]
    return first.isupper() or (first.isalpha() and first.lower() == first.upper())


@lru_cache(maxsize=65_536)
def word_evidence(folded: str) -> float:
    """Orders of magnitude by which `folded` (one upper-case ASCII word) is more common as a
    name than as an ordinary word: > 0 a name, < 0 a word, 0 unknown."""
    found = frequency(folded)
    if not found.known:
        return 0.0
    as_name = max(found.surname, found.given)
    return max(-EVIDENCE_CLIP, min(EVIDENCE_CLIP, as_name - found.word))


@lru_cache(maxsize=65_536)
def given_name(folded: str) -> bool:
    found = frequency(folded)
    return found.given > 0 and found.given >= found.word


@lru_cache(maxsize=65_536)
def surname(folded: str) -> bool:
    found = frequency(folded)
    return found.surname > 0 and max(found.surname, found.given) >= found.word


def name_evidence(value: str) -> float:
    """The sum of the words' evidence (particles left out)."""
    folded = [fold_word(t) for t in name_tokens(value)]
    return sum(word_evidence(t) for t in folded if t and t not in PARTICLES)


def known_name_words(value: str) -> int:
    """How many words of `value` are names more than they are words (0 for never-seen names)."""
    return sum(1 for t in name_tokens(value) if word_evidence(fold_word(t)) > 0)


def _words(name: str) -> frozenset[str]:
    return vocabulary().words[name].words


def organisation(value: str) -> bool:
    """Names a street, a building, an organisation or a place of custody: an organisation word
    anywhere, or a street suffix last (Ted Turner Drive, Hobo Fork Rd). A lone surname before
    the comma of LAST, FIRST is a surname even where it is such a word (CHURCH, ANA)."""
    head, comma, tail = value.partition(",")
    if comma and len(name_tokens(head)) == 1:
        value = tail
    folded = [fold_word(t) for t in name_tokens(value)]
    folded = [t for t in folded if t]
    if not folded:
        return False
    organisation_words = _words("organisation")
    if any(t in organisation_words for t in folded):
        return True
    return folded[-1] in _words("street_suffix")


def place(value: str) -> bool:
    """A known place: 'Jim Hogg', 'SIERRA BLANCA', 'Los Angeles, California', 'BATTLE CR, MI'.
    After a comma only a state code or a place that is no name counts: 'WASHINGTON, GEORGE'
    is a person."""
    head, comma, tail = value.partition(",")
    if comma:
        return gazetteer.fold(head) in places() and _place_not_name(gazetteer.fold(tail))
    return gazetteer.fold(value) in places()


def _place_not_name(folded: str) -> bool:
    if not folded or folded not in places():
        return False
    return len(folded) == 2 or not (given_name(folded) or surname(folded))


def state_after_comma(value: str) -> bool:
    """'BATTLE CR, MI', 'Principal Legal Advisor, Los Angeles': what follows the comma is a
    place and no name, so the whole is a place or an office, not LAST, FIRST."""
    _, comma, tail = value.partition(",")
    return bool(comma) and _place_not_name(gazetteer.fold(tail))


def looks_like_name(value: str, single_ok: bool = False, evidence: bool = True) -> bool:
    """The shape of a person's name: letters only, 2 to 6 words (1 if `single_ok`, for first-
    and last-name columns), at most one comma, capitalised, and not a street, an organisation,
    a country or a known place. `evidence` False: the shape alone, without weighing the words'
    frequencies or the gazetteer (a Name column beside A-numbers)."""
    text = value.strip()
    if not text or len(text) > MAX_NAME_LENGTH or NOT_IN_NAMES.search(text) or text.count(",") > 1:
        return False
    tokens = name_tokens(text)
    if not (1 if single_ok else 2) <= len(tokens) <= 6:
        return False
    folded = [fold_word(t) for t in tokens]
    # Names are capitalised (or all capitals); lower-case words other than particles say prose.
    if not all(capitalised(t) or f in PARTICLES for t, f in zip(tokens, folded, strict=True)):
        return False
    if organisation(text) or gazetteer.is_country(text):  # "Hong Kong", "Costa Rica" are not people
        return False
    if not evidence:
        return True
    if any(_acronym(t, f) for t, f in zip(tokens, folded, strict=True)):
        return False  # "ERO, HSI": agencies
    if name_evidence(text) <= ORDINARY_WORDS_PER_TOKEN * len(tokens):
        return False  # "Meets Standard", "En Español", "Headquarters": ordinary words
    return len(tokens) == 1 or not (place(text) or state_after_comma(text))


ACRONYM_LENGTH = 3


def _acronym(token: str, folded: str) -> bool:
    """A short word in capitals that no name table knows: an agency's or a program's initials.
    Short names (LI, NG, WU, BO) are in the tables."""
    if not 2 <= len(folded) <= ACRONYM_LENGTH or not token.isupper() or folded in PARTICLES:
        return False
    found = frequency(folded)
    return not (found.surname or found.given)


WORD_SPLIT = re.compile(r"[\W_]+")


def normalise_name(value: str) -> str:
    """`GARCIA LOPEZ, Maria` and `Maria Garcia Lopez` both -> `GARCIA LOPEZ MARIA` (sorted words),
    for counting distinct people. Names in scripts that fold to nothing in ASCII (Иван Петров,
    محمد علي, 王伟) keep their own letters, case-folded: each is still its own person."""
    folded = gazetteer.fold(value)
    if folded and value.isascii():
        return " ".join(sorted(folded.split()))
    decomposed = unicodedata.normalize("NFKD", value).casefold()
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(sorted(w.upper() for w in WORD_SPLIT.split(letters) if w))
