"""From a name as typed (any script, any tricks) to comparable ASCII tokens, plus lookup keys.

The steps, in order: drop invisible characters; NFKC; turn look-alike Cyrillic/Greek letters
inside Latin names back into Latin (evasion), but transliterate names written wholly in another
script (Cyrillic, Arabic, Chinese with pypinyin, Korean Hangul with our own tables); fold
diacritics; undo OCR digit confusions inside words; split hyphens and spacing; drop titles,
suffixes. Company names have their own steps (companies.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from screening.matching.korean import is_hangul, romanize_hangul_name

# Cyrillic and Greek letters that look like Latin ones: used to evade screening ("Kim Jоng" with a
# Cyrillic о). Only applied to names that are mainly Latin; a name written in Cyrillic is
# transliterated instead.
HOMOGLYPHS = str.maketrans(
    "АВЕКМНОРСТХУаеорсухіјѕԁһԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοιρυνκ",
    "ABEKMHOPCTXYaeopcyxijsdhqwABEZHIKMNOPTYXaoipuvk",
)
_INVISIBLE_CATEGORIES = {"Cf", "Cc", "Mn", "Me"}
# OCR and "leet" confusions inside otherwise alphabetic words.
_DIGIT_AS_LETTER = str.maketrans("0134578@$", "oleastbas")

TITLES = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "mme", "herr", "frau",
    "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "msc", "bsc",
    "sheikh", "shaykh", "haji", "hajji", "mullah", "maulana", "general", "colonel", "col",
    "gen", "capt", "captain", "lt", "major", "maj",
}  # fmt: skip
# Titles that are also name parts elsewhere ("Eng" is a Chinese given name): dropped only when typed
# abbreviated with a dot before the name ("Eng. Kwang Chun KIM", "Ing. Jan Novak").
DOTTED_TITLE = re.compile(r"^\s*(?:eng|engr|ing|arch|dipl|rev|hon)\.\s*", re.IGNORECASE)
# Name particles: kept for display but weigh little ("AL", "BIN", "DE", "VAN"; the Arabic article
# also as Urdu and Persian names assimilate it: "Bashir-ud-Din", "Habib-ur-Rehman").
PARTICLES = {
    "al", "el", "ul", "ud", "ur", "us", "ad", "ash", "az", "bin", "ibn", "bint", "ben", "abu", "abou", "umm",
    "de", "del", "della", "da", "di", "do", "dos", "das", "du", "la", "le", "van", "von", "der", "den", "ter",
    "y", "e",
}  # fmt: skip


def strip_invisible(text: str) -> str:
    """Drop zero-width and control characters and combining marks (after NFKD)."""
    if text.isascii() and text.isprintable():
        return text  # most names: nothing to decompose or drop
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)


def _script(ch: str) -> str:
    if "a" <= ch.lower() <= "z":
        return "latin"
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0].lower() if name else "other"


def _dominant_script(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        if ch.isalpha():
            script = _script(ch)
            counts[script] = counts.get(script, 0) + 1
    return max(counts, key=counts.get) if counts else "latin"


# Arabic letters anyascii drops or turns into an apostrophe that _clean then strips: alef (with or
# without hamza) and ayn begin vowel-initial names ("احمد" Ahmad, "علي" Ali), taa marbuta ends
# them ("اسامة" Usama). Kept as "a" so a name's leading vowel survives into its skeleton key.
_ARABIC_VOWEL_LETTERS = str.maketrans(dict.fromkeys("اأإآٱعة", "a"))


def _transliterate_word(word: str, kana_name: bool) -> list[str]:
    if is_hangul(word):
        return romanize_hangul_name(word)
    if any("CJK" in unicodedata.name(ch, "") for ch in word):
        # Kanji in a name written with kana are Japanese: their pinyin reading would be another
        # name (田中 is Tanaka, not "Tian Zhong"), and we have no Japanese reading to offer.
        return [] if kana_name else _romanize_chinese(word)
    return [anyascii(word.translate(_ARABIC_VOWEL_LETTERS))]


def _romanize_chinese(word: str) -> list[str]:
    """A Chinese name in pinyin: family name (first character), then the given name joined."""
    from pypinyin import lazy_pinyin  # imported lazily: its dictionaries take a moment to load

    syllables = lazy_pinyin(word)
    if len(syllables) >= 2:
        return [syllables[0], "".join(syllables[1:])]
    return syllables


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name ready to compare: tokens in typed order, and where they came from."""

    original: str
    tokens: tuple[str, ...]
    family: frozenset[int]  # positions of tokens known to be the family name ("LAST, First")
    script: str  # dominant script as typed: latin, cyrillic, arabic, hangul, cjk, ...
    shown: tuple[str, ...] = ()  # each token as an explanation shows it: digits never read as letters
    hyphened: frozenset[int] = frozenset()  # token i and i + 1 were one word typed with a hyphen


@lru_cache(maxsize=100_000)
def person_name(raw: str) -> NameForm:
    """Titles dropped, unless that leaves one part: "FAZLULLAH, Maulana" is listed by the title he
    goes by, and "Maulana Fazlullah" is how applicants and the UN write it."""
    form = _name_form(raw, drop=TITLES)
    return form if len(form.tokens) > 1 else _name_form(raw, drop=set())


def _name_form(raw: str, drop: set[str]) -> NameForm:
    text = unicodedata.normalize("NFKC", raw or "")
    script = _dominant_script(text)
    if script == "latin":
        text = text.translate(HOMOGLYPHS)
    text = DOTTED_TITLE.sub("", text)
    family_part, _, given_part = text.partition(",") if "," in text else ("", "", text)
    kana_name = _has_kana(text)
    family, family_shown, family_hyphened = _tokens(family_part, drop, script, kana_name)
    given, given_shown, given_hyphened = _tokens(given_part, drop, script, kana_name)
    if script in ("arabic", "hebrew"):
        family, given = _split_article(family), _split_article(given)
        family_shown, given_shown = family, given
    tokens = family + given
    shown = tuple(family_shown + given_shown)
    hyphened = frozenset(family_hyphened) | {len(family) + i for i in given_hyphened}
    return NameForm(raw, tuple(tokens), frozenset(range(len(family))), script, shown, hyphened)


# A family name read otherwise than the same character in a word (金 "gold" is 금, the name 김).
HANJA_SURNAME_READINGS = {"金": "김"}


@lru_cache(maxsize=10_000)
def korean_reading(raw: str) -> str | None:
    """A name written in Han characters as a Korean reads it (金英哲 -> 김영철), or None.

    Korean names are written in hanja too, and a Korean applicant's or a listed DPRK official's
    name in characters would otherwise be read only as Chinese (金英哲 as "Jin Yingzhe")."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text or text.isascii():  # most names: no Han character to read
        return None
    if _has_kana(text) or not any("CJK" in unicodedata.name(ch, "") for ch in text):
        return None
    import hanja  # imported lazily: its tables take a moment to load

    words = [HANJA_SURNAME_READINGS.get(w[0], "") + w[1:] if w[0] in HANJA_SURNAME_READINGS else w
             for w in text.split()]  # fmt: skip
    reading = hanja.translate(" ".join(words), "substitution")
    return reading if all(is_hangul(ch) for ch in reading.replace(" ", "")) else None


def _has_kana(text: str) -> bool:
    return any("\u3040" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f" for ch in text)


_WORD_BREAK = re.compile(r"[\s_/.,;:()\[\]\"“”«»]+")
_HYPHENS = re.compile(r"[\-‐‑–—]+")


def _tokens(
    text: str, drop: set[str], script: str, kana_name: bool
) -> tuple[list[str], list[str], list[int]]:
    """The tokens of a name, each as shown (digits as typed), and the positions of tokens joined to
    the next by a hyphen ("Sang-hoon": one name part in two syllables)."""
    out: list[str] = []
    shown: list[str] = []
    hyphened: list[int] = []
    for spaced in _WORD_BREAK.split(text):
        first_of_word = len(out)
        ends = set()  # where each hyphen-separated piece of this word ended
        for word in _HYPHENS.split(spaced):
            if not word:
                continue
            parts = (
                _transliterate_word(word, kana_name) if script != "latin" or not word.isascii() else [word]
            )
            for part in parts:
                cleaned = _clean(part)
                if cleaned and cleaned not in drop:
                    out.append(cleaned)
                    shown.append(_clean(part, digits_as_letters=False))
            ends.add(len(out) - 1)
        # A piece's last token is joined to the next piece's first, within this word only.
        hyphened += sorted(e for e in ends if first_of_word <= e < len(out) - 1)
    return out, shown, hyphened


_UNVOWELLED_PARTICLES = {"l": "al", "al": "al", "bn": "bin", "bnt": "bint", "bw": "abu", "bu": "abu"}


def _split_article(tokens: list[str]) -> list[str]:
    """Unvowelled Arabic particles come out as bare consonants ("l", "bn"): spell them out."""
    out: list[str] = []
    for token in tokens:
        out.append(_UNVOWELLED_PARTICLES.get(token, token))
    return out


_LETTER = re.compile(r"[a-z]")
_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]")
_DOUBLED = re.compile(r"(.)\1+")
_VOWEL_RUN = re.compile(r"[aeiou]+")
_NO_VOWELS = str.maketrans("", "", "aeiouyw")


def _clean(part: str, digits_as_letters: bool = True) -> str:
    """ASCII letters of a word; digits inside a word read as the letters they stand for ("8ekkay"),
    or kept as typed (digits_as_letters=False: what an explanation shows)."""
    ascii_part = anyascii(strip_invisible(part)).lower()
    if not digits_as_letters:
        return _NOT_LETTER_OR_DIGIT.sub("", ascii_part)
    if _LETTER.search(ascii_part):
        ascii_part = ascii_part.translate(_DIGIT_AS_LETTER)
    return _NOT_LETTER.sub("", ascii_part.replace("'", "").replace("`", ""))


_PATRONYMIC = re.compile(r"\w{3,}(ovich|evich|ovych|evych|ovna|evna|ivna|ichna|ogly|oglu|kyzy|qizi)")


def is_patronymic(token: str) -> bool:
    """Russian, Ukrainian or Turkic patronymic ("Anatolyevich", "Ivanovna", "ogly"): official
    documents carry it, applicants in most countries leave it out."""
    return _PATRONYMIC.fullmatch(token) is not None


# ---- keys for the blocking index and for token similarity ----


@lru_cache(maxsize=100_000)
def skeleton(token: str) -> str:
    """Consonants only, doubles collapsed: survives dropped vowels and unvowelled Arabic script."""
    return _DOUBLED.sub(r"\1", token.translate(_NO_VOWELS))


# Letters Arabic script does not have, as an Arabic writer renders them (p->b, v->f, g->j, ...).
_ARABIC_LETTERS = str.maketrans("pvgcqe", "bfjkk ")


@lru_cache(maxsize=100_000)
def arabic_skeleton(token: str) -> str:
    """The consonants an Arabic-script spelling keeps, so "PAREDES" and "brds" agree."""
    return skeleton(token.replace("ch", "sh").translate(_ARABIC_LETTERS).replace(" ", ""))


def arabic_keys(token: str) -> frozenset[str]:
    """Romanisation-skeleton keys: the Arabic-script consonants, marked "a" when the name starts
    with a vowel, so a short name keeps two letters ("ATTIA" and "اتتيا" are both "at").

    Arabic writes a leading vowel with alef or ayn, but a writer may also use waw or yeh for it
    ("وساما" Osama, "يبراحيم" Ibrahim): before a consonant those can only be vowels, so such a
    token gets both keys.
    """
    bones = arabic_skeleton(token)
    if token[:1] in ("a", "e", "i", "o", "u"):
        return frozenset({"a" + bones})
    if token[:1] in ("w", "y") and token[1:2] not in ("", "a", "e", "i", "o", "u", "w", "y"):
        return frozenset({bones, "a" + bones})
    return frozenset({bones})


_PHONETIC_RULES = (
    ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"), ("ck", "k"),
    ("sch", "sh"), ("tch", "ch"), ("ks", "x"), ("q", "k"), ("w", "v"), ("ou", "u"), ("oo", "u"),
    ("ee", "i"), ("ie", "i"), ("y", "i"), ("z", "s"), ("c", "k"),
)  # fmt: skip


@lru_cache(maxsize=100_000)
def respelled(token: str) -> str:
    """Spelling conventions across languages folded (dzh/j, kh/h, ph/f, w/v, oo/u, doubled letters)."""
    key = token.replace("kh", "h") if len(token) > 3 else token
    for spelling, folded in _PHONETIC_RULES:
        key = key.replace(spelling, folded)
    return _DOUBLED.sub(r"\1", key)


@lru_cache(maxsize=100_000)
def phonetic_key(token: str) -> str:
    """A coarse sound-alike key for respellings across languages (Mohammed/Muhamad/Mokhammed)."""
    key = respelled(token)
    return key[:1] + _VOWEL_RUN.sub("a", key[1:])


@lru_cache(maxsize=100_000)
def ocr_key(token: str) -> str:
    """Letter groups that scanners and careless typists confuse, folded together."""
    return token.replace("rn", "m").replace("cl", "d").replace("vv", "w").replace("ii", "u").replace("l", "i")


def deletions(token: str) -> set[str]:
    """Every string one deletion away: typos, transpositions, doubled and dropped letters."""
    return {token[:i] + token[i + 1 :] for i in range(len(token))}
