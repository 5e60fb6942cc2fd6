from integration.review.alignment import align_names


def test_parts_line_up_by_likeness_then_order() -> None:
    assert align_names("Lee Jeong-cheol", "RI JONG CHOL") == [
        ("RI", "Lee", 0),
        ("JONG", "Jeong", 89),
        ("CHOL", "cheol", 89),
    ]


def test_reordered_and_surplus_parts() -> None:
    rows = align_names("Kim Chol Ho Smith", "HO Kim")
    assert ("Kim", "Kim", 100) in rows and ("HO", "Ho", 100) in rows
    assert {typed for listed, typed, _ in rows if listed is None} == {"Chol", "Smith"}


def test_other_scripts_compare_in_latin_letters() -> None:
    assert align_names("Иван Петров", "PETROV Ivan") == [("PETROV", "Петров", 100), ("Ivan", "Иван", 100)]
