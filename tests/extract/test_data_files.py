"""Big data files at reading speed must not cost recall: a roster is still found in JSON
(records, arrays of arrays, nested objects), JSON Lines, GeoJSON properties, XML and CSV, and
identifier-sized numbers are still read, while numeric data files (measurements, coordinates,
matrices) pass without their numbers going through the detectors one by one."""

from __future__ import annotations

import csv
import io
import json
import random

import pytest

from spillguard.extract.markup import numeric_block, plain_number
from spillguard.pipeline import scan_bytes
from testing.synth import roster_people as make_people
from testing.synth import simple_roster_rows as roster_rows

PEOPLE = make_people(12, seed=5)
ROWS = roster_rows(PEOPLE)
HEADER, DATA = ROWS[0], ROWS[1:]


def records() -> list[dict[str, str]]:
    return [dict(zip(HEADER, row, strict=True)) for row in DATA]


def as_xml() -> bytes:
    tags = [h.lower().replace(" ", "_").replace("-", "_") for h in HEADER]
    body = "".join(
        "<detainee>" + "".join(f"<{t}>{v}</{t}>" for t, v in zip(tags, row, strict=True)) + "</detainee>\n"
        for row in DATA
    )
    return f'<?xml version="1.0"?>\n<roster>\n{body}</roster>\n'.encode()


def as_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(ROWS)
    return out.getvalue().encode()


ROSTERS = {
    "json records": json.dumps({"data": records()}).encode(),
    "json arrays of arrays": json.dumps({"columns": HEADER, "data": DATA}).encode(),
    "json rows with a header row": json.dumps(ROWS).encode(),
    "json lines": "\n".join(json.dumps(r) for r in records()).encode() + b"\n",
    "geojson properties": json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": r,
                    "geometry": {"type": "Point", "coordinates": [-106.4, 31.7]},
                }
                for r in records()
            ],
        }
    ).encode(),
    "xml": as_xml(),
    "csv": as_csv(),
}


@pytest.mark.parametrize("shape", sorted(ROSTERS))
def test_a_roster_in_a_data_file_still_blocks(shape: str) -> None:
    report = scan_bytes("data", ROSTERS[shape])[0]
    assert report.verdict == "block", f"{shape}: {report.reason}"
    assert report.individuals >= 10, f"{shape}: {report.reason}"


def test_a_deeply_nested_person_is_still_found() -> None:
    person = PEOPLE[0]
    doc = {"case": {"file": {"respondent": {"name": person.roster_name, "a_number": f"A{person.a_number}"}}}}
    doc["case"]["stats"] = {"series": [[i, i * 0.5] for i in range(500)]}
    report = scan_bytes("case.json", json.dumps(doc).encode())[0]
    assert {"person_name", "a_number"} <= set(report.counts), report.reason


def test_identifier_sized_numbers_are_still_read() -> None:
    numbers = [int(PEOPLE[0].a_number), int(PEOPLE[1].a_number)]
    doc = {"A-Number": [*numbers, 1.5, 2.5], "series": [0.5, 1.25]}  # mixed in with measurements
    report = scan_bytes("ids.json", json.dumps(doc).encode())[0]
    assert report.counts.get("a_number", 0) >= 2, report.reason


def numeric_files() -> dict[str, bytes]:
    rng = random.Random(3)
    matrix = [[round(rng.uniform(-900, 900), 3) for _ in range(6)] for _ in range(3000)]
    ring = [[round(rng.uniform(-120, -70), 6), round(rng.uniform(25, 48), 6)] for _ in range(50)]
    geo = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"district": f"D{i}", "population": 4000 + i},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}
            for i in range(200)
        ],
    }  # fmt: skip
    out = io.StringIO()
    csv.writer(out).writerows([[f"sensor_{i}" for i in range(6)], *matrix])
    return {"matrix.json": json.dumps(matrix).encode(), "districts.geojson": json.dumps(geo).encode(),
            "sensors.csv": out.getvalue().encode()}  # fmt: skip


@pytest.mark.parametrize("name", ["matrix.json", "districts.geojson", "sensors.csv"])
def test_a_numeric_data_file_passes(name: str) -> None:
    report = scan_bytes(name, numeric_files()[name])[0]
    assert report.verdict == "pass" and report.uninspectable is None, report.reason


def test_numbers_are_judged_by_shape() -> None:
    assert plain_number(12.5) and plain_number(99_999) and plain_number(212345622.5)
    assert not plain_number(212345622) and not plain_number(212345622.0) and not plain_number(True)
    assert numeric_block([[1.5, 2.0], [3, -4]]) and numeric_block([[[1.5, 2.0]]])
    assert not numeric_block([[1.5, 2.0], [3, 212345622]])
    assert not numeric_block([1, "A212345622"]) and not numeric_block([True, False]) and not numeric_block([])
