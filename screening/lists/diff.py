"""What changed between two versions of a list: the input of the delta re-screen."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from screening.models import Entity, ListSnapshot


@dataclass(slots=True)
class ListDiff:
    added: list[Entity] = field(default_factory=list)
    removed: list[Entity] = field(default_factory=list)
    changed: list[tuple[Entity, Entity]] = field(default_factory=list)  # (old, new)
    list: str = ""
    old_version: str = ""
    new_version: str = ""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}


def diff_snapshots(old: ListSnapshot, new: ListSnapshot) -> ListDiff:
    """Entries added, removed and changed (any field) from `old` to `new`, matched on native_id.

    Either snapshot may be empty (a list that appeared or disappeared). Order follows the new
    list for added/changed and the old list for removed.
    """
    old_by_id = {entity.native_id: entity for entity in old.entities}
    new_ids = {entity.native_id for entity in new.entities}
    diff = ListDiff(list=new.name or old.name, old_version=old.version, new_version=new.version)
    for entity in new.entities:
        before = old_by_id.get(entity.native_id)
        if before is None:
            diff.added.append(entity)
        elif before != entity:
            diff.changed.append((before, entity))
    diff.removed = [entity for entity in old.entities if entity.native_id not in new_ids]
    return diff


def diff_snapshot_sets(old: list[ListSnapshot], new: list[ListSnapshot]) -> dict[str, ListDiff]:
    """One ListDiff per list name found in either set (a missing list counts as empty)."""
    old_by_name = {s.name: s for s in old}
    new_by_name = {s.name: s for s in new}
    names = list(dict.fromkeys([*old_by_name, *new_by_name]))
    return {
        name: diff_snapshots(
            old_by_name.get(name) or ListSnapshot(name, "", []),
            new_by_name.get(name) or ListSnapshot(name, "", []),
        )
        for name in names
    }


def changed_fields(old: Entity, new: Entity) -> list[str]:
    """Names of the Entity fields that differ, e.g. ['names', 'identifiers']."""
    return [f.name for f in fields(Entity) if getattr(old, f.name) != getattr(new, f.name)]
