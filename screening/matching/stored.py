"""The sanctions index stored once per list version, so a process loads it instead of building it.

`load_or_build(snapshots, directory)` returns the index from `directory/index-<key>.bin` when that
file was written for these very snapshots by this very matcher, and otherwise builds it and writes
the file (atomically: a reader sees the old file or the new one). The key covers
  - the snapshots' names and versions and a digest of what the index reads from them (each
    entry's list, type and names), so another list version, or the same one parsed otherwise,
    never reuses a file;
  - every file of the screening.matching package (code and data such as common_name_parts.txt)
    and the versions of the libraries that shape a name's form, so a changed matcher rebuilds;
  - the file format.
The file is a JSON header (the key, byte order, the sections' places, the sha256 of the payload)
and the sections: lists of strings (UTF-8) and arrays of machine ints and floats. Nothing in it
is executed (no pickle); a file whose header, checksum or sections do not check out is logged,
rebuilt and replaced, never trusted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import tempfile
from array import array
from functools import cache
from importlib import metadata
from itertools import accumulate, pairwise
from pathlib import Path

from screening.lists.store import ListStore
from screening.matching.compact import State
from screening.matching.index import DEFAULT_THRESHOLD, SanctionsIndex
from screening.memory import gc_paused
from screening.models import ListSnapshot

log = logging.getLogger(__name__)

FORMAT = 1
MAGIC = b"HIREWATCH-INDEX\n"
HEADER_SIZE_BYTES = 8
LIBRARIES = ("anyascii", "pypinyin", "rapidfuzz")  # they shape a name's tokens and keys
STRINGS = "str"


def load_or_build(
    snapshots: list[ListSnapshot], directory: Path | None, threshold: float = DEFAULT_THRESHOLD
) -> SanctionsIndex:
    """The index over `snapshots`: read from `directory` when stored there for them, else built (and
    stored, when `directory` is given and writable)."""
    if directory is None:
        return SanctionsIndex(snapshots, threshold)
    meta = index_meta(snapshots)
    path = index_path(directory, meta)
    with gc_paused():
        state = read_state(path, meta)
    if state is not None:
        try:
            with gc_paused():
                return SanctionsIndex(snapshots, threshold, state=state)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("stored index unusable, rebuilding path=%s reason=%s", path, exc)
    index = SanctionsIndex(snapshots, threshold)
    store(index, directory, meta)
    return index


def store(index: SanctionsIndex, directory: Path, meta: dict) -> Path | None:
    """Write the index with its `meta` (`index_meta`) into `directory`, replacing the files of other
    keys; None when the directory is not writable (the caller goes on with the index in memory)."""
    path = index_path(directory, meta)
    try:
        write_state(path, meta, index.state())
    except OSError as exc:
        log.warning("index not stored (it is built again next time) path=%s reason=%s", path, exc)
        return None
    for other in directory.glob("index-*.bin"):
        if other != path:
            other.unlink(missing_ok=True)
    log.info("index stored path=%s bytes=%d", path, path.stat().st_size)
    return path


def index_path(directory: Path, meta: dict) -> Path:
    key = hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]
    return Path(directory) / f"index-{key}.bin"


def index_meta(snapshots: list[ListSnapshot]) -> dict:
    """What an index file must have been written for to be used with these snapshots."""
    return {
        "format": FORMAT,
        "code": code_fingerprint(),
        "lists": [[s.name, s.version, len(s.entities)] for s in snapshots],
        "content": _content_digest(snapshots),
        "byteorder": sys.byteorder,
    }


@cache
def code_fingerprint() -> str:
    """sha256 over the matcher's files (code and data) and the name libraries' versions."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    for library in LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}\0".encode())
    return digest.hexdigest()[:16]


def _content_digest(snapshots: list[ListSnapshot]) -> str:
    """What the index reads from the entries, in order: their lists, types and names."""
    digest = hashlib.sha256()
    for snapshot in snapshots:
        for entity in snapshot.entities:
            names = "\x1f".join(f"{n.value}\x1e{n.kind}" for n in entity.names)
            digest.update(f"{entity.list}\x1d{entity.type}\x1d{names}\x1c".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


# ---- the file: MAGIC, header size, JSON header, payload ----


def write_state(path: Path, meta: dict, state: State) -> None:
    """Write `state` (lists of strings, arrays) with `meta` into `path`, atomically."""
    sections, chunks, offset = [], [], 0
    for name, value in state.items():
        if isinstance(value, array):
            kind, data = value.typecode, value.tobytes()
        else:
            lengths = array("i", map(len, value))
            kind, data = STRINGS, lengths.tobytes() + "".join(value).encode("utf-8", "surrogatepass")
            sections.append([f"{name}#lengths", "i", offset, lengths.itemsize * len(lengths)])
        sections.append([name, kind, offset, len(data)])
        chunks.append(data)
        offset += len(data)
    payload = b"".join(chunks)
    header = json.dumps({"meta": meta, "sections": sections, "sha256": hashlib.sha256(payload).hexdigest()})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # readable by the other processes, as the list files are
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + len(header).to_bytes(HEADER_SIZE_BYTES, "little") + header.encode() + payload)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_state(path: Path, meta: dict) -> State | None:
    """The state stored in `path` for `meta`; None when there is none, it is for other `meta`, or it
    does not check out (corrupt, cut short, another byte order)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("stored index unreadable, rebuilding path=%s reason=%s", path, exc)
        return None
    try:
        return _decode(data, meta)
    except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as exc:
        log.warning("stored index rejected, rebuilding path=%s reason=%s", path, exc)
        return None


def _decode(data: bytes, meta: dict) -> State:
    if not data.startswith(MAGIC):
        raise ValueError("not a HireWatch index file")
    start = len(MAGIC) + HEADER_SIZE_BYTES
    size = int.from_bytes(data[len(MAGIC) : start], "little")
    header = json.loads(data[start : start + size])
    if header["meta"] != meta:
        raise ValueError("written for other lists or by another matcher")
    payload = memoryview(data)[start + size :]
    if hashlib.sha256(payload).hexdigest() != header["sha256"]:
        raise ValueError("checksum mismatch")
    state: State = {}
    for name, kind, offset, length in header["sections"]:
        chunk = payload[offset : offset + length]
        if kind != STRINGS:
            state[name] = array(kind)
            state[name].frombytes(chunk)
            continue
        lengths = state.pop(f"{name}#lengths")
        text = bytes(chunk[lengths.itemsize * len(lengths) :]).decode("utf-8", "surrogatepass")
        ends = list(accumulate(lengths, initial=0))
        if ends[-1] != len(text):
            raise ValueError(f"section {name}: lengths do not add up")
        state[name] = [text[a:b] for a, b in pairwise(ends)]
    return state


def current_index(
    store: ListStore, threshold: float = DEFAULT_THRESHOLD
) -> tuple[list[ListSnapshot], SanctionsIndex]:
    """The store's current lists (NoListsError when none) and their index, stored with the version."""
    version = store.current_version()
    snapshots = store.current_snapshots()
    return snapshots, load_or_build(snapshots, store.derived_dir(version) if version else None, threshold)


def prepare(store: ListStore) -> Path | None:
    """Build and store the current version's index unless it is stored already (`lists update`, the
    list refresh task), so the first screening loads it; where it is (None: not writable)."""
    snapshots, _ = current_index(store)  # NoListsError when nothing is stored
    path = index_path(store.derived_dir(store.current_version()), index_meta(snapshots))
    return path if path.is_file() else None
