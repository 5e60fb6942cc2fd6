"""Compact containers for the blocking index: many short lists of ints in flat arrays.

A Python list of ints costs about 60 bytes plus 8 per item (and each int above 256 is an object of
its own); a dict from 400,000 key strings to lists of entry strings took 68 MB of the 470 MB a
screening process held. These keep the same data in a few arrays of machine ints, which also
write to and read from a stored index (screening.matching.stored) without per-item work.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeVar

State = dict[str, "list[str] | array"]
Item = TypeVar("Item")


class MadeOnFirstUse(Sequence[Item]):
    """A restored index's names, each made when first asked for: a process builds the few it
    scores rather than all of them at start (0.5-2 s for 20,000)."""

    def __init__(self, size: int) -> None:
        self._made: list[Item | None] = [None] * size

    def __len__(self) -> int:
        return len(self._made)

    def __getitem__(self, name_id: int) -> Item:  # ids only, no slices
        name = self._made[name_id]
        if name is None:
            name = self._made[name_id] = self._make(name_id)
        return name

    def _make(self, name_id: int) -> Item:
        raise NotImplementedError


class IntLists:
    """Lists of ints numbered 0..n-1, in two flat arrays: `values` and where each list starts."""

    __slots__ = ("offsets", "values")

    def __init__(self, lists: Iterable[Iterable[int]] = ()) -> None:
        self.offsets = array("i", [0])
        self.values = array("i")
        for items in lists:
            self.values.extend(items)
            self.offsets.append(len(self.values))

    def __getitem__(self, position: int) -> array:
        return self.values[self.offsets[position] : self.offsets[position + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def state(self, prefix: str) -> State:
        return {f"{prefix}.offsets": self.offsets, f"{prefix}.values": self.values}

    @classmethod
    def restore(cls, state: Mapping, prefix: str) -> IntLists:
        lists = cls()
        lists.offsets, lists.values = _ints(state[f"{prefix}.offsets"]), _ints(state[f"{prefix}.values"])
        if not lists.offsets or lists.offsets[-1] != len(lists.values):
            raise ValueError(f"{prefix}: offsets do not cover the values")
        return lists


class KeyTable:
    """String keys -> lists of ints, without keeping the key strings: each key is a 64-bit digest in
    a sorted array, found by bisection. Two keys sharing a digest (both checksums alike: rare
    among a million keys) would only pool their ids, which callers check against the real tokens
    anyway."""

    __slots__ = ("_digests", "_lists")

    def __init__(self, mapping: Mapping[str, Sequence[int]] | None = None) -> None:
        pairs = sorted((key_digest(key), ids) for key, ids in (mapping or {}).items())
        self._digests = array("q", (digest for digest, _ in pairs))
        self._lists = IntLists(ids for _, ids in pairs)

    def get(self, key: str) -> Sequence[int]:
        digest = key_digest(key)
        position = bisect_left(self._digests, digest)
        if position < len(self._digests) and self._digests[position] == digest:
            return self._lists[position]
        return ()

    def union(self, keys: Iterable[str]) -> set[int]:
        """The ids filed under any of these keys (one call for a token's dozen keys, most of them
        filed under nothing)."""
        digests, lists, size, found = self._digests, self._lists, len(self._digests), set()
        for key in keys:
            digest = key_digest(key)
            position = bisect_left(digests, digest)
            if position < size and digests[position] == digest:
                found.update(lists[position])
        return found

    def __len__(self) -> int:
        return len(self._digests)

    def state(self, prefix: str) -> State:
        return {f"{prefix}.digests": self._digests, **self._lists.state(prefix)}

    @classmethod
    def restore(cls, state: Mapping, prefix: str) -> KeyTable:
        table = cls()
        table._digests = _ints(state[f"{prefix}.digests"], "q")
        table._lists = IntLists.restore(state, prefix)
        if len(table._digests) != len(table._lists):
            raise ValueError(f"{prefix}: {len(table._digests)} keys for {len(table._lists)} lists")
        return table


def key_digest(key: str) -> int:
    """A signed 64-bit digest that is the same in every process (str's hash is salted per
    process): CRC-32 and Adler-32 side by side, a third of a cryptographic digest's time on the
    dozen keys each name part looks up. Keys sharing one only pool their ids (see KeyTable)."""
    data = key.encode("utf-8", "surrogatepass")
    return (zlib.crc32(data) << 32 | zlib.adler32(data)) - _HALF_RANGE


_HALF_RANGE = 1 << 63


def _ints(values: object, typecode: str = "i") -> array:
    if not isinstance(values, array) or values.typecode != typecode:
        raise ValueError(f"expected an array of typecode {typecode!r}")
    return values
