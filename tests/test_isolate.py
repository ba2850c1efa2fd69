"""The one way a scan runs in a worker (`spillguard.isolate`): the same reports as in process,
and a worker that dies, hangs or runs out of memory costs one blocking verdict, never the
caller. Both ways of making workers (forked from the caller, made by a fork server) are run."""

from __future__ import annotations

import os
import random
import signal
from pathlib import Path

import pytest

from spillguard.extract.base import Limits
from spillguard.isolate import Job, Spare, Workers, scan_in_worker
from spillguard.model import FileReport
from spillguard.pipeline import scan_bytes, scan_path
from spillguard.policy import DEFAULT_POLICY, Policy
from testing.synth import (
    Person,
    csv_bytes,
    facility_counts,
    laughs_workbook,
    roster_people,
    simple_roster_rows,
    write_docx_layers,
    write_rows,
    write_workbook,
    zip_bytes,
)


@pytest.fixture(scope="module")
def people() -> list[Person]:
    return roster_people(12, seed=11)


def _summary(reports: list[FileReport]) -> list[tuple[object, ...]]:
    return [(f.path, f.verdict, f.uninspectable, f.individuals, f.records, f.findings) for f in reports]


@pytest.mark.parametrize("start", ["fork", "forkserver"])
def test_hostile_and_broken_files_read_alike_in_a_worker_and_in_process(
    tmp_path: Path, people: list[Person], start: str
) -> None:
    rows = simple_roster_rows(people)
    laughs_workbook(tmp_path / "laughs.xlsx")
    hidden = write_workbook(
        tmp_path / "hidden.xlsx", {"S": facility_counts(), "R": rows}, {"R": "veryHidden"}
    )
    (tmp_path / "cut.xlsx").write_bytes(hidden.read_bytes()[: hidden.stat().st_size // 2])
    (tmp_path / "junk.xlsx").write_bytes(random.Random(2).randbytes(4096))
    write_docx_layers(tmp_path / "layers.docx", *(p.roster_name for p in people[:3]))
    (tmp_path / "roster.zip").write_bytes(zip_bytes({"r.csv": csv_bytes(rows)}))
    paths = sorted(str(p) for p in tmp_path.iterdir())
    with Workers(DEFAULT_POLICY, 2, start=start) as workers:  # type: ignore[arg-type]
        futures = workers.map(paths)
        in_workers = [f.result() for f in futures]
    for path, reports in zip(paths, in_workers, strict=True):
        assert _summary(reports) == _summary(scan_path(path, DEFAULT_POLICY)), path


def test_bytes_are_judged_under_their_name(people: list[Person]) -> None:
    data = csv_bytes(simple_roster_rows(people))
    reports = scan_in_worker(Job("site/files/roster.csv", data), DEFAULT_POLICY)
    assert _summary(reports) == _summary(scan_bytes("site/files/roster.csv", data, DEFAULT_POLICY))
    assert reports[0].path == "site/files/roster.csv" and reports[0].verdict == "block"


def test_the_workers_policy_applies(tmp_path: Path, people: list[Person]) -> None:
    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    relaxed = Policy(block=frozenset(), warn=frozenset())
    assert scan_in_worker(str(path), relaxed)[0].verdict == "pass"
    assert scan_in_worker(str(path), DEFAULT_POLICY)[0].verdict == "block"


def test_a_worker_that_dies_fails_closed_and_the_next_job_gets_a_new_one(
    tmp_path: Path, people: list[Person]
) -> None:
    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    with Workers(DEFAULT_POLICY, 1) as workers:
        first = workers.scan(str(path))
        pids = [c.pid for c in _children()]
        assert len(pids) == 1
        os.kill(pids[0], signal.SIGKILL)
        died = workers.scan(str(path))[0]
        again = workers.scan(str(path))[0]
    assert first[0].verdict == "block" and first[0].uninspectable is None
    assert died.verdict == "block"
    assert died.uninspectable is not None and "crashed" in died.uninspectable
    assert (again.verdict, again.uninspectable, again.individuals) == ("block", None, len(people))


def test_a_worker_past_its_time_is_killed(
    tmp_path: Path, people: list[Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    import spillguard.isolate as isolate

    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    # No deadline of its own (the pipeline's would say "timed out" itself): the worker is
    # stopped (SIGSTOP) so it never answers, and the caller's grace runs out.
    monkeypatch.setattr(isolate, "GRACE_SECONDS", 0.5)
    policy = Policy(limits=Limits(timeout_seconds=0.0))
    with Workers(policy, 1) as workers:
        workers.scan(Job("warm.csv", b"a,b\n1,2\n"))
        (child,) = _children()
        os.kill(child.pid, signal.SIGSTOP)
        report = workers.scan(str(path))[0]
    assert (report.verdict, report.uninspectable) == ("block", "timed out")


def test_a_worker_out_of_memory_fails_closed(tmp_path: Path) -> None:
    import spillguard.isolate as isolate

    policy = Policy(limits=Limits(max_memory_bytes=64 * 1024 * 1024))
    # A job the worker cannot even receive within its memory cap.
    report = scan_in_worker(Job("huge.csv", b"a" * (96 * 1024 * 1024)), policy)[0]
    assert report.verdict == "block"
    assert report.uninspectable in ("over limit: memory", f"parser crashed (exit {isolate.EXIT_MEMORY})")


def test_a_spare_is_taken_on_under_the_policy_given_then(tmp_path: Path, people: list[Person]) -> None:
    """The spare started before the command line was read becomes the scan's worker (no other
    is started), and judges by the policy the Workers name, not the built-in one it warmed on."""
    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    spare = Spare()
    (started,) = _children()
    relaxed = Policy(block=frozenset(), warn=frozenset())
    with Workers(relaxed, 1, spare=spare) as workers:
        report = workers.scan(str(path))[0]
        assert [c.pid for c in _children()] == [started.pid]
    assert (report.verdict, report.individuals) == ("pass", len(people))
    spare.close()  # taken: nothing left to stop
    assert _children() == []


def test_an_unused_spare_is_stopped_and_a_dead_one_replaced(tmp_path: Path, people: list[Person]) -> None:
    unused = Spare()
    unused.close()
    assert _children() == []
    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    dead = Spare()
    (child,) = _children()
    os.kill(child.pid, signal.SIGKILL)
    child.join()  # type: ignore[attr-defined]
    with Workers(DEFAULT_POLICY, 1, spare=dead) as workers:
        report = workers.scan(str(path))[0]
    assert (report.verdict, report.uninspectable) == ("block", None)


def _children() -> list[object]:
    import multiprocessing

    return list(multiprocessing.active_children())


def test_leaving_the_block_on_an_error_drops_the_queued_jobs(tmp_path: Path, people: list[Person]) -> None:
    import time

    path = tmp_path / "r.csv"
    write_rows(path, simple_roster_rows(people))
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt), Workers(DEFAULT_POLICY, 1) as workers:
        futures = workers.map([str(path)] * 200)
        futures[0].result()
        raise KeyboardInterrupt
    assert time.monotonic() - started < 30
    assert sum(f.cancelled() for f in futures) > 150  # not scanned after the interrupt
    assert not _children()


def test_no_worker_to_be_had_fails_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    import spillguard.isolate as isolate

    def refuse(*args: object) -> None:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(isolate._Worker, "start", classmethod(lambda cls, *a: refuse()))
    report = scan_in_worker(Job("r.csv", b"a,b\n"), DEFAULT_POLICY)[0]
    assert (report.verdict, report.uninspectable) == ("block", "no worker (BlockingIOError)")


def test_workers_are_bounded_by_cores_and_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """`watch --workers 10000` met the OOM killer (issue 13 item 11)."""
    from spillguard import isolate

    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(isolate, "available_memory", lambda: 3 * isolate.WORKER_MEMORY + 1)
    with isolate.Workers(DEFAULT_POLICY, 64) as workers:
        assert workers.count == min(3, cores)
    monkeypatch.setattr(isolate, "available_memory", lambda: 0)
    with isolate.Workers(DEFAULT_POLICY, 64) as workers:
        assert workers.count == 1  # always one, however little memory is left
    monkeypatch.setattr(isolate, "available_memory", lambda: None)
    assert isolate.worker_limit() == cores
