"""The UI must be fully translated: this fails on any untranslated, stale or fuzzy string."""

from hbapp.tools.check_translations import check


def test_catalogs_are_complete_and_current():
    assert check() == []


def test_every_message_is_written_where_the_extractor_finds_it():
    """`self._t()("...")` hides the message from pybabel (it extracts `t("...")` calls, not a
    call of a call), so such a string would never be translated: bind `t = self._t()` first."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "hbapp"
    hidden = [f"{path.relative_to(root)}:{number}"
              for path in root.rglob("*.py")
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"_t\(\)\(\s*[\"']", line)]
    assert hidden == []
