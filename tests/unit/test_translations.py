"""The UI must be fully translated: this fails on any untranslated, stale or fuzzy string."""

from hbapp.tools.check_translations import check


def test_catalogs_are_complete_and_current():
    assert check() == []
