"""Résumé text from PDF (pypdf) and DOCX (python-docx), bounded in bytes, pages, characters,
unpacked size, memory and time.

Attachments come from strangers: a limit on every axis keeps a hostile or huge file from
stalling or exhausting a worker. A DOCX is a zip: its entries' sizes and compression ratios are
checked before anything unpacks it (a 611 KB zip bomb once took a worker to 4.8 GB). The parse
itself runs in a child process with an address-space limit (RLIMIT_AS), a CPU limit and a
wall-clock timeout, so whatever a parser does with a hostile file, the worker only sees a
`ResumeError`. Every failure is a `ResumeError` whose message a recruiter can read; anything
else (images, old .doc) yields no text and says why.
"""

from __future__ import annotations

import io
import itertools
import logging
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 30
MAX_CHARS = 100_000
MAX_UNZIPPED_BYTES = 40 * 1024 * 1024  # a DOCX's entries together, uncompressed
MAX_ZIP_RATIO = 100.0  # uncompressed/compressed for an entry over 1 MB (XML is ~5-20)
MAX_ZIP_ENTRIES = 2000
MEMORY_BYTES = 512 * 1024 * 1024  # the parsing child's address space
SECONDS = 20.0  # the parsing child's wall-clock time
_RATIO_CHECK_FROM = 1024 * 1024
_FAILED = 2  # the child's exit status for "parsed and failed", its reason on stderr
_CODE_ROOT = Path(__file__).resolve().parents[1]  # where the child imports connectors.resume from


class ResumeError(ValueError):
    """The file cannot be read as a résumé; the message is the reason, for a recruiter."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_pages: int = MAX_PAGES
    max_chars: int = MAX_CHARS
    max_unzipped_bytes: int = MAX_UNZIPPED_BYTES
    max_zip_ratio: float = MAX_ZIP_RATIO
    max_zip_entries: int = MAX_ZIP_ENTRIES
    memory_bytes: int = MEMORY_BYTES
    seconds: float = SECONDS
    isolate: bool = True  # parse in a child process; False parses here (tests of the parsers)


DEFAULT_LIMITS = Limits()


def file_kind(data: bytes, filename: str = "", content_type: str | None = None) -> str | None:
    """'pdf', 'docx' or None, by magic bytes first (names and types lie), then by extension."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    lowered = (filename or "").lower()
    if lowered.endswith(".pdf") or content_type == "application/pdf":
        return "pdf"
    if lowered.endswith(".docx"):
        return "docx"
    return None


def extract_text(
    data: bytes, filename: str = "", content_type: str | None = None, limits: Limits | None = None
) -> str:
    """The text of a PDF or DOCX file, cut at `limits.max_chars`; ResumeError when unreadable."""
    limits = limits or DEFAULT_LIMITS
    if len(data) > limits.max_bytes:
        raise ResumeError(f"the file is {len(data)} bytes, over the {limits.max_bytes} limit")
    kind = file_kind(data, filename, content_type)
    if kind is None:
        raise ResumeError("the file is neither PDF nor DOCX")
    if kind == "docx":
        check_zip(data, limits)
    text = _parse_in_child(kind, data, limits) if limits.isolate else parse(kind, data, limits)
    return text[: limits.max_chars]


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a DOCX whose entries would unpack too large, or compress suspiciously well, before
    any parser inflates them (the sizes are the zip's own claims: the child's memory limit
    catches a file that lies about them)."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise ResumeError(f"the DOCX is damaged ({exc.__class__.__name__})") from exc
    if len(entries) > limits.max_zip_entries:
        raise ResumeError(f"the DOCX holds {len(entries)} files, over the {limits.max_zip_entries} limit")
    unzipped = sum(entry.file_size for entry in entries)
    if unzipped > limits.max_unzipped_bytes:
        raise ResumeError(
            f"the DOCX unpacks to {unzipped} bytes, over the {limits.max_unzipped_bytes} limit "
            "(a possible zip bomb)"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size >= _RATIO_CHECK_FROM and ratio > limits.max_zip_ratio:
            raise ResumeError(
                f"the DOCX entry {entry.filename!r} compresses {ratio:.0f}:1, over the "
                f"{limits.max_zip_ratio:.0f}:1 limit (a possible zip bomb)"
            )


def parse(kind: str, data: bytes, limits: Limits) -> str:
    """Parse in this process; any parser failure becomes a ResumeError naming the kind."""
    try:
        return _pdf_text(data, limits) if kind == "pdf" else _docx_text(data, limits)
    except RecursionError as exc:
        raise ResumeError(f"the {kind.upper()} is nested too deeply to read") from exc
    except MemoryError as exc:
        raise ResumeError(f"the {kind.upper()} needs too much memory to read") from exc
    except Exception as exc:  # parsers raise anything on hostile input: zlib.error, NotImplementedError...
        # lxml reports a failed allocation as a syntax error, ERR_NO_MEMORY in its log
        if "memory" in f"{exc} {getattr(exc, 'error_log', '')}".lower():
            raise ResumeError(f"the {kind.upper()} needs too much memory to read") from exc
        raise ResumeError(f"the {kind.upper()} is damaged or unreadable ({exc.__class__.__name__})") from exc


def _parse_in_child(kind: str, data: bytes, limits: Limits) -> str:
    """`parse` in a fresh interpreter limited in memory and time: a hostile file can only cost
    the child. The text comes back on stdout, a failure's reason on stderr."""
    argv = [
        sys.executable,
        "-m",
        "connectors.resume",
        kind,
        str(limits.max_pages),
        str(limits.max_chars),
        str(limits.memory_bytes),
        str(max(1, int(limits.seconds))),
    ]
    try:
        done = subprocess.run(
            argv,
            input=data,
            capture_output=True,
            timeout=limits.seconds,
            check=False,
            cwd=_CODE_ROOT,
            env={"PYTHONPATH": str(_CODE_ROOT)},  # this code, and nothing else from our environment
        )
    except subprocess.TimeoutExpired as exc:
        raise ResumeError(f"the {kind.upper()} took longer than {limits.seconds:.0f} s to read") from exc
    if done.returncode == 0:
        return done.stdout.decode("utf-8", errors="replace")
    if done.returncode == _FAILED:  # the reason is the last line; parsers may warn before it
        lines = done.stderr.decode("utf-8", errors="replace").strip().splitlines() or ["unreadable"]
        raise ResumeError(lines[-1][-300:])
    stderr = done.stderr.decode("utf-8", errors="replace")
    if done.returncode < 0 or "MemoryError" in stderr:  # killed (CPU limit) or out of memory
        raise ResumeError(f"the {kind.upper()} needs more memory or time than a résumé may")
    log.warning("resume.reader_failed kind=%s status=%s stderr=%s", kind, done.returncode, stderr[-500:])
    raise ResumeError(f"the {kind.upper()} reader failed on this file (status {done.returncode})")


def _child_main(argv: list[str]) -> int:
    """The child: limits first, then read stdin, parse, answer."""
    kind, max_pages, max_chars, memory_bytes, cpu_seconds = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(memory_bytes), int(memory_bytes)))
    resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 1))
    logging.disable(logging.CRITICAL)  # pypdf's warnings about a damaged file are not the answer
    data = sys.stdin.buffer.read()
    try:
        text = parse(kind, data, Limits(max_pages=int(max_pages), max_chars=int(max_chars)))
    except ResumeError as exc:
        sys.stderr.write("\n" + str(exc))
        return _FAILED
    sys.stdout.buffer.write(text.encode("utf-8", errors="replace"))
    return 0


def _pdf_text(data: bytes, limits: Limits) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts: list[str] = []
    length = 0
    for page in reader.pages[: limits.max_pages]:
        page_text = page.extract_text() or ""
        parts.append(page_text)
        length += len(page_text)
        if length >= limits.max_chars:
            break
    return "\n".join(parts).strip()


def _docx_text(data: bytes, limits: Limits) -> str:
    import docx

    document = docx.Document(io.BytesIO(data))
    parts: list[str] = []
    length = 0
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for text in itertools.chain((p.text for p in document.paragraphs), cells):
        parts.append(text)
        length += len(text)
        if length >= limits.max_chars:
            break
    return "\n".join(p for p in parts if p).strip()


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
