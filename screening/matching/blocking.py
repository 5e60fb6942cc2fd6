"""The blocking index: from a name to the few listed names worth scoring.

Every distinct list token is filed under several keys (the token itself, its sound-alike key,
its Korean romanisation key, its consonant skeleton, its OCR-folded form, its one-deletion
variants and its prefixes), and so are adjacent tokens joined ("JONG"+"CHOL" -> "jongchol").
An applicant token looks itself up under the same keys, keeps the list tokens that are truly
similar (names.token_similarity), and a listed name becomes a candidate only when at least two
of its tokens (or its only token) were found. Only candidates are scored.
"""

from __future__ import annotations

import itertools
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources

from screening.matching.compact import IntLists, KeyTable, MadeOnFirstUse, State
from screening.matching.korean import korean_key, looks_korean
from screening.matching.names import (
    ACCEPT,
    COMMON_PART_WEIGHT,
    DISTINCTIVE_WEIGHT,
    PARTICLE_WEIGHT,
    NameComparison,
    compare,
    token_similarity,
)
from screening.matching.scorer import PersonModel
from screening.matching.syllabic import NameShape, SyllableMode, name_shape, syllable_mode, syllable_shaped
from screening.matching.text import (
    PARTICLES,
    NameForm,
    arabic_keys,
    deletions,
    is_patronymic,
    ocr_key,
    phonetic_key,
    respelled,
    skeleton,
)

MIN_PREFIX = 4
UNVOWELLED_SCRIPTS = ("arabic", "hebrew")
MAX_CANDIDATES = 30  # most names share two tokens with far fewer listed names; this bounds the worst case
MAX_WEIGHT_DF = 5  # tokens on at most this many names weigh fully
# Weights scale against a fixed list size (about the SDN + UN person names) and are rounded, so a
# list update re-weighs only the few tokens whose counts moved across a step: the delta re-screen
# can then name every applicant whose score could move (screening.matching.delta).
REFERENCE_NAMES = 20_000
WEIGHT_STEP = 0.05
_QUERY_CACHE_LIMIT = 20_000
NAME_COLUMNS = ("owner", "value", "kind", "script", "shape", "core_size")  # of a stored index's names


def _load_common_parts() -> frozenset[str]:
    """The common name parts, respelled: "Tatyana" is as common as the "Tatiana" listed."""
    text = resources.files("screening.matching").joinpath("common_name_parts.txt").read_text("utf-8")
    words = (word for line in text.splitlines() if not line.startswith("#") for word in line.split())
    return frozenset(respelled(word) for word in words)


COMMON_PARTS = _load_common_parts()


@dataclass(slots=True)
class TokenFrequencies:
    """How many listed names carry each token: rare tokens identify, common ones do not."""

    counts: Counter

    def weight(self, token: str) -> float:
        if token in PARTICLES:
            return PARTICLE_WEIGHT
        df = self.counts.get(token, 0)
        weight = 1.0
        if df > MAX_WEIGHT_DF:
            weight = math.log(REFERENCE_NAMES / (df + 1)) / math.log(REFERENCE_NAMES / (MAX_WEIGHT_DF + 1))
            weight = round(weight / WEIGHT_STEP) * WEIGHT_STEP
        if respelled(token) in COMMON_PARTS:
            weight = min(weight, COMMON_PART_WEIGHT)
        return max(0.15, min(1.0, weight))

    def reweighted(self, other: TokenFrequencies, tokens: set[str]) -> set[str]:
        """Those of `tokens` that weigh differently under `other`."""
        return {t for t in tokens if self.weight(t) != other.weight(t)}


def token_counts(forms: list[NameForm]) -> Counter:
    """How many of these names carry each token (a name counts a token once)."""
    return Counter(t for form in forms for t in set(form.tokens))


@dataclass(slots=True)
class IndexedName:
    owner: int  # position of the entity in the SanctionsIndex
    value: str
    kind: str
    form: NameForm
    weights: tuple[float, ...]
    shape: NameShape  # Korean and Chinese names are compared syllable by syllable
    core_size: int  # tokens a whole-name match must find: all but a patronymic


@dataclass(slots=True)
class Candidate:
    name: IndexedName
    comparison: NameComparison


class NameIndex:
    """Listed names of one kind (people, or organisations) with their blocking keys."""

    def __init__(
        self, normalise: Callable[[str], NameForm], single_part_names: bool, model: PersonModel | None = None
    ) -> None:
        self._normalise = normalise
        self.model = model  # the fitted person scorer or reviewer, or None: the hand-set rules alone
        self._single_part_names = single_part_names  # can a one-token name be a candidate?
        self.names: Sequence[IndexedName] = []  # a list when built, StoredNames when restored
        # The vocabulary: every list token and joined pair, numbered; the rest refers to entry ids.
        self._entries: list[str] = []
        self._entry_ids: dict[str, int] = {}
        self._postings = IntLists()  # entry id -> name ids
        self._span = b""  # entry id -> how many list tokens the entry covers
        self._rare = b""  # entry id -> does the entry weigh enough to identify someone?
        self._keys = KeyTable()  # lookup key -> entry ids
        # name id -> its number of tokens, and of tokens a whole-name match must find (no objects)
        self._sizes, self._core_sizes = array("H"), array("H")
        self._query_cache: dict[tuple[str, bool, SyllableMode], list[int]] = {}
        self.frequencies = TokenFrequencies(Counter())

    def indexable_forms(self, values: list[str]) -> list[NameForm]:
        """The normalised forms of those names this index files (see `build`)."""
        return [form for form in map(self._normalise, values) if _indexable(form)]

    def build(self, entries: list[tuple[int, str, str]], frequencies: TokenFrequencies | None = None) -> None:
        """entries: (owner, name, kind). frequencies: reuse another index's (for small delta indexes)."""
        forms = [(owner, value, kind, self._normalise(value)) for owner, value, kind in entries]
        forms = [f for f in forms if _indexable(f[3])]
        if frequencies is None:
            frequencies = TokenFrequencies(token_counts([form for *_, form in forms]))
        self.frequencies = frequencies
        postings: dict[str, list[int]] = {}  # token or joined pair -> name ids
        span: dict[str, int] = {}
        for owner, value, kind, form in forms:
            weights = tuple(frequencies.weight(t) for t in form.tokens)
            core_size = sum(not is_patronymic(t) for t in form.tokens)
            self._add(IndexedName(owner, value, kind, form, weights, name_shape(form.tokens), core_size),
                      postings, span)  # fmt: skip
        self._sizes = array("H", (len(name.form.tokens) for name in self.names))
        self._core_sizes = array("H", (name.core_size for name in self.names))
        self._entries = list(postings)
        self._entry_ids = {entry: entry_id for entry_id, entry in enumerate(self._entries)}
        self._postings = IntLists(postings.values())
        self._span = bytes(span[entry] for entry in self._entries)
        self._rare = bytes(frequencies.weight(entry) >= DISTINCTIVE_WEIGHT for entry in self._entries)
        singles = {t for name in self.names for t in name.form.tokens}
        keys: dict[str, list[int]] = {}
        for entry_id, entry in enumerate(self._entries):
            # Joined pairs ("jongchol") are found by exact or romanisation form only: fewer keys.
            for key in _lookup_keys(entry, indexing=True) if entry in singles else _joined_keys(entry):
                keys.setdefault(key, []).append(entry_id)
        self._keys = KeyTable(keys)

    def _add(self, name: IndexedName, postings: dict[str, list[int]], span: dict[str, int]) -> None:
        name_id = len(self.names)
        self.names.append(name)
        tokens = name.form.tokens
        vocabulary = [(t, 1) for t in tokens] + [(a + b, 2) for a, b in itertools.pairwise(tokens)]
        for entry, entry_span in vocabulary:
            ids = postings.setdefault(entry, [])
            if not ids or ids[-1] != name_id:
                ids.append(name_id)
            span[entry] = max(span.get(entry, 1), entry_span)

    def state(self, prefix: str) -> State:
        """Everything `build` made, as flat lists and arrays (screening.matching.stored writes them)."""
        names, ids = self.names, self._entry_ids
        return {
            f"{prefix}entries": self._entries,
            **self._postings.state(f"{prefix}postings"),
            f"{prefix}span": array("b", self._span),
            f"{prefix}rare": array("b", self._rare),
            **self._keys.state(f"{prefix}keys"),
            f"{prefix}name.owner": array("i", (n.owner for n in names)),
            f"{prefix}name.value": [n.value for n in names],
            f"{prefix}name.kind": [n.kind for n in names],
            f"{prefix}name.script": [n.form.script for n in names],
            **IntLists([ids[t] for t in n.form.tokens] for n in names).state(f"{prefix}name.tokens"),
            **IntLists(sorted(n.form.family) for n in names).state(f"{prefix}name.family"),
            f"{prefix}name.weights": array("d", (w for n in names for w in n.weights)),
            f"{prefix}name.shape": array("b", (n.shape for n in names)),
            f"{prefix}name.core_size": array("i", (n.core_size for n in names)),
            f"{prefix}frequency.tokens": list(self.frequencies.counts),
            f"{prefix}frequency.counts": array("i", self.frequencies.counts.values()),
        }

    def restore(self, state: Mapping, prefix: str) -> None:
        """Take over a `state` written from an index built by the same code (instead of `build`)."""
        self._entries = state[f"{prefix}entries"]
        self._entry_ids = {entry: entry_id for entry_id, entry in enumerate(self._entries)}
        self._postings = IntLists.restore(state, f"{prefix}postings")
        self._span, self._rare = bytes(state[f"{prefix}span"]), bytes(state[f"{prefix}rare"])
        if len(self._span) != len(self._entries) or len(self._rare) != len(self._entries):
            raise ValueError(f"{prefix}: span or rare flags do not cover the vocabulary")
        self._keys = KeyTable.restore(state, f"{prefix}keys")
        counted = zip(state[f"{prefix}frequency.tokens"], state[f"{prefix}frequency.counts"], strict=True)
        self.frequencies = TokenFrequencies(Counter(dict(counted)))
        self.names = StoredNames(state, prefix, self._entries)
        offsets = state[f"{prefix}name.tokens.offsets"]
        self._sizes = array("H", (end - start for start, end in itertools.pairwise(offsets)))
        self._core_sizes = array("H", state[f"{prefix}name.core_size"])

    def search(self, form: NameForm, floor: float) -> list[Candidate]:
        """Listed names scoring at least `floor` against this name, best per owner."""
        compared = self.compared(form)
        owners = [c.name.owner for c in compared]
        best = best_per_owner(owners, [c.comparison.score for c in compared], floor)
        return sorted((compared[i] for i in best.values()), key=lambda c: -c.comparison.score)

    def compared(self, form: NameForm) -> list[Candidate]:
        """Every candidate (candidate_ids) compared with this name, in list order: so of an entry's
        names scoring alike the first one listed is the match whatever order the blocking found them
        in, and the hit (and its key) is the same every run."""
        applicant_weights = self.applicant_weights(form)
        names = [self.names[name_id] for name_id in sorted(self.candidate_ids(form))]
        return [Candidate(name, self.compare(form, name, applicant_weights)) for name in names]

    def applicant_weights(self, form: NameForm) -> tuple[float, ...]:
        return tuple(self.frequencies.weight(t) for t in form.tokens)

    def compare(
        self, form: NameForm, name: IndexedName, applicant_weights: tuple[float, ...]
    ) -> NameComparison:
        """One applicant name against one listed name, aligned and scored."""
        return compare(
            form.tokens,
            name.form.tokens,
            name.weights,
            applicant_weights,
            form.script in UNVOWELLED_SCRIPTS,
            syllable_mode(name_shape(form.tokens), name.shape, form.script),
            name.form.family,
            han_readings=form.script == "cjk",
            model=self.model,
            typed_length=len(form.original.strip()),
            hyphened=form.hyphened,
        )

    def candidate_ids(self, form: NameForm, limit: int | None = MAX_CANDIDATES) -> list[int]:
        """The listed names worth scoring against this name: at most `limit`, the likeliest ones.

        A listed name is a candidate on its own merits (enough of its parts found); the cut to
        MAX_CANDIDATES ranks candidates only, so names that are not candidates never displace one.
        """
        unvowelled = form.script in UNVOWELLED_SCRIPTS
        hits, distinctive, found = self._count_hits(form)
        sizes, core_sizes, single_part_names = self._sizes, self._core_sizes, self._single_part_names
        # Scores above the caps need two parts (or the only one) including a distinctive one, or the
        # whole name. Most names were hit once: the count is looked at first.
        candidates = [
            name_id
            for name_id, count in hits.items()
            if (count >= 2 or sizes[name_id] == 1)
            and (single_part_names or sizes[name_id] != 1)
            and (count >= core_sizes[name_id] or name_id in distinctive)
        ]
        if limit is None or len(candidates) <= limit:
            return candidates
        if unvowelled:
            # Consonants alone find many list tokens for each typed one, so counting them says little:
            # most of the listed name found first ("HADI, Abdul" before "AL-IRAQI, Abd al-Hadi" for
            # "Hady Abdwl").
            candidates.sort(key=lambda n: (-self._found_share(n, found), -hits[n], n))
        else:
            # Most tokens found first, exactly spelled ones above look-alikes; ties in list order.
            exact = self._exact_hits(form.tokens)
            candidates.sort(key=lambda n: (-hits[n] - exact[n], n not in distinctive, n))
        return candidates[:limit]

    def _found_share(self, name_id: int, found: set[str]) -> float:
        """The share of a listed name's weight in tokens (alone or joined) the applicant's name found."""
        name = self.names[name_id]
        tokens = name.form.tokens
        covered = [t in found for t in tokens]
        for j, (a, b) in enumerate(itertools.pairwise(tokens)):
            if a + b in found:
                covered[j] = covered[j + 1] = True
        return sum(w for w, c in zip(name.weights, covered, strict=True) if c) / sum(name.weights)

    def _count_hits(self, form: NameForm) -> tuple[Counter, set[int], set[str]]:
        """Per listed name: how many applicant tokens found one of its tokens; which names had a rare
        token found; which list tokens were found."""
        tokens, unvowelled = form.tokens, form.script in UNVOWELLED_SCRIPTS
        # A Korean or Chinese name's parts are compared as syllables with list tokens of that shape.
        mode = syllable_mode(name_shape(tokens), NameShape.SYLLABLES, form.script)
        counted: list[int] = []  # each name once per probe that found it (twice for a joined pair)
        distinctive: set[int] = set()
        found: set[str] = set()
        for probe in self._probes(tokens):
            single: set[int] = set()
            joined: set[int] = set()
            for entry_id in self._similar_entries(probe, unvowelled, mode):
                entry = self._entries[entry_id]
                found.add(entry)
                postings = self._postings[entry_id]
                # "mohammad" is only the start of "mohammadreza": one list token found, not two.
                only_starts = len(probe) < len(entry) and entry.startswith(probe)
                covers_both = self._span[entry_id] == 2 and not only_starts
                (joined if covers_both else single).update(postings)
                if self._rare[entry_id]:
                    distinctive.update(postings)
            counted += single
            counted += joined
            counted += joined
        hits = Counter(counted)  # counted once: Counter.update per probe cost more than the counting
        self._count_initials(tokens, hits, distinctive)
        return hits, distinctive, found

    def _probes(self, tokens: tuple[str, ...]) -> list[str]:
        """What an applicant's name looks up: its parts, adjacent parts joined, a part split in two."""
        probes = [t for t in tokens if len(t) > 1 and t not in PARTICLES]
        probes += [a + b for a, b in itertools.pairwise(tokens)]
        return probes + [half for t in tokens for half in self._split_joined(t)]

    def _exact_hits(self, tokens: tuple[str, ...]) -> Counter:
        """Per listed name: how many of the applicant's probes are its tokens exactly as spelled
        (only to rank candidates beyond MAX_CANDIDATES, so counted only then)."""
        ids = [self._entry_ids.get(probe) for probe in self._probes(tokens)]
        return Counter(name_id for i in ids if i is not None for name_id in self._postings[i])

    def _split_joined(self, token: str) -> list[str]:
        """ "sergeilavrov" -> "sergei", "lavrov" when both halves are list tokens (names typed as one)."""
        if len(token) < 6 or token in self._entry_ids:
            return []
        for cut in range(3, len(token) - 2):
            head, tail = self._entry_ids.get(token[:cut]), self._entry_ids.get(token[cut:])
            if head is not None and tail is not None and self._span[head] == 1 and self._span[tail] == 1:
                return [token[:cut], token[cut:]]
        return []

    def _count_initials(self, tokens: tuple[str, ...], hits: Counter, distinctive: set[int]) -> None:
        """An initial counts as a part found for a name whose rare part was found ("R. ROMASHKIN")."""
        initials = {t for t in tokens if len(t) == 1}
        if not initials:
            return
        for name_id in distinctive:
            if hits[name_id] == 1 and any(t[0] in initials for t in self.names[name_id].form.tokens):
                hits[name_id] += 1

    def _similar_entries(self, probe: str, unvowelled: bool, mode: SyllableMode) -> list[int]:
        """Ids of the list tokens (or joined pairs) like the probe; `mode` applies to list tokens that
        can be syllables."""
        cache_key = (probe, unvowelled, mode)
        cached = self._query_cache.get(cache_key)
        if cached is not None:
            return cached
        entry_ids: set[int] = set()
        if (probe_id := self._entry_ids.get(probe)) is not None:
            entry_ids.add(probe_id)
        entry_ids.update(self._keys.union(_lookup_keys(probe, indexing=False, unvowelled=unvowelled)))
        # Cheap pre-check: tokens of very different length only match as a truncation or skeleton.
        any_length = unvowelled or not _has_inner_vowel(probe)
        probe_length, entries, result = len(respelled(probe)), self._entries, []
        for entry_id in sorted(entry_ids):
            entry = entries[entry_id]
            comparable = (
                any_length
                or abs(probe_length - len(respelled(entry))) <= max(2, len(entry) // 3)
                or entry.startswith(probe)
            )
            if (
                comparable
                and token_similarity(probe, entry, unvowelled, _mode_for(entry, mode)).similarity >= ACCEPT
            ):
                result.append(entry_id)
        if len(self._query_cache) > _QUERY_CACHE_LIMIT:
            self._query_cache.clear()
        self._query_cache[cache_key] = result
        return result


def best_per_owner(owners: Sequence[int], scores: Sequence[float], floor: float) -> dict[int, int]:
    """owner -> the position of its best-scoring name at or above `floor` (of equal scores the first)."""
    best: dict[int, int] = {}
    for position, (owner, score) in enumerate(zip(owners, scores, strict=True)):
        if score >= floor and (owner not in best or score > scores[best[owner]]):
            best[owner] = position
    return best


class StoredNames(MadeOnFirstUse[IndexedName]):
    """A restored index's people's names, each made on first use."""

    def __init__(self, state: Mapping, prefix: str, entries: list[str]) -> None:
        self._entries = entries
        self._tokens = IntLists.restore(state, f"{prefix}name.tokens")
        self._family = IntLists.restore(state, f"{prefix}name.family")
        self._weights = state[f"{prefix}name.weights"]
        self._columns = [state[f"{prefix}name.{column}"] for column in NAME_COLUMNS]
        super().__init__(len(self._tokens))
        if any(len(column) != len(self._made) for column in self._columns):
            raise ValueError(f"{prefix}: name columns of different lengths")
        if len(self._weights) != len(self._tokens.values):
            raise ValueError(f"{prefix}: one weight per name token expected")

    def _make(self, name_id: int) -> IndexedName:
        owner, value, kind, script, shape, core_size = (column[name_id] for column in self._columns)
        start, end = self._tokens.offsets[name_id], self._tokens.offsets[name_id + 1]
        tokens = tuple(self._entries[i] for i in self._tokens.values[start:end])
        form = NameForm(value, tokens, frozenset(self._family[name_id]), sys.intern(script))
        weights = tuple(self._weights[start:end])
        return IndexedName(owner, value, sys.intern(kind), form, weights, NameShape(shape), core_size)


def _mode_for(entry: str, mode: SyllableMode) -> SyllableMode:
    return mode if mode and syllable_shaped(entry) else SyllableMode.OFF


def _indexable(form: NameForm) -> bool:
    # Unvowelled scripts lose too much to compare; those entries carry Latin names too.
    return bool(form.tokens) and form.script not in UNVOWELLED_SCRIPTS


def _has_inner_vowel(token: str) -> bool:
    """A vowel anywhere but the first and last letter."""
    return _VOWEL.search(token, 1, len(token) - 1) is not None


_VOWEL = re.compile("[aeiou]")


def _joined_keys(entry: str) -> set[str]:
    keys = {"p:" + phonetic_key(entry)}
    if looks_korean(entry):
        keys.add("k:" + korean_key(entry))
    return keys


def _lookup_keys(token: str, indexing: bool, unvowelled: bool = False) -> set[str]:
    """The keys a token is filed under (indexing) or looked up with (querying)."""
    keys = {"p:" + phonetic_key(token), "o:" + ocr_key(token)}
    if looks_korean(token):
        keys.add("k:" + korean_key(token))
    bones = skeleton(token)
    # Vowels left out inside the word ("Rsi", "Qhye" for RAISI, QAHIYE): look up by the consonants.
    vowelless = len(token) >= 2 and not _has_inner_vowel(token)
    if len(bones) >= 3 or ((indexing or unvowelled) and bones) or (vowelless and len(bones) >= 2):
        keys.add("s:" + bones)
    if indexing or unvowelled:
        keys.update("a:" + key for key in arabic_keys(token))
    if len(token) >= 4:
        keys.update("d:" + d for d in deletions(token))
    keys.add("d:" + respelled(token))  # Aleksandr/Alexander: one letter apart once ks = x
    if len(token) == 3:
        keys.add("t:" + "".join(sorted(token)))  # "Kuy" for "Kyu": a swap in a short part
        keys.add("d:" + token)
        keys.update("d3:" + d for d in deletions(token))  # "Kij" for "Kim": one letter changed
        keys.update("x:" + token[:n] for n in range(MIN_PREFIX, len(token)))
    else:
        keys.add("x:" + token)
        if indexing:  # "Alexan" for "Alexander": a part cut short finds the whole (names._truncated)
            keys.update(
                "x:" + token[:n] for n in range(max(MIN_PREFIX, math.ceil(0.6 * len(token))), len(token))
            )
        keys.add("d:" + token)
    return keys
