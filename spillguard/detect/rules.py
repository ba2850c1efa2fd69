"""Pattern rules: each rule is a value (id, pattern, keywords, validator, examples, doc), and
the tuple RULES is the whole registry. Person names are found by `names.py` and whole columns
by `columns.py`; those are listed here too (pattern None) so `spillguard rules` documents them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from spillguard.detect.validators import (
    ASCENDING,
    DESCENDING,
    NATIONAL_ID_CANDIDATE,
    digits,
    national_ids,
    phone_numbers,
    placeholder_number,
    valid_passport,
    valid_ssn,
)
from spillguard.model import DetectSettings

Validator = Callable[[str], bool]
# Finds and checks values itself, for rules whose check needs more than the value: the region
# a phone number is dialled in, the label that says which country's number follows.
Finder = Callable[[str, DetectSettings], Iterable[tuple[int, int, str]]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # stable kebab-case id, used in policies and allowlists: never renamed
    kind: str  # the report's snake_case kind
    title: str
    finds: str
    why: str
    false_alarms: str
    pattern: re.Pattern[str] | None = None  # with a finder: the cheap test before it runs
    keywords: tuple[str, ...] = ()  # lower-case; a passage without any is skipped (cheap)
    validator: Validator | None = None
    context: tuple[str, ...] = ()  # words that must stand near a bare match
    group: int = 0  # which regex group is the value
    examples: tuple[str, ...] = ()  # texts the rule must find something in
    non_examples: tuple[str, ...] = field(default=())  # texts it must find nothing in
    finder: Finder | None = None


def _placeholders(lengths: tuple[int, ...]) -> frozenset[str]:
    """Every placeholder_number of these lengths: one digit repeated, or a run of ASCENDING or
    DESCENDING."""
    runs = {digit * n for digit in "0123456789" for n in lengths}
    for sequence in (ASCENDING, DESCENDING):
        runs |= {sequence[i : i + n] for n in lengths for i in range(len(sequence) - n + 1)}
    return frozenset(runs)


A_NUMBER_PLACEHOLDERS = _placeholders((8, 9))  # a set lookup per cell of an A-number column


def a_number_key(value: str) -> str:
    """The one spelling a person's A-number is counted under: A + nine digits."""
    if len(value) == 10 and value[0] == "A" and value[1:].isdigit():
        return value  # A212345622, the common spelling, already is it
    return "A" + digits(value)[-9:].zfill(9)


def valid_a_number(value: str) -> bool:
    d = digits(value)
    return len(d) in (8, 9) and not placeholder_number(d)


# A cell that is nothing but an A-number: A212345622, A-212-345-622, A# 212 345 622, 212345622.
A_NUMBER_CELL = re.compile(r"(?:A\s*[#:.-]?\s*)?(?:(\d{3})[\s-]?(\d{3})[\s-]?(\d{3})|(\d{8}))", re.I)


def a_number_cell(value: str) -> bool:
    if 9 <= len(value) <= 10 and value[0] in "Aa" and value[1:].isdigit():
        return value[1:] not in A_NUMBER_PLACEHOLDERS  # A212345622, the common spelling
    match = A_NUMBER_CELL.fullmatch(value)
    if match is None:
        return False
    return not placeholder_number("".join(g for g in match.groups() if g))


# Spellings seen in agency files: A123456789, A-123-456-789, A# 123 456 789, A 12345678,
# "Alien No. 123456789", "A-Number: 123456789", "A-File 123456789".
A_NUMBER_LABEL = (
    r"(?:alien\s+(?:registration\s+)?(?:no\.?|number|num\.?|#)|a[\s-]?(?:number|num\.?|no\.?|file(?:\s+(?:no\.?|number))?)"
    r"|a\s*#)"
)
A_NUMBER = re.compile(
    rf"(?i:{A_NUMBER_LABEL})\s*[:#.]?\s*(\d{{3}}[\s-]?\d{{3}}[\s-]?\d{{3}}|\d{{8}})(?!\d)"
    r"|(?<![\w#-])A[\s-]?(\d{3}[\s-]?\d{3}[\s-]?\d{3}|0?\d{8}|\d{2}[\s-]?\d{3}[\s-]?\d{3})(?![\d-])"
)

SSN = re.compile(r"(?<![\d-])(\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})(?![\d-])")
SSN_BARE = re.compile(r"(?<![\d-])(\d{9})(?![\d-])")
# Seven or more digits written as phone numbers are (a +, an area code in parentheses, three or
# more groups, or a trunk 0 and a group, as much of Europe writes them): only then is
# libphonenumber asked, and imported. Decimals, dates (2022-03-04, 10/15/2024), year ranges and
# bare digit runs (order and record numbers) are not: a roster's book-in dates must not load it.
# Groups are parted by spaces, dots or dashes, never by tabs or line breaks: those part the
# cells of a table read as text (a week's counts, 3372<TAB>1215<TAB>31553), which the library
# would otherwise be asked about row after row.
_GAP = r"[ \u00a0.-]"
PHONE_CANDIDATE = re.compile(
    rf"(?<![\w/.+-])(?=(?:[ \u00a0().+-]{{0,3}}\d){{7}})(?:"
    rf"\+\d(?:[ \u00a0().-]{{0,2}}\d){{6,}}"
    rf"|\(\d{{1,5}}\){_GAP}?\d(?:{_GAP}?\d){{4,}}"
    rf"|(?!(?:1[89]|20)\d\d([-.])\d\d?\1\d\d?(?![\d.-]))\d{{1,5}}{_GAP}\d{{2,5}}{_GAP}\d{{2,5}}(?:{_GAP}\d{{1,5}})*(?!\d)"
    rf"|0\d{{1,4}}{_GAP}\d{{4,8}}(?!\d))"
)
EMAIL = re.compile(r"(?<![\w.+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}(?![\w])")
# The word, then within 30 characters without a digit ("No.", "number:", "issued by Mexico,")
# a value standing alone that holds a digit ("PASSPORT NUMBER G48213975" is not NUMBER);
# valid_passport then asks for a passport's shape.
PASSPORT = re.compile(
    r"(?i:passport|pasaporte)[^\n\d]{0,30}?(?<![A-Za-z0-9])(?=[A-Z]{0,8}\d)([A-Z0-9]{6,9})(?![A-Za-z0-9])"
)
NATIONAL_ID = re.compile(NATIONAL_ID_CANDIDATE)


def _phones(text: str, settings: DetectSettings) -> Iterable[tuple[int, int, str]]:
    return phone_numbers(text, settings.phone_regions)


def _national_ids(text: str, settings: DetectSettings) -> Iterable[tuple[int, int, str]]:
    return national_ids(text)


STREET = re.compile(
    r"(?<![\w/.,-])\d{1,6}\s+(?:[NSEW]\.?\s+)?(?:[A-Z][a-z]+\.?\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|Ln|Way|Court|Ct|Place|Pl|"
    r"Highway|Hwy|Parkway|Pkwy|Terrace|Circle|Cir|Calle|Avenida|Hills?|Knolls?|Point|Harbors?|"
    r"Isle|Divide|Ridge|Crossing|Square|Trail|Plaza|Loop|Pike|Alley|Glen|Grove|Heights|"
    r"Meadows?|Mills?|Shores?|Springs?|Summit|Turnpike|View|Vista|Walk|Wells|Estates?|Gardens?|"
    r"Landing|Manor|Oval|Pass|Path|Ramp|Route|Rte|Track|Trace|Village|Ville)\b\.?"
    r"(?:,?\s+(?:Apt|Apartment|Unit|Suite|Ste|#)\.?\s*\w+)?"
)
GPS_POSITION = re.compile(
    r"(?i:\bgps\s+(?:position|location|coordinates)\s*:?\s*)(-?\d{1,2}\.\d+\s*,\s*-?\d{1,3}\.\d+)"
)


def valid_gps(value: str) -> bool:
    """On the globe, and not 0, 0 (what a camera writes when it had no fix)."""
    try:
        lat, lon = (float(part) for part in value.split(","))
    except ValueError:
        return False
    return -90 <= lat <= 90 and -180 <= lon <= 180 and (lat, lon) != (0.0, 0.0)


CASE_NUMBER = re.compile(r"(?<![A-Z0-9])((?:EAC|WAC|LIN|SRC|NBC|MSC|IOE|YSC|ZLA|ZSF)\d{10})(?![0-9])")
FACILITY = re.compile(
    r"(?:[A-Z][\w.'&-]*\s+){1,5}(?:(?:Service\s+)?Processing\s+Center|Detention\s+(?:Center|Facility)"
    r"|Correctional\s+(?:Center|Facility|Institution)|County\s+(?:Jail|Detention\s+Center)"
    r"|Contract\s+Detention\s+Facility|Justice\s+Center|Staging\s+Facility|Family\s+Residential\s+Center)"
)

COVERED_WORD = re.compile(r"[^\W_]{4,}")


def covered_word(text: str) -> bool:
    """Covered text that holds a word of four or more letters or digits: graded high. Fragments,
    single characters and numbering ("3.", "(a)", "1.2") are low."""
    return COVERED_WORD.search(text) is not None


RULES: tuple[Rule, ...] = (
    Rule(
        id="a-number",
        kind="a_number",
        title="Alien Registration Number (A-number)",
        finds="A-numbers in every common spelling: A123456789, A-123-456-789, A# 123 456 789, "
        "'Alien No. 123456789'; a bare 8-9 digit number only under an A-number header.",
        why="The A-number is the key to a person's whole immigration file; published next to a name "
        "it tells anyone that this person is in removal proceedings or in custody.",
        false_alarms="Placeholder numbers in FAQs (A-123-456-789 with ascending digits) are ignored; "
        "contract, DUNS and award numbers have no A-number spelling and are not matched.",
        pattern=A_NUMBER,
        keywords=("a",),
        validator=valid_a_number,
        examples=(
            "A212345622",
            "A-212-345-622",
            "A# 212 345 622",
            "Alien No. 212345622",
            "A-Number: 21234562",
        ),
        non_examples=(
            "Contract HSCEDM-21-D-00015 for $212,345,622",
            "DUNS 212345622",
            "Example: A-123-456-789",
            "Total obligations 212345622",
        ),
    ),
    Rule(
        id="ssn",
        kind="ssn",
        title="US Social Security number",
        finds="Social Security numbers written 123-45-6789 or 123 45 6789 (a bare 9-digit number "
        "after SSN or social security, or under an SSN column title), valid by SSA's rules as "
        "python-stdnum's us.ssn checks them.",
        why="An SSN opens credit and benefits in the person's name.",
        false_alarms="Numbers SSA never issues (area 000, 666 or 900-999, group 00, serial 0000), "
        "advertised sample numbers (078-05-1120) and forms' placeholders (123-45-6789) are ignored; "
        "a 9XX number in the ITIN ranges is an ITIN (national-id).",
        pattern=SSN,
        keywords=("-", " "),
        validator=valid_ssn,
        examples=("SSN 212-45-6781", "social security 212 45 6781"),
        non_examples=(
            "123-45-6789",
            "000-12-3456",
            "666-12-3456",
            "SSN 912-45-6781",
            "SSN 212-00-6781",
            "078-05-1120",
            "Call 1-800-555-0100",
        ),
    ),
    Rule(
        id="phone-number",
        kind="phone_number",
        title="Telephone number",
        finds="Phone numbers of any country, valid by libphonenumber's numbering plans (the "
        "phonenumbers package): in international form (+44 20 7946 0958) anywhere, in national "
        "form ((202) 732-4242) in the regions the policy names (`[detect] phone_regions`, "
        "default US). In tables, a column of them under a phone title, or in phone punctuation.",
        why="A personal number lets anyone find and contact the person; next to a name it completes "
        "a profile.",
        false_alarms="Office and hotline numbers: reported, but alone they do not block, and beside "
        "a name they make a directory entry (low), not a person's record. Numbers no plan "
        "assigns (area code 299), the 555 exchange (fiction, directory services), placeholders "
        "(1-234-567-8901), dates, page ranges, IP addresses and bare runs of digits (order and "
        "record numbers) are not phone numbers. A number written in another country's national "
        "form is missed unless the policy names that country.",
        pattern=PHONE_CANDIDATE,
        finder=_phones,
        examples=(
            "Call (202) 732-4242",
            "hotline 1-866-347-2423",
            "+52 55 1234 5678",
            "UK office +44 20 7946 0958",
            "móvil +91 98213 47560",
            "Büro +49 30 4821 3975",
        ),
        non_examples=(
            "Fiscal year 2023-2024",
            "555-0100",
            "(202) 555-0143",
            "(299) 732-4242",
            "A-142-861-219 1961-04-28",
            "Tel. 020 7946 0958",
            "SSN 212-45-6781",
            "+1 234 567 8901",
        ),
    ),
    Rule(
        id="email-address",
        kind="email_address",
        title="E-mail address",
        finds="E-mail addresses.",
        why="A personal address identifies and reaches the person.",
        false_alarms="Office addresses (press@, info@): reported, but alone they do not block.",
        pattern=EMAIL,
        keywords=("@",),
        examples=("write to ana.perez@example.org",),
        non_examples=("twitter @agency",),
    ),
    Rule(
        id="passport-number",
        kind="passport_number",
        title="Passport number",
        finds="Passport numbers after the word passport (or pasaporte), or under a passport "
        "column title, in the shape an issuing state gives them: ICAO 9303's up to 9 capitals "
        "and digits, as one of the shapes of spillguard/data/passports.toml (nine digits, a "
        "letter and 6-8 digits, two letters and 6-7 digits, France's, Germany's, ...; the "
        "Netherlands' checked by python-stdnum).",
        why="A passport number identifies a person across borders.",
        false_alarms="Only read after the word or under the title; counts, fiscal years and "
        "form placeholders (G12345678) are not passports. A state whose shape is not in the "
        "data file is missed.",
        pattern=PASSPORT,
        keywords=("passport", "pasaporte"),
        validator=valid_passport,
        group=1,
        examples=(
            "Passport No. G48213975",
            "passport number: 548213975",
            "Pasaporte: G48213975",
            "Canadian passport HK482139",
            "PASSPORT NUMBER G48213975",
        ),
        # Ascending digits are the placeholder forms print: G12345678 exposes nobody.
        non_examples=(
            "passport photos required",
            "Passport No. G12345678",
            "Passport applications received: 1250000",
            "passport fees, FY2023",
            "G48213975",
        ),
    ),
    Rule(
        id="national-id",
        kind="national_id",
        title="National identity or tax number",
        finds="Identity and tax numbers other countries (and the US IRS) give persons, valid by "
        "python-stdnum's rules and check digits: US ITIN, Canadian SIN, Mexican CURP, Spanish "
        "DNI and NIE, French NIR, German IdNr, Indian Aadhaar, Brazilian CPF, Italian codice "
        "fiscale, Dutch BSN, UK NHS number. After their label (CURP, SIN, DNI, ...) or under a "
        "column titled with it; a CURP, a codice fiscale and an ITIN written 9XX-XX-XXXX also "
        "alone.",
        why="Each opens the person's tax, health or civil record, and for a migrant it says which "
        "state knows them.",
        false_alarms="Numbers failing their check digit are ignored, and so are organisations' "
        "numbers (US EIN, Spanish CIF, Brazilian CNPJ). A number that only happens to pass a "
        "check is found only after its label.",
        pattern=NATIONAL_ID,
        finder=_national_ids,
        examples=(
            "CURP GOAM880312MDFNRR02",
            "GOAM880312MDFNRR02",
            "ITIN 931-74-2265",
            "sponsor 931-74-2265",
            "SIN: 701 062 432",
            "DNI 48213975H",
            "NIE Y4821397J",
            "NIR 2 88 03 75 116 042 80",
            "Steuer-ID 59 968 129 044",
            "Aadhaar 5839 7016 0770",
            "CPF 482.139.750-14",
            "codice fiscale BNCLRA92D55F205E",
            "BSN 385674120",
            "NHS number 638 091 1200",
        ),
        non_examples=(
            "CURP GOAM880312MDFNRR00",
            "GOAM880312MDFNRR00",
            "912-45-6781",
            "SIN 701 062 430",
            "pagos sin 701062432",
            "DNI 48213975A",
            "Aadhaar 5839 7016 0771",
            "EIN 12-3456789",
            "CPF 482.139.750-15",
            "BNCLRA92D55F205A",
        ),
    ),
    Rule(
        id="street-address",
        kind="street_address",
        title="Street address",
        finds="Street addresses: number, street name and a street type.",
        why="A home address tells where a person can be found.",
        false_alarms="Office addresses on contact pages: reported, but alone they do not block.",
        pattern=STREET,
        examples=("lives at 1423 Maple Grove Avenue, Apt 4",),
        non_examples=("in 2023 Congress passed",),
    ),
    Rule(
        id="immigration-case-number",
        kind="immigration_case_number",
        title="Immigration case or receipt number",
        finds="USCIS receipt numbers (EAC, WAC, LIN, SRC, NBC, MSC, IOE, YSC + 10 digits).",
        why="A receipt number opens the person's case status online.",
        false_alarms="Rare: the prefixes and length are specific.",
        pattern=CASE_NUMBER,
        examples=("Receipt IOE0912345678",),
        non_examples=("EAC 2023 annual report",),
    ),
    Rule(
        id="gps-location",
        kind="gps_location",
        title="GPS position of a photo",
        finds="The place a picture was taken, from the GPS fields of its EXIF metadata (reported as "
        "'GPS position: LAT, LON' in the picture's metadata), or such a position written in text.",
        why="A phone photo of a list, a letter or a person carries where it was taken, often a home, "
        "a shelter or an office; nobody viewing the picture sees it.",
        false_alarms="Pictures of public places with location tags; 0, 0 (no fix) is ignored.",
        pattern=GPS_POSITION,
        keywords=("gps",),
        validator=valid_gps,
        group=1,
        examples=("GPS position: 31.761878, -106.485022",),
        non_examples=("GPS position: 0.000000, 0.000000", "the GPS unit lost its fix"),
    ),
    Rule(
        id="detention-facility",
        kind="detention_facility",
        title="Detention facility",
        finds="Names of detention facilities (processing centers, detention centers, county jails), "
        "and columns headed facility or detention location.",
        why="Next to a person it says where that person is held.",
        false_alarms="Facility lists with counts are aggregates and pass.",
        pattern=FACILITY,
        keywords=("center", "facility", "jail", "institution"),
        # A facility is a finding only next to a person: a list of facilities is routine.
        examples=("Respondent A212345622 held at Otero County Processing Center",),
        non_examples=(
            "Detainee A212345622 visited the community center",
            "Otero County Processing Center: 812 beds",
        ),
    ),
    Rule(
        id="person-name",
        kind="person_name",
        title="Person's name",
        finds="Names of people from anywhere. Columns: by header meaning (English and Spanish, one "
        "vocabulary for every format), value shape and distinctness (a rating repeated down a column "
        "is a category), so names never seen are found under Name, Detainee or Respondent. Text: "
        "'LAST, FIRST' capitals, courtesy titles, words around the name (respondent, born, A#), and "
        "frequency evidence: how often each word is a surname or a given name (1990 US Census tables, "
        "an international first-name dictionary) against how often it is an ordinary English or "
        "Spanish word (wordfreq). Words that end a street's or an organisation's name (Drive, County, "
        "Processing Center), known places (GeoNames), and a city and county before a ZIP code make a "
        "run something other than a person. Data and sources: spillguard/data/README.md.",
        why="A name is what turns a record into a person.",
        false_alarms="Officials named in their role (a title, or a title phrase such as 'Assistant "
        "Director of Cyber and Operational Technology', before the name), navigation links and "
        "bylines are reported at most as low; a name alone never blocks, whatever the page is about; "
        "a facility named after a person (T. Don Hutto Residential Center) is a facility. A real "
        "person named exactly like a town (Albert Lea) is missed in prose without other cues.",
        examples=("Respondent GARCIA LOPEZ, MARIA JOSE appeared", "Respondent SAN MARTIN, JOSE appeared"),
        non_examples=(
            "Secretary Jane Whitfield said on Monday",
            "En Español | Meets Standard | Pending Final Report",
            "180 Ted Turner Drive, Atlanta",
            "Joe Corley Processing Center",
        ),
    ),
    Rule(
        id="date-of-birth",
        kind="date_of_birth",
        title="Date of birth",
        finds="Dates under a birth header (DOB, date of birth, fecha de nacimiento) or next to words "
        "that say birth (born, DOB).",
        why="With a name, a birth date is enough to steal an identity and to find a person.",
        false_alarms="Other dates (book-in, release, hearing) are not birth dates and are ignored.",
        examples=("A212345622 DOB: 03/04/1988", "Maria Lopez, born 1988-03-04, was detained"),
        non_examples=("Detainee A212345622, book-in date 03/04/2023", "DOB: 03/04/1988"),
    ),
    Rule(
        id="nationality",
        kind="nationality",
        title="Nationality",
        finds="Countries and demonyms (and agency spellings like 'CHINA, PEOPLES REPUBLIC OF') in "
        "nationality columns or next to a person.",
        why="For asylum seekers, nationality with a name tells their persecutors where to look.",
        false_alarms="Tables of counts by nationality are aggregates and pass.",
        examples=(
            "A212345622 Nationality: GUATEMALA",
            "KOVRANEZ, TELUMI A212345622 CHINA, PEOPLES REPUBLIC OF",
        ),
        non_examples=("Secretary Jane Whitfield said Mexico hosted the summit", "Nationality: GUATEMALA"),
    ),
    Rule(
        id="covered-text",
        kind="covered_text",
        title="Text under a drawn box",
        finds="Characters a filled box is drawn over in a PDF (a failed redaction: the bar hides "
        "them on screen and in print, but they are still in the file and copy out), reported "
        "alone, by page and box, whatever they say. A word of four or more letters or digits "
        "under a box is high; fragments, single characters and numbering are low. Characters "
        "under a box that cannot be decoded are reported as covered text that could not be read. "
        "Names under a box count as names with no other sign of a person.",
        why="The box says someone decided this text must not be published; anyone can select it, "
        "copy it or run a tool over the file and read it.",
        false_alarms="Placeholders tools leave under bars (XXXX, REDACTED, blanks) are not reported; "
        "shaded table cells and boxes with visible text on them are told apart by rendering the "
        "page. Leftover fragments (a bullet, a digit) are graded low and do not block.",
        validator=covered_word,
        examples=("Maria Lopez Garcia", "A212345622", "born 03/04/1988"),
        non_examples=("3.", "(a)", "1.2", "b c"),
    ),
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
PATTERN_RULES: tuple[Rule, ...] = tuple(rule for rule in RULES if rule.pattern is not None)
