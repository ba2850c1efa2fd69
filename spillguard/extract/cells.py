"""Workbook cells through python-calamine, read in the caller's thread or on a background one."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

from spillguard.extract.base import Source
from spillguard.model import Uninspectable

Sheet = tuple[str, bool, list[list[Any]], tuple[int, int] | None]  # name, hidden, cells, top-left

BACKGROUND_BYTES = 256 * 1024  # smaller workbooks parse in less time than a thread costs


def _calamine_sheets(source: Source) -> Iterator[Sheet]:
    """Every sheet's cells through calamine; Uninspectable when it cannot read them."""
    import python_calamine as pc

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

    def __init__(self, source: Source, background: bool | None = None) -> None:
        self._source = source
        self._queue: queue.Queue[tuple[str, object]] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if background if background is not None else source.size >= BACKGROUND_BYTES:
            self._thread = threading.Thread(target=self._read, args=(source,), name="calamine", daemon=True)
            self._thread.start()

    def _read(self, source: Source) -> None:
        try:
            for sheet in _calamine_sheets(source):
                if not self._put("sheet", sheet):
                    return
            self._put("end", None)
        except Uninspectable as exc:
            self._put("error", str(exc))
        except BaseException as exc:  # nothing may escape a thread unreported: fail closed
            self._put("error", f"internal error ({exc.__class__.__name__})")

    def _put(self, what: str, item: object) -> bool:
        """Hand one item over; False once the reader has been closed (nobody will take it)."""
        while not self._stop.is_set():
            try:
                self._queue.put((what, item), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def sheets(self) -> Iterator[Sheet]:
        """(name, hidden, cells, top-left) per sheet; Uninspectable when calamine fails."""
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
