"""Process-wide logging: one key=value line per record on stderr."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s level=%(levelname)s logger=%(name)s pid=%(process)d %(message)s"


def configure_logging(level: str = "INFO") -> None:
    """Set up the root logger once (a process that already configured logging keeps its own)."""
    root = logging.getLogger()
    if root.handlers:
        return
    logging.basicConfig(format=FORMAT, level=level.upper())
