"""Where one tenant's linkage keys live: the protocol, and an in-memory implementation.

`store/linkage.py` implements the same protocol on SQL so a webhook screening sees every earlier
applicant of the tenant. One store instance holds one tenant.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Protocol

from screening.linkage.keys import Document, LinkRecord


class LinkageStore(Protocol):
    def put(self, record: LinkRecord) -> None:
        """Add an applicant, replacing every key and text it had before."""

    def put_many(self, records: Iterable[LinkRecord]) -> None: ...

    def delete(self, applicant_id: str) -> None:
        """Forget an applicant and all its keys (deleted or anonymised in the ATS)."""

    def holders(self, digests: Collection[str]) -> dict[str, set[str]]:
        """digest -> ids of the applicants holding it (only digests someone holds)."""

    def names(self, applicant_ids: Collection[str]) -> dict[str, str]: ...

    def documents(self, applicant_ids: Collection[str]) -> dict[str, list[Document]]: ...

    def __len__(self) -> int: ...


class MemoryLinkageStore:
    """Dicts of plain strings and tuples: few objects per applicant, so a 100,000-applicant
    index stays cheap for the garbage collector."""

    def __init__(self) -> None:
        self._holders: dict[str, set[str]] = defaultdict(set)
        self._digests: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, str] = {}
        self._documents: dict[str, list[Document]] = {}

    def put(self, record: LinkRecord) -> None:
        applicant_id = record.applicant_id
        self.delete(applicant_id)
        self._digests[applicant_id] = tuple(key.digest for key in record.keys)
        self._names[applicant_id] = record.name
        if record.documents:
            self._documents[applicant_id] = record.documents
        for digest in self._digests[applicant_id]:
            self._holders[digest].add(applicant_id)

    def put_many(self, records: Iterable[LinkRecord]) -> None:
        for record in records:
            self.put(record)

    def delete(self, applicant_id: str) -> None:
        self._names.pop(applicant_id, None)
        self._documents.pop(applicant_id, None)
        for digest in self._digests.pop(applicant_id, ()):
            holders = self._holders.get(digest)
            if holders is not None:
                holders.discard(applicant_id)
                if not holders:
                    del self._holders[digest]

    def holders(self, digests: Collection[str]) -> dict[str, set[str]]:
        return {d: set(self._holders[d]) for d in digests if d in self._holders}

    def names(self, applicant_ids: Collection[str]) -> dict[str, str]:
        return {i: self._names[i] for i in applicant_ids if i in self._names}

    def documents(self, applicant_ids: Collection[str]) -> dict[str, list[Document]]:
        return {i: self._documents.get(i, []) for i in applicant_ids if i in self._names}

    def __len__(self) -> int:
        return len(self._names)
