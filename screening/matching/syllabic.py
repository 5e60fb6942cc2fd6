"""Names written syllable by syllable: Korean and Chinese names in Latin letters.

Such a name is a family name of one syllable and a given name of one or two, romanised in any
system (Korean: Revised, McCune-Reischauer, DPRK; Chinese: pinyin, Wade-Giles, Cantonese,
Hokkien). Each syllable is part of the name: "Kwang" is not short for "Kwang-il", nor "Ping" for
"Ping-keung", so these names have no optional parts, a cut on a syllable boundary is another
name, and the sound-alike rules for other names would make different syllables agree.

The shape alone (one or two syllables a part) fits "Hakki Sanli" or "Thura Lwin" too, so a name is
taken for Korean or Chinese only when one part can also be a common Korean or Chinese family name.
"""

from __future__ import annotations

import importlib.util
import json
import re
from collections.abc import Iterable
from enum import IntEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

from anyascii import anyascii

from screening.matching.korean import hangul_by_spelling, is_korean_surname, looks_korean


def _load_chinese_surnames() -> frozenset[str]:
    text = resources.files("screening.matching").joinpath("chinese_surnames.txt").read_text("utf-8")
    return frozenset(word for line in text.splitlines() if not line.startswith("#") for word in line.split())


CHINESE_SURNAMES = _load_chinese_surnames()  # Korean spellings also match korean.KOREAN_SURNAMES

_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|iao|ian|ing|uai|uan|ang|eng|ong|ai|ei|ao|ou|an|en|er|ia|ie|iu|in|ua|uo|ui|un"
    r"|ue|ve|a|o|e|i|u|v)"
)
_PINYIN_WORD = re.compile(rf"(?:{_PINYIN_SYLLABLE}){{1,2}}")


class NameShape(IntEnum):
    OTHER = 0
    SYLLABLES = 1  # every part is one or two romanised Korean or Chinese syllables
    EAST_ASIAN = 2  # ... and one part can be a common Korean or Chinese family name


@lru_cache(maxsize=200_000)
def syllable_shaped(token: str) -> bool:
    """Could this token be one or two romanised Korean or Chinese syllables?"""
    return looks_korean(token) or (token.isascii() and _PINYIN_WORD.fullmatch(token) is not None)


@lru_cache(maxsize=50_000)  # an applicant's name is compared with each of its candidates
def name_shape(tokens: tuple[str, ...]) -> NameShape:
    if not tokens or not all(syllable_shaped(t) for t in tokens):
        return NameShape.OTHER
    if any(t in CHINESE_SURNAMES or is_korean_surname(t) for t in tokens):
        return NameShape.EAST_ASIAN
    return NameShape.SYLLABLES


class SyllableMode(IntEnum):
    OFF = 0
    SOUNDS = 1  # syllable by syllable, spelt through a script that merges some ("Ким Сан" for 김상)
    SPELLED = 2  # ... and spelt as typed: two different real syllables are two names


# Scripts whose names reach us with every syllable spelt apart: typed in Latin letters, or Hangul
# and Han read through our own tables. Cyrillic (Kontsevich writes 상 and 산 alike) does not.
SPELLED_SCRIPTS = frozenset({"latin", "hangul", "cjk"})


def syllable_mode(applicant: NameShape, listed: NameShape, script: str) -> SyllableMode:
    """Compare two names syllable by syllable when both have the shape and one is Korean or Chinese
    ("Sang-hun Gang" is not "KHUN, Saeng" by sound)."""
    if min(applicant, listed) < NameShape.SYLLABLES or max(applicant, listed) < NameShape.EAST_ASIAN:
        return SyllableMode.OFF
    return SyllableMode.SPELLED if script in SPELLED_SCRIPTS else SyllableMode.SOUNDS


@lru_cache(maxsize=1)
def _syllable_spellings() -> frozenset[str]:
    """Every romanised Korean syllable (Revised, McCune-Reischauer, DPRK) and every toneless pinyin one."""
    readings = {
        readings.split(",")[0] for readings in _pypinyin_readings()
    }  # 42,000 characters, 1,500 readings
    pinyin = {anyascii(reading) for reading in readings}
    return frozenset(hangul_by_spelling()) | {p for p in pinyin if p.isalpha()}


def _pypinyin_readings() -> Iterable[str]:
    """The readings of every character, from pypinyin's data file: importing pypinyin loads its
    phrase dictionary too (35 MB, about 1 s), which only names typed in Han characters need."""
    package = importlib.util.find_spec("pypinyin")
    path = Path(next(iter(package.submodule_search_locations))) / "pinyin_dict.json"
    return json.loads(path.read_text("utf-8")).values()


@lru_cache(maxsize=100_000)
def real_syllables(token: str) -> bool:
    """Is this token one or two real romanised syllables ("yang", "guiying"), not a typo of one
    ("wag", "chem")?"""
    spellings = _syllable_spellings()
    return token in spellings or any(
        token[:i] in spellings and token[i:] in spellings for i in range(1, len(token))
    )


def cut_between_syllables(prefix: str, whole: str) -> bool:
    """Is `prefix` whole syllables of `whole` ("Jing" of "Jinghe"), or another syllable ("Huan" of
    "Huang": n and ng finals tell syllables apart), not a cut inside one ("Dongmi" of "Dongming")?"""
    rest = whole[len(prefix) :]
    return syllable_shaped(prefix) and (syllable_shaped(rest) or rest[:1] in ("-", "'") or len(rest) < 2)
