"""Synthetic candidates for the sandbox: realistic, many locales, reproducible (fixed seed).

Faker builds pools of names, companies and cities once; candidates are drawn from the pools with
a seeded `random.Random`, which keeps seeding 100,000 candidates to a few seconds.
"""

from __future__ import annotations

import random
from functools import cache

from anyascii import anyascii

LOCALES = [
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "es_MX",
    "pt_BR",
    "it_IT",
    "pl_PL",
    "nl_NL",
    "ru_RU",
    "uk_UA",
    "zh_CN",
    "ja_JP",
    "ko_KR",
    "hi_IN",
    "ar_EG",
    "tr_TR",
    "vi_VN",
    "id_ID",
]
POOL_SIZE = 400  # per locale and kind


@cache
def _pools(seed: int) -> dict[str, list]:
    from faker import Faker  # a dev dependency: only the sandbox needs it

    pools: dict[str, list] = {"people": [], "companies": [], "cities": []}
    for index, locale in enumerate(LOCALES):
        fake = Faker(locale)
        fake.seed_instance(seed + index)
        pools["people"] += [(fake.first_name(), fake.last_name(), locale) for _ in range(POOL_SIZE)]
        pools["companies"] += [fake.company() for _ in range(POOL_SIZE // 4)]
        pools["cities"] += [fake.city() for _ in range(POOL_SIZE // 4)]
    return pools


def synthetic_candidates(count: int, seed: int = 42) -> list[dict]:
    """`count` Greenhouse-shaped candidate field sets (no ids: the state assigns them)."""
    pools = _pools(seed)
    rng = random.Random(seed)
    candidates = []
    for number in range(count):
        first, last, _locale = rng.choice(pools["people"])
        handle = anyascii(f"{first}.{last}.{number}").lower().replace(" ", "").replace("'", "")
        company = rng.choice(pools["companies"])
        candidates.append(
            {
                "first_name": first,
                "last_name": last,
                "company": company,
                "title": rng.choice(
                    [
                        "Software Engineer",
                        "Backend Developer",
                        "Data Engineer",
                        "Frontend Developer",
                        "DevOps Engineer",
                        "QA Engineer",
                    ]
                ),
                "email_addresses": [{"value": f"{handle}@example.com", "type": "personal"}],
                "phone_numbers": [
                    {"value": f"+1 555 {number // 10000 % 1000:03d} {number % 10000:04d}", "type": "mobile"}
                ],
                "addresses": [{"value": rng.choice(pools["cities"]), "type": "home"}],
                "website_addresses": [{"value": f"https://github.com/{handle}", "type": "portfolio"}],
                "employments": [{"company_name": company, "title": "Engineer"}],
            }
        )
    return candidates
