"""OFAC's legacy CSV family (SDN.CSV, ALT.CSV, ADD.CSV, SDN_COMMENTS.CSV and the CONS_* twins).

Headerless, quoted, Windows-1252, `-0-` for empty, CRLF line ends, a Ctrl-Z byte at the end.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from screening.lists.errors import ListFormatError

NULL = "-0-"
CTRL_Z = "\x1a"


def decode(data: bytes) -> str:
    """Windows-1252 (OFAC's encoding); Latin-1 for the few bytes cp1252 leaves undefined."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.rstrip(CTRL_Z + "\r\n")


def read_rows(
    path: Path, columns: int, keep_spaces: int | None = None
) -> Iterator[tuple[int, list[str | None]]]:
    """(line number, values) for each record; `-0-` and blank values become None.

    Values are stripped except column `keep_spaces` (remarks), whose edge spaces matter where
    SDN_COMMENTS continues a remark cut right after a space.

    A record with the wrong number of columns raises ListFormatError naming the line: a file
    that does not parse is a broken file, not something to half-load.
    """
    reader = csv.reader(io.StringIO(decode(path.read_bytes()), newline=""))
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip(CTRL_Z + " ")):
                continue
            if len(row) != columns:
                raise ListFormatError(path, reader.line_num, f"expected {columns} columns, got {len(row)}")
            values = [_clean(value) for value in row]
            if keep_spaces is not None and values[keep_spaces] is not None:
                values[keep_spaces] = row[keep_spaces]
            yield reader.line_num, values
    except csv.Error as exc:
        raise ListFormatError(path, reader.line_num, f"not valid CSV: {exc}") from exc


def _clean(value: str) -> str | None:
    value = value.strip()
    return None if not value or value == NULL else value
