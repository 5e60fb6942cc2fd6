"""Hand-maintained watchlists shipped as JSON inside the package (advisories, demo).

File layout: {"list", "label", "kind", "sources": {key: {"url", "title", "date"}},
"entries": [{"id", "type", "names": [primary, ...], "aliases", "weak_aliases", "programs",
"listed_on", "sources": [key, ...], "birth_dates", "address_countries", "linked_to",
"identifiers": [{"kind", "value", "currency"?, "country"?, "note"?}], "remarks"}]}.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from screening.lists.errors import ListFormatError
from screening.models import Entity, EntityType, Identifier, ListedName, ListSnapshot, NameKind


def load_watchlist(path: Path, remarks_prefix: str) -> ListSnapshot:
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
        entities = [_entity(data, entry, remarks_prefix) for entry in data["entries"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise ListFormatError(path, None, f"not a valid watchlist file: {exc!r}") from exc
    return ListSnapshot(
        name=data["list"],
        version=hashlib.sha256(raw).hexdigest()[:12],
        entities=entities,
        source=str(path),
        kind=data["kind"],
        label=data["label"],
    )


def _entity(data: dict, entry: dict, remarks_prefix: str) -> Entity:
    sources = [data["sources"][key] for key in entry["sources"]]
    cited = "; ".join(f"{s['title']} ({s['date']}) {s['url']}" for s in sources)
    names = [ListedName(entry["names"][0], NameKind.PRIMARY)]
    names += [ListedName(n, NameKind.AKA) for n in entry["names"][1:] + entry.get("aliases", [])]
    names += [ListedName(n, NameKind.WEAK) for n in entry.get("weak_aliases", [])]
    return Entity(
        list=data["list"],
        native_id=entry["id"],
        type=EntityType(entry["type"]),
        names=names,
        programs=entry.get("programs", []),
        birth_dates=entry.get("birth_dates", []),
        address_countries=entry.get("address_countries", []),
        linked_to=entry.get("linked_to", []),
        identifiers=[Identifier(**identifier) for identifier in entry.get("identifiers", [])],
        remarks=f"{remarks_prefix} {entry.get('remarks', '')} Sources: {cited}".replace("  ", " "),
        source_url=sources[0]["url"],
        listed_on=entry.get("listed_on"),
    )
