"""Every message kind has texts in three languages, and renders its parameters."""

from __future__ import annotations

from hbapp.i18n import Translator
from hbapp.services.messages import MESSAGE_KINDS
from hbapp.views.messages import KINDS, render

PARAMS = {"number": "HB-2026-0042", "month": "2026-11-01", "from_date": "2026-12-01",
          "due_date": "2026-12-15", "event_date": "2026-11-03",
          "service": {"fi": "Kotihoito", "sv": "Hemvård", "en": "Home care"}}


def test_every_kind_has_texts_and_renders_in_three_languages():
    assert set(KINDS) == set(MESSAGE_KINDS)
    for kind in MESSAGE_KINDS:
        texts = [render(kind, PARAMS, Translator(lang)) for lang in ("fi", "sv", "en")]
        for text in texts:
            assert text.title and text.text
            assert "{" not in text.text and "}" not in text.text, (kind, text.text)
        # Finnish and Swedish are translations, not the English msgid.
        assert texts[0].text != texts[2].text and texts[1].text != texts[2].text, kind


def test_parameters_are_formatted_for_the_reader():
    en = render("decision_changed", PARAMS, Translator("en"))
    fi = render("decision_changed", PARAMS, Translator("fi"))
    assert "HB-2026-0042" in en.text and "Dec 1, 2026" in en.text
    assert "1.12.2026" in fi.text
    sv = render("event_cancelled", PARAMS, Translator("sv"))
    assert "Hemvård" in sv.text
    # A parameter the message lacks leaves a gap, never a crash.
    assert render("swap_approved", {}, Translator("en")).text
