"""The blocking index keeps the right listed name among the candidates it scores."""

from __future__ import annotations

from screening.matching import SanctionsIndex
from screening.matching.blocking import MAX_CANDIDATES
from screening.models import Applicant, Entity, EntityType, ListedName, ListSnapshot


def _person(native_id: str, name: str) -> Entity:
    return Entity(list="test", native_id=native_id, type=EntityType.INDIVIDUAL, names=[ListedName(name)])


def _family_name(seed: int) -> str:
    return "".join(chr(ord("A") + (seed // 26**k) % 26) for k in range(3)) + "LANI"


def test_a_token_that_only_starts_a_joined_pair_does_not_crowd_out_the_real_match() -> None:
    # Many listed "X, Mohammad Reza" (and "Mohammadreza" written as one word): the applicant's
    # "mohammad" only starts their joined "mohammadreza", which once counted as two tokens found
    # and pushed WAZIRI out of the names scored.
    fillers = [_person(f"f{i}", f"{_family_name(i)}, Mohammad Reza") for i in range(MAX_CANDIDATES + 5)]
    one_word = _person("f-one-word", "KARIMI, Mohammadreza")
    target = _person("15579", "MOHAMMAD JAWAD WAZIRI")
    index = SanctionsIndex([ListSnapshot("test", "v1", [*fillers, one_word, target])])

    hits = index.match(Applicant(id="a", name="Mohammad Waziri"))

    assert [h.entity_id for h in hits] == ["15579"]
    assert "not given: JAWAD" in hits[0].explanation
    assert "WAZIRI = WAZIRI" in hits[0].explanation
