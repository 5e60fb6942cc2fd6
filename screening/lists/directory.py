"""Read every official list found in a directory laid out like ../shared/data."""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path

from screening.lists.advisories import load_advisories
from screening.lists.errors import ListError
from screening.lists.ofac import CONSOLIDATED, SDN, OfacFiles, load_ofac
from screening.lists.un import load_un
from screening.models import ListSnapshot

log = logging.getLogger(__name__)
UN_XML = Path("un") / "consolidated.xml"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_version(paths: list[Path]) -> str:
    """Short sha256 over the files' contents (order-independent): the list's version id."""
    digest = hashlib.sha256()
    for file_hash in sorted(file_sha256(p) for p in paths):
        digest.update(file_hash.encode())
    return digest.hexdigest()[:12]


def source_files(directory: Path) -> dict[str, list[Path]]:
    """List name -> its source files present under `directory` (ofac/..., un/...)."""
    found: dict[str, list[Path]] = {}
    for files in (SDN, CONSOLIDATED):
        paths = files.paths(directory / "ofac")
        if "main" in paths:
            found[files.list_name] = list(paths.values())
    if (directory / UN_XML).is_file():
        found["un"] = [directory / UN_XML]
    return found


def _timed(name: str, timings: dict[str, float] | None, load, *args) -> ListSnapshot:
    started = time.perf_counter()
    snapshot = load(*args)
    elapsed = time.perf_counter() - started
    if timings is not None:
        timings[name] = elapsed
    log.info("list loaded list=%s entities=%d seconds=%.2f", name, len(snapshot.entities), elapsed)
    return snapshot


def load_ofac_directory(files: OfacFiles, directory: Path) -> ListSnapshot:
    paths = files.paths(directory)
    return load_ofac(files, paths, files_version(list(paths.values())))


def load_directory(path: Path, timings: dict[str, float] | None = None) -> list[ListSnapshot]:
    """Every list under `path` (ofac/sdn.csv + alt/add/sdn_comments, ofac/cons_*.csv if present,
    un/consolidated.xml), always followed by the advisories watchlist shipped with HireWatch.

    Raises ListError when the directory holds no official list, ListFormatError (naming the file
    and line) when a file is malformed. `timings`, when given, receives seconds per list.
    """
    path = Path(path)
    found = source_files(path)
    if not found:
        raise ListError(
            f"no list files under {path}: expected ofac/sdn.csv (with alt.csv, add.csv, "
            "sdn_comments.csv), ofac/cons_prim.csv ... or un/consolidated.xml"
        )
    snapshots = [
        _timed(files.list_name, timings, load_ofac_directory, files, path / "ofac")
        for files in (SDN, CONSOLIDATED)
        if files.list_name in found
    ]
    if "un" in found:
        snapshots.append(_timed("un", timings, load_un, path / UN_XML, files_version(found["un"])))
    snapshots.append(_timed("advisories", timings, load_advisories))
    return snapshots
