"""The case-worker alert rules (hbapp.domain.alerts)."""

from __future__ import annotations

from datetime import date, datetime
from fractions import Fraction

import pytest

from hbapp.domain.alerts import (
    ALERT_TYPES,
    Alert,
    CaseloadRow,
    ClientFacts,
    OpenSurvey,
    ScoredResponse,
    budget_alert,
    client_alerts,
    count_by_type,
    filter_rows,
    overdue_surveys,
    promis_drops,
    sort_rows,
    whoqol_drops,
)

TODAY = date(2026, 3, 15)


def promis(day: int, gph: float | None, gmh: float | None, month: int = 1) -> ScoredResponse:
    return ScoredResponse("promis10", datetime(2026, month, day, 10),
                          {"gph": {"t": gph, "se": 4.1}, "gmh": {"t": gmh, "se": 3.6}})


def whoqol(day: int, month: int = 1, **domains) -> ScoredResponse:
    scores = {d: {"score": domains.get(d, 50.0)}
              for d in ("physical", "psychological", "social", "environment")}
    return ScoredResponse("whoqol-bref", datetime(2026, month, day, 10), scores)


@pytest.mark.parametrize(
    "before, after, alerted",
    [(50.8, 45.8, True), (50.8, 45.9, False), (50.8, 38.8, True), (40.0, 50.0, False)],
)
def test_promis_drop_threshold_is_five_points(before, after, alerted):
    alerts = promis_drops([promis(1, 40, before), promis(20, 40, after)])
    assert bool(alerts) is alerted
    if alerted:
        assert alerts == [Alert("promis_drop", "gmh", before, after)]


def test_promis_compares_the_latest_with_the_previous_answer_only():
    # A drop long ago, then a recovery: no alert now. Input order does not matter.
    responses = [promis(20, 50, 50, month=2), promis(1, 60, 60), promis(10, 50, 50)]
    assert promis_drops(responses) == []
    responses.append(promis(1, 44.9, 50, month=3))
    assert promis_drops(responses) == [Alert("promis_drop", "gph", 50, 44.9)]


def test_promis_missing_subscale_or_single_answer_gives_no_alert():
    assert promis_drops([promis(1, 60, 60)]) == []
    assert promis_drops([promis(1, 60, None), promis(2, 40, None)]) == [
        Alert("promis_drop", "gph", 60, 40)
    ]
    assert promis_drops([promis(1, None, 60), promis(2, 40, 60)]) == []


def test_whoqol_domain_drop_threshold_is_ten():
    assert whoqol_drops([whoqol(1, environment=78.125), whoqol(2, environment=56.25)]) == [
        Alert("whoqol_drop", "environment", 78.125, 56.25)
    ]
    assert whoqol_drops([whoqol(1, social=60.0), whoqol(2, social=50.0)]) == [
        Alert("whoqol_drop", "social", 60.0, 50.0)
    ]
    assert whoqol_drops([whoqol(1, social=60.0), whoqol(2, social=50.01)]) == []
    # Other instruments never count as WHOQOL answers.
    assert whoqol_drops([promis(1, 60, 60), whoqol(2, social=10.0)]) == []


def test_overdue_surveys():
    surveys = [
        OpenSurvey(date(2026, 3, 14)),  # overdue
        OpenSurvey(date(2026, 3, 15)),  # due today: not yet
        OpenSurvey(date(2026, 3, 1), completed=True),
        OpenSurvey(date(2026, 3, 1), cancelled=True),
        OpenSurvey(date(2026, 2, 1)),  # overdue
    ]
    assert overdue_surveys(surveys, TODAY) == 2


def test_budget_alert_bounds():
    assert budget_alert(100_000, 29_999, TODAY) == Alert("budget_low", after=30.0)
    assert budget_alert(100_000, 30_000, TODAY) is None
    assert budget_alert(100_000, 100_000, TODAY) is None
    assert budget_alert(100_000, 100_001, TODAY) == Alert("budget_high", after=100.0)
    assert budget_alert(100_000, 150_000, TODAY).after == 150.0
    # Early in the month a low pace is not yet an alert; a high one is.
    assert budget_alert(100_000, 10_000, date(2026, 3, 6)) is None
    assert budget_alert(100_000, 120_000, date(2026, 3, 2)).kind == "budget_high"
    assert budget_alert(None, 10, TODAY) is None
    assert budget_alert(0, 10, TODAY) is None
    assert budget_alert(100_000, None, TODAY) is None


def test_client_alerts_combines_every_rule_in_type_order():
    facts = ClientFacts(
        responses=(promis(1, 50, 50), promis(2, 40, 50), whoqol(1, physical=80.0),
                   whoqol(2, physical=60.0)),
        surveys=(OpenSurvey(date(2026, 3, 1)),),
        open_flags=2,
        pending_swaps=1,
        open_disputes=1,
        budget_cents=100_000,
        projected_used_cents=120_000,
    )
    alerts = client_alerts(facts, TODAY)
    assert [a.kind for a in alerts] == [
        "promis_drop", "whoqol_drop", "survey_overdue", "feedback_flag", "swap_pending",
        "dispute_open", "budget_high",
    ]
    assert alerts[3].count == 2
    assert client_alerts(ClientFacts(), TODAY) == []


def test_count_by_type_counts_clients_not_alerts():
    counts = count_by_type([
        [Alert("promis_drop", "gph"), Alert("promis_drop", "gmh")],
        [Alert("promis_drop", "gmh"), Alert("feedback_flag")],
        [],
    ])
    assert set(counts) == set(ALERT_TYPES)
    assert counts["promis_drop"] == 2
    assert counts["feedback_flag"] == 1
    assert counts["budget_low"] == 0


def rows():
    return [
        CaseloadRow(1, "Virtanen", "Aino", True, (Alert("promis_drop"), Alert("feedback_flag")),
                    Fraction(78, 100)),
        CaseloadRow(2, "Lindholm", "Bengt", True, (Alert("whoqol_drop"),), Fraction(61, 100)),
        CaseloadRow(3, "Nyström", "Greta", False),
        CaseloadRow(4, "Karjalainen", "Matti", True, (), Fraction(105, 100)),
    ]


def test_sort_rows():
    assert [r.client_id for r in sort_rows(rows(), "name")] == [4, 2, 3, 1]
    assert [r.client_id for r in sort_rows(rows(), "alerts")] == [1, 2, 4, 3]
    assert [r.client_id for r in sort_rows(rows(), "budget")] == [4, 1, 2, 3]
    with pytest.raises(ValueError):
        sort_rows(rows(), "age")


def test_filter_rows():
    assert [r.client_id for r in filter_rows(rows(), "promis_drop")] == [1]
    assert [r.client_id for r in filter_rows(rows(), "swap_pending")] == []
    assert len(filter_rows(rows(), "")) == 4
