"""Plain words for the review pages: evidence, decisions, history, the applicant's own record.

Pure functions over stored dicts; the views fetch, these phrase.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from store import review

MATCHED_ON = {
    "name": "Name",
    "alias": "Other name on the list",
    "employer": "Employer",
    "email": "E-mail address",
    "website": "Website",
    "phone": "Phone number",
    "crypto_address": "Wallet address",
    "identifier": "Identifier",
}
IDENTIFIER_KINDS = {
    "email": "E-mail",
    "website": "Website",
    "phone": "Phone",
    "crypto": "Wallet",
    "passport": "Passport",
    "national_id": "National id",
    "tax_id": "Tax id",
    "registration": "Registration number",
    "other": "Other identifier",
}
# Evidence keys a red flag may carry, in words; `kind` and `applicants` are said elsewhere.
EVIDENCE_WORDS = {
    "shared": "Shared {kind}",
    "group_size": "Applications sharing it",
    "identities": "Different people behind them (by name)",
    "phone": "Phone",
    "email": "E-mail",
    "domain": "Domain",
    "country": "Country of the phone number",
    "location": "Stated location",
    "similarity": "Similarity",
    "handle": "Profile handle",
}
UNSAID_EVIDENCE = {"kind", "applicants"}
UNSAID_DETAILS = {"verdict_hash", "task_id"}  # machine references, in the CSV export
KINDS = {"name", "identifier", "employer", "contact", "flag", "applicant"}


def evidence_lines(evidence: dict) -> list[tuple[str, str]]:
    """(label, value) pairs a reviewer reads, never raw keys."""
    kind = str(evidence.get("kind", "value")).replace("_", " ")
    lines = []
    for key, value in evidence.items():
        if key in UNSAID_EVIDENCE:
            continue
        label = EVIDENCE_WORDS.get(key, key.replace("_", " ").capitalize()).format(kind=kind)
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, float) and 0 <= value <= 1:
            value = f"{value:.0%}"
        lines.append((label, str(value)))
    return lines


CHOICE_ORDER = (review.Decision.FALSE_POSITIVE, review.Decision.CONFIRMED_MATCH)


def choices(kind: str) -> list[tuple[str, str]]:
    """(decision value, wording fitting the item) for a decision form, the usual answer first."""
    worded = [(d.value, review.decision_wording(d, kind).capitalize()) for d in CHOICE_ORDER]
    return [*worded, (review.Decision.ESCALATE.value, "Escalate to compliance")]


def latest_wording(state: review.ReviewState, keys: list[str], kind: str) -> str:
    """The decision standing on these items, in words ('' when undecided)."""
    decided = {state.latest.get(key) for key in keys} - {None}
    return "; ".join(review.decision_wording(decision, kind) for decision in sorted(decided))


def one_line(reasons: list[str], width: int = 140) -> str:
    reason = reasons[0] if reasons else "no risk indicators found"
    return reason if len(reason) <= width else reason[: width - 1] + "…"


def applicant_record(data: dict) -> list[tuple[str, list[str]]]:
    """The applicant's own data as the ATS gave it, in full (the reviewer's to compare)."""
    fields = [
        ("E-mail addresses", data.get("emails") or []),
        ("Phone numbers", data.get("phones") or []),
        ("Location", [data["location"]] if data.get("location") else []),
        ("Addresses", data.get("addresses") or []),
        ("Employers", data.get("employers") or []),
        ("Education", data.get("education") or []),
        ("Date of birth", [data["date_of_birth"]] if data.get("date_of_birth") else []),
        ("Links", data.get("urls") or []),
    ]
    return [(label, values) for label, values in fields if values]


# The candidate's page in each ATS's web app. Greenhouse: app.greenhouse.io/people/<candidate id>.
# UNCONFIRMED for the other platforms: no link is shown rather than a guessed one.
CANDIDATE_PAGES = {"greenhouse": "https://app.greenhouse.io/people/{candidate_id}"}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def candidate_url(installation: dict, candidate_id: str) -> str:
    """The candidate in the ATS; for the local sandbox ATS, its write-backs page."""
    base = installation.get("api_base_url") or ""
    if urlsplit(base).hostname in LOOPBACK:
        origin = base.rsplit("/v", 1)[0] if "/v" in base else base
        return f"{origin}/_sandbox/writebacks#candidate-{candidate_id}"
    page = CANDIDATE_PAGES.get(installation.get("platform", ""))
    return page.format(candidate_id=candidate_id) if page else ""


def history(decisions: list[dict], results: dict[int, dict]) -> list[dict]:
    """Each decision with the item it was about, in words, newest first."""
    rows = []
    for decision in decisions:
        item = review.find_item(decision["hit_key"], results.get(decision["screening_id"]))
        rows.append(
            {
                **decision,
                "about": review.item_label(item),
                "wording": review.decision_wording(decision["decision"], review.item_kind(item)),
                "actor": str(decision["actor"]).removeprefix("user:"),
            }
        )
    return rows


def suppressed_items(
    decisions: list[dict], results: dict[int, dict], state: review.ReviewState
) -> list[dict]:
    """The hits and flags a false positive hides from the verdict, still there to look at."""
    shown: dict[str, dict] = {}
    for decision in decisions:
        result = results.get(decision["screening_id"])
        for key in review.keys_covered(decision["hit_key"], result):
            if key in state.suppressed and key not in shown:
                item = review.find_item(key, result)
                shown[key] = {
                    "key": key,
                    "label": review.item_label(item),
                    "explanation": (item or {}).get("explanation") or (item or {}).get("message", ""),
                    "decision": history([decision], results)[0],
                }
    return list(shown.values())


def audit_summary(row: dict) -> str:
    """One line of an audit entry's details, in words where we know them."""
    details = row.get("details") or {}
    if row["action"] == "decision":
        return f"{str(details.get('decision', '')).replace('_', ' ')}: {details.get('reason', '')}"
    if row["action"] == "screening":
        return f"{details.get('risk')} risk ({details.get('trigger')}), {details.get('hits', 0)} hit(s)"
    if row["action"] == "lists.search":
        return f"{len(details.get('results', []))} result(s)"
    said = {k: v for k, v in details.items() if k not in UNSAID_DETAILS and not isinstance(v, dict | list)}
    return ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in said.items())


def list_sources(current: dict | None) -> list[dict]:
    """Each source of the current version with its own version, entry count and warnings."""
    if not current:
        return []
    return [
        {
            "name": name,
            "label": review.LIST_LABELS.get(name, name),
            "version": current["list_versions"].get(name, ""),
            "entries": count,
            "imported": current["created_at"],
            "warnings": [
                w.split(": ", 1)[1] for w in current.get("warnings", []) if w.startswith(f"{name}: ")
            ],
        }
        for name, count in current["counts"].items()
    ]
