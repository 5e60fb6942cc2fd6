"""The blocking index keeps the right listed name among the candidates it scores."""

from __future__ import annotations

from screening.matching import SanctionsIndex
from screening.matching.blocking import MAX_CANDIDATES, best_per_owner
from screening.models import Applicant, Entity, EntityType, ListedName, ListSnapshot, NameKind


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


def test_the_same_applicant_gets_the_same_hits_whatever_order_the_candidates_come_in(monkeypatch) -> None:
    # Two names of one entry score alike against the applicant; which one is the match (and so
    # the hit's key a reviewer's decision is stored under) must not depend on the order the
    # blocking index found them in, which varies with set iteration between processes.
    from screening.matching.blocking import NameIndex
    from store.review import hit_key

    entry = Entity(
        list="test",
        native_id="1",
        type=EntityType.INDIVIDUAL,
        names=[ListedName("KIM, Yong Chol"), ListedName("KIM, Yong-Chol", NameKind.AKA)],
    )
    other = _person("2", "KIM, Yong Chul")
    index = SanctionsIndex([ListSnapshot("test", "v1", [entry, other])])
    applicant = Applicant(id="a", name="Yong Chol Kim")
    found = NameIndex.candidate_ids

    def keys(order) -> list[str]:
        monkeypatch.setattr(
            NameIndex, "candidate_ids", lambda self, form, **kw: order(found(self, form, **kw))
        )
        return [hit_key(hit) for hit in index.match(applicant)]

    as_found = keys(list)
    assert as_found and as_found == keys(lambda ids: ids[::-1]) == keys(lambda ids: sorted(ids, key=hash))
    assert index.match(applicant)[0].matched_name == "KIM, Yong Chol"  # the first listed of equals


def test_each_owner_keeps_its_best_name_at_the_floor_the_first_of_equal_scores() -> None:
    owners, scores = [7, 7, 8, 7, 9], [80.0, 90.0, 71.9, 90.0, 72.0]
    assert best_per_owner(owners, scores, floor=72.0) == {7: 1, 9: 4}
