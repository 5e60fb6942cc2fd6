"""`hirewatch lists ...`: download or import the sanctions lists, show their status, diff versions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from integration.config import Settings
from screening.lists.diff import ListDiff, changed_fields, diff_snapshot_sets
from screening.lists.errors import ListError
from screening.lists.store import ListStore, StoreStatus, UpdateResult
from screening.models import Entity


def _store() -> ListStore:
    settings = Settings.from_env()
    return ListStore(
        settings.lists_dir,
        urls=settings.list_urls,
        user_agent=settings.lists_user_agent,
        timeout=settings.lists_timeout,
    )


@click.group()
def lists() -> None:
    """Download, import and inspect sanctions lists (stored in HIREWATCH_LISTS_DIR)."""


@lists.command()
@click.option(
    "--from",
    "from_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Import a directory laid out like ofac/sdn.csv, ofac/alt.csv, ..., un/consolidated.xml "
    "instead of downloading.",
)
def update(from_dir: Path | None) -> None:
    """Download the official OFAC and UN files (or import --from DIR); refuse a broken version."""
    store = _store()
    try:
        result = store.import_directory(from_dir) if from_dir else store.update(progress=True)
    except ListError as exc:
        raise click.ClickException(str(exc)) from exc
    _echo_update(result)
    _prepare_index(store)


def _prepare_index(store: ListStore) -> None:
    from screening.matching.stored import prepare

    started = time.perf_counter()
    path = prepare(store)
    where = f"stored in {path}" if path else f"NOT stored ({store.root} is read-only): each process builds it"
    click.echo(f"sanctions index ready in {time.perf_counter() - started:.1f} s, {where}")


def _echo_update(result: UpdateResult) -> None:
    info = result.version
    if not result.changed:
        click.echo(f"lists unchanged: version {info.id} is current")
        return
    click.echo(f"imported list version {info.id} (previous: {result.previous or 'none'})")
    for name, count in info.counts.items():
        diff = result.diffs.get(name)
        delta = (
            f"  (+{len(diff.added)} -{len(diff.removed)} ~{len(diff.changed)})" if diff is not None else ""
        )
        click.echo(f"  {name:<10} {count:>6} entries{delta}")
    for warning in info.warnings:
        click.echo(f"  warning: {warning}")


@lists.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(as_json: bool) -> None:
    """Show the current and previous list versions."""
    store = _store()
    state = store.status()
    if as_json:
        click.echo(json.dumps(_status_dict(state, store), indent=2))
        return
    if state.current is None:
        raise click.ClickException(
            f"no lists stored in {state.root}: run `hirewatch lists update` "
            "or `hirewatch lists update --from DIR`"
        )
    click.echo(f"lists directory: {state.root} ({state.versions} versions stored)")
    for label, info in (("current", state.current), ("previous", state.previous)):
        if info is not None:
            counts = ", ".join(f"{name} {count}" for name, count in info.counts.items())
            click.echo(f"{label:<9} {info.id}  imported {info.created_at}  {counts}")
            click.echo(f"          from {info.source}")


def _status_dict(state: StoreStatus, store: ListStore) -> dict:
    from dataclasses import asdict

    return {
        "root": state.root,
        "current": asdict(state.current) if state.current else None,
        "previous": asdict(state.previous) if state.previous else None,
        "versions": [v.id for v in store.versions()],
    }


@lists.command()
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--limit", type=int, default=0, help="Show at most N entries per section (0: all).")
def diff(old: str, new: str, as_json: bool, limit: int) -> None:
    """Entries added, removed and changed from OLD to NEW.

    OLD and NEW are stored version ids (or "current"/"previous"), directories laid out like
    ../shared/data, or single OFAC files such as ofac/history/sdn-2024-04-26.csv.
    """
    store = _store()
    try:
        diffs = diff_snapshot_sets(store.resolve(old), store.resolve(new))
    except ListError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps({name: _diff_dict(d, limit) for name, d in diffs.items()}, indent=2))
        return
    for name, list_diff in diffs.items():
        counts = list_diff.counts()
        click.echo(
            f"{name}: {counts['added']} added, {counts['removed']} removed, {counts['changed']} changed"
        )
        for sign, entity in [("+", e) for e in list_diff.added[: limit or None]] + [
            ("-", e) for e in list_diff.removed[: limit or None]
        ]:
            click.echo(f"  {sign} {_describe(entity)}")
        for before, after in list_diff.changed[: limit or None]:
            click.echo(f"  ~ {_describe(after)}: {', '.join(changed_fields(before, after))}")


def _describe(entity: Entity) -> str:
    programs = f" [{', '.join(entity.programs)}]" if entity.programs else ""
    return f"{entity.native_id} {entity.primary_name} ({entity.type}){programs}"


def _entity_dict(entity: Entity) -> dict:
    return {
        "id": entity.native_id,
        "name": entity.primary_name,
        "type": str(entity.type),
        "programs": entity.programs,
    }


def _diff_dict(list_diff: ListDiff, limit: int) -> dict:
    return {
        "old_version": list_diff.old_version,
        "new_version": list_diff.new_version,
        "counts": list_diff.counts(),
        "added": [_entity_dict(e) for e in list_diff.added[: limit or None]],
        "removed": [_entity_dict(e) for e in list_diff.removed[: limit or None]],
        "changed": [
            {**_entity_dict(after), "fields": changed_fields(before, after)}
            for before, after in list_diff.changed[: limit or None]
        ],
    }
