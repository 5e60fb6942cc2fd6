"""Links between the applicants of one tenant (see `linker.Linker`)."""

from screening.linkage.keys import Document, LinkKey, LinkRecord, tenant_secret
from screening.linkage.linker import LinkageConfig, Linker, LinkWeight
from screening.linkage.store import LinkageStore, MemoryLinkageStore

__all__ = [
    "Document",
    "LinkKey",
    "LinkRecord",
    "LinkWeight",
    "LinkageConfig",
    "LinkageStore",
    "Linker",
    "MemoryLinkageStore",
    "tenant_secret",
]
