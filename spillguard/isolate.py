"""The one way to run a scan in a worker process, under the policy's memory cap and time limit.

Every scan that reads a file somebody else made goes through here: `scan`, `gate`, `publish`,
`approve`, `allow`, `watch`, `monitor` and `quarantine restore`. A parser that hangs, crashes
or eats memory then costs one `uninspectable` verdict (which blocks), never the command or the
watcher.

`Workers(policy, n)` keeps up to n scanner processes. Each takes one job at a time (a path on
disk, or bytes judged under a name) through a pipe and sends the pickled reports back; the
caller gets a `Future` of the file's reports, top-level first, failures already turned into
reports. Each worker caps its address space (`RLIMIT_AS`) when it starts; each job has the
pipeline's own deadline, and a worker that has not answered ten seconds past it is killed and
replaced. Processes are forked from the caller (which has loaded the pipeline, so they start
at once), or, for callers that run threads of their own (the watchers), made by a fork server:
forking a threaded process can leave a child holding a lock no thread will release.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Literal

from spillguard.extract.base import Limits
from spillguard.model import FileReport, worker_failed
from spillguard.policy import Policy

EXIT_INTERNAL = 70  # a worker's exit codes
EXIT_MEMORY = 71
GRACE_SECONDS = 10.0  # past the pipeline's own deadline, before the worker is killed
WARM_UP = b"facility,count\nNorth,12\nSouth,7\n"
# What one scanner process needs resident, parsers loaded and a routine file open: the memory
# available divided by it bounds how many run at once (10,000 asked for met the OOM killer).
WORKER_MEMORY = 256 * 1024 * 1024
Start = Literal["fork", "forkserver"]


@dataclass(frozen=True)
class Job:
    """One file to scan: `name` on disk, or `data` judged as if it were at `name`. `task`
    "records" reads the people records of the file on disk instead (for `people` and `match`,
    which read leaked files and reposts as hostile as any upload); "records-text" leaves their
    text unread (people.records.TextRecord) for `match`'s own reader."""

    name: str
    data: bytes | None = None
    task: Literal["scan", "records", "records-text"] = "scan"


def scan_in_worker(job: Job | str, policy: Policy) -> list[FileReport]:
    """One file in one worker process: its reports, top-level first."""
    with Workers(policy, 1) as workers:
        return workers.scan(job)


def worker_limit() -> int:
    """How many scanner processes this machine can run at once: no more than its cores (a scan
    is CPU work), nor than the memory available holds."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    available = available_memory()
    by_memory = available // WORKER_MEMORY if available is not None else cores
    return max(1, min(cores, by_memory))


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo in bytes (None where there is none)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


class Workers:
    """Up to `count` scanner processes; `submit(job)` returns a future of the file's reports.
    Jobs are taken in the order submitted."""

    def __init__(
        self, policy: Policy, count: int = 1, *, start: Start = "fork", spare: Spare | None = None
    ) -> None:
        self.policy = policy
        self._spare = spare
        self.count = max(1, min(count, worker_limit()))
        self._context = multiprocessing.get_context(start)
        self._jobs: queue.Queue[tuple[Job, Future[list[FileReport]]] | None] = queue.Queue()
        self._live: set[_Worker] = set()  # the worker processes now running
        self._lock = threading.Lock()
        self._threads = [
            threading.Thread(target=self._drive, name=f"spillguard-worker-{i}", daemon=True)
            for i in range(self.count)
        ]
        for thread in self._threads:
            thread.start()

    def submit(self, job: Job | str) -> Future[list[FileReport]]:
        future: Future[list[FileReport]] = Future()
        self._jobs.put((Job(job) if isinstance(job, str) else job, future))
        return future

    def scan(self, job: Job | str) -> list[FileReport]:
        return self.submit(job).result()

    def map(self, jobs: Iterable[Job | str]) -> list[Future[list[FileReport]]]:
        return [self.submit(job) for job in jobs]

    def warm_up(self) -> None:
        """Load the extractors and detectors in every worker before the first real file."""
        futures = [self.submit(Job("warm-up.csv", WARM_UP)) for _ in range(self.count)]
        for future in futures:
            future.result()  # a warm-up that fails costs speed only: it is a report like any

    def close(self, *, cancel: bool = False) -> None:
        """Finish the jobs already submitted, then stop the workers. `cancel`: drop the jobs
        not started and kill the workers now (Ctrl-C, an error in the caller)."""
        if cancel:
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if item is not None:
                    item[1].cancel()
            with self._lock:
                for worker in self._live:
                    worker.process.kill()
        for _ in self._threads:
            self._jobs.put(None)
        for thread in self._threads:
            thread.join()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        self.close(cancel=kind is not None)

    # --- the thread that drives one worker process ---------------------------------------

    def _drive(self) -> None:
        worker: _Worker | None = None
        try:
            while (item := self._jobs.get()) is not None:
                job, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                if worker is None:
                    try:
                        worker = self._adopt_spare() or _Worker.start(self._context, self.policy)
                    except Exception as exc:  # no process to be had (EAGAIN, ENOMEM): fail closed
                        future.set_result(worker_failed(job.name, f"no worker ({exc.__class__.__name__})"))
                        continue
                    with self._lock:
                        self._live.add(worker)
                reports, next_worker = worker.run(job)
                if next_worker is None:
                    with self._lock:
                        self._live.discard(worker)
                worker = next_worker
                future.set_result(reports)
        finally:
            if worker is not None:
                worker.stop()
                with self._lock:
                    self._live.discard(worker)

    def _adopt_spare(self) -> _Worker | None:
        with self._lock:
            spare = self._spare.take() if self._spare else None
        if spare is None:
            return None
        try:
            if spare.process.is_alive():
                return spare.adopt(self.policy)
        except OSError:  # it died as it was told its policy
            pass
        spare.kill()  # it died before it was needed: start another
        return None


class Spare:
    """A scanner worker started before the command line is read (cli/app.py): it loads the
    parsers and detectors on the other core while the caller loads its command layer, and the
    first Workers given it takes it on, under the policy the command line then names. Unused,
    `close` stops it. Started by fork, from a caller with no threads yet."""

    def __init__(self) -> None:
        self._worker: _Worker | None = _Worker.start(multiprocessing.get_context("fork"), None)

    def take(self) -> _Worker | None:
        worker, self._worker = self._worker, None
        return worker

    def close(self) -> None:
        if (worker := self.take()) is not None:
            worker.kill()


@dataclass(frozen=True)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    timeout: float  # seconds to wait for one job's answer

    @classmethod
    def start(cls, context: multiprocessing.context.BaseContext, policy: Policy | None) -> _Worker:
        """A worker under this policy; with None, a spare that loads the scanner meanwhile."""
        ours, theirs = multiprocessing.Pipe()
        process = context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(theirs, policy), name="spillguard-scan", daemon=True
        )
        process.start()
        theirs.close()
        return cls(process, ours, policy.limits.timeout_seconds + GRACE_SECONDS if policy else 0.0)

    def adopt(self, policy: Policy) -> _Worker:
        """This spare, told its policy: a worker like any other from now on."""
        self.conn.send(policy)
        return dataclasses.replace(self, timeout=policy.limits.timeout_seconds + GRACE_SECONDS)

    def run(self, job: Job) -> tuple[list[FileReport], _Worker | None]:
        """The job's reports, and the worker to use next (None: this one is gone)."""
        try:
            self.conn.send(job)
            if not self.conn.poll(self.timeout):
                self.kill()
                return worker_failed(job.name, "timed out"), None
            reports: list[FileReport] = pickle.loads(self.conn.recv_bytes())
            return reports, self
        except Exception:  # EOF, a broken pipe, a payload cut short: it died, its exit status says how
            pass
        self.kill()
        code = self.process.exitcode
        reasons = {EXIT_MEMORY: "over limit: memory", EXIT_INTERNAL: "internal error in worker"}
        return worker_failed(job.name, reasons.get(code or 0, f"parser crashed (exit {code})")), None

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.process.join(timeout=5)
        self.kill()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()


def _serve(conn: Connection, policy: Policy | None) -> None:
    """A worker's life: cap memory, then scan jobs until told to stop. Never prints: native
    parsers (Rust panics, pdfium) would write noise to the user's terminal. Ctrl-C is the
    caller's to handle (a watcher finishes its queue; a scan cancels), not the worker's. A
    spare (no policy yet) loads the scanner on a file of its own first, then waits for one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _silence_stderr()
    try:
        if policy is None:
            from spillguard.pipeline import scan_bytes
            from spillguard.policy import DEFAULT_POLICY

            scan_bytes("warm-up.csv", WARM_UP, DEFAULT_POLICY)
            if (policy := conn.recv()) is None:
                return  # not needed after all
        _limit_memory(policy.limits)
        while (job := conn.recv()) is not None:
            if job.task != "scan":
                conn.send_bytes(pickle.dumps(_records(job.name, policy, job.task == "records-text")))
                continue
            from spillguard.pipeline import scan_bytes, scan_path  # loaded at once, in the worker

            if job.data is None:
                reports = scan_path(job.name, policy)
            else:
                reports = scan_bytes(job.name, job.data, policy)
            conn.send_bytes(pickle.dumps(reports))
    except EOFError:
        return  # the caller went away
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except BaseException:
        os._exit(EXIT_INTERNAL)


def _records(path: str, policy: Policy, text_as_is: bool) -> object:
    """The people records of a file, or the reason it cannot be read completely."""
    from spillguard.model import Uninspectable
    from spillguard.people.records import read_records

    try:
        return list(read_records(path, policy.limits, text_as_is=text_as_is))
    except Uninspectable as exc:
        return worker_failed(path, str(exc))


def read_records_in_worker(path: str, policy: Policy, *, text_as_is: bool = False) -> list[object]:
    """`people.records.read_records` of one file in a worker under the policy's limits; a file
    that cannot be read completely (or kills its worker) raises Uninspectable with the reason."""
    from spillguard.model import Uninspectable

    with Workers(policy, 1) as workers:
        result: list[object] = workers.scan(Job(path, task="records-text" if text_as_is else "records"))  # type: ignore[assignment]
    if result and isinstance(result[0], FileReport):
        raise Uninspectable(result[0].uninspectable or "not read")
    return result


def _silence_stderr() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)


def _limit_memory(limits: Limits) -> None:
    import resource

    # A decompression bomb or a runaway parser fails with MemoryError in its worker.
    limit = limits.max_memory_bytes
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(
        resource.RLIMIT_AS,
        (limit, hard if hard != resource.RLIM_INFINITY and hard < limit else limit),
    )
