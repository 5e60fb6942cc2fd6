"""Employers against listed organisations: the distinctive word decides, generic words weigh little.

An employer and a listed organisation are compared as company names (companies.company_name:
forms such as AG, Aktiengesellschaft, LLC, OOO, 有限公司 set aside). Each word weighs by how rare
it is among the listed organisations' names AND among real employers' names (employer_words.txt,
from public registries of listed companies and universities): "trading", "technology",
"group", "services" weigh little in both. Then:

- the score is the weighted share of the listed name the employer gave, times the weighted share
  of the employer's name the list explains (geometric mean): "Hamas" is all of "HAMAS" (100);
  "Fortuna Entertainment Group" explains little of itself by "FORTUNA LLC";
- a match needs a distinctive word in common (one few listed organisations and few real
  employers carry), or the whole name: "Golden Star Technology" shares only common words with
  "GOLDEN STAR CO." and is not that company, while "Golden Star" is;
- a one-word weak a.k.a. is not matched at all;
- a name that is one token of at most three characters ("STC", "KB") is an acronym too many
  organisations share: it matches only when the employer also gives the same kind of company
  form ("A.B.C. Company", "STC Ltd"; not "NEC Corporation" for "JSC NEC").
Nothing here reads a country or a language.
"""

from __future__ import annotations

import itertools
import math
import sys
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rapidfuzz.distance import OSA

from screening.matching.compact import IntLists, KeyTable, MadeOnFirstUse, State
from screening.matching.companies import CompanyForm, company_name, same_kind_of_company
from screening.models import NameKind

ACCEPT = 0.85  # word pairs below this similarity are not aligned
TYPO_SIMILARITY = 0.9  # one letter added, dropped, swapped or changed in a long word
# Shorter words must be spelled alike: "KAIST" is not "KARST", "Globant" not "GLOBANTY".
MIN_TYPO_LENGTH = 9
# A word is distinctive when it narrows the lists to a few names: carried by at most this many
# listed organisations' names and this many real employers' names (employer_words.txt).
DISTINCTIVE_LIST_NAMES = 10
DISTINCTIVE_EMPLOYER_NAMES = 2
MAX_ACRONYM = 3  # a one-token name this short is an acronym many organisations share
NOT_IDENTIFYING_CAP = 60.0  # below any threshold: shares only common words, or a bare acronym
MIN_WEIGHT = 0.1
# Weights scale against a fixed list size (about the SDN + UN organisation names), so a list update
# re-weighs only the words whose counts moved (the delta re-screen names who that can affect).
REFERENCE_LIST_NAMES = 20_000
WEIGHT_STEP = 0.05
FULL_WEIGHT_LIST_NAMES = 5  # a word on this few listed names still weighs fully
PROBE_CACHE_LIMIT = 20_000  # employer words whose similar entries are kept


@cache
def employer_word_counts() -> tuple[Counter, int]:
    """(word -> how many real employers' names carry it, how many names were counted)."""
    text = resources.files("screening.matching").joinpath("employer_words.txt").read_text("utf-8")
    counts: Counter = Counter()
    names = 1
    for line in text.splitlines():
        if line.startswith("# names "):
            names = int(line.split()[-1])
        elif line and not line.startswith("#"):
            word, count = line.split()
            counts[word] = int(count)
    return counts, names


@dataclass(slots=True)
class OrgFrequencies:
    """How many listed organisations' names carry each word (real employers' counts are fixed)."""

    counts: Counter

    def weight(self, token: str) -> float:
        """Inverse document frequency in the lists and among real employers, the smaller one,
        scaled 0.1-1, in steps so that a list update re-weighs few words."""
        employer_counts, employer_names = employer_word_counts()
        weight = min(
            _idf(self.counts.get(token, 0), REFERENCE_LIST_NAMES, FULL_WEIGHT_LIST_NAMES),
            _idf(employer_counts.get(token, 0), employer_names, 1),
        )
        return max(MIN_WEIGHT, round(weight / WEIGHT_STEP) * WEIGHT_STEP)

    def distinctive(self, token: str) -> bool:
        employer_counts, _ = employer_word_counts()
        return (
            self.counts.get(token, 0) <= DISTINCTIVE_LIST_NAMES
            and employer_counts.get(token, 0) <= DISTINCTIVE_EMPLOYER_NAMES
            and not token.isdigit()
        )

    def reweighted(self, other: OrgFrequencies, tokens: set[str]) -> set[str]:
        """Those of `tokens` that weigh, or count as distinctive, differently under `other`."""
        return {
            t
            for t in tokens
            if self.weight(t) != other.weight(t) or self.distinctive(t) != other.distinctive(t)
        }


def _idf(count: int, names: int, full_weight: int) -> float:
    """1 for a word on at most `full_weight` names, falling as the log of its share of names."""
    if count <= full_weight:
        return 1.0
    return math.log(names / (count + 1)) / math.log(names / (full_weight + 1))


@dataclass(slots=True)
class ListedOrg:
    owner: int  # position of the entity in the SanctionsIndex
    value: str
    kind: str
    form: CompanyForm


@dataclass(frozen=True, slots=True)
class WordPair:
    employer: tuple[int, ...]  # employer token positions (two when written apart)
    listed: tuple[int, ...]
    similarity: float
    reason: str  # "" when identical


@dataclass(slots=True)
class OrgComparison:
    score: float
    pairs: list[WordPair]
    missing: list[int]  # listed token positions the employer did not give
    extra: list[int]  # employer token positions the list does not have
    identifying: bool  # a distinctive word, or the whole name, agrees


@dataclass(slots=True)
class OrgCandidate:
    name: ListedOrg
    comparison: OrgComparison


def word_similarity(employer: str, listed: str) -> tuple[float, str]:
    if employer == listed:
        return 1.0, ""
    if (
        min(len(employer), len(listed)) >= MIN_TYPO_LENGTH
        and employer[0] == listed[0]
        and employer.isalpha()
        and listed.isalpha()
        and OSA.distance(employer, listed) == 1
    ):
        return TYPO_SIMILARITY, "one letter differs"
    return 0.0, "different words"


def align(employer: tuple[str, ...], listed: tuple[str, ...]) -> list[WordPair]:
    """One-to-one pairs of words, or of two adjacent words against one ("Silver Star" and
    "SILVERSTAR"), best first."""
    candidates = []
    for i, a in enumerate(employer):
        for j, b in enumerate(listed):
            similarity, reason = word_similarity(a, b)
            candidates.append(WordPair((i,), (j,), similarity, reason))
            if j + 1 < len(listed) and a == b + listed[j + 1]:
                candidates.append(WordPair((i,), (j, j + 1), 1.0, "written together"))
            if i + 1 < len(employer) and a + employer[i + 1] == b:
                candidates.append(WordPair((i, i + 1), (j,), 1.0, "written apart"))
    chosen: list[WordPair] = []
    used_e: set[int] = set()
    used_l: set[int] = set()
    for pair in sorted(candidates, key=lambda p: (-p.similarity, -len(p.employer) - len(p.listed))):
        if pair.similarity >= ACCEPT and used_e.isdisjoint(pair.employer) and used_l.isdisjoint(pair.listed):
            chosen.append(pair)
            used_e.update(pair.employer)
            used_l.update(pair.listed)
    return chosen


def compare(
    employer_form: CompanyForm, listed_form: CompanyForm, frequencies: OrgFrequencies
) -> OrgComparison:
    """Score 0-100: the weighted share of the listed name given, times that of the employer's name
    explained (geometric mean), capped when nothing identifying agrees."""
    employer, listed = employer_form.tokens, listed_form.tokens
    pairs = align(employer, listed)
    matched_l = {j for p in pairs for j in p.listed}
    matched_e = {i for p in pairs for i in p.employer}
    missing = [j for j in range(len(listed)) if j not in matched_l]
    extra = [i for i in range(len(employer)) if i not in matched_e]
    if not pairs:
        return OrgComparison(0.0, pairs, missing, extra, identifying=False)
    weight = frequencies.weight
    agreed = sum(p.similarity * sum(weight(listed[j]) for j in p.listed) for p in pairs)
    listed_total = sum(weight(t) for t in listed)
    employer_total = sum(sum(weight(listed[j]) for j in p.listed) for p in pairs) + sum(
        weight(employer[i]) for i in extra
    )
    score = 100 * math.sqrt((agreed / listed_total) * (agreed / employer_total))
    whole = not missing and not extra
    distinctive = any(frequencies.distinctive(listed[j]) for p in pairs for j in p.listed)
    # "A.B.C. Company" is that company; "STC" alone, or "NEC Corporation" for "JSC NEC", could be
    # any of many.
    bare_acronym = (
        len(listed) == 1
        and len(listed[0]) <= MAX_ACRONYM
        and not same_kind_of_company(employer_form.forms, listed_form.forms)
    )
    identifying = (distinctive or whole) and not bare_acronym
    if not identifying:
        score = min(score, NOT_IDENTIFYING_CAP)
    return OrgComparison(score, pairs, missing, extra, identifying)


def explain(comparison: OrgComparison, employer: CompanyForm, listed: CompanyForm, weigh) -> str:
    """'SILVERSTAR = SILVER STAR (written apart), not given: NETWORK, TECHNOLOGY (common words)'."""
    clauses = []
    for pair in sorted(comparison.pairs, key=lambda p: p.listed[0]):
        listed_text = " ".join(listed.tokens[j] for j in pair.listed).upper()
        typed = " ".join(employer.tokens[i] for i in pair.employer).upper()
        sign = "=" if pair.similarity == 1.0 else "≈"
        clauses.append(f"{listed_text} {sign} {typed}" + (f" ({pair.reason})" if pair.reason else ""))
    for label, tokens in (
        ("not given", [listed.tokens[j] for j in comparison.missing]),
        ("not on the list", [employer.tokens[i] for i in comparison.extra]),
    ):
        if tokens:
            common = [t for t in tokens if weigh(t) < 0.5]
            note = " (common words)" if common and len(common) == len(tokens) else ""
            clauses.append(f"{label}: {' '.join(t.upper() for t in tokens)}{note}")
    forms = [" ".join(form.forms).upper() for form in (employer, listed) if form.forms]
    if forms:
        clauses.append(f"company forms set aside: {' / '.join(dict.fromkeys(forms))}")
    if not comparison.identifying:
        clauses.append("only common words or a bare acronym agree")
    return ", ".join(clauses)


class OrganisationIndex:
    """Listed organisations' names, found by their words (exact, one letter off, or written
    together/apart) and by the whole name.

    Kept as the person index keeps its own (blocking.NameIndex): one vocabulary of words and
    adjacent words joined, and the rest as numbers in flat arrays (compact.IntLists, KeyTable),
    so a stored index is taken over as it was written, and a name object is made when scored."""

    def __init__(self) -> None:
        self.names: Sequence[ListedOrg] = []  # a list when built, StoredOrgs when restored
        self.frequencies = OrgFrequencies(Counter())
        self._entries: list[str] = []  # the vocabulary: every word, and two adjacent words joined
        self._entry_ids: dict[str, int] = {}
        self._postings = IntLists()  # entry id -> name ids
        self._by_deletion = KeyTable()  # an entry, or a long one with one letter dropped -> entry ids
        self._by_whole = KeyTable()  # all words joined -> name ids
        self._similar_cache: dict[str, frozenset[int]] = {}  # probe -> _similar_entries

    @staticmethod
    def indexable_forms(values: list[str]) -> list[CompanyForm]:
        return [form for form in map(company_name, values) if form.tokens]

    def build(self, entries: list[tuple[int, str, str]], frequencies: OrgFrequencies | None = None) -> None:
        """entries: (owner, name, kind). frequencies: reuse another index's (for small delta indexes)."""
        named = [(owner, value, kind, company_name(value)) for owner, value, kind in entries]
        # A one-word weak a.k.a. ("CORTEZ", "ISS") is no evidence alone (OFAC FAQ 122-125) and is
        # shared by many honest companies: not indexed.
        named = [(o, v, k, form) for o, v, k, form in named if len(form.tokens) > (k == NameKind.WEAK)]
        if frequencies is None:
            frequencies = OrgFrequencies(Counter(t for *_, form in named for t in set(form.tokens)))
        self.frequencies = frequencies
        self.names = [ListedOrg(owner, value, kind, form) for owner, value, kind, form in named]
        postings: dict[str, list[int]] = {}
        whole: dict[str, list[int]] = {}
        for name_id, name in enumerate(self.names):
            tokens = name.form.tokens
            for entry in dict.fromkeys([*tokens, *(a + b for a, b in itertools.pairwise(tokens))]):
                postings.setdefault(entry, []).append(name_id)
            whole.setdefault("".join(tokens), []).append(name_id)
        self._entries = list(postings)
        self._entry_ids = {entry: entry_id for entry_id, entry in enumerate(self._entries)}
        self._postings = IntLists(postings.values())
        variants: dict[str, list[int]] = {}
        for entry_id, entry in enumerate(self._entries):
            for variant in {entry, *_deletions(entry)}:
                variants.setdefault(variant, []).append(entry_id)
        self._by_deletion = KeyTable(variants)
        self._by_whole = KeyTable(whole)

    def state(self, prefix: str) -> State:
        """What `build` made, as flat lists of strings and arrays of ints (for a stored index)."""
        ids = self._entry_ids
        form_words = sorted({w for n in self.names for w in n.form.forms})
        form_ids = {word: i for i, word in enumerate(form_words)}
        return {
            f"{prefix}entries": self._entries,
            **self._postings.state(f"{prefix}postings"),
            **self._by_deletion.state(f"{prefix}by_deletion"),
            **self._by_whole.state(f"{prefix}by_whole"),
            f"{prefix}form_words": form_words,
            f"{prefix}name.owner": array("i", (n.owner for n in self.names)),
            f"{prefix}name.value": [n.value for n in self.names],
            f"{prefix}name.kind": [n.kind for n in self.names],
            **IntLists([ids[t] for t in n.form.tokens] for n in self.names).state(f"{prefix}name.tokens"),
            **IntLists([form_ids[f] for f in n.form.forms] for n in self.names).state(f"{prefix}name.forms"),
            f"{prefix}frequency.words": list(self.frequencies.counts),
            f"{prefix}frequency.counts": array("i", self.frequencies.counts.values()),
        }

    def restore(self, state: Mapping, prefix: str) -> None:
        """Take over a `state()` written by the same code, instead of building (no re-normalising)."""
        self._entries = state[f"{prefix}entries"]
        self._entry_ids = {entry: entry_id for entry_id, entry in enumerate(self._entries)}
        self._postings = IntLists.restore(state, f"{prefix}postings")
        if len(self._postings) != len(self._entries):
            raise ValueError(f"{prefix}postings: one list per entry expected")
        self._by_deletion = KeyTable.restore(state, f"{prefix}by_deletion")
        self._by_whole = KeyTable.restore(state, f"{prefix}by_whole")
        self.names = StoredOrgs(state, prefix, self._entries)
        counts = zip(state[f"{prefix}frequency.words"], state[f"{prefix}frequency.counts"], strict=True)
        self.frequencies = OrgFrequencies(Counter(dict(counts)))

    def candidate_ids(self, form: CompanyForm, limit: int | None = None) -> list[int]:
        """Listed names that share a distinctive word with the employer (as typed, one letter off,
        or written together/apart), or are the whole name. Every name that can score above the
        cap is among them; `limit` is accepted for the delta re-screen's interface and unused."""
        tokens = form.tokens
        probes = {*tokens, *(a + b for a, b in itertools.pairwise(tokens))}
        whole = "".join(tokens)
        # The whole-name table keeps digests, not names: a name is checked to be the one joined.
        found = {i for i in self._by_whole.get(whole) if "".join(self.names[i].form.tokens) == whole}
        for probe in probes:
            for entry_id in self._similar_entries(probe):
                if self.frequencies.distinctive(self._entries[entry_id]):  # joined pairs: distinctive
                    found.update(self._postings[entry_id])
        return sorted(found)

    def _similar_entries(self, probe: str) -> frozenset[int]:
        """Ids of the entries spelled as the probe or one letter off it. Employers' words recur
        ("trading", "smith", "google"): each is looked up once per process (up to a limit)."""
        cached = self._similar_cache.get(probe)
        if cached is not None:
            return cached
        probe_id = self._entry_ids.get(probe)
        entry_ids = {probe_id} if probe_id is not None else set()
        for variant in (probe, *_deletions(probe)):
            for entry_id in self._by_deletion.get(variant):
                if word_similarity(probe, self._entries[entry_id])[0] >= ACCEPT:
                    entry_ids.add(entry_id)
        if len(self._similar_cache) >= PROBE_CACHE_LIMIT:
            self._similar_cache.clear()
        found = self._similar_cache[probe] = frozenset(entry_ids)
        return found

    def search(self, form: CompanyForm, floor: float) -> list[OrgCandidate]:
        """Listed names scoring at least `floor` against this employer, best per owner."""
        best: dict[int, OrgCandidate] = {}
        for name_id in self.candidate_ids(form):
            name = self.names[name_id]
            comparison = compare(form, name.form, self.frequencies)
            current = best.get(name.owner)
            if comparison.score >= floor and (current is None or comparison.score > current.comparison.score):
                best[name.owner] = OrgCandidate(name, comparison)
        return sorted(best.values(), key=lambda c: -c.comparison.score)


class StoredOrgs(MadeOnFirstUse[ListedOrg]):
    """A restored index's names, each made on first use (as blocking.StoredNames)."""

    def __init__(self, state: Mapping, prefix: str, entries: list[str]) -> None:
        self._entries, self._form_words = entries, state[f"{prefix}form_words"]
        self._tokens = IntLists.restore(state, f"{prefix}name.tokens")
        self._forms = IntLists.restore(state, f"{prefix}name.forms")
        self._columns = [state[f"{prefix}name.{column}"] for column in ("owner", "value", "kind")]
        super().__init__(len(self._tokens))
        if any(len(column) != len(self._made) for column in (*self._columns, self._forms)):
            raise ValueError(f"{prefix}: name columns of different lengths")

    def _make(self, name_id: int) -> ListedOrg:
        owner, value, kind = (column[name_id] for column in self._columns)
        tokens = tuple(self._entries[i] for i in self._tokens[name_id])
        forms = tuple(self._form_words[i] for i in self._forms[name_id])
        return ListedOrg(owner, value, sys.intern(kind), CompanyForm(value, tokens, forms))


def _deletions(word: str) -> set[str]:
    if len(word) < MIN_TYPO_LENGTH or not word.isalpha():
        return set()
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
