"""Red flags and linkage on a synthetic applicant pool: detection, false flags and speed.

    .venv/bin/python bench/redflags.py [--clean 3000] [--index 100000] [--seed 7]

One tenant's pool, written by Faker in many locales (fixed seed), with planted rings (shared
phone, valid or not, address, résumé, profile, portfolio under different names; front-company
employers; listed wallets and e-mails) and innocent look-alikes (couples and roommates at one
address, one person applying twice, popular employers, a common résumé template, filler phone
numbers). The whole pool is indexed first, as `hirewatch screen` does with a batch, then every
applicant is screened. Then the speed: applicants screened per second against an index of
`--index` applicants.

When the screening engine (`screening.engine.Screener`) is importable, applicants are screened
with it against the advisories watchlist and, if ../shared/data is there, the real OFAC and UN
lists; otherwise only red flags are measured and the list-based plants are reported as skipped.
"""

from __future__ import annotations

import argparse
import gc
import random
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import phonenumbers
from anyascii import anyascii
from faker import Faker
from tqdm import tqdm

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from screening.identifiers import parse_phone  # noqa: E402
from screening.linkage import Linker, MemoryLinkageStore  # noqa: E402
from screening.models import Applicant, Risk  # noqa: E402
from screening.redflags import check_applicant  # noqa: E402
from screening.verdict import decide  # noqa: E402

# Faker locale -> (phone region, country as people write it)
LOCALES = {
    "en_US": ("US", "USA"),
    "en_GB": ("GB", "United Kingdom"),
    "de_DE": ("DE", "Germany"),
    "fr_FR": ("FR", "France"),
    "es_ES": ("ES", "Spain"),
    "it_IT": ("IT", "Italy"),
    "pt_BR": ("BR", "Brazil"),
    "ja_JP": ("JP", "Japan"),
    "ko_KR": ("KR", "South Korea"),
    "zh_CN": ("CN", "China"),
    "ru_RU": ("RU", "Russia"),
    "pl_PL": ("PL", "Poland"),
    "nl_NL": ("NL", "Netherlands"),
    "en_IN": ("IN", "India"),
    "en_CA": ("CA", "Canada"),
    "tr_TR": ("TR", "Turkey"),
    "vi_VN": ("VN", "Vietnam"),
    "uk_UA": ("UA", "Ukraine"),
    "es_MX": ("MX", "Mexico"),
    "en_PH": ("PH", "Philippines"),
}
POPULAR_EMPLOYERS = [
    "Google",
    "Amazon",
    "Microsoft",
    "Meta",
    "Apple",
    "IBM",
    "Accenture",
    "Infosys",
    "Tata Consultancy Services",
    "Samsung Electronics",
    "Alibaba",
    "Deloitte",
    "Oracle",
]
TEMPLATE_HEAD = (
    "Professional summary. Results driven professional with a passion for excellence and a proven "
    "track record of delivering value. Core competencies: communication, teamwork, leadership, "
    "problem solving, time management."
)
TEMPLATE_TAIL = "References available upon request. Willing to relocate. Open to remote and hybrid work."
SKILLS = [
    "Python",
    "Go",
    "Rust",
    "Java",
    "Kotlin",
    "Swift",
    "React",
    "Vue",
    "Angular",
    "Node.js",
    "Django",
    "Flask",
    "Spring",
    "PostgreSQL",
    "MySQL",
    "Redis",
    "Kafka",
    "Kubernetes",
    "Docker",
    "AWS",
    "GCP",
    "Azure",
    "Terraform",
    "GraphQL",
    "Solidity",
    "TensorFlow",
    "PyTorch",
    "Spark",
    "Airflow",
    "Figma",
]


@dataclass(slots=True)
class Case:
    applicant: Applicant
    group: str  # clean | planted | lookalike
    kind: str  # what was planted or imitated


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.fakers = {locale: Faker(locale) for locale in LOCALES}
        for offset, faker in enumerate(self.fakers.values()):
            faker.seed_instance(seed + offset)
        self.en = self.fakers["en_US"]
        self.sentences = [self.en.sentence(nb_words=12) for _ in range(4000)]
        self.count = 0
        self.phones_used: set[str] = set()  # two honest people never hold one number or mailbox
        self.emails_used: set[str] = set()

    def next_id(self) -> str:
        self.count += 1
        return f"a{self.count:06d}"

    def phone(self, region: str) -> str:
        example = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
        national = str(example.national_number)
        for _ in range(50):
            digits = national[:3] + "".join(self.rng.choice("0123456789") for _ in national[3:])
            number = phonenumbers.parse(f"+{example.country_code}{digits}")
            key = f"{example.country_code}{digits}"
            if phonenumbers.is_valid_number(number) and key not in self.phones_used:
                self.phones_used.add(key)
                style = self.rng.choice(
                    [phonenumbers.PhoneNumberFormat.INTERNATIONAL, phonenumbers.PhoneNumberFormat.E164]
                )
                return phonenumbers.format_number(number, style)
        return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)

    def invalid_phone(self) -> str:
        """A number that fails validation (a digit short, as typed in a hurry or on purpose)."""
        while True:
            cut = self.phone(self.rng.choice(list(LOCALES.values()))[0])[:-1]
            number = parse_phone(cut)
            if number is None or not phonenumbers.is_valid_number(number):
                return cut

    def resume(self, name: str, employers: list[str], sentences: int = 9) -> str:
        body = " ".join(self.rng.sample(self.sentences, sentences))
        skills = ", ".join(self.rng.sample(SKILLS, 6))
        return f"{name}\nExperience: {'; '.join(employers)}.\n{body}\nSkills: {skills}."

    def person(self, locale: str | None = None, name: str | None = None) -> Applicant:
        locale = locale or self.rng.choice(list(LOCALES))
        faker, (region, country) = self.fakers[locale], LOCALES[locale]
        name = name or faker.name()
        ascii_name = anyascii(name).lower().replace("'", "")
        parts = [p for p in "".join(c if c.isalpha() else " " for c in ascii_name).split() if p]
        initials = f"{parts[0][0]}{parts[-1]}{self.rng.randint(100, 9999)}" if parts else ""
        handle = self.rng.choice([".".join(parts), "".join(parts) + str(self.rng.randint(1, 99)), initials])
        handle = handle or f"user{self.rng.randint(100, 999)}"
        domain = self.rng.choice(
            ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com", "hotmail.com"]
        )
        while f"{handle}@{domain}".replace(".", "") in self.emails_used:
            handle += str(self.rng.randint(0, 9))
        self.emails_used.add(f"{handle}@{domain}".replace(".", ""))  # dots fold on Gmail
        employers = [self.en.company() for _ in range(self.rng.randint(1, 3))]
        urls = []
        if self.rng.random() < 0.6:
            urls.append(f"https://github.com/{handle.replace('.', '-')}{self.rng.randint(1, 9999)}")
        if self.rng.random() < 0.5:
            urls.append(
                f"https://www.linkedin.com/in/{handle.replace('.', '-')}-{self.rng.randint(1000, 99999)}"
            )
        if self.rng.random() < 0.15:
            urls.append(f"https://{handle.replace('.', '')}{self.rng.randint(1, 999)}.netlify.app/")
        return Applicant(
            id=self.next_id(), name=name, emails=[f"{handle}@{domain}"], phones=[self.phone(region)],
            addresses=[faker.address().replace("\n", ", ")], location=f"{faker.city()}, {country}",
            urls=urls, employers=employers, resume_text=self.resume(name, employers),
        )  # fmt: skip

    def others(self, base: Applicant, size: int, **shared) -> list[Applicant]:
        """`size` applicants under different names, sharing the given fields with `base`."""
        return [replace(self.person(), **shared) for _ in range(size)]


def build_pool(gen: Generator, clean: int, advisories) -> list[Case]:
    rng = gen.rng
    cases = [Case(gen.person(), "clean", "clean") for _ in range(clean)]

    def ring(kind: str, count: int, sizes: tuple[int, int], share: Callable[[Applicant], dict]) -> None:
        for _ in range(count):
            base = gen.person()
            shared = share(base)
            members = [replace(base, **shared), *gen.others(base, rng.randint(*sizes) - 1, **shared)]
            cases.extend(Case(m, "planted", kind) for m in members)

    ring("shared phone", 40, (2, 4), lambda b: {"phones": b.phones})
    ring("shared phone, invalid number", 12, (2, 4), lambda b: {"phones": [gen.invalid_phone()]})
    ring("shared address (laptop farm)", 20, (4, 7), lambda b: {"addresses": b.addresses})
    ring("shared profile", 20, (2, 3), lambda b: {"urls": [f"https://github.com/dev{rng.randint(1, 10**6)}"]})
    ring("shared portfolio", 15, (2, 3), lambda b: {"urls": [f"https://{b.id}-folio.netlify.app/"]})
    for _ in range(30):  # one résumé re-used under several names, names and employers swapped
        template = gen.person()
        for member in [template, *gen.others(template, rng.randint(1, 3))]:
            sentences = template.resume_text.split("\n")[2].split(". ")
            sentences[rng.randrange(len(sentences))] = rng.choice(gen.sentences).rstrip(".")
            member.resume_text = f"{member.name}\nExperience: {'; '.join(member.employers)}.\n" + ". ".join(
                sentences
            )
            cases.append(Case(member, "planted", "shared résumé"))
    if advisories is not None:
        cases += _watchlist_plants(gen, advisories)

    for _ in range(60):  # couples, often one surname
        first = gen.person("en_US")
        partner_name = f"{gen.en.first_name()} {first.name.split()[-1]}"
        cases += [Case(first, "lookalike", "couple at one address"),
                  Case(replace(gen.person("en_US", partner_name), addresses=first.addresses),
                       "lookalike", "couple at one address")]  # fmt: skip
    for _ in range(30):
        first = gen.person()
        cases.append(Case(first, "lookalike", "roommates at one address"))
        cases += [
            Case(m, "lookalike", "roommates at one address")
            for m in gen.others(first, 2, addresses=first.addresses)
        ]
    nicknames = [
        ("Jon", "Jonathan"),
        ("Bob", "Robert"),
        ("Bill", "William"),
        ("Liz", "Elizabeth"),
        ("Mike", "Michael"),
    ]
    for _ in range(60):
        short, full = rng.choice(nicknames)
        surname = gen.en.last_name()
        first = gen.person("en_US", f"{short} {surname}")
        again = replace(first, id=gen.next_id(), name=f"{full} {surname}", emails=[first.emails[0].upper()],
                        resume_text=first.resume_text + " Updated: led a team of five.")  # fmt: skip
        cases += [
            Case(first, "lookalike", "same person twice"),
            Case(again, "lookalike", "same person twice"),
        ]
    for _ in range(40):  # filler typed into a required phone field by honest, unrelated people
        person = gen.person()
        person.phones = [rng.choice(["000-000-0000", "1234567890", "555-555-5555", "+1 555 555 5555"])]
        cases.append(Case(person, "lookalike", "filler phone number"))
    for _ in range(300):
        person = gen.person()
        person.employers = rng.sample(POPULAR_EMPLOYERS, 2)
        person.resume_text = gen.resume(person.name, person.employers)
        cases.append(Case(person, "lookalike", "popular employers"))
    for _ in range(200):
        person = gen.person()
        person.resume_text = (
            f"{person.name}\n{TEMPLATE_HEAD}\n{gen.resume('', person.employers, 5)}\n{TEMPLATE_TAIL}"
        )
        cases.append(Case(person, "lookalike", "common résumé template"))
    return cases


def _watchlist_plants(gen: Generator, advisories) -> list[Case]:
    """Applicants naming a front company as employer, or carrying a listed wallet or e-mail."""
    rng, cases = gen.rng, []
    fronts = [e.primary_name for e in advisories.entities if e.type == "entity"]
    wallets = [i.value for e in advisories.entities for i in e.identifiers if i.kind == "crypto"]
    emails = [i.value for e in advisories.entities for i in e.identifiers if i.kind == "email"]
    for _ in range(30):
        person = gen.person()
        person.employers = [rng.choice(fronts), *person.employers[:1]]
        person.resume_text = gen.resume(person.name, person.employers)
        cases.append(Case(person, "planted", "front-company employer"))
    for _ in range(20):
        person = gen.person()
        person.answers = [f"Preferred payment: USDT to {rng.choice(wallets)} please."]
        cases.append(Case(person, "planted", "listed wallet"))
    for _ in range(15 if emails else 0):
        person = gen.person()
        person.emails = [rng.choice(emails)]
        cases.append(Case(person, "planted", "listed e-mail"))
    return cases


def load_screener():
    """The engine with the advisories watchlist (+ real OFAC/UN lists if present), or None."""
    try:
        from screening.engine import Screener
    except ImportError:
        return None, None
    from screening.lists import load_advisories, load_directory

    snapshots = [load_advisories()]
    shared = ROOT.parent / "shared" / "data"
    if (shared / "ofac" / "sdn.csv").exists():
        snapshots += load_directory(shared)
    return Screener(snapshots), snapshots[0]


@dataclass(slots=True)
class Outcome:
    risk: Risk  # the full verdict (lists + red flags)
    flags_risk: Risk  # red flags and links alone, without list hits
    reasons: list[str]


def screen_all(cases: list[Case], linker: Linker, screener) -> dict[str, Outcome]:
    outcomes = {}
    for case in tqdm(cases, desc="screening", file=sys.stderr, mininterval=2):
        applicant = case.applicant
        flags = check_applicant(applicant) + linker.flags(applicant)
        flags_only = decide([], flags)
        if screener is not None:  # the Screener runs the contact checks itself: pass the links only
            result = screener.screen(
                applicant, extra_flags=[f for f in flags if f.code.startswith(LINK_CODES)]
            )
            outcomes[applicant.id] = Outcome(result.risk, flags_only.risk, result.reasons)
        else:
            outcomes[applicant.id] = Outcome(flags_only.risk, flags_only.risk, flags_only.reasons)
    return outcomes


LINK_CODES = ("shared_", "similar_")


def report(cases: list[Case], outcomes: dict[str, Outcome]) -> None:
    totals, flagged, by_flags, examples = Counter(), Counter(), Counter(), defaultdict(list)
    for case in cases:
        key = (case.group, case.kind)
        totals[key] += 1
        outcome = outcomes[case.applicant.id]
        by_flags[key] += outcome.flags_risk.rank >= Risk.MEDIUM.rank
        if outcome.risk.rank >= Risk.MEDIUM.rank:
            flagged[key] += 1
            if case.group != "planted" and len(examples[key]) < 2:
                examples[key].append(f"{case.applicant.id}: {outcome.reasons[0] if outcome.reasons else ''}")
    print(f"\n{'group':<10} {'case':<30} {'n':>6} {'>= medium':>10} {'by red flags alone':>19}")
    for group in ("planted", "clean", "lookalike"):
        keys = sorted(k for k in totals if k[0] == group)
        for key in [*keys, (group, "ALL")]:
            members = keys if key[1] == "ALL" else [key]
            n = sum(totals[k] for k in members)
            share, alone = (sum(c[k] for k in members) / max(n, 1) for c in (flagged, by_flags))
            print(f"{group:<10} {key[1]:<30} {n:>6} {share:>10.1%} {alone:>19.1%}")
    for key, lines in examples.items():
        for line in lines:
            print(f"  false flag ({key[1]}): {line}")


def speed(gen: Generator, index_size: int, screener, sample: int = 2000) -> None:
    """Index `index_size` applicants, then screen `sample` more against that index: red flags,
    linkage and verdict as `Screener.screen` runs them (the list matching is the matcher's bench)."""
    filler = [
        gen.person()
        for _ in tqdm(range(index_size + sample), desc="generating", file=sys.stderr, mininterval=2)
    ]
    linker = Linker(MemoryLinkageStore(), b"bench-tenant-secret")
    started = time.perf_counter()
    linker.index_many(tqdm(filler[:index_size], desc="indexing", file=sys.stderr, mininterval=2))
    index_seconds = time.perf_counter() - started
    print(f"\nindex: {index_size} applicants in {index_seconds:.1f} s ({index_size / index_seconds:.0f}/s)")
    probes = filler[index_size:]
    half = len(probes) // 2
    print(f"red flags + linkage + verdict: {_screen_rate(linker, probes[:half]):.0f} applicants/s "
          f"({half} screened against {index_size})")  # fmt: skip
    # A long-lived process holding a large in-memory index should move it out of the cyclic
    # garbage collector's way (gc.freeze, as after a fork): full collections otherwise traverse
    # every indexed object again and again.
    gc.freeze()
    print(f"  same after gc.freeze(): {_screen_rate(linker, probes[half:]):.0f} applicants/s")
    if screener is not None:
        started = time.perf_counter()
        for applicant in probes[:500]:
            screener.screen(applicant, extra_flags=linker.flags(applicant))
        rate = 500 / (time.perf_counter() - started)
        print(f"full screening (lists + red flags + linkage): {rate:.0f} applicants/s")


def _screen_rate(linker: Linker, probes: list[Applicant]) -> float:
    started = time.perf_counter()
    for applicant in probes:
        record = linker.index(applicant)
        decide([], check_applicant(applicant) + linker.flags(applicant, record))
    return len(probes) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clean", type=int, default=3000, help="clean applicants in the detection pool")
    parser.add_argument("--index", type=int, default=100_000, help="index size for the speed run (0: skip)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    gen = Generator(args.seed)
    screener, advisories = load_screener()
    if screener is None:
        print("screening.engine not available: list-based plants skipped, red flags only")
    cases = build_pool(gen, args.clean, advisories)
    linker = Linker(MemoryLinkageStore(), b"bench-tenant-secret")
    linker.index_many([case.applicant for case in cases])
    started = time.perf_counter()
    outcomes = screen_all(cases, linker, screener)
    seconds = time.perf_counter() - started
    print(f"pool: {len(cases)} applicants, seed {args.seed}, screened in {seconds:.1f} s")
    report(cases, outcomes)
    if args.index:
        speed(gen, args.index, screener)


if __name__ == "__main__":
    main()
