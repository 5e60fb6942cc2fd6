"""Versions of the official lists on disk: import, update, refuse broken versions, serve workers.

Layout under `root` (HIREWATCH_LISTS_DIR):
    versions/<id>/files/...        the source files exactly as imported (ofac/sdn.csv, un/...)
    versions/<id>/manifest.json    sha256 per file, time, source, entry counts, warnings
    versions/<id>/snapshots.pickle the parsed snapshots, so a worker loads them in well under a second
    versions/<id>/index-<key>.bin  the sanctions index built over them (screening.matching.stored)
    CURRENT.json                   {"current": id, "previous": id}, replaced atomically
The advisories watchlist ships with the code and is appended at load time, never stored.
The pickles are written by this store only; never point `root` at files from elsewhere.
"""

from __future__ import annotations

import copyreg
import fcntl
import hashlib
import io
import json
import logging
import os
import pickle
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

from screening.lists.advisories import load_advisories
from screening.lists.demo import load_demo
from screening.lists.diff import ListDiff, diff_snapshot_sets
from screening.lists.directory import file_sha256, files_version, load_directory, source_files
from screening.lists.errors import ListError, ListUpdateRefused, NoListsError
from screening.lists.ofac import CONSOLIDATED, SDN, load_ofac
from screening.memory import gc_paused
from screening.models import Entity, Identifier, ListedName, ListSnapshot

log = logging.getLogger(__name__)
MAX_DROP = 0.10  # a list losing more than 10% of its entries in one update looks broken
KEEP_VERSIONS = 5
VERSION_ID = re.compile(r"^\d{8}T\d{12}Z-[0-9a-f]{12}$")  # creation time (UTC) + content sha256
NO_LISTS_HELP = (
    "no sanctions lists stored in {root}. Run `hirewatch lists update` (downloads the official "
    "OFAC and UN files) or `hirewatch lists update --from DIR` (DIR laid out like ofac/sdn.csv, "
    "un/consolidated.xml); HireWatch never screens against no list."
)
_CACHE: dict[tuple[str, str], list[ListSnapshot]] = {}


PICKLED = (ListSnapshot, Entity, ListedName, Identifier)


def _schema() -> str:
    """Fingerprint of the pickled classes' fields: a pickle from code with other fields is re-parsed."""
    layout = ";".join(f"{c.__name__}:{','.join(f.name for f in fields(c))}" for c in PICKLED)
    return hashlib.sha256(layout.encode()).hexdigest()[:12]


SCHEMA = _schema()


def _write_pickle(path: Path, snapshots: list[ListSnapshot]) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, **dict.fromkeys(PICKLED, _by_constructor)}
    pickler.dump({"schema": SCHEMA, "snapshots": snapshots})
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(buffer.getvalue())
    os.replace(tmp, path)


def _by_constructor(obj: object) -> tuple:
    """Unpickled by calling the class with its fields: slotted dataclasses otherwise restore each
    object through a generic __setstate__ that looks its fields up again (0.35 -> 0.2 s CPU to load
    the real lists)."""
    return type(obj), tuple(getattr(obj, f.name) for f in fields(obj))


@dataclass(slots=True)
class VersionInfo:
    id: str
    created_at: str
    source: str
    files: dict[str, str]  # relative path -> sha256
    counts: dict[str, int]  # list name -> entries
    list_versions: dict[str, str]  # list name -> ListSnapshot.version
    warnings: list[str] = field(default_factory=list)


@dataclass(slots=True)
class UpdateResult:
    version: VersionInfo
    changed: bool  # False: the files were identical to the current version
    previous: str | None
    diffs: dict[str, ListDiff]  # per list, previous -> new (empty when unchanged or first import)


@dataclass(slots=True)
class StoreStatus:
    root: str
    current: VersionInfo | None
    previous: VersionInfo | None
    versions: int


class ListStore:
    def __init__(
        self,
        root: Path,
        urls: dict[str, str] | None = None,
        user_agent: str | None = None,
        timeout: float | None = None,
        max_drop: float = MAX_DROP,
        keep: int = KEEP_VERSIONS,
    ) -> None:
        self.root = Path(root)
        self.urls = urls
        self.user_agent, self.timeout = user_agent, timeout
        self.max_drop, self.keep = max_drop, max(keep, 2)

    # --- reading -----------------------------------------------------------------------------

    def current_version(self) -> str | None:
        return self._pointer().get("current")

    def current_snapshots(self) -> list[ListSnapshot]:
        """The current official lists plus the advisories watchlist, cached per process and version.

        Raises NoListsError (saying how to fix it) when nothing was ever imported. The returned
        snapshots are shared: read them, never mutate them.
        """
        current = self.current_version()
        if current is None:
            raise NoListsError(NO_LISTS_HELP.format(root=self.root))
        return [*self.snapshots(current), load_advisories()]

    def snapshots(self, version_id: str) -> list[ListSnapshot]:
        """The official snapshots of one stored version (without advisories)."""
        key = (str(self.root.resolve()), version_id)
        if key not in _CACHE:
            path = self._version_dir(version_id) / "snapshots.pickle"
            if not path.is_file():
                raise ListError(f"no stored list version {version_id!r} in {self.root}")
            _CACHE.clear()  # a worker needs one version at a time
            _CACHE[key] = self._unpickle(version_id, path)
        return _CACHE[key]

    def _unpickle(self, version_id: str, path: Path) -> list[ListSnapshot]:
        """The pickled snapshots, or, when they were written by code with other model fields,
        the stored source files parsed again (and the pickle rewritten)."""
        try:
            with gc_paused():
                stored = pickle.loads(path.read_bytes())
        except (TypeError, AttributeError):  # classes called with fields they no longer have
            stored = None
        if isinstance(stored, dict) and stored.get("schema") == SCHEMA:
            return stored["snapshots"]
        log.info("list pickle outdated, re-parsing version=%s", version_id)
        snapshots = self._parse(self._version_dir(version_id) / "files")
        _write_pickle(path, snapshots)
        return snapshots

    def derived_dir(self, version_id: str) -> Path:
        """Where files computed from a stored version are kept (the sanctions index,
        screening.matching.stored); removed with the version."""
        return self._version_dir(version_id)

    def versions(self) -> list[VersionInfo]:
        """Stored versions, newest first."""
        directory = self.root / "versions"
        if not directory.is_dir():
            return []
        infos = [self._manifest(p.name) for p in directory.iterdir() if (p / "manifest.json").is_file()]
        return sorted(infos, key=lambda v: v.id, reverse=True)

    def status(self) -> StoreStatus:
        pointer = self._pointer()
        return StoreStatus(
            root=str(self.root),
            current=self._manifest(pointer["current"]) if pointer.get("current") else None,
            previous=self._manifest(pointer["previous"]) if pointer.get("previous") else None,
            versions=len(self.versions()),
        )

    def resolve(self, ref: str) -> list[ListSnapshot]:
        """Snapshots named by `ref`: a stored version id, "current", "previous", a directory laid
        out like ../shared/data, or one OFAC main file (sdn.csv / cons_prim.csv) read alone."""
        pointer = self._pointer()
        version = pointer.get(ref) if ref in ("current", "previous") else ref
        if (
            version
            and VERSION_ID.match(version)
            and (self._version_dir(version) / "snapshots.pickle").is_file()
        ):
            return self.snapshots(version)
        path = Path(ref)
        if path.is_dir():
            return [s for s in load_directory(path) if s.kind == "sanctions"]
        if path.is_file():
            files = CONSOLIDATED if path.name.lower().startswith("cons_") else SDN
            return [load_ofac(files, {"main": path}, files_version([path]))]
        raise ListError(f"{ref!r} is neither a stored list version (see `hirewatch lists status`) nor a file")

    # --- writing -----------------------------------------------------------------------------

    def import_directory(self, directory: Path, source: str | None = None) -> UpdateResult:
        """Parse, check and store the lists in `directory`; it becomes current unless refused."""
        directory = Path(directory)
        found = source_files(directory)
        files = [p for paths in found.values() for p in paths]
        with self._lock():
            current = self.current_version()
            content = files_version(files) if files else ""
            if current and content and self._manifest(current).id.endswith(content):
                return UpdateResult(self._manifest(current), changed=False, previous=current, diffs={})
            snapshots = self._parse(directory)
            old = self.snapshots(current) if current else []
            self._check(old, snapshots)
            info = self._write_version(directory, files, snapshots, source or str(directory), content)
            self._set_pointer(info.id, current)
            self._prune()
        diffs = diff_snapshot_sets(old, snapshots) if current else {}
        log.info("lists imported version=%s counts=%s", info.id, info.counts)
        return UpdateResult(info, changed=True, previous=current, diffs=diffs)

    def update(self, progress: bool = False) -> UpdateResult:
        """Download every official file into a temporary directory, then import it."""
        from screening.lists.download import DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, download_all
        from screening.lists.sources import resolve_urls

        urls = resolve_urls(self.urls)
        self.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.root, prefix=".download-") as tmp:
            download_all(
                urls,
                Path(tmp),
                self.user_agent or DEFAULT_USER_AGENT,
                self.timeout or DEFAULT_TIMEOUT,
                progress=progress,
            )
            return self.import_directory(Path(tmp), source=", ".join(sorted(set(urls.values()))))

    def _parse(self, directory: Path) -> list[ListSnapshot]:
        try:
            return [s for s in load_directory(directory) if s.kind == "sanctions"]
        except ListError as exc:
            raise ListUpdateRefused(f"refused: {exc}. {self._stays()}") from exc

    def _check(self, old: list[ListSnapshot], new: list[ListSnapshot]) -> None:
        new_counts = {s.name: len(s.entities) for s in new}
        problems = [f"{name} has no entries" for name, count in new_counts.items() if count == 0]
        for snapshot in old:
            before, after = len(snapshot.entities), new_counts.get(snapshot.name, 0)
            if after < before * (1 - self.max_drop):
                problems.append(
                    f"{snapshot.name} would shrink from {before} to {after} entries "
                    f"(more than {self.max_drop:.0%} fewer)"
                )
        if problems:
            raise ListUpdateRefused(f"refused: {'; '.join(problems)}. {self._stays()}")

    def _stays(self) -> str:
        current = self.current_version()
        return f"Version {current} stays current." if current else "No list version is stored yet."

    def _write_version(
        self, directory: Path, files: list[Path], snapshots: list[ListSnapshot], source: str, content: str
    ) -> VersionInfo:
        now = datetime.now(UTC)
        info = VersionInfo(
            id=f"{now:%Y%m%dT%H%M%S%fZ}-{content}",
            created_at=now.isoformat(timespec="seconds"),
            source=source,
            files={str(p.relative_to(directory)): file_sha256(p) for p in files},
            counts={s.name: len(s.entities) for s in snapshots},
            list_versions={s.name: s.version for s in snapshots},
            warnings=[f"{s.name}: {w}" for s in snapshots for w in s.warnings],
        )
        for snapshot in snapshots:
            snapshot.fetched_at = snapshot.fetched_at or info.created_at
        staging = Path(tempfile.mkdtemp(dir=self.root, prefix=".staging-"))
        for path in files:
            target = staging / "files" / path.relative_to(directory)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        _write_pickle(staging / "snapshots.pickle", snapshots)
        (staging / "manifest.json").write_text(json.dumps(asdict(info), indent=2))
        (self.root / "versions").mkdir(exist_ok=True)
        staging.rename(self._version_dir(info.id))
        return info

    def _set_pointer(self, current: str, previous: str | None) -> None:
        tmp = self.root / ".CURRENT.json.tmp"
        tmp.write_text(json.dumps({"current": current, "previous": previous}))
        os.replace(tmp, self.root / "CURRENT.json")

    def _prune(self) -> None:
        pointer = self._pointer()
        protected = {pointer.get("current"), pointer.get("previous")}
        for info in self.versions()[self.keep :]:
            if info.id not in protected:
                shutil.rmtree(self._version_dir(info.id), ignore_errors=True)

    # --- helpers -----------------------------------------------------------------------------

    def _pointer(self) -> dict[str, str | None]:
        path = self.root / "CURRENT.json"
        return json.loads(path.read_text()) if path.is_file() else {}

    def _version_dir(self, version_id: str) -> Path:
        if not VERSION_ID.match(version_id or ""):
            raise ListError(f"not a list version id: {version_id!r}")
        return self.root / "versions" / version_id

    def _manifest(self, version_id: str) -> VersionInfo:
        return VersionInfo(**json.loads((self._version_dir(version_id) / "manifest.json").read_text()))

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time (two `lists update` runs, or beat and a manual run)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def load_lists(
    store_root: Path, directory: Path | None = None, allow_demo: bool = False
) -> list[ListSnapshot]:
    """The lists to screen against: `directory` (laid out like ../shared/data) when given, else the
    store's current version. With nothing stored, the DEMO list only if `allow_demo` (`make run`
    on a machine with no lists and no network); otherwise NoListsError saying how to fix it."""
    if directory is not None:
        return load_directory(directory)
    try:
        return ListStore(store_root).current_snapshots()
    except NoListsError:
        if not allow_demo:
            raise
        log.warning("no lists stored: screening against the DEMO list (made-up entries) root=%s", store_root)
        return load_demo()
