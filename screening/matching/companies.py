"""Company names as comparable tokens: company forms in any language set aside, words folded.

"Siemens Aktiengesellschaft", "SIEMENS AG" and "Siemens" all become ("siemens",); "A.B.C.
Company" becomes ("abc",); "CRYSTALORD LIMITED" and "CRYSTALORD LTD" both ("crystalord",).
Company forms come from cleanco's table of legal terms per country (a maintained library),
plus the spelled-out and non-Latin forms it lacks (Aktiengesellschaft, 有限公司, ООО...).
Digits are kept: "Unit 110" is not "Unit 7".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from anyascii import anyascii
from cleanco.termdata import terms_by_country, terms_by_type

from screening.matching.text import HOMOGLYPHS, strip_invisible

# Spelled-out forms cleanco does not list, in the words applicants and lists use (after our own
# folding to lower-case ASCII).
EXTRA_FORMS = (
    "aktiengesellschaft", "gesellschaft mit beschrankter haftung", "kommanditgesellschaft",
    "societe anonyme", "societe a responsabilite limitee", "sociedad anonima", "sociedad limitada",
    "societa per azioni", "societa a responsabilita limitata", "naamloze vennootschap",
    "besloten vennootschap", "aktiebolag", "aksjeselskap", "osakeyhtio", "spolka akcyjna",
    "jsc", "ojsc", "cjsc", "pjsc", "pao", "zao", "ao", "tov", "pvt", "pvt ltd", "private limited",
    "limited liability company", "limited liability partnership", "limited company",
    "joint stock company", "open joint stock company", "closed joint stock company",
    "public joint stock company", "joint stock commercial bank", "public limited company",
    "joint stock", "open joint stock", "closed joint stock", "public joint stock",
    "obshchestvo s ogranichennoy otvetstvennostyu", "obshchestvo s ogranichennoi otvetstvennostyu",
    "aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo", "kabushiki kaisha",
    "yugen kaisha", "godo kaisha",
    "jusikhoesa", "jusik hoesa", "chusik hoesa", "sdn bhd", "berhad", "sendirian berhad",
    "fze", "fzco", "fzc", "fz llc", "fzllc", "co ltd", "corp", "inc", "llc", "ltd", "plc",
    "sab de cv", "sapi de cv", "s de rl de cv", "tbk", "persero tbk",
)  # fmt: skip
# Forms that stand before the name ("OOO Alfa", "LLC SKT", "JSC SUEK", "PT Telkom"): only these
# are taken from the front, so a name that merely starts with two letters ("KB Financial") keeps them.
PREFIX_FORMS = (
    "llc", "ooo", "oao", "zao", "pao", "ao", "jsc", "ojsc", "cjsc", "pjsc", "tov", "pt", "cv",
    "limited liability company", "joint stock company", "open joint stock company",
    "closed joint stock company", "public joint stock company", "private joint stock company",
    "obshchestvo s ogranichennoy otvetstvennostyu", "obshchestvo s ogranichennoi otvetstvennostyu",
    "aktsionernoe obshchestvo", "otkrytoe aktsionernoe obshchestvo",
    "zakrytoe aktsionernoe obshchestvo", "publichnoe aktsionernoe obshchestvo", "the",
)  # fmt: skip
# Company forms written in Han, kana or Hangul (taken off before transliteration, which would
# otherwise run them into the name: "华为技术有限公司" -> "huaweijishuyouxiangongsi").
CJK_FORMS = (
    "股份有限公司", "有限责任公司", "有限責任公司", "有限公司", "株式会社", "有限会社", "合同会社",
    "주식회사", "(주)", "㈜", "유한회사", "유한책임회사",
)  # fmt: skip
STOPWORDS = frozenset({"and", "of", "the", "for"})
# Abbreviations applicants use for words a listed company name spells out.
COMPANY_WORDS = {
    "tech": "technology", "technologies": "technology", "technological": "technology",
    "intl": "international", "int": "international", "natl": "national", "svc": "service",
    "svcs": "service", "services": "service", "dev": "development", "mfg": "manufacturing",
    "ind": "industrial", "industries": "industrial", "industry": "industrial", "trade": "trading",
    "sys": "systems", "system": "systems", "info": "information", "it": "information technology",
    "sw": "software",
    "net": "network", "networks": "network", "assoc": "association", "bros": "brothers",
    "mgmt": "management", "solutions": "solution", "univ": "university", "inst": "institute",
}  # fmt: skip
# "S.A.R.L.", "B.V", "A.B.C.": dotted letters are one abbreviation, not several initials.
_DOTTED_ABBREVIATION = re.compile(r"(?<!\w)[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")
_AMPERSAND_IN_WORD = re.compile(r"(?<=\w)&(?=\w)")  # "AT&T", "P&G": one word
_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")


@dataclass(frozen=True, slots=True)
class CompanyForm:
    """A company name ready to compare: its tokens in typed order, and the forms set aside."""

    original: str
    tokens: tuple[str, ...]
    forms: tuple[str, ...] = field(default=())  # company forms removed, as tokens ("ag", "ltd")


@cache
def _form_phrases() -> tuple[dict[int, frozenset[tuple[str, ...]]], frozenset[tuple[str, ...]]]:
    """(every form as a token tuple, by length in words; the forms allowed before the name)."""
    terms = {t for group in (*terms_by_type.values(), *terms_by_country.values()) for t in group}
    phrases = {_plain_tokens(term) for term in (*terms, *EXTRA_FORMS)}
    phrases.discard(())
    by_size: dict[int, set[tuple[str, ...]]] = {}
    for phrase in phrases:
        by_size.setdefault(len(phrase), set()).add(phrase)
    ordered = {size: frozenset(by_size[size]) for size in sorted(by_size, reverse=True)}
    return ordered, frozenset(_plain_tokens(term) for term in PREFIX_FORMS)


@cache
def _types_of_forms() -> dict[tuple[str, ...], frozenset[str]]:
    """cleanco's kind of each form ("Corporation", "Limited"...), by its tokens."""
    kinds: dict[tuple[str, ...], set[str]] = {}
    for kind, terms in terms_by_type.items():
        for term in terms:
            kinds.setdefault(_plain_tokens(term), set()).add(kind)
    return {tokens: frozenset(k) for tokens, k in kinds.items()}


def same_kind_of_company(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Do two sets of company forms say the same kind of company ("Co." and "Company", "Ltd" and
    "Limited")? Forms cleanco does not classify agree only when spelled alike."""
    if not a or not b:
        return False
    kinds = _types_of_forms()

    def kinds_of(forms: tuple[str, ...]) -> frozenset[str]:
        return kinds.get(forms, frozenset()).union(*(kinds.get((f,), frozenset()) for f in forms))

    return a == b or bool(kinds_of(a) & kinds_of(b))


def _plain_tokens(text: str) -> tuple[str, ...]:
    """Lower-case ASCII words of a text, dotted abbreviations joined, apostrophes dropped."""
    text = _DOTTED_ABBREVIATION.sub(lambda m: m.group().replace(".", ""), text)
    text = _AMPERSAND_IN_WORD.sub("", text).replace("&", " and ")
    ascii_text = anyascii(strip_invisible(text)).lower().replace("'", "").replace("`", "")
    return tuple(_ORDINAL.sub(r"\1", word) for word in re.split(r"[^a-z0-9]+", ascii_text) if word)


@lru_cache(maxsize=100_000)
def company_name(raw: str) -> CompanyForm:
    text = unicodedata.normalize("NFKC", raw or "")
    letters = [ch for ch in text if ch.isalpha()]
    if sum(ch.isascii() for ch in letters) * 2 >= len(letters):
        text = text.translate(HOMOGLYPHS)  # Cyrillic look-alikes inside a Latin name (evasion)
    for form in CJK_FORMS:
        text = text.replace(form, " ")
    tokens = _plain_tokens(text)
    core, forms = strip_forms(tuple(t for t in tokens if t not in STOPWORDS) or tokens)
    expanded = [word for token in core for word in _expand(token)]
    if not expanded:  # a name made only of forms or stop words ("The Company"): keep it as typed
        expanded = list(tokens)
    return CompanyForm(raw, tuple(expanded), forms)


def _expand(token: str) -> list[str]:
    return COMPANY_WORDS.get(token, token).split()


def strip_forms(tokens: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Company forms taken off the end (any, longest first) and the front (PREFIX_FORMS),
    repeatedly, as long as a word of the name is left."""
    by_size, prefixes = _form_phrases()
    core, removed = tokens, ()
    while len(core) > 1:
        cut = _form_at_end(core, by_size)
        if cut:
            core, removed = core[:-cut], core[-cut:] + removed
            continue
        cut = next((len(p) for p in prefixes if len(p) < len(core) and core[: len(p)] == p), 0)
        if not cut:
            break
        core, removed = core[cut:], removed + core[:cut]
    return core, removed


def _form_at_end(core: tuple[str, ...], by_size: dict[int, frozenset[tuple[str, ...]]]) -> int:
    """How many words at the end of the name are a company form (0: none)."""
    return next((size for size, forms in by_size.items() if size < len(core) and core[-size:] in forms), 0)
