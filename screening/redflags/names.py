"""Person names reduced to comparable ASCII tokens, for identity and consistency checks only.

Nothing here scores a name's origin or script: names in any script are transliterated with
anyascii so that "김민준", "Kim Min-jun" and "Minjun Kim" reduce to comparable tokens.
"""

from __future__ import annotations

import re
from functools import cache

import jellyfish
from anyascii import anyascii

# Common English short forms: "Jon Smith" and "Jonathan Smith" are one person, so are
# "Bob" and "Robert". Short forms that are prefixes of the full name (Jon, Alex, Kate) need no entry.
NICKNAMES = {
    "bob": "robert", "rob": "robert", "bobby": "robert", "bill": "william", "will": "william",
    "billy": "william", "liz": "elizabeth", "beth": "elizabeth", "betty": "elizabeth",
    "peggy": "margaret", "maggie": "margaret", "meg": "margaret", "dick": "richard",
    "rick": "richard", "jim": "james", "jimmy": "james", "jack": "john", "johnny": "john",
    "ted": "edward", "ned": "edward", "ed": "edward", "chuck": "charles", "charlie": "charles",
    "tony": "anthony", "kate": "katherine", "katie": "katherine", "kathy": "katherine",
    "cathy": "catherine", "sasha": "alexander", "misha": "mikhail", "dima": "dmitry",
    "kolya": "nikolai", "vanya": "ivan", "pepe": "jose", "paco": "francisco", "hank": "henry",
    "harry": "henry", "sam": "samuel", "mike": "michael", "mick": "michael", "dave": "david",
    "steve": "steven", "dan": "daniel", "danny": "daniel", "chris": "christopher", "matt": "matthew",
    "nick": "nicholas", "greg": "gregory", "jeff": "jeffrey", "joe": "joseph", "larry": "lawrence",
    "sue": "susan", "jenny": "jennifer", "jen": "jennifer", "becky": "rebecca", "abby": "abigail",
}  # fmt: skip
TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "jr", "sr", "ii", "iii", "iv", "phd", "md", "esq"}


@cache
def name_tokens(name: str) -> tuple[str, ...]:
    """ASCII lower-case name parts: "Dr. Mary-Jane O'Neil" -> ("mary", "jane", "oneil")."""
    ascii_name = anyascii(name or "")
    ascii_name = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", ascii_name)  # "GimMinJun" from Hangul -> parts
    ascii_name = ascii_name.replace("'", "").replace("`", "")
    tokens = re.sub(r"[^a-z]+", " ", ascii_name.lower()).split()
    return tuple(t for t in tokens if t not in TITLES)


def _canonical_given(token: str) -> str:
    return NICKNAMES.get(token, token)


def _same_part(a: str, b: str) -> bool:
    """One name part written two ways: equal, a nickname, an initial, a short form, or a typo."""
    if a == b or _canonical_given(a) == _canonical_given(b):
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long_ = sorted((a, b), key=len)
    if len(short) >= 3 and long_.startswith(short):
        return True
    return jellyfish.jaro_winkler_similarity(a, b) >= 0.9


def same_identity(name_a: str, name_b: str) -> bool:
    """Could these two names be one person? ("Jon Smith" / "Jonathan Smith" / "Smith, Jon": yes.)

    Order-free: every part of the shorter name must pair with a distinct part of the longer
    one, and at least one paired part must be longer than an initial. Empty names never match
    (an applicant without a name is not the same identity as anyone).
    """
    a, b = name_tokens(name_a), name_tokens(name_b)
    if not a or not b:
        return False
    if "".join(sorted(a)) == "".join(sorted(b)) or "".join(a) == "".join(b):  # "Min Jun" / "Minjun"
        return True
    short, long_ = sorted((a, b), key=len)
    remaining = list(long_)
    for part in short:
        match = next((other for other in remaining if _same_part(part, other)), None)
        if match is None:
            return False
        remaining.remove(match)
    return any(len(part) > 1 for part in short)


def handle_matches_name(handle: str, name: str) -> bool | None:
    """Does an e-mail local part or profile handle look like this person's name?

    True when a part of the handle (3+ letters) is, contains or is contained in a name part, a
    nickname of one, or close to one. False only when the handle is shaped like another full
    name ("john.park": two or more parts of 3+ letters, none of them this person's); None
    otherwise ("dev4life99", "jd", "coolcoder"), since nothing can be said.
    """
    names = name_tokens(name)
    if not names:
        return None
    joined = "".join(names)
    parts = [p for p in re.split(r"[^a-z]+", anyascii(handle or "").lower()) if len(p) >= 3]
    if not parts:
        return None
    for part in parts:
        if part in joined or any(n in part for n in names if len(n) >= 3):
            return True
        if any(_same_part(part, n) for n in names):
            return True
    segments = re.split(r"[._\-]+", anyascii(handle).lower().strip("._-"))
    name_shaped = len(segments) >= 2 and all(s.isalpha() and len(s) >= 3 for s in segments)
    return False if name_shaped else None
