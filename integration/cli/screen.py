"""`hirewatch screen INPUT`: screen a JSONL or CSV file of applicants, one result per applicant.

Bad lines never stop the batch: each gets an error on stderr naming its line, the rest are
screened, and the exit code is 1 when any line failed.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import click
from tqdm import tqdm

from integration.config import Settings
from integration.spreadsheet import safe_cell
from screening.engine import Screener
from screening.linkage import Linker, MemoryLinkageStore, tenant_secret
from screening.matching import DEFAULT_THRESHOLD
from screening.memory import gc_frozen, skip_final_collection
from screening.models import Applicant, ScreeningResult

LIST_FIELDS = ("emails", "phones", "addresses", "urls", "employers")
TEXT_FIELDS = ("id", "name", "first_name", "last_name", "location", "country", "resume_text", "date_of_birth")
PROGRESS_MIN_ROWS = 50
# Below this many applicants starting the worker processes costs more than they save.
PARALLEL_MIN_ROWS = 200
CHUNK_ROWS = 50  # applicants per task handed to a worker process (and per progress step)
HIT_FIELDS = (
    "list",
    "entity_id",
    "entity_name",
    "matched_name",
    "matched_on",
    "score",
    "programs",
    "explanation",
)


class BadRecord(ValueError):
    """One input line that cannot be read as an applicant."""


@click.command()
@click.argument("input_path", metavar="INPUT")
@click.option(
    "--lists",
    "lists_source",
    metavar="DIR|demo",
    help="List directory laid out like shared/data, or 'demo' for the made-up DEMO list. "
    "Default: the stored lists (HIREWATCH_LISTS_DIR).",
)
@click.option(
    "--output", "output_path", type=click.Path(dir_okay=False), help="Write here instead of stdout."
)
@click.option("--format", "output_format", type=click.Choice(["jsonl", "csv", "table"]), default="jsonl")
@click.option("--threshold", type=click.FloatRange(0, 100), default=DEFAULT_THRESHOLD, show_default=True,
              help="Minimum name-match score (0-100) to report a hit.")  # fmt: skip
@click.option(
    "--db",
    "db_url",
    metavar="URL",
    help="Keep the linkage index in this database (SQLAlchemy URL) so later runs link to these "
    "applicants. Default: in memory, this batch only.",
)
@click.option(
    "--tenant", default="cli", show_default=True, help="Linkage tenant: applicants link only within one."
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    envvar="HIREWATCH_SCREEN_JOBS",
    help="Processes screening a batch of 200 or more applicants. Default: one per CPU this process may use.",
)
def screen(
    input_path: str,
    lists_source: str | None,
    output_path: str | None,
    output_format: str,
    threshold: float,
    db_url: str | None,
    tenant: str,
    jobs: int | None,
) -> None:
    """Screen applicants from INPUT (JSONL or CSV; '-' for stdin) against the sanctions lists and
    the DPRK IT-worker red flags, including links between the applicants of the batch."""
    applicants, failures = [], 0
    for line_no, record in read_records(input_path):
        try:
            applicants.append(parse_applicant(record, line_no))
        except BadRecord as exc:
            failures += 1
            click.echo(f"{input_path}: line {line_no}: {exc}", err=True)
    screener = load_screener(lists_source, threshold)
    linker = make_linker(db_url, tenant)
    skip_final_collection()  # the process ends with the batch
    with gc_frozen():  # the lists and their index stay alive for the whole batch
        linker.index_many(applicants)  # the whole batch first: each applicant links to all the others
        work = [(a, linker.flags(a)) for a in applicants]
        results = list(zip(applicants, screen_batch(screener, work, jobs or usable_cpus()), strict=True))
        text = render(results, output_format)
    with click.open_file(output_path or "-", "w", encoding="utf-8") as out:
        out.write(text)
    if failures:
        click.echo(f"{failures} line(s) could not be screened; the others were.", err=True)
        sys.exit(1)


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# The screener a forked worker process inherits (set in the parent just before the fork).
_worker_screener: Screener | None = None


def screen_batch(
    screener: Screener, work: Sequence[tuple[Applicant, list]], jobs: int
) -> list[ScreeningResult]:
    """Each applicant screened (with the linkage flags already found for it), in input order. A
    large batch is split over `jobs` forked processes that share the loaded lists and index with
    this one (copy-on-write: nothing is loaded twice); where fork is not available, one process."""
    progress = tqdm(total=len(work), desc="screening", unit="applicant", file=sys.stderr,
                    disable=len(work) < PROGRESS_MIN_ROWS)  # fmt: skip
    chunks = [work[start : start + CHUNK_ROWS] for start in range(0, len(work), CHUNK_ROWS)]
    parallel = (
        jobs > 1 and len(work) >= PARALLEL_MIN_ROWS and "fork" in multiprocessing.get_all_start_methods()
    )
    results: list[ScreeningResult] = []
    with progress:
        if not parallel:
            for chunk in chunks:
                results += _screened(screener, chunk)
                progress.update(len(chunk))
            return results
        global _worker_screener
        _worker_screener = screener
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=context) as pool:
                for screened in pool.map(_screen_chunk, chunks):
                    results += screened
                    progress.update(len(screened))
        except BrokenProcessPool as exc:
            raise click.ClickException(
                "a screening process ended abruptly (out of memory?): nothing was written. "
                "Run again with --jobs 1, or with fewer applicants per file."
            ) from exc
        finally:
            _worker_screener = None
    return results


def _screen_chunk(chunk: Sequence[tuple[Applicant, list]]) -> list[ScreeningResult]:
    """In a worker process: the chunk screened by the screener it inherited."""
    assert _worker_screener is not None, "a worker process runs only inside screen_batch"
    return _screened(_worker_screener, chunk)


def _screened(screener: Screener, chunk: Sequence[tuple[Applicant, list]]) -> list[ScreeningResult]:
    return [screener.screen(applicant, extra_flags=flags) for applicant, flags in chunk]


def make_linker(db_url: str | None, tenant: str) -> Linker:
    """The tenant's linkage index: in memory, or in the database at `db_url` (kept across runs)."""
    settings = Settings.from_env()
    if not db_url:
        return Linker(MemoryLinkageStore(), tenant_secret(settings.linkage_master_key, tenant))
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import engine_for
    from store.linkage import linker_for

    try:
        return linker_for(engine_for(db_url), tenant, settings.linkage_master_key)
    except (SQLAlchemyError, ValueError) as exc:
        raise click.ClickException(
            f"cannot open the linkage database {db_url}: {exc}\n"
            "Check --db: a SQLAlchemy URL such as sqlite:///var/linkage.db or postgresql://user@host/db."
        ) from exc


def load_screener(source: str | None, threshold: float) -> Screener:
    """A Screener over --lists (indexed here, in memory), else over the store's current version with
    the index stored beside it (built and stored on first use)."""
    from screening.lists import ListError, load_demo, load_directory

    try:
        if source == "demo":
            click.echo(
                "Screening against the DEMO list (made-up entries, not real sanctions data).", err=True
            )
            return Screener(load_demo(), threshold=threshold)
        if source:
            return Screener(load_directory(Path(source)), threshold=threshold)
        return _stored_screener(Settings.from_env().lists_dir, threshold)
    except ListError as exc:
        raise click.ClickException(str(exc)) from exc


def _stored_screener(lists_dir: Path, threshold: float) -> Screener:
    """The store's current version; NoListsError (saying how to fix it) when nothing is stored."""
    from screening.lists.store import ListStore
    from screening.matching.stored import current_index

    snapshots, index = current_index(ListStore(lists_dir), threshold)
    return Screener(snapshots, index=index)


# ---- input ----


def read_records(input_path: str) -> Iterator[tuple[int, dict | BadRecord]]:
    """(line number, record or the reason it is unreadable) for each applicant line of the input."""
    try:
        with click.open_file(input_path, "r", encoding="utf-8-sig") as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {input_path}: {exc}") from exc
    if _looks_like_csv(input_path, text):
        yield from _csv_records(text)
    else:
        yield from _jsonl_records(text)


def _looks_like_csv(input_path: str, text: str) -> bool:
    if input_path.lower().endswith(".csv"):
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    return input_path == "-" and not first.lstrip().startswith("{")


def _jsonl_records(text: str) -> Iterator[tuple[int, dict | BadRecord]]:
    for line_no, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield line_no, BadRecord(f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield line_no, record if isinstance(record, dict) else BadRecord("expected a JSON object")


def _csv_records(text: str) -> Iterator[tuple[int, dict | BadRecord]]:
    """Records of a CSV, parsed strictly. An unbalanced quote would swallow the rest of the file
    into one field: it is an error naming the line the quote opens on, and reading goes on from
    the next line, so no row is lost without a word."""
    lines = text.splitlines(keepends=True)
    header = next(csv.reader(lines[:1]), [])
    start = 1  # index in `lines` where the current reader began
    while start < len(lines):
        reader = csv.DictReader(lines[start:], fieldnames=header, strict=True)
        for first, last, record in _csv_rows(reader, start, len(header)):
            if isinstance(record, BadRecord):
                yield first, record
                start = first  # the 1-based line of the bad record is the index of the line after it
                break
            yield last, record
        else:
            return


def _csv_rows(
    reader: csv.DictReader, start: int, columns: int
) -> Iterator[tuple[int, int, dict | BadRecord]]:
    """(first line, last line, record or why it is unreadable) until the first unreadable one."""
    while True:
        first = start + reader.line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield (
                first,
                first,
                BadRecord(f"unreadable CSV ({exc}): an unbalanced quote? Close it and run again"),
            )
            return
        last = start + reader.line_num
        if None in record:
            yield first, last, BadRecord(f"more values than the {columns} columns")
            continue
        if last > first and any(_swallowed_rows(k, v) for k, v in record.items() if k and v):
            yield (
                first,
                last,
                BadRecord(
                    f"a quoted field runs on to line {last}, holding what should be the next rows: "
                    "an unbalanced quote? Close it and run again"
                ),
            )
            return
        yield first, last, {k.strip(): v for k, v in record.items() if k and v not in (None, "")}


MULTILINE_FIELDS = {"resume_text", "cover_letter", "answers", "addresses"}  # may hold line breaks


def _swallowed_rows(field: str, value: str) -> bool:
    """A field ran over lines it cannot hold (a name, an e-mail): an open quote swallowed the rows
    after it. (In free text a line break is normal; strict parsing still catches a quote left open.)"""
    return field.strip() not in MULTILINE_FIELDS and ("\n" in value or "\r" in value)


def parse_applicant(record: dict | BadRecord, line_no: int) -> Applicant:
    """An Applicant from one input record; unknown fields are ignored, wrong types are errors."""
    if isinstance(record, BadRecord):
        raise record
    values: dict = {}
    for field in TEXT_FIELDS:
        value = record.get(field)
        if value is None:
            continue
        if not isinstance(value, str | int):
            raise BadRecord(f"field {field!r} must be text, got {type(value).__name__}")
        values[field] = str(value).strip()
    for field in LIST_FIELDS:
        values[field] = _text_list(record.get(field), field)
    values.setdefault("id", f"line-{line_no}")
    values["resume_text"] = values.get("resume_text", "")
    applicant = Applicant(**values)
    if not applicant.full_name and not any(values[f] for f in LIST_FIELDS):
        raise BadRecord("no name, first_name/last_name, or any identifier to screen")
    return applicant


def _text_list(value, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(";") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str | dict) for v in value):
        return [_item_text(v) for v in value if _item_text(v)]
    raise BadRecord(f"field {field!r} must be a list of text (or ';'-separated text)")


def _item_text(value: str | dict) -> str:
    """Employers may come as {"name": ...} or {"company": ...} objects from an ATS export."""
    if isinstance(value, dict):
        value = value.get("name") or value.get("company") or ""
    return str(value).strip()


# ---- output ----


def result_record(applicant: Applicant, result: ScreeningResult) -> dict:
    record = result.to_dict()
    record["name"] = applicant.full_name
    record["sanctions_hits"] = [_hit_record(hit) for hit in record["sanctions_hits"]]
    return record


def _hit_record(hit: dict) -> dict:
    ordered = {key: hit[key] for key in HIT_FIELDS}
    ordered.update({k: v for k, v in hit.items() if k not in ordered})
    return ordered


def render(results: list[tuple[Applicant, ScreeningResult]], output_format: str) -> str:
    records = [result_record(applicant, result) for applicant, result in results]
    if output_format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if output_format == "csv":
        return _csv(records)
    return _table(records)


def _csv(records: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["id", "name", "risk", "score", "needs_review", "hits", "top_hit", "flags", "sanctions_hits_json"]
    )
    for r in records:
        top = r["sanctions_hits"][0]["explanation"] if r["sanctions_hits"] else ""
        flags = "; ".join(f["message"] for f in r["flags"])
        hits_json = json.dumps(r["sanctions_hits"], ensure_ascii=False)
        cells = [
            r["id"],
            r["name"],
            r["risk"],
            r["score"],
            r["needs_review"],
            len(r["sanctions_hits"]),
            top,
            flags,
            hits_json,
        ]
        writer.writerow([safe_cell(cell) for cell in cells])
    return buffer.getvalue()


def _table(records: list[dict]) -> str:
    lines = [f"{'ID':<8} {'NAME':<28} {'RISK':<9} {'SCORE':>5}  WHY"]
    for r in records:
        reasons = [
            f"[{h['list']} {h['entity_id']} {h['matched_on']} {h['score']:.0f}] {h['explanation']}"
            for h in r["sanctions_hits"]
        ] + [f["message"] for f in r["flags"]]
        first, *rest = reasons or ["-"]
        lines.append(f"{r['id']:<8.8} {r['name']:<28.28} {r['risk']:<9} {r['score']:>5.0f}  {first}")
        lines.extend(f"{'':<53}  {reason}" for reason in rest)
    counts = {
        risk: sum(r["risk"] == risk for r in records)
        for risk in ("critical", "high", "medium", "low", "clear")
    }
    lines.append(f"{len(records)} screened: " + ", ".join(f"{n} {risk}" for risk, n in counts.items()))
    if records:
        lines.append(
            "lists: " + ", ".join(f"{name} {version}" for name, version in records[0]["lists"].items())
        )
    return "\n".join(lines) + "\n"
