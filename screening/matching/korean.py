"""Korean names across romanisation systems: Hangul to Latin, and one key for every spelling.

OFAC writes DPRK names the way Pyongyang romanises them: McCune-Reischauer without the
diacritics ("RI Jong Chol", "PAK", "CHOE", "KYONG"). Applicants write Revised Romanisation or
their own passport spelling ("Lee Jeong-cheol", "Park", "Choi", "Kyung"). The jamo tables below
give, for every initial, vowel and final, the Revised Romanisation and the McCune-Reischauer
(diacritics dropped) spellings; `korean_key` folds a romanised name onto one key on which every
spelling of the same syllables agrees.

Sources (facts, not code):
- National Institute of Korean Language, "Romanization of Korean" (Revised Romanization,
  Ministry of Culture and Tourism notice 2000-8, 7 July 2000), sections 1-2 (vowels, consonants).
- G. M. McCune and E. O. Reischauer, "The Romanization of the Korean Language, Based upon Its
  Phonetic Structure", Transactions of the Korea Branch of the Royal Asiatic Society 29 (1939).
- DPRK romanisation (1992 national standard, used for OFAC/UN DPRK entries): j/ch for ㅈ/ㅊ,
  o/u for ㅓ/ㅡ with the breves dropped.
- Common surname spellings: the National Institute of Korean Language's surname romanisation
  survey (2009) and passport usage, e.g. 이 Lee/Yi/Rhee/Ri, 박 Park/Pak/Bak, 최 Choi/Choe,
  정 Jung/Chung/Jeong/Jong, 윤 Yoon/Yun, 류 Ryu/Yoo/Yu.
- Initial-sound rule (두음법칙): the South writes 리, 림, 류, 로 as 이, 임, 유, 노 (Lee, Lim/Im,
  Yu, No/Noh) where the North keeps the R (Ri, Rim, Ryu, Ro).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Jamo order is Unicode's (U+AC00 + (initial*21 + vowel)*28 + final).
INITIALS_RR = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
INITIALS_MR = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "ch",
    "tch",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
# DPRK 1992 standard as OFAC and the UN print it: j/ch for ㅈ/ㅊ, no apostrophes.
INITIALS_DPRK = (
    "k",
    "kk",
    "n",
    "t",
    "tt",
    "r",
    "m",
    "p",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
VOWELS_RR = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i",
)  # fmt: skip
VOWELS_MR = (
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae",
    "oe", "yo", "u", "wo", "we", "wi", "yu", "u", "ui", "i",
)  # fmt: skip
FINALS_RR = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l",
    "p", "l", "m", "p", "p", "t", "t", "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip

# Family names written as two syllables (so "남궁민" is NAMGUNG Min, not NAM Gungmin).
TWO_SYLLABLE_SURNAMES = {"남궁", "황보", "제갈", "선우", "독고", "사공", "서문", "동방"}

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3


def is_hangul(text: str) -> bool:
    return any(_HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST for ch in text)


def romanize_syllable(syllable: str) -> str:
    """One Hangul syllable in Revised Romanisation (the key folds it onto MR spellings anyway)."""
    code = ord(syllable) - _HANGUL_FIRST
    if not 0 <= code <= _HANGUL_LAST - _HANGUL_FIRST:
        return syllable
    initial, rest = divmod(code, 21 * 28)
    vowel, final = divmod(rest, 28)
    return INITIALS_RR[initial] + VOWELS_RR[vowel] + FINALS_RR[final]


def romanize_hangul_name(word: str) -> list[str]:
    """A Hangul name word as romanised tokens: family name, then the given name joined.

    A three-syllable word "리정철" becomes ["ri", "jeongcheol"]; a single word that is not a
    full name ("철수") stays one token.
    """
    syllables = [ch for ch in word if _HANGUL_FIRST <= ord(ch) <= _HANGUL_LAST]
    if len(syllables) < 3 and not (len(syllables) == 2 and len(word.strip()) == 2):
        return ["".join(romanize_syllable(s) for s in syllables)]
    split = 2 if "".join(syllables[:2]) in TWO_SYLLABLE_SURNAMES and len(syllables) > 3 else 1
    family = "".join(romanize_syllable(s) for s in syllables[:split])
    given = "".join(romanize_syllable(s) for s in syllables[split:])
    return [family, given]


# Vowel groups that differ only by romanisation system or personal habit fold onto one spelling:
# RR eo / MR o (ŏ) / personal u ("Chung"), RR eu / MR u (ŭ), yeo / yo / yu ("Kyung"), oe / oi /
# we ("Choi", "Chwe"), ae / ai, ee / i / yi / ie ("Lee", "Yi", "Rhie"), oo / u ("Yoon", "Joo").
_VOWEL_FOLD = {
    "a": "a",
    "ae": "e", "ai": "e", "e": "e", "ay": "e",
    "ya": "ya", "yae": "ye", "ye": "ye",
    "eo": "o", "o": "o", "u": "o", "eu": "o", "oo": "o", "ou": "o",
    "yeo": "yo", "yo": "yo", "yu": "yo", "yoo": "yo", "you": "yo", "yeu": "yo",
    "wa": "wa", "wae": "we", "oe": "we", "oi": "we", "we": "we", "oy": "we",
    "wo": "wo", "weo": "wo", "uo": "wo",
    "wi": "wi", "wee": "wi", "ui": "wi", "eui": "wi",
    "i": "i", "ee": "i", "yi": "i", "ea": "i", "y": "i", "ie": "i",
}  # fmt: skip
# Consonants: voiced/unvoiced pairs (g/k, d/t, b/p, j/ch) are one phoneme written two ways;
# r/l likewise; doubled (tense) consonants and aspiration marks are often dropped.
_CONSONANT_FOLD = (
    ("tch", "c"), ("jj", "c"), ("ch", "c"), ("j", "c"), ("sh", "s"), ("ss", "s"),
    ("kk", "k"), ("tt", "t"), ("pp", "p"), ("kh", "k"), ("th", "t"), ("ph", "p"),
    ("ck", "k"), ("rk", "k"), ("g", "k"), ("d", "t"), ("b", "p"), ("l", "r"), ("f", "p"),
)  # fmt: skip
_CHUNKS = re.compile(r"[aeiouwy]+|[^aeiouwy]+")

# A romanised Korean syllable in any of the systems above, to decide whether a word can be Korean
# (so that "Peter" is never folded as if it were).
_ONSET = r"(?:tch|jj|kk|tt|pp|ss|ch|sh|kh|th|ph|rh|wh|g|k|n|d|t|r|l|m|b|p|s|j|h|c|f)?"
_NUCLEUS = (
    r"(?:yeo|yae|yoo|you|wae|weo|eui|wee|ae|ai|ya|eo|ye|oe|oi|wa|yo|wo|we|wi|yu|eu|ui|oo|ou|ee|yi|ie"
    r"|a|e|i|o|u)"
)
_CODA = r"(?:ng|rk|hn|k|n|t|l|m|p|h|g|r)?"
# A name part is one syllable (family name) or two (a given name, joined); longer words are not Korean.
_KOREAN_WORD = re.compile(rf"(?:{_ONSET}{_NUCLEUS}{_CODA}){{1,2}}")


# Common Korean family names (Statistics Korea, 2015 Population and Housing Census: those borne by
# about 10,000 people or more), in Hangul; spellings are compared by `korean_key`. Left out: 왕 and
# 인, spelt like the far more common Chinese Wang and Lin. A name is taken for Korean only when one
# of its parts can be one of these, so that "Hakki Sanli" or "Thura Lwin", whose parts merely sound
# like Korean syllables, are matched as what they are.
KOREAN_SURNAMES = tuple(
    "김이박최정강조윤장임한오서신권황안송전홍유고문양손배백허남심노하곽성차주우구민류나진"
    "지엄채원천방공현함변염여추도소석선설마길연위표명기반라금옥육맹제모탁국어은편용예경봉계"
)  # one syllable each


_INITIAL_R_BEFORE_I = re.compile(r"^(rh|r|l)(?=[iy]|ee)")
_INITIAL_R = re.compile(r"^rh?(?=[aeou])")
_R_AFTER_CLOSED = re.compile(r"(?<=[bcdgkmnpt])r(?=[aeiouy])")
_SILENT_H = re.compile(r"(?<=[aeiouwy])h(?![aeiouwy])")


def looks_korean(token: str) -> bool:
    """Could this Latin token be a romanised Korean name part (one or two syllables)?"""
    return token.isascii() and _KOREAN_WORD.fullmatch(token) is not None


@lru_cache(maxsize=200_000)
def korean_key(token: str) -> str:
    """The spelling-independent key of a romanised Korean name part.

    "jeongcheol", "jong" + "chol", "chungchul" -> "concor"; "park", "pak", "bak" -> "pak";
    "lee", "ri", "rhee", "rhie", "yi" -> "i"; "choi", "choe", "chwe" -> "cwe".
    """
    word = token.lower().replace("-", "").replace("'", "")
    word = _INITIAL_R_BEFORE_I.sub("", word)  # initial-sound rule: Ri/Rim/Ryu -> I/Im/Yu
    word = _INITIAL_R.sub("n", word)  # Ro/Ra -> No/Na
    # ㄹ after a closed syllable is said n and often not written: "Kukryol" = "Kuk-Ryol" = "Kukyeol".
    word = _R_AFTER_CLOSED.sub("", word)
    out = []
    for chunk in _CHUNKS.findall(word):
        if chunk[0] in "aeiouwy":
            out.append(_VOWEL_FOLD.get(chunk, chunk))
        else:
            out.append(_fold_consonants(chunk))
    key = "".join(out)
    return _SILENT_H.sub("", key)  # Oh, Noh, Ahn, Suh: silent h


def _fold_consonants(chunk: str) -> str:
    for spelling, folded in _CONSONANT_FOLD:
        chunk = chunk.replace(spelling, folded)
    return chunk


_COMPOUND_FINALS = {3, 5, 6, 9, 10, 11, 12, 13, 14, 15, 18}


@lru_cache(maxsize=1)
def hangul_by_spelling() -> dict[str, str]:
    """Romanised syllable (DPRK, McCune-Reischauer or Revised) -> the most likely Hangul syllable.

    Built from the jamo tables; earlier spellings win (DPRK first: OFAC's "jong" is 정).
    """
    table: dict[str, str] = {}
    for initials, vowels in ((INITIALS_DPRK, VOWELS_MR), (INITIALS_MR, VOWELS_MR), (INITIALS_RR, VOWELS_RR)):
        for code in range(_HANGUL_LAST - _HANGUL_FIRST + 1):
            initial, rest = divmod(code, 21 * 28)
            vowel, final = divmod(rest, 28)
            if final in _COMPOUND_FINALS:
                continue  # rare in names: 김 (m), not 긺 (lm)
            spelling = initials[initial] + vowels[vowel] + FINALS_RR[final]
            table.setdefault(spelling, chr(_HANGUL_FIRST + code))
    return table


@lru_cache(maxsize=1)
def _surname_keys() -> frozenset[str]:
    return frozenset(korean_key(romanize_syllable(surname)) for surname in KOREAN_SURNAMES)


def is_korean_surname(token: str) -> bool:
    """Could this Latin token be a Korean family name ("Lee", "Ri", "Choe", "Park", "Gim")?"""
    return looks_korean(token) and korean_key(token) in _surname_keys()
