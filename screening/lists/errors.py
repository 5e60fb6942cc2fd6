"""Errors raised while reading, storing and downloading lists."""

from __future__ import annotations

from pathlib import Path


class ListError(Exception):
    """Base class: every list problem carries a message that says what to do next."""


class ListFormatError(ListError):
    """A source file does not look like the published format (names the file and line)."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


class ListDownloadError(ListError):
    """An official file could not be fetched."""


class ListUpdateRefused(ListError):
    """A new version looked broken; the current version stays in use."""


class NoListsError(ListError):
    """Nothing stored yet: screening against no list at all is never allowed."""
