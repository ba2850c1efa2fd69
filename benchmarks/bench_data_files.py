"""Big data files at reading speed: JSON, JSON Lines, GeoJSON, XML and CSV of several shapes
(arrays of arrays of numbers, records with numeric columns, deep nesting), each scanned in this
process on one core (MB per CPU second), beside a bare parse of the same bytes (json.loads,
orjson where installed, xml.etree, csv). Goal: 10 MB/s per core or better for every shape.

    python -m benchmarks data_files [--mb 20] [--quick]

Every file is generated here with invented values; none holds a person.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import statistics
import time
from collections.abc import Callable
from xml.etree import ElementTree

GOAL_MB_S = 10.0


def numbers_matrix(rng: random.Random, size: int) -> bytes:
    """[[x, y, z, ...], ...]: a sensor export, a model's output."""
    rows = []
    total = 0
    while total < size:
        row = [round(rng.uniform(-1000, 1000), 4) for _ in range(8)]
        rows.append(row)
        total += 80
    return json.dumps(rows).encode()


def records(rng: random.Random, count: int) -> list[dict[str, object]]:
    offices = ["Boston", "Denver", "El Paso", "Miami", "Seattle"]
    return [
        {
            "id": i,
            "office": rng.choice(offices),
            "fiscal_year": 2020 + i % 5,
            "cases_received": rng.randint(0, 5000),
            "cases_completed": rng.randint(0, 5000),
            "median_days": round(rng.uniform(10, 900), 1),
            "share_granted": round(rng.random(), 4),
        }
        for i in range(count)
    ]


def json_records(rng: random.Random, size: int) -> bytes:
    return json.dumps(records(rng, size // 150)).encode()


def json_lines(rng: random.Random, size: int) -> bytes:
    return "\n".join(json.dumps(r) for r in records(rng, size // 150)).encode() + b"\n"


def deep_nesting(rng: random.Random, size: int) -> bytes:
    """{"regions": {"r0": {"offices": {"o0": {"months": {"2024-01": {...}}}}}}}: nested objects."""
    doc: dict[str, object] = {}
    total, r = 0, 0
    while total < size:
        offices = {}
        for o in range(20):
            months = {
                f"2024-{m:02d}": {"received": rng.randint(0, 900), "rate": round(rng.random(), 3)}
                for m in range(1, 13)
            }
            offices[f"office-{o}"] = {"months": months}
            total += 12 * 45
        doc[f"region-{r}"] = {"offices": offices}
        r += 1
    return json.dumps({"regions": doc}).encode()


def geojson(rng: random.Random, size: int) -> bytes:
    features = []
    total = 0
    while total < size:
        ring = [[round(rng.uniform(-120, -70), 6), round(rng.uniform(25, 48), 6)] for _ in range(40)]
        features.append(
            {
                "type": "Feature",
                "properties": {"district": f"D{len(features)}", "population": rng.randint(1000, 90000)},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
        total += 40 * 26 + 90
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def xml_records(rng: random.Random, size: int) -> bytes:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<offices>\n')
    for r in records(rng, size // 260):
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in r.items() if k != "id")
        out.write(f'  <office id="{r["id"]}">{fields}</office>\n')
    out.write("</offices>\n")
    return out.getvalue().encode()


def csv_numbers(rng: random.Random, size: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"sensor_{i}" for i in range(10)])
    for _ in range(size // 95):
        writer.writerow([round(rng.uniform(-1000, 1000), 3) for _ in range(10)])
    return out.getvalue().encode()


def csv_records(rng: random.Random, size: int) -> bytes:
    rows = records(rng, size // 60)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def parse_json(data: bytes) -> object:
    return json.loads(data)


def parse_json_lines(data: bytes) -> object:
    return [json.loads(line) for line in data.splitlines() if line.strip()]


def parse_xml(data: bytes) -> object:
    return ElementTree.fromstring(data)


def parse_csv(data: bytes) -> object:
    return list(csv.reader(io.StringIO(data.decode())))


SHAPES: list[tuple[str, str, Callable[[random.Random, int], bytes], Callable[[bytes], object]]] = [
    ("json", "array of arrays of numbers", numbers_matrix, parse_json),
    ("json", "array of records", json_records, parse_json),
    ("json", "deep nesting", deep_nesting, parse_json),
    ("jsonl", "records", json_lines, parse_json_lines),
    ("geojson", "polygons", geojson, parse_json),
    ("xml", "records", xml_records, parse_xml),
    ("csv", "numeric columns", csv_numbers, parse_csv),
    ("csv", "records", csv_records, parse_csv),
]


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """CPU seconds of this process (one core's work, whatever else the machine is running:
    on a shared machine wall time measures the neighbours), median of `runs`."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        fn()
        times.append(time.process_time() - started)
    return min(times) if runs < 3 else statistics.median(times)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks data_files")
    parser.add_argument("--mb", type=float, default=20.0, help="size of each file")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="2 MB files, one run")
    args = parser.parse_args(argv)
    size = int((2.0 if args.quick else args.mb) * 1024 * 1024)
    runs = 1 if args.quick else args.runs
    from spillguard.pipeline import scan_bytes

    try:
        import orjson
    except ImportError:
        orjson = None
    print(f"MB per CPU second, in process; files of about {size / 1e6:.0f} MB; goal {GOAL_MB_S:.0f} MB/s")
    header = ("format", "shape", "MB", "scan MB/s", "bare parse MB/s", "orjson MB/s", "verdict")
    print("{:8s} {:28s} {:>6s} {:>10s} {:>16s} {:>12s} {:>8s}".format(*header))
    slow = []
    for fmt, shape, make, parse in SHAPES:
        data = make(random.Random(7), size)
        megabytes = len(data) / 1e6
        verdicts: list[str] = []
        name = f"data.{fmt}"
        scan = best_of(runs, lambda d=data, n=name, v=verdicts: v.append(scan_bytes(n, d)[0].verdict))
        bare = best_of(runs, lambda d=data, p=parse: p(d))
        fast = "-"
        if orjson is not None and fmt in ("json", "geojson"):
            fast = f"{megabytes / best_of(runs, lambda d=data: orjson.loads(d)):.1f}"
        rate = megabytes / scan
        if rate < GOAL_MB_S:
            slow.append(f"{fmt} {shape}")
        print(
            f"{fmt:8s} {shape:28s} {megabytes:>6.1f} {rate:>10.1f} {megabytes / bare:>16.1f} "
            f"{fast:>12s} {verdicts[-1]:>8s}"
        )
    if slow:
        print(f"\nbelow {GOAL_MB_S:.0f} MB/s: {', '.join(slow)}")
    return 0
