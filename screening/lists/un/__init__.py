"""UN Security Council Consolidated List: download and XML reader."""

from screening.lists.un.reader import LIST_NAME, load_un

__all__ = ["LIST_NAME", "load_un"]
