"""`spillguard fingerprint` and `spillguard match`: an index of the leaked people that holds no
value in clear, and a search of any document or page for them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from spillguard.cli.common import EXIT_BLOCKED, EXIT_OK, fail, guarded, output_option, say
from spillguard.cli.people import KeyFileOption
from spillguard.cli.respond import StoreOption

if TYPE_CHECKING:
    from spillguard.match.matcher import FileMatch


def fingerprint_command(
    leaked: Annotated[list[Path], typer.Argument(help="The leaked file(s).", show_default=False)],
    output: Annotated[Path, output_option("Where to write the index.", show_default=False)],
    key_file: KeyFileOption = None,
) -> None:
    """Build the repost index of the people in the leaked files: keyed fingerprints (HMAC-SHA256,
    the key kept apart) of A-numbers, names with birth dates, names with nationality and facility."""

    from spillguard.match.index import build_index, fingerprint_key
    from spillguard.people.identity import resolve
    from spillguard.people.sealed import load_secret
    from spillguard.people.workflow import read_people

    def run() -> int:
        key = fingerprint_key(load_secret(key_file))
        return build_index(key, resolve(read_people(leaked)).people, output)

    count = guarded(run)
    say(f"wrote {output}: {count:,} people fingerprinted (no value in clear; useless without the key)")


def match_command(
    index: Annotated[Path, typer.Option("--index", help="The index from spillguard fingerprint.")],
    targets: Annotated[
        list[str] | None, typer.Argument(help="Files, folders or http(s) URLs.", show_default=False)
    ] = None,
    key_file: KeyFileOption = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
    watch: Annotated[
        Path | None,
        typer.Option("--watch", help="Keep watching the feeds in this file (a URL or folder a line)."),
    ] = None,
    interval: Annotated[
        float, typer.Option("--interval", min=1.0, help="Seconds between looks (--watch).")
    ] = 300.0,
    once: Annotated[bool, typer.Option("--once", help="With --watch: one look, then exit.")] = False,
    alert: Annotated[
        list[str] | None, typer.Option("--alert", help="Apprise URL for new matches; repeat.")
    ] = None,
    incident: Annotated[
        int | None, typer.Option("--incident", help="Record new matches with this incident (--watch).")
    ] = None,
    store: StoreOption = None,
) -> None:
    """Report how many leaked people each file or page holds, and where; never the values.
    Exit 1 when any leaked person is found, 0 when none, 2 for bad input."""
    if fmt not in ("table", "json"):
        raise fail(f"unknown format {fmt!r} (use table or json)")
    if watch is not None:
        raise typer.Exit(_watch(watch, index, key_file, interval, once, alert or [], incident, store))
    if not targets:
        raise fail("give files, folders or URLs to match, or --watch FEEDS")

    from spillguard.match.index import Index, fingerprint_key
    from spillguard.match.matcher import match_paths
    from spillguard.people.sealed import load_secret

    def run() -> list[FileMatch]:
        key = fingerprint_key(load_secret(key_file))
        return match_paths(targets, Index.load(index), key)

    found = guarded(run)
    if fmt == "json":
        typer.echo(json.dumps({"files": [f.as_dict() for f in found]}, indent=2))
    else:
        for f in found:
            say(_line(f))
    raise typer.Exit(EXIT_BLOCKED if any(f.people for f in found) else EXIT_OK)


def _line(f: FileMatch) -> str:
    state = "ERROR" if f.error else ("FOUND" if f.people else "CLEAN")
    where = f"  at {', '.join(f.locations[:3])}" if f.locations else ""
    error = f"  {f.error}" if f.error else ""
    return f"{state:<6} {f.path}  {len(f.people):,} leaked people{where}{error}"


def _watch(
    feeds_file: Path,
    index_path: Path,
    key_file: str | None,
    interval: float,
    once: bool,
    alerts: list[str],
    incident: int | None,
    store: str | None,
) -> int:
    import datetime as dt
    import time

    from spillguard.match.feeds import Watch, read_feeds
    from spillguard.match.index import Index, fingerprint_key
    from spillguard.people.sealed import load_secret
    from spillguard.store import open_store
    from spillguard.watch.alerts import Alert, Alerter

    def setup() -> tuple[Watch, Alerter]:
        key = fingerprint_key(load_secret(key_file))
        watcher = Watch(read_feeds(feeds_file), Index.load(index_path), key)
        if incident is not None:
            with open_store(store) as db:
                db.incident(incident)  # an unknown incident is bad input now, not at the first match
        return watcher, Alerter(alerts)

    watcher, alerter = guarded(setup, extra="alerts need the watch extra: pip install 'spillguard[watch]'")

    def report(found: FileMatch) -> None:
        say(_line(found))
        alerter.send(
            Alert(
                found.path,
                "leaked people found in a repost",
                "block",
                "critical",
                len(found.people),
                len(found.people),
            )
        )
        if incident is not None:
            with open_store(store) as db:
                db.record_repost(incident, found.path, len(found.people), dt.datetime.now(dt.UTC))

    found_any = False
    try:
        while True:
            new = guarded(lambda: watcher.look(report))
            found_any = found_any or bool(new)
            say(f"match: {len(watcher.feeds)} feeds looked at, {len(new)} new matches")
            if once:
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        say("match: stopped")
    finally:
        alerter.close()
    return EXIT_BLOCKED if found_any else EXIT_OK


def register(app: typer.Typer) -> None:
    app.command("fingerprint")(fingerprint_command)
    app.command("match")(match_command)
