"""The case worker's caseload search (issue 18, item 10)."""

from hbapp.domain.alerts import caseload_matches

AINO = ("Aino", "Virtanen", "140345-9025")


def test_names_match_in_part_and_in_any_case():
    for query in ("aino", "AINO", "virt", "Aino Virtanen", "virtanen aino", "  aino   virt  "):
        assert caseload_matches(query, *AINO), query
    for query in ("bengt", "aino lindholm", "Virtanenn"):
        assert not caseload_matches(query, *AINO), query


def test_empty_query_matches_everyone():
    assert caseload_matches("", *AINO)
    assert caseload_matches("   ", *AINO)


def test_identity_code_matches_only_exactly():
    assert caseload_matches("140345-9025", *AINO)
    assert caseload_matches("140345-9025 ", *AINO)
    assert not caseload_matches("140345-9026", *AINO)
    assert not caseload_matches("140345-902", *AINO)  # a part of a code is not a name either
    assert caseload_matches("020958-913y", "Bengt", "Lindholm", "020958-913Y")
