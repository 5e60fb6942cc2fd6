"""Matching quality on a labelled benchmark built from the real lists in ../shared/data.

Positives: real SDN and UN individual names, each varied in every class below. Negatives:
ordinary applicant names from 27 Faker locales, typed the way applicants type them, and
near-misses (a listed family name with someone else's given name). Entities are split 80/20
by a hash of their id: "dev" is what the matcher was tuned on, "held-out" was not looked at.

    .venv/bin/python bench/quality.py [--per-class 300] [--ordinary 250] [--baseline-sample 400]

Prints recall per class, false-alert rates, and the same for three baselines: Jaro-Winkler >= 0.85
and rapidfuzz WRatio >= 85 over whole names (best over every listed person name), and OpenSanctions'
nomenklatura logic-v2 >= 0.70 as yente scores /match results (needs `pip install -e '.[bench]'`;
skipped when missing).
"""

from __future__ import annotations

import argparse
import itertools
import random
import re
import sys
import time
import unicodedata
import zlib
from pathlib import Path

from anyascii import anyascii
from faker import Faker
from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import JaroWinkler

from screening.lists import load_directory
from screening.matching import SanctionsIndex
from screening.matching.korean import hangul_by_spelling, romanize_syllable
from screening.matching.text import PARTICLES
from screening.matching.text import TITLES as TITLE_WORDS
from screening.models import Applicant, EntityType, NameKind

SEED = 20261124
YENTE_THRESHOLD = 0.70  # yente's SCORE_THRESHOLD: a /match result at or above it is a match
YENTE_CANDIDATES = 20  # listed people scored per name, standing in for yente's search step
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
LOCALES = [
    "en_US",
    "en_GB",
    "en_IN",
    "de_DE",
    "fr_FR",
    "es_ES",
    "es_MX",
    "es_AR",
    "it_IT",
    "pt_BR",
    "ru_RU",
    "uk_UA",
    "pl_PL",
    "ko_KR",
    "zh_CN",
    "zh_TW",
    "ja_JP",
    "ar_SA",
    "ar_EG",
    "fa_IR",
    "tr_TR",
    "vi_VN",
    "id_ID",
    "nl_NL",
    "sv_SE",
    "hi_IN",
    "he_IL",
]
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
CYRILLIC = {
    "shch": "щ",
    "sh": "ш",
    "ch": "ч",
    "zh": "ж",
    "kh": "х",
    "ts": "ц",
    "yu": "ю",
    "ya": "я",
    "yo": "ё",
    "a": "а",
    "b": "б",
    "v": "в",
    "g": "г",
    "d": "д",
    "e": "е",
    "z": "з",
    "i": "и",
    "y": "й",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "f": "ф",
    "h": "х",
    "c": "к",
    "j": "дж",
    "w": "в",
    "x": "кс",
    "q": "к",
}
ARABIC = {
    "sh": "ش",
    "kh": "خ",
    "th": "ث",
    "dh": "ذ",
    "gh": "غ",
    "b": "ب",
    "t": "ت",
    "j": "ج",
    "h": "ح",
    "d": "د",
    "r": "ر",
    "z": "ز",
    "s": "س",
    "f": "ف",
    "q": "ق",
    "k": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "w": "و",
    "y": "ي",
    "a": "ا",
    "i": "ي",
    "u": "و",
    "o": "و",
    "e": "",
    "g": "ج",
    "p": "ب",
    "v": "ف",
    "c": "ك",
    "x": "كس",
}
HOMOGLYPHS = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і"}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u00ad", "\u2060"]
OCR = [("m", "rn"), ("o", "0"), ("l", "1"), ("i", "1"), ("d", "cl"), ("s", "5"), ("w", "vv")]
RESPELL = [
    ("ph", "f"),
    ("f", "ph"),
    ("ou", "u"),
    ("u", "ou"),
    ("ee", "i"),
    ("i", "ee"),
    ("y", "i"),
    ("k", "c"),
    ("c", "k"),
    ("mm", "m"),
    ("ss", "s"),
    ("ie", "y"),
]
TITLES = ["Dr.", "Mr.", "Mrs.", "Prof.", "Ms."]
SUFFIXES = ["Jr.", "Sr.", "II", "PhD"]
SURNAME_SPELLINGS = {
    "ri": ["Lee", "Yi", "Rhee"],
    "pak": ["Park", "Bak"],
    "choe": ["Choi", "Chwe"],
    "jong": ["Jung", "Chung", "Jeong"],
    "o": ["Oh"],
    "rim": ["Lim", "Im"],
    "ryu": ["Yoo", "Yu"],
    "kang": ["Kang", "Gang"],
    "kim": ["Kim", "Gim"],
    "yun": ["Yoon"],
    "so": ["Seo", "Suh"],
    "han": ["Han"],
    "paek": ["Baek", "Paik"],
    "chon": ["Jeon", "Chun"],
    "ro": ["Noh", "Roh"],
    "hyon": ["Hyun"],
    "sin": ["Shin"],
    "jang": ["Jang", "Chang"],
    "ko": ["Ko", "Go"],
}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--per-class", type=int, default=300)
    parser.add_argument("--ordinary", type=int, default=250, help="names per locale")
    parser.add_argument(
        "--baseline-sample", type=int, default=400, help="queries per group for baselines (0: none)"
    )
    parser.add_argument("--threshold", type=float, default=None)
    parser.add_argument("--show-misses", type=int, default=0, help="print this many misses per class")
    parser.add_argument(
        "--seed", type=int, default=SEED, help="another seed draws other people and variants: a blind re-test"
    )
    args = parser.parse_args()
    if not (SHARED_DATA / "ofac" / "sdn.csv").exists():
        sys.exit(f"needs the real lists at {SHARED_DATA}")
    snapshots = [s for s in load_directory(SHARED_DATA) if s.name in ("ofac_sdn", "un")]
    index = SanctionsIndex(snapshots) if args.threshold is None else SanctionsIndex(snapshots, args.threshold)
    people = [e for s in snapshots for e in s.entities if e.type == EntityType.INDIVIDUAL]
    positives = build_positives(people, args.seed, args.per_class)
    ordinary = build_ordinary(_rng(args.seed, "ordinary"), args.ordinary)
    near = build_near_misses(people, ordinary, _rng(args.seed, "near-misses"), args.per_class * 2)
    print(
        f"benchmark: {sum(len(v) for v in positives.values())} positives in {len(positives)} classes, "
        f"{len(ordinary)} ordinary names from {len(LOCALES)} locales, {len(near)} near-misses; "
        f"threshold {index.threshold}"
    )

    def hirewatch(name: str, entity_key: str | None) -> bool:
        hits = index.match(Applicant(id="q", name=name))
        if entity_key is None:
            return bool(hits)
        return any(f"{h.list}:{h.entity_id}" == entity_key for h in hits)

    report("HireWatch", hirewatch, positives, ordinary, near, args.show_misses)
    if args.baseline_sample <= 0:
        return
    # Both orders of each listed name, as OFAC's tool effectively searches "LAST, First" and "First LAST".
    all_names = [(form, e.key) for e in people for n in e.names for form in _both_orders(n.value)]
    choices = [utils.default_process(n) for n, _ in all_names]
    sample = args.baseline_sample
    sampled = {cls: rows[: sample // 4] for cls, rows in positives.items()}
    for label, scorer, cutoff in (
        ("Jaro-Winkler >= 0.85", JaroWinkler.normalized_similarity, 0.85),
        ("rapidfuzz WRatio >= 85", fuzz.WRatio, 85),
    ):
        baseline = make_baseline(all_names, choices, scorer, cutoff)
        report(label, baseline, sampled, ordinary[:sample], near[:sample])
    nomenklatura = make_nomenklatura(people, all_names, choices)
    if nomenklatura is None:
        print("\n== nomenklatura logic-v2: not installed, skipped (pip install -e '.[bench]')")
        return
    label = (
        f"nomenklatura logic-v2 >= {YENTE_THRESHOLD} (yente's default); each name scored against its "
        f"{YENTE_CANDIDATES} nearest listed people by token_set_ratio, plus the listed person it varies"
    )
    report(label, nomenklatura, sampled, ordinary[:sample], near[:sample])


def _both_orders(value: str) -> list[str]:
    if "," not in value:
        return [value]
    family, given = value.split(",", 1)
    return [f"{family} {given}", f"{given} {family}"]


def make_baseline(all_names, choices, scorer, cutoff):
    def match(name: str, entity_key: str | None) -> bool:
        query = utils.default_process(anyascii(name))
        found = process.extract(query, choices, scorer=scorer, score_cutoff=cutoff, limit=None)
        keys = {all_names[i][1] for _, _, i in found}
        return bool(keys) if entity_key is None else entity_key in keys

    return match


def make_nomenklatura(people, all_names, choices):
    """OpenSanctions' logic-v2 as yente runs /match: a query Person against each candidate, match at
    >= 0.70. yente's candidates come from Elasticsearch; here the nearest listed people by rapidfuzz
    token_set_ratio stand in, and a positive's own listed person is always scored (as if the search
    never missed it). Both favour nomenklatura: its recall is an upper bound, its false alerts a
    lower one. None when nomenklatura is not installed."""
    try:
        from followthemoney import model
        from nomenklatura.matching import LogicV2
    except ImportError:
        return None
    config = LogicV2.default_config()
    listed = {e.key: _ftm_person(model, e) for e in people}
    query_ids = itertools.count()

    def match(name: str, entity_key: str | None) -> bool:
        query = model.make_entity("Person")
        query.id = f"query-{next(query_ids)}"  # nomenklatura caches name analysis by entity id
        query.add("name", name)
        keys = _nearest(name, all_names, choices) | ({entity_key} if entity_key else set())
        hits = {k for k in keys if LogicV2.compare(query, listed[k], config).score >= YENTE_THRESHOLD}
        return bool(hits) if entity_key is None else entity_key in hits

    return match


def _ftm_person(model, entity):
    """A listed person as OpenSanctions publishes one: names given-name first, OFAC's family and
    given name as lastName/firstName, low-quality a.k.a.s as weakAlias."""
    person = model.make_entity("Person")
    person.id = entity.key
    for listed in entity.names:
        prop = {NameKind.PRIMARY: "name", NameKind.WEAK: "weakAlias"}.get(listed.kind, "alias")
        person.add(prop, _both_orders(listed.value)[-1].strip())  # "LAST, First" -> "First LAST"
    if "," in entity.primary_name:
        family, given = _split_name(entity.primary_name)
        person.add("lastName", " ".join(family))
        person.add("firstName", " ".join(given))
    return person


def _nearest(name: str, all_names, choices) -> set[str]:
    query = utils.default_process(anyascii(name))
    found = process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=YENTE_CANDIDATES * 4)
    keys = dict.fromkeys(all_names[i][1] for _, _, i in found)
    return set(list(keys)[:YENTE_CANDIDATES])


def report(label, matcher, positives, ordinary, near, show_misses: int = 0) -> None:
    print(f"\n== {label}")
    started = time.perf_counter()
    totals = {"dev": [0, 0], "held-out": [0, 0]}
    for cls, rows in positives.items():
        found = [matcher(name, key) for name, key in rows]
        for (_, key), ok in zip(rows, found, strict=True):
            split = "held-out" if zlib.crc32(key.encode()) % 5 == 0 else "dev"
            totals[split][0] += ok
            totals[split][1] += 1
        print(f"  recall {cls:<22} {100 * sum(found) / max(1, len(rows)):6.1f}%  (n={len(rows)})")
        misses = [row for row, ok in zip(rows, found, strict=True) if not ok][:show_misses]
        for name, key in misses:
            print(f"      missed {name!r} ({key})")
    all_found = sum(t[0] for t in totals.values())
    all_rows = sum(t[1] for t in totals.values())
    print(f"  recall OVERALL               {100 * all_found / max(1, all_rows):6.1f}%  (n={all_rows})")
    for split, (ok, n) in totals.items():
        print(f"  recall {split:<22} {100 * ok / max(1, n):6.1f}%  (n={n})")
    false_ordinary = [name for name, _ in ordinary if matcher(name, None)]
    false_near = [name for name, _ in near if matcher(name, None)]
    print(
        f"  false alerts, ordinary names {100 * len(false_ordinary) / max(1, len(ordinary)):6.2f}%  "
        f"(n={len(ordinary)}) e.g. {false_ordinary[: max(5, show_misses)]}"
    )
    print(
        f"  false alerts, near-misses    {100 * len(false_near) / max(1, len(near)):6.2f}%  "
        f"(n={len(near)}) e.g. {false_near[: max(5, show_misses)]}"
    )
    queries = all_rows + len(ordinary) + len(near)
    print(f"  speed                        {queries / (time.perf_counter() - started):,.0f} names/s")


# ---- positives ----


def _split_name(value: str, family_first: bool = False) -> tuple[list[str], list[str]]:
    """(family tokens, given tokens) of a listed name: OFAC "LAST, First", UN "First ... Last"
    (UN writes Korean names family name first)."""
    if "," in value:
        family, given = value.split(",", 1)
        return family.split(), given.replace("-", " ").split()
    tokens = value.replace("-", " ").split()
    if family_first:
        return tokens[:1], tokens[1:]
    return tokens[-1:], tokens[:-1]


def _looks_person_name(value: str) -> bool:
    tokens = re.findall(r"[A-Za-z]+", value)
    return len(tokens) >= 2 and value.isascii() and not re.search(r"\d", value)


def _rng(seed: int, part: str) -> random.Random:
    """One random stream per part of the benchmark: changing how one class is drawn leaves the
    others as they were."""
    return random.Random(f"{seed}:{part}")


def build_positives(people, seed: int, per_class: int) -> dict[str, list[tuple[str, str]]]:
    pool = [(e.primary_name, e.key, e) for e in people if _looks_person_name(e.primary_name)]
    _rng(seed, "people").shuffle(pool)
    korean = [p for p in pool if _is_korean_entity(p[2])]
    classes = {
        "exact": lambda f, g, r: " ".join(g + f),
        "word_order": lambda f, g, r: r.choice([f"{' '.join(f)}, {' '.join(g)}", " ".join(f + g)]),
        "missing_middle": _missing_middle,
        "initials": _initials,
        "titles_suffixes": lambda f, g, r: f"{r.choice(TITLES)} {' '.join(g + f)} {r.choice(SUFFIXES)}",
        "hyphens_spacing": lambda f, g, r: "-".join(g).lower() + "  " + " ".join(f).upper(),
        "diacritics": lambda f, g, r: _diacritics(" ".join(g + f), r),
        "phonetic_respelling": lambda f, g, r: _respell(" ".join(g + f), r),
        "cyrillic_script": lambda f, g, r: _to_script(" ".join(g + f), CYRILLIC),
        "homoglyphs": lambda f, g, r: _homoglyphs(" ".join(g + f), r),
        "invisible_chars": lambda f, g, r: _invisible(" ".join(g + f), r),
        "doubled_dropped": lambda f, g, r: _double_or_drop(g + f, r),
        "dropped_vowels": lambda f, g, r: _drop_vowels(g + f, r),
        "ocr": lambda f, g, r: _ocr(g + f, r),
        "keyboard_typo": lambda f, g, r: _keyboard(g + f, r),
        "transposition": lambda f, g, r: _transpose(g + f, r),
        "truncated": lambda f, g, r: _truncate(g + f, r),
    }
    out: dict[str, list[tuple[str, str]]] = {}
    for cls, vary in classes.items():
        rng = _rng(seed, cls)
        rows = []
        for value, key, entity in pool[: per_class * 2]:
            family, given = _split_name(value)
            if cls in NO_MIDDLE_NAMES_CLASSES:
                if _has_no_middle_names(entity, family + given):
                    continue  # dropping a syllable of such a name makes another name
                family, given = _given_names(value)
            varied = vary(family, given, rng)
            if varied and len(rows) < per_class:
                rows.append((varied, key))
        out[cls] = rows
    rng = _rng(seed, "korean_romanisation")
    out["korean_romanisation"] = [(_korean_rr(v, rng), k) for v, k, _ in korean[:per_class]]
    out["hangul_script"] = [(_hangul(v), k) for v, k, _ in korean[:per_class]]
    chinese = [p for p in pool if _is_pinyin_name(p[0])]
    out["chinese_script"] = [(_han(v), k) for v, k, _ in chinese[:per_class]]
    arabic = [p for p in pool if _is_arabic_name(p[0])]
    out["arabic_script"] = [(_to_script(v.replace(",", ""), ARABIC), k) for v, k, _ in arabic[:per_class]]
    return {cls: [(name, key) for name, key in rows if name] for cls, rows in out.items()}


ARABIC_NAME_PARTS = {
    "muhammad",
    "mohammed",
    "mohammad",
    "ahmad",
    "ahmed",
    "ali",
    "abd",
    "abdul",
    "abdullah",
    "hassan",
    "hasan",
    "hussein",
    "husayn",
    "ibrahim",
    "khalid",
    "omar",
    "umar",
    "yusuf",
    "al",
    "bin",
    "abu",
    "salim",
    "said",
    "mahmud",
    "mustafa",
    "hamid",
    "nasser",
    "aziz",
}


def _is_arabic_name(value: str) -> bool:
    return any(t in ARABIC_NAME_PARTS for t in re.findall(r"[a-z]+", value.lower()))


NO_MIDDLE_NAMES_CLASSES = {"missing_middle", "initials"}
# Burmese names have no family, given or middle names: every part belongs to the one name
# (e.g. "Maung Maung Soe"; see https://en.wikipedia.org/wiki/Burmese_names). Common parts:
BURMESE_NAME_PARTS = {
    "aung", "aye", "chit", "hla", "hlaing", "htay", "htet", "htin", "htoo", "htun", "khin", "khine",
    "kyaw", "kyi", "lwin", "maung", "min", "mya", "myat", "myint", "myo", "naing", "nay", "nyein",
    "nyi", "nyunt", "oo", "phyo", "pyae", "sai", "san", "sein", "shwe", "soe", "swe", "than",
    "thant", "thaung", "thein", "thet", "thura", "tin", "tun", "wai", "win", "wunna", "ye", "zaw",
    "zin",
}  # fmt: skip
BINDING_PARTICLES = PARTICLES | {"abd", "abdul", "abdel", "abdal"}  # "Abu Bakr", "Abd al-Rahman"


def _is_korean_entity(entity) -> bool:
    return any(p.startswith("DPRK") for p in entity.programs) or entity.native_id.startswith("KPi")


def _has_no_middle_names(entity, parts: list[str]) -> bool:
    """Korean, Chinese and Burmese names: a given name of one or two syllables written apart
    ("KIM Kwang Il", "CHANG Ping Yun") or a Burmese name has no middle name to leave out."""
    words = [w.lower() for w in re.findall(r"[A-Za-z]+", " ".join(parts))]
    return (
        _is_korean_entity(entity)
        or all(w in BURMESE_NAME_PARTS for w in words)
        or all(_is_syllable(w) for w in words)
    )


def _is_syllable(word: str) -> bool:
    """One romanised Chinese or Korean syllable."""
    return _pinyin_split(word) == [word] or word in hangul_by_spelling()


def _given_names(value: str) -> tuple[list[str], list[str]]:
    """(family, given names as an applicant counts them): a title is none ("Haji", "Mullah"), a
    particle belongs to the name after it ("Abu Bakr"; before a family name without a comma, to
    the family name: "AL ADNANI"), a hyphenated name is one ("Ben-Zion", "Kwang-Il")."""
    if "," in value:
        family_part, given_part = value.split(",", 1)
        family, words = family_part.split(), given_part.split()
    else:
        words = value.split()
        family = words[-1:]
        words = words[:-1]
        while words and _bare(words[-1]) in BINDING_PARTICLES:
            family.insert(0, words.pop())
    words = [w for w in words if _bare(w) not in TITLE_WORDS]
    given: list[str] = []
    for word in words:
        if given and _bare(given[-1].split()[-1]) in BINDING_PARTICLES:
            given[-1] += " " + word
        else:
            given.append(word)
    return family, given


def _bare(word: str) -> str:
    return word.lower().strip("'’.")


def _missing_middle(f, g, r):
    return " ".join([g[0], *f]) if len(g) >= 2 else None


def _initials(f, g, r):
    return " ".join([g[0], *[t[0] + "." for t in g[1:]], *f]) if len(g) >= 2 else None


def _diacritics(name, r):
    marks = {"a": "á", "e": "é", "i": "í", "o": "ö", "u": "ü", "n": "ñ", "c": "ç"}
    return "".join(marks.get(ch, ch) if r.random() < 0.5 else ch for ch in name)


def _respell(name, r):
    lowered = name.lower()
    options = [(a, b) for a, b in RESPELL if a in lowered]
    if not options:
        return None
    a, b = r.choice(options)
    return lowered.replace(a, b, 1).title()


def _to_script(name, table):
    out, text = [], name.lower()
    i = 0
    while i < len(text):
        for size in (4, 2, 1):
            chunk = text[i : i + size]
            if chunk in table:
                out.append(table[chunk])
                i += size
                break
        else:
            out.append(text[i] if not text[i].isalpha() else "")
            i += 1
    return "".join(out)


def _homoglyphs(name, r):
    return "".join(HOMOGLYPHS[ch] if ch in HOMOGLYPHS and r.random() < 0.4 else ch for ch in name)


def _invisible(name, r):
    chars = list(name)
    for _ in range(3):
        chars.insert(r.randrange(1, len(chars)), r.choice(INVISIBLE))
    return "".join(chars)


def _edit(tokens, r, change, min_len=4):
    """Change one name part of at least `min_len` letters. A part is a word between spaces or
    hyphens: in "AL-ASSAD" the article and the name are two parts."""
    parts = re.split(r"([\s-]+)", " ".join(tokens))
    eligible = [i for i, part in enumerate(parts) if _letters(part) >= min_len]
    if not eligible:
        return None
    i = r.choice(eligible)
    changed = change(parts[i], r)
    return "".join([*parts[:i], changed, *parts[i + 1 :]]) if changed else None


def _letters(part: str) -> int:
    return sum(ch.isalpha() for ch in part)


def _double_or_drop(tokens, r):
    def change(t, r):
        j = r.randrange(1, len(t))
        return t[:j] + t[j] + t[j:] if r.random() < 0.5 else t[:j] + t[j + 1 :]

    return _edit(tokens, r, change)


def _drop_vowels(tokens, r):
    return _edit(tokens, r, lambda t, r: t[0] + re.sub(r"[aeiouAEIOU]", "", t[1:]), 5)


def _ocr(tokens, r):
    def change(t, r):
        options = [(a, b) for a, b in OCR if a in t.lower()[1:]]
        if not options:
            return None
        a, b = r.choice(options)
        return t[0] + t[1:].lower().replace(a, b, 1)

    return _edit(tokens, r, change)


def _keyboard(tokens, r):
    def change(t, r):
        j = r.randrange(1, len(t))
        row = next((row for row in KEYBOARD if t[j].lower() in row), None)
        if not row:
            return None
        k = row.index(t[j].lower())
        neighbour = row[k + 1] if k + 1 < len(row) and row[k + 1] != " " else row[k - 1]
        return t[:j] + neighbour + t[j + 1 :]

    return _edit(tokens, r, change)


def _transpose(tokens, r):
    def change(t, r):
        j = r.randrange(1, len(t) - 1)
        return t[:j] + t[j + 1] + t[j] + t[j + 2 :]

    return _edit(tokens, r, change)


def _truncate(tokens, r):
    """One name part of six letters or more cut to 70% of its letters, at least four."""

    def cut(part, r):
        keep = max(4, round(_letters(part) * 0.7))
        return part[: [pos for pos, ch in enumerate(part) if ch.isalpha()][keep - 1] + 1]

    return _edit(tokens, r, cut, 6)


# Korean: OFAC's McCune-Reischauer spellings -> Hangul (via the jamo tables) -> what an applicant types.
def _korean_rr(value, rng):
    family, given = _split_name(value, family_first=True)
    surname = family[0].lower()
    typed_family = rng.choice(SURNAME_SPELLINGS.get(surname, [_rr(surname).title()]))
    syllables = [_rr(t.lower()) for t in given]
    style = rng.randrange(3)
    typed_given = (
        "".join(syllables) if style == 0 else "-".join(syllables) if style == 1 else " ".join(syllables)
    )
    typed_given = typed_given.title() if style != 1 else typed_given.capitalize()
    return f"{typed_family} {typed_given}" if rng.random() < 0.5 else f"{typed_given} {typed_family}"


def _rr(mr_syllable: str) -> str:
    hangul = hangul_by_spelling().get(mr_syllable.replace("'", ""))
    return romanize_syllable(hangul) if hangul else mr_syllable


def _hangul(value):
    family, given = _split_name(value, family_first=True)
    syllables = [hangul_by_spelling().get(t.lower().replace("'", ""), "") for t in family + given]
    return "".join(syllables) if all(syllables) else None


_PINYIN: dict[str, str] = {}


def _pinyin_table() -> dict[str, str]:
    if not _PINYIN:
        from pypinyin import pinyin_dict

        for code, readings in sorted(pinyin_dict.pinyin_dict.items()):
            plain = anyascii(readings.split(",")[0])
            if 0x4E00 <= code <= 0x9FFF:
                _PINYIN.setdefault(plain, chr(code))
    return _PINYIN


def _pinyin_split(token: str) -> list[str] | None:
    table, token = _pinyin_table(), token.lower()
    if not token:
        return []
    for size in range(min(6, len(token)), 0, -1):
        if token[:size] in table and (rest := _pinyin_split(token[size:])) is not None:
            return [token[:size], *rest]
    return None


CHINESE_SURNAMES = set(
    [
        "wang",
        "li",
        "zhang",
        "liu",
        "chen",
        "yang",
        "huang",
        "zhao",
        "wu",
        "zhou",
        "xu",
        "sun",
        "ma",
        "zhu",
        "hu",
        "guo",
        "he",
        "gao",
        "lin",
        "luo",
        "zheng",
        "liang",
        "xie",
        "song",
        "tang",
        "han",
        "feng",
        "deng",
        "cao",
        "peng",
        "zeng",
        "xiao",
        "tian",
        "dong",
        "pan",
        "yuan",
        "cai",
        "jiang",
        "yu",
        "du",
        "ye",
        "cheng",
        "wei",
        "su",
        "lu",
        "ding",
        "shen",
        "jia",
        "xue",
        "yan",
        "qian",
        "fu",
        "shi",
        "zou",
        "xiong",
        "jin",
        "hao",
        "kong",
        "bai",
        "cui",
        "kang",
        "mao",
        "qiu",
        "qin",
        "gu",
        "hou",
        "shao",
        "meng",
        "long",
        "wan",
        "duan",
        "lei",
        "qian",
        "tang",
        "yin",
        "li",
    ]
)


def _is_pinyin_name(value: str) -> bool:
    family, given = _split_name(value)
    if len(family) != 1 or family[0].lower() not in CHINESE_SURNAMES or not 1 <= len(given) <= 2:
        return False
    syllables = [_pinyin_split(t) for t in given]
    return all(s and all(len(part) >= 2 for part in s) for s in syllables)


def _han(value):
    family, given = _split_name(value)
    return "".join(_pinyin_table()[s] for t in family + given for s in _pinyin_split(t))


# ---- negatives ----


def build_ordinary(rng, per_locale: int) -> list[tuple[str, None]]:
    names = []
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(1 << 30))
        for _ in range(per_locale):
            names.append((_as_typed(fake, locale, rng), None))
    return names


def _as_typed(fake, locale, rng) -> str:
    """Romanised as applicants type them; some keep their own script."""
    first, last = fake.first_name(), fake.last_name()
    if locale == "ko_KR" and rng.random() < 0.8:
        given = "-".join(romanize_syllable(s) for s in first).capitalize()
        family = {"이": "Lee", "박": "Park", "최": "Choi", "정": "Jung"}.get(
            last, romanize_syllable(last[0]).title()
        )
        return f"{given} {family}"
    if locale in ("zh_CN", "zh_TW") and rng.random() < 0.8:
        from pypinyin import lazy_pinyin

        return f"{''.join(lazy_pinyin(first)).title()} {''.join(lazy_pinyin(last)).title()}"
    if locale == "ja_JP":
        return f"{fake.first_romanized_name()} {fake.last_romanized_name()}"
    if not unicodedata.name(first[0], "").startswith("LATIN") and rng.random() < 0.7:
        return anyascii(f"{first} {last}").title()
    return f"{first} {last}"


def build_near_misses(people, ordinary, rng, count: int) -> list[tuple[str, None]]:
    """A listed family name with an ordinary applicant's given name."""
    pool = [e.primary_name for e in people if _looks_person_name(e.primary_name)]
    givens = [name.split()[0] for name, _ in ordinary if name.split()]
    out = []
    for value in rng.sample(pool, count):
        family, _ = _split_name(value)
        out.append((f"{rng.choice(givens)} {' '.join(family).title()}", None))
    return out


if __name__ == "__main__":
    main()
