"""Search a name (or an e-mail, website, phone, wallet) against the lists, as a reviewer checks
someone by hand: the same matcher and explanations as a screening, results grouped per list
entry with a link to the official entry. Nothing is stored about the person searched for."""

from __future__ import annotations

import functools
import re

from integration.api.backends import settings
from integration.api.errors import Unavailable
from screening.lists import NoListsError
from screening.lists.store import ListStore
from screening.models import Applicant, SanctionsHit
from store.review import LIST_LABELS
from tasks.runtime import ScreenerCache

OFAC_DETAIL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={entity_id}"  # by ent_num
# The UN publishes no page per entry: the consolidated list, searched by the reference number.
UN_LIST = "https://scsanctions.un.org/resources/xml/en/consolidated.xml"
OFFICIAL_PAGES = {"ofac_sdn": OFAC_DETAIL, "ofac_cons": OFAC_DETAIL, "un": UN_LIST}
OFFICIAL_LABELS = {
    "ofac_sdn": "OFAC entry {entity_id}",
    "ofac_cons": "OFAC entry {entity_id}",
    "un": "UN consolidated list (reference {entity_id})",
}
PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
DOMAIN = re.compile(r"^(https?://)?[\w-]+(\.[\w-]+)+(/\S*)?$")


def official_url(hit: SanctionsHit | dict) -> str:
    """The official entry a hit points to: the list's own page, else the source the entry names
    (the advisories watchlist's release)."""
    get = hit.get if isinstance(hit, dict) else lambda name: getattr(hit, name)
    page = OFFICIAL_PAGES.get(get("list"))
    if page:
        return page.format(entity_id=get("entity_id"))
    return (get("details") or {}).get("source_url") or ""


@functools.cache
def _screeners() -> ScreenerCache:
    return ScreenerCache(ListStore(settings().lists_dir), demo=settings().demo_lists)


def as_applicant(query: str) -> Applicant:
    """The query in every field it could be: a name (person or employer), and an e-mail,
    website, phone or wallet when it looks like one."""
    text = query.strip()
    return Applicant(
        id="search",
        name=text,
        employers=[text],
        emails=[text] if "@" in text else [],
        urls=[text] if DOMAIN.match(text) and "@" not in text else [],
        phones=[text] if PHONE.match(text) else [],
        resume_text=text,  # a wallet address is found in free text
    )


def search_lists(query: str, limit: int = 20) -> dict:
    """List entries matching the query, best first, each with its matches explained."""
    try:
        screener = _screeners().get()
    except NoListsError as exc:
        raise Unavailable(f"{exc}") from exc
    hits = screener.index.match(as_applicant(query))
    return {"query": query, "lists": dict(screener.lists), "results": group_by_entity(hits)[:limit]}


def group_by_entity(hits: list[SanctionsHit | dict]) -> list[dict]:
    """Hits on one list entry as one result (an e-mail and a website of one entry are one
    question for a reviewer), best score first; each keeps its own matches."""
    groups: dict[tuple[str, str], dict] = {}
    for hit in hits:
        get = hit.get if isinstance(hit, dict) else lambda name, hit=hit: getattr(hit, name)
        key = (get("list"), get("entity_id"))
        group = groups.setdefault(
            key,
            {
                "list": key[0],
                "list_label": LIST_LABELS.get(key[0], key[0]),
                "entity_id": key[1],
                "entity_name": get("entity_name"),
                "entity_type": get("entity_type"),
                "programs": list(get("programs") or []),
                "official_url": official_url(hit),
                "official_label": OFFICIAL_LABELS.get(key[0], "the release it is named in").format(
                    entity_id=key[1]
                ),
                "score": 0.0,
                "matches": [],
            },
        )
        group["score"] = max(group["score"], float(get("score")))
        group["matches"].append(
            {
                "matched_on": str(get("matched_on")),
                "matched_name": get("matched_name"),
                "applicant_value": get("applicant_value"),
                "score": float(get("score")),
                "explanation": get("explanation"),
                "corroborated": bool(get("corroborated")),
                "contradicted": bool(get("contradicted")),
                "hit": hit,
            }
        )
    return sorted(groups.values(), key=lambda g: (-g["score"], g["list"], g["entity_id"]))
