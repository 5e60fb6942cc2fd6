"""Résumé text from PDF (pypdf) and DOCX (python-docx), bounded in bytes, pages and characters.

Attachments come from strangers: a limit on every axis keeps a hostile or huge file from
stalling a worker. Anything else (images, old .doc) yields no text and says why.
"""

from __future__ import annotations

import io
import itertools
import logging
import zipfile
from dataclasses import dataclass

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PAGES = 30
MAX_CHARS = 100_000


class ResumeError(ValueError):
    """The file cannot be read as a résumé (reason in the message)."""


@dataclass(frozen=True, slots=True)
class Limits:
    max_bytes: int = MAX_BYTES
    max_pages: int = MAX_PAGES
    max_chars: int = MAX_CHARS


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
        raise ResumeError(f"{filename or 'file'} is {len(data)} bytes, over the {limits.max_bytes} limit")
    kind = file_kind(data, filename, content_type)
    if kind == "pdf":
        text = _pdf_text(data, limits)
    elif kind == "docx":
        text = _docx_text(data, limits)
    else:
        raise ResumeError(f"{filename or 'file'} is neither PDF nor DOCX")
    return text[: limits.max_chars]


def _pdf_text(data: bytes, limits: Limits) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        parts: list[str] = []
        length = 0
        for page in reader.pages[: limits.max_pages]:
            page_text = page.extract_text() or ""
            parts.append(page_text)
            length += len(page_text)
            if length >= limits.max_chars:
                break
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise ResumeError(f"unreadable PDF: {exc.__class__.__name__}: {exc}") from exc
    return "\n".join(parts).strip()


def _docx_text(data: bytes, limits: Limits) -> str:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ResumeError(f"unreadable DOCX: {exc.__class__.__name__}: {exc}") from exc
    parts: list[str] = []
    length = 0
    cells = (cell.text for table in document.tables for row in table.rows for cell in row.cells)
    for text in itertools.chain((p.text for p in document.paragraphs), cells):
        parts.append(text)
        length += len(text)
        if length >= limits.max_chars:
            break
    return "\n".join(p for p in parts if p).strip()
