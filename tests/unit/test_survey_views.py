"""Plain-language survey summaries against the previous result."""

from __future__ import annotations

from datetime import datetime

from hbapp.domain.scoring import score
from hbapp.i18n import Translator
from hbapp.services.surveys import ResponseView
from hbapp.views.surveys import summary_rows


def response(instrument: str, answers: dict) -> ResponseView:
    return ResponseView(1, 1, 1, instrument, "baseline", False, 1, "en", answers,
                        score(instrument, answers), datetime(2026, 1, 15, 10, 0))


def test_promis_summary_compares_with_last_time():
    t = Translator("en")
    before = response("promis10", {"Global03": 3, "Global06": 3, "Global07r": 4, "Global08r": 3,
                                   "Global02": 3, "Global04": 4, "Global05": 4, "Global10r": 4})
    now = {"Global03": 2, "Global06": 3, "Global07r": 6, "Global08r": 2}  # GPH raw 10, no GMH
    rows = summary_rows(t, "promis10", score("promis10", now), before)
    assert rows[0]["name"] == "Your physical health score"
    assert rows[0]["now"] == "34.9 (poor)"  # not "35": that would contradict the band
    assert rows[0]["before"] == "Last time (Jan 15, 2026): 39.8 (fair)"
    assert rows[1]["now"].startswith("Could not be counted")
    assert rows[1]["before"] == "Last time (Jan 15, 2026): 50.8 (very good)"


def test_other_instruments_and_finnish():
    t = Translator("fi")
    whodas = summary_rows(t, "whodas12", score("whodas12", {f"S{i}": 2 for i in range(1, 13)}),
                          None)
    assert whodas == [{"name": "Vaikeudet arjessa", "now": "24/60", "before": ""}]
    hb = summary_rows(t, "hb-experience", score("hb-experience", {
        "heard": 4, "choose": 5, "understand": 3, "sufficient": 4, "would_keep": 1}), None)
    assert hb[0]["now"] == "4/5"  # mean 4.0
    assert hb[1]["now"] == "Haluat pitää henkilökohtaisen budjetin."
    whoqol = summary_rows(t, "whoqol-bref", score("whoqol-bref", {f"Q{i}": 3 for i in
                                                                  range(1, 27)}), None)
    assert [r["now"] for r in whoqol] == ["50/100"] * 4
