"""Workbook cells through python-calamine, read in the caller's thread or on a background one.

Light to import on purpose: a one-file scan's worker starts calamine on the workbook here
(`prefetch`) before the rest of the pipeline has loaded, and the spreadsheet extractor takes
the cells over when it gets to them (`CellReader.for_source`)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import threading

Sheet = tuple[str, bool, list[list[Any]], tuple[int, int] | None]  # name, hidden, cells, top-left

BACKGROUND_BYTES = 256 * 1024  # smaller workbooks parse in less time than a thread costs
FAST_SWITCH_SECONDS = 0.0002
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # zip (xlsx, xlsb, ods) and OLE (xls)
# A prefetch reads before the pipeline has judged the file (an archive or a document starts the
# same way): past this size, the guess is not worth the memory.
PREFETCH_MAX_BYTES = 64 * 1024 * 1024


class Readable(Protocol):
    """What the reader needs of a `Source`."""

    @property
    def name(self) -> str: ...

    @property
    def size(self) -> int: ...

    @property
    def depth(self) -> int: ...

    def open(self) -> IO[bytes]: ...

    def check_time(self) -> None: ...


def _calamine_sheets(source: Readable) -> Iterator[Sheet]:
    """Every sheet's cells through calamine; Uninspectable when it cannot read them."""
    import python_calamine as pc

    from spillguard.model import Uninspectable

    try:
        with source.open() as fh:
            workbook = pc.CalamineWorkbook.from_filelike(fh)
    except pc.PasswordError:
        raise Uninspectable("encrypted") from None
    except BaseException as exc:  # calamine's errors, and Rust panics (a BaseException)
        _reraise_interrupts(exc)
        raise Uninspectable(_calamine_reason(exc)) from None
    try:
        for meta in workbook.sheets_metadata:
            if str(meta.typ).endswith("ChartSheet"):
                continue
            try:
                grid = workbook.get_sheet_by_name(meta.name)
                cells, start = grid.to_python(), grid.start
            except BaseException as exc:
                _reraise_interrupts(exc)
                raise Uninspectable(_calamine_reason(exc)) from None
            yield meta.name, not str(meta.visible).endswith(".Visible"), cells, start
    finally:
        workbook.close()


def _reraise_interrupts(exc: BaseException) -> None:
    if isinstance(exc, KeyboardInterrupt | SystemExit | GeneratorExit):
        raise exc


def _calamine_reason(exc: BaseException) -> str:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return "encrypted"
    return f"corrupt workbook ({exc.__class__.__name__})"


class CellReader:
    """The sheets' cells. A big workbook's are read by calamine on a background thread:
    calamine releases the GIL while it parses, so the package parts and the detectors load
    meanwhile, which on a roster hides most of the Python work before the first row is judged.
    Sheets come one at a time through a one-place queue, so memory holds at most two sheets'
    cells. A small workbook's are read when asked for."""

    def __init__(self, source: Readable, background: bool | None = None) -> None:
        import queue
        import threading

        self._source = source
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if background if background is not None else source.size >= BACKGROUND_BYTES:
            self._thread = threading.Thread(target=self._read, args=(source,), name="calamine", daemon=True)
            self._thread.start()

    @classmethod
    def for_source(cls, source: Readable) -> CellReader:
        """The reader for `source`: the one `prefetch` started on the same, unchanged file if
        there is one, else a new one."""
        started = _prefetched.pop(source.name, None) if source.depth == 0 else None
        if started is not None:
            key, reader = started
            if key == _file_key(source.name):
                reader._source = source  # the scan's own deadline applies from here
                return reader
            reader.__exit__()  # the file changed since: read it afresh
        return cls(source)

    def _read(self, source: Readable) -> None:
        from spillguard.model import Uninspectable

        # Calamine takes the GIL back between its native steps; at Python's default 5 ms
        # switch interval it waits behind the main thread's work for most of each step.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, FAST_SWITCH_SECONDS))
        try:
            for sheet in _calamine_sheets(source):
                if not self._put("sheet", sheet):
                    return
            self._put("end", None)
        except Uninspectable as exc:
            self._put("error", str(exc))
        except BaseException as exc:  # nothing may escape a thread unreported: fail closed
            self._put("error", f"internal error ({exc.__class__.__name__})")
        finally:
            sys.setswitchinterval(interval)

    def _put(self, what: str, item: object) -> bool:
        """Hand one item over; False once the reader has been closed (nobody will take it)."""
        import queue

        while not self._stop.is_set():
            try:
                self._queue.put((what, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def sheets(self) -> Iterator[Sheet]:
        """(name, hidden, cells, top-left) per sheet; Uninspectable when calamine fails."""
        import queue

        from spillguard.model import Uninspectable

        if self._thread is None:
            for sheet in _calamine_sheets(self._source):
                self._source.check_time()
                yield sheet
            return
        while True:
            self._source.check_time()
            try:
                what, item = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if what == "end":
                return
            if what == "error":
                raise Uninspectable(str(item))
            yield item  # type: ignore[misc]

    @property
    def thread(self) -> threading.Thread | None:
        return self._thread

    def __enter__(self) -> CellReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()


class _PathFile:
    """A file on disk as the reader needs it, without the pipeline's `Source` (which loads
    more than a prefetch can wait for)."""

    def __init__(self, path: str, size: int) -> None:
        self.name, self.size, self.depth = path, size, 0

    def open(self) -> IO[bytes]:
        return open(self.name, "rb")

    def check_time(self) -> None:
        pass  # the adopting scan's source brings the deadline


_prefetched: dict[str, tuple[tuple[int, int, int], CellReader]] = {}


def prefetch(path: str) -> None:
    """Start calamine on `path` now, on a background thread, if it looks like a workbook; the
    spreadsheet extractor takes the cells over if it reads the same, unchanged file. Anything
    else (another type, a file that changed, an error) costs the work and changes no result."""
    try:
        key = _file_key(path)
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError:
        return
    if head in WORKBOOK_MAGIC and key[1] <= PREFETCH_MAX_BYTES:
        _prefetched[path] = (key, CellReader(_PathFile(path, key[1]), background=True))


def _file_key(path: str) -> tuple[int, int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (info.st_ino, info.st_size, info.st_mtime_ns)
