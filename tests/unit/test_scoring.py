"""Scoring of PROMIS-10, WHOQOL-BREF, WHODAS 12 and our HB experience questionnaire.

Expected numbers are typed here from /work/shared/instruments.md, independently of the
JSON files under surveys/, so a wrong number in either place makes a test fail.
"""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain import scoring
from hbapp.domain.scoring import (
    ScoringError,
    load_instrument,
    promis_band,
    score,
    score_hb_experience,
    score_promis10,
    score_whodas12,
    score_whoqol_bref,
    validate_answers,
)

# --------------------------------------------------------------------------- PROMIS-10

# raw: (GPH T, GPH SE, GMH T, GMH SE) — the published v1.2 table.
PROMIS_TABLE = {
    4: (16.2, 4.8, 21.2, 4.6),
    5: (19.9, 4.7, 25.1, 4.1),
    6: (23.5, 4.5, 28.4, 3.9),
    7: (26.7, 4.3, 31.3, 3.7),
    8: (29.6, 4.2, 33.8, 3.7),
    9: (32.4, 4.2, 36.3, 3.7),
    10: (34.9, 4.1, 38.8, 3.6),
    11: (37.4, 4.1, 41.1, 3.6),
    12: (39.8, 4.1, 43.5, 3.6),
    13: (42.3, 4.2, 45.8, 3.6),
    14: (44.9, 4.3, 48.3, 3.7),
    15: (47.7, 4.4, 50.8, 3.7),
    16: (50.8, 4.6, 53.3, 3.7),
    17: (54.1, 4.7, 56.0, 3.8),
    18: (57.7, 4.9, 59.0, 3.9),
    19: (61.9, 5.2, 62.5, 4.2),
    20: (67.7, 5.9, 67.6, 5.3),
}
assert sorted(PROMIS_TABLE) == list(range(4, 21))

# Global07r (0–10, 0 = no pain) → Global07rc (1–5).
PAIN_RECODE = {0: 5, 1: 4, 2: 4, 3: 4, 4: 3, 5: 3, 6: 3, 7: 2, 8: 2, 9: 2, 10: 1}
# A pain answer that recodes to each 1–5 value.
PAIN_FOR = {5: 0, 4: 2, 3: 5, 2: 8, 1: 10}

GPH_ITEMS = ("Global03", "Global06", "Global07rc", "Global08r")
GMH_ITEMS = ("Global02", "Global04", "Global05", "Global10r")


def split_raw(raw: int) -> list[int]:
    """Four item values 1–5 that add up to `raw` (4–20)."""
    left = raw - 4
    values = []
    for _ in range(4):
        extra = min(4, left)
        values.append(1 + extra)
        left -= extra
    assert sum(values) == raw
    return values


def promis_answers(gph: list[int] | None = None, gmh: list[int] | None = None, **extra) -> dict:
    gph = gph or [3, 3, 3, 3]
    gmh = gmh or [3, 3, 3, 3]
    answers = {k: v for k, v in zip(GMH_ITEMS, gmh)}
    for key, value in zip(GPH_ITEMS, gph):
        if key == "Global07rc":
            answers["Global07r"] = PAIN_FOR[value]
        else:
            answers[key] = value
    answers.update(Global01=3, Global09r=3)
    answers.update(extra)
    return answers


@pytest.mark.parametrize("raw", sorted(PROMIS_TABLE))
def test_promis_gph_table(raw):
    t, se, _, _ = PROMIS_TABLE[raw]
    result = score_promis10(promis_answers(gph=split_raw(raw)))
    assert result["gph"] == {"raw": raw, "t": t, "se": se}


@pytest.mark.parametrize("raw", sorted(PROMIS_TABLE))
def test_promis_gmh_table(raw):
    _, _, t, se = PROMIS_TABLE[raw]
    result = score_promis10(promis_answers(gmh=split_raw(raw)))
    assert result["gmh"] == {"raw": raw, "t": t, "se": se}


@pytest.mark.parametrize("pain, recoded", sorted(PAIN_RECODE.items()))
def test_promis_pain_recode(pain, recoded):
    answers = {"Global03": 1, "Global06": 1, "Global08r": 1, "Global07r": pain}
    result = score_promis10(answers)
    assert result["gph"]["raw"] == 3 + recoded
    assert result["gph"]["t"] == PROMIS_TABLE[3 + recoded][0]


def test_promis_pain_is_not_used_unrecoded():
    # 10 = worst pain must lower GPH, 0 = no pain must raise it.
    best = score_promis10(promis_answers(gph=[5, 5, 5, 5]))
    worst_pain = score_promis10({**promis_answers(gph=[5, 5, 5, 5]), "Global07r": 10})
    assert best["gph"]["raw"] == 20
    assert worst_pain["gph"]["raw"] == 16


def test_promis_order_of_items_inside_subscale_does_not_matter():
    a = score_promis10(promis_answers(gph=[5, 1, 3, 2], gmh=[1, 2, 4, 5]))
    b = score_promis10(promis_answers(gph=[2, 3, 1, 5], gmh=[5, 4, 2, 1]))
    assert a["gph"] == b["gph"] == {"raw": 11, "t": 37.4, "se": 4.1}
    assert a["gmh"] == b["gmh"] == {"raw": 12, "t": 43.5, "se": 3.6}


@pytest.mark.parametrize("missing", GPH_ITEMS)
def test_promis_gph_needs_all_four_items(missing):
    answers = promis_answers()
    answers.pop("Global07r" if missing == "Global07rc" else missing)
    result = score_promis10(answers)
    assert result["gph"] == {"raw": None, "t": None, "se": None}
    assert result["gmh"] == {"raw": 12, "t": 43.5, "se": 3.6}


@pytest.mark.parametrize("missing", GMH_ITEMS)
def test_promis_gmh_needs_all_four_items(missing):
    answers = promis_answers()
    answers[missing] = None  # None is "not answered", the same as a missing key
    result = score_promis10(answers)
    assert result["gmh"] == {"raw": None, "t": None, "se": None}
    assert result["gph"] == {"raw": 12, "t": 39.8, "se": 4.1}


def test_promis_global01_and_09r_are_single_items_outside_subscales():
    low = score_promis10(promis_answers(Global01=1, Global09r=1))
    high = score_promis10(promis_answers(Global01=5, Global09r=5))
    assert (low["global01"], low["global09r"]) == (1, 1)
    assert (high["global01"], high["global09r"]) == (5, 5)
    assert low["gph"] == high["gph"] and low["gmh"] == high["gmh"]
    # Global01 and Global09r alone give no subscale.
    only = score_promis10({"Global01": 4, "Global09r": 2})
    assert only == {
        "gph": {"raw": None, "t": None, "se": None},
        "gmh": {"raw": None, "t": None, "se": None},
        "global01": 4,
        "global09r": 2,
    }


def test_promis_empty_answers():
    result = score_promis10({})
    assert result["gph"]["t"] is None and result["gmh"]["t"] is None
    assert result["global01"] is None and result["global09r"] is None


@pytest.mark.parametrize(
    "subscale, t, band",
    [
        ("gph", 67.7, "excellent"),
        ("gph", 58.0, "excellent"),
        ("gph", 57.9, "very_good"),
        ("gph", 50.0, "very_good"),
        ("gph", 49.9, "good"),
        ("gph", 42.0, "good"),
        ("gph", 41.9, "fair"),
        ("gph", 35.0, "fair"),
        ("gph", 34.9, "poor"),
        ("gph", 16.2, "poor"),
        ("gmh", 56.0, "excellent"),
        ("gmh", 55.9, "very_good"),
        ("gmh", 48.0, "very_good"),
        ("gmh", 47.9, "good"),
        ("gmh", 40.0, "good"),
        ("gmh", 39.9, "fair"),
        ("gmh", 29.0, "fair"),
        ("gmh", 28.9, "poor"),
        ("gmh", 21.2, "poor"),
    ],
)
def test_promis_band(subscale, t, band):
    assert promis_band(subscale, t) == band


def test_promis_band_rejects_unknown_subscale():
    with pytest.raises(ValueError):
        promis_band("physical", 50.0)


def test_promis_print_order_and_options():
    inst = load_instrument("promis10")
    keys = [item["key"] for item in inst["items"]]
    assert keys == [
        "Global01", "Global02", "Global03", "Global04", "Global05",
        "Global09r", "Global06", "Global10r", "Global08r", "Global07r",
    ]  # fmt: skip
    by_key = {item["key"]: item for item in inst["items"]}
    assert [(o["label"]["en"], o["value"]) for o in by_key["Global01"]["options"]] == [
        ("Excellent", 5), ("Very good", 4), ("Good", 3), ("Fair", 2), ("Poor", 1),
    ]  # fmt: skip
    assert [o["value"] for o in by_key["Global06"]["options"]] == [5, 4, 3, 2, 1]
    assert by_key["Global06"]["options"][0]["label"]["en"] == "Completely"
    assert by_key["Global10r"]["options"][0]["label"]["en"] == "Never"
    assert by_key["Global08r"]["options"][-1]["label"]["en"] == "Very severe"
    assert by_key["Global07r"]["scale"]["min"] == 0
    assert by_key["Global07r"]["scale"]["max"] == 10


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=8, max_size=8), st.integers(0, 10))
def test_promis_random_full_answers_hit_the_table(values, pain):
    answers = dict(zip(["Global03", "Global06", "Global08r", *GMH_ITEMS], values[:7]))
    answers["Global07r"] = pain
    answers["Global01"] = values[7]
    result = score_promis10(answers)
    gph_raw = values[0] + values[1] + values[2] + PAIN_RECODE[pain]
    gmh_raw = sum(values[3:7])
    assert result["gph"] == {"raw": gph_raw, "t": PROMIS_TABLE[gph_raw][0],
                             "se": PROMIS_TABLE[gph_raw][1]}  # fmt: skip
    assert result["gmh"] == {"raw": gmh_raw, "t": PROMIS_TABLE[gmh_raw][2],
                             "se": PROMIS_TABLE[gmh_raw][3]}  # fmt: skip


# --------------------------------------------------------------------------- WHOQOL-BREF

WHOQOL_DOMAINS = {
    "physical": ["Q3", "Q4", "Q10", "Q15", "Q16", "Q17", "Q18"],
    "psychological": ["Q5", "Q6", "Q7", "Q11", "Q19", "Q26"],
    "social": ["Q20", "Q21", "Q22"],
    "environment": ["Q8", "Q9", "Q12", "Q13", "Q14", "Q23", "Q24", "Q25"],
}
ALL_Q = [f"Q{i}" for i in range(1, 27)]
DOMAIN_NAMES = list(WHOQOL_DOMAINS)


def all_answers(value: int = 3) -> dict:
    return {q: value for q in ALL_Q}


def test_whoqol_all_middle_answers():
    result = score_whoqol_bref(all_answers(3))
    assert result["q1"] == 3 and result["q2"] == 3
    for name in DOMAIN_NAMES:
        assert result[name] == {"raw": 12.0, "score": 50.0}


def test_whoqol_best_answers_with_reversed_items_low():
    answers = all_answers(5)
    answers.update(Q3=1, Q4=1, Q26=1)  # reversed: 1 is the best answer
    result = score_whoqol_bref(answers)
    for name in DOMAIN_NAMES:
        assert result[name] == {"raw": 20.0, "score": 100.0}


def test_whoqol_worst_answers():
    answers = all_answers(1)
    answers.update(Q3=5, Q4=5, Q26=5)
    result = score_whoqol_bref(answers)
    for name in DOMAIN_NAMES:
        assert result[name] == {"raw": 4.0, "score": 0.0}
    assert result["q1"] == 1 and result["q2"] == 1


@pytest.mark.parametrize("item", ["Q3", "Q4"])
def test_whoqol_reverses_physical_items(item):
    # item answered 1 → reversed 5: physical mean = (5 + 6×3)/7 = 23/7.
    result = score_whoqol_bref({**all_answers(3), item: 1})
    raw = 23 / 7 * 4  # 13.142857…
    assert result["physical"] == {"raw": 13.1429, "score": round((raw - 4) * 100 / 16, 4)}
    assert result["physical"]["score"] == 57.1429
    # Answered 5 → reversed 1: (1 + 18)/7 × 4 = 10.857142…; score 42.857142…
    result = score_whoqol_bref({**all_answers(3), item: 5})
    assert result["physical"] == {"raw": 10.8571, "score": 42.8571}


def test_whoqol_reverses_q26_in_psychological():
    # Q26 = 5 ("always" negative feelings) → 1: (5×3 + 1)/6 × 4 = 10.6667; score 41.6667.
    result = score_whoqol_bref({**all_answers(3), "Q26": 5})
    assert result["psychological"] == {"raw": 10.6667, "score": 41.6667}
    result = score_whoqol_bref({**all_answers(3), "Q26": 1})
    assert result["psychological"] == {"raw": 13.3333, "score": 58.3333}


def test_whoqol_does_not_reverse_other_items():
    result = score_whoqol_bref({**all_answers(3), "Q10": 5})
    assert result["physical"] == {"raw": 13.1429, "score": 57.1429}


@pytest.mark.parametrize("item", ALL_Q[2:])
def test_whoqol_each_item_moves_only_its_own_domain(item):
    base = score_whoqol_bref(all_answers(3))
    moved = score_whoqol_bref({**all_answers(3), item: 5})
    changed = [name for name in DOMAIN_NAMES if moved[name] != base[name]]
    expected = [name for name, items in WHOQOL_DOMAINS.items() if item in items]
    assert changed == expected
    assert moved["q1"] == base["q1"] and moved["q2"] == base["q2"]


@pytest.mark.parametrize("item", ["Q1", "Q2"])
def test_whoqol_q1_q2_are_outside_domains(item):
    base = score_whoqol_bref(all_answers(3))
    moved = score_whoqol_bref({**all_answers(3), item: 5})
    assert moved[item.lower()] == 5
    assert all(moved[name] == base[name] for name in DOMAIN_NAMES)


def test_whoqol_domain_mean_uses_answered_items_only():
    answers = all_answers(4)
    answers.update(Q3=2, Q4=2, Q26=2)  # reversed → 4
    del answers["Q10"]
    result = score_whoqol_bref(answers)
    assert result["physical"] == {"raw": 16.0, "score": 75.0}


# (domain, items to drop that still leave it computed, one more item that makes it missing)
THRESHOLDS = [
    ("physical", ["Q3"], "Q4"),  # 6 of 7 ok, 5 of 7 missing
    ("psychological", ["Q5"], "Q26"),  # 5 of 6 ok, 4 of 6 missing
    ("social", ["Q20"], "Q21"),  # 2 of 3 ok, 1 of 3 missing
    ("environment", ["Q8", "Q9"], "Q12"),  # 6 of 8 ok, 5 of 8 missing
]


@pytest.mark.parametrize("domain, dropped, one_more", THRESHOLDS)
def test_whoqol_domain_minimum_answered(domain, dropped, one_more):
    answers = all_answers(3)
    for q in dropped:
        del answers[q]
    assert score_whoqol_bref(answers)[domain] == {"raw": 12.0, "score": 50.0}
    answers[one_more] = None
    result = score_whoqol_bref(answers)
    assert result[domain] == {"raw": None, "score": None}
    # the other domains and the single items are unaffected
    assert result["q1"] == 3
    for other in DOMAIN_NAMES:
        if other != domain:
            assert result[other] == {"raw": 12.0, "score": 50.0}


def test_whoqol_21_of_26_answered_is_scored():
    answers = all_answers(3)
    for q in ["Q3", "Q5", "Q20", "Q8", "Q9"]:  # each domain stays at its minimum
        del answers[q]
    assert len(answers) == 21
    result = score_whoqol_bref(answers)
    assert result["q1"] == 3 and result["q2"] == 3
    for name in DOMAIN_NAMES:
        assert result[name] == {"raw": 12.0, "score": 50.0}


def test_whoqol_fewer_than_21_answered_discards_everything():
    answers = all_answers(3)
    for q in ["Q3", "Q5", "Q20", "Q8", "Q9", "Q1"]:
        del answers[q]
    assert len(answers) == 20  # every domain would still meet its own minimum
    result = score_whoqol_bref(answers)
    assert result == {
        "q1": None,
        "q2": None,
        "physical": {"raw": None, "score": None},
        "psychological": {"raw": None, "score": None},
        "social": {"raw": None, "score": None},
        "environment": {"raw": None, "score": None},
    }


def test_whoqol_empty_answers():
    result = score_whoqol_bref({})
    assert result["q1"] is None and result["physical"]["raw"] is None


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(ALL_Q), st.integers(1, 5)))
def test_whoqol_scores_stay_in_range(answers):
    result = score_whoqol_bref(answers)
    for name in DOMAIN_NAMES:
        raw, transformed = result[name]["raw"], result[name]["score"]
        if len(answers) < 21:
            assert raw is None and transformed is None
        if raw is None:
            assert transformed is None
            continue
        assert 4 <= raw <= 20 and 0 <= transformed <= 100
        assert transformed == pytest.approx((raw - 4) * 6.25, abs=1e-3)


def test_whoqol_items_and_anchors():
    inst = load_instrument("whoqol-bref")
    items = {item["key"]: item for item in inst["items"]}
    assert list(items) == ALL_Q
    labels = {k: [o["label"]["en"].lower() for o in it["options"]] for k, it in items.items()}
    for k, it in items.items():
        assert [o["value"] for o in it["options"]] == [1, 2, 3, 4, 5], k
    for k in ["Q1", "Q15"]:
        assert labels[k][0] == "very poor" and labels[k][-1] == "very good"
    for k in ["Q2"] + [f"Q{i}" for i in range(16, 26)]:
        assert labels[k][0] == "very dissatisfied" and labels[k][-1] == "very satisfied"
    for k in ["Q3", "Q4", "Q5", "Q6"]:
        assert labels[k] == ["not at all", "a little", "a moderate amount", "very much",
                             "an extreme amount"]  # fmt: skip
    for k in ["Q7", "Q8", "Q9"]:
        assert labels[k] == ["not at all", "a little", "moderately", "very much", "extremely"]
    for k in ["Q10", "Q11", "Q12", "Q13", "Q14"]:
        assert labels[k] == ["not at all", "a little", "moderately", "mostly", "completely"]
    assert labels["Q26"] == ["never", "seldom", "quite often", "very often", "always"]


# --------------------------------------------------------------------------- WHODAS 12

WHODAS_KEYS = [f"S{i}" for i in range(1, 13)]


@pytest.mark.parametrize(
    "values, total",
    [
        ([1] * 12, 12),
        ([5] * 12, 60),
        ([1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2], 33),
        ([2] * 6 + [4] * 6, 36),
    ],
)
def test_whodas_total(values, total):
    assert score_whodas12(dict(zip(WHODAS_KEYS, values))) == {"total": total}


@pytest.mark.parametrize("missing", WHODAS_KEYS)
def test_whodas_needs_all_twelve(missing):
    answers = {k: 3 for k in WHODAS_KEYS}
    del answers[missing]
    assert score_whodas12(answers) == {"total": None}
    answers[missing] = None
    assert score_whodas12(answers) == {"total": None}


def test_whodas_empty():
    assert score_whodas12({}) == {"total": None}


def test_whodas_item_order_and_options():
    inst = load_instrument("whodas12")
    keys = [item["key"] for item in inst["items"]]
    assert keys == WHODAS_KEYS
    topics = ["standing", "household", "learning a new task", "community activities",
              "emotionally affected", "concentrating", "walking a long distance",
              "washing your whole body", "getting dressed", "people you do not know",
              "maintaining a friendship", "day-to-day work"]  # fmt: skip
    for item, topic in zip(inst["items"], topics):
        assert topic in item["text"]["en"].lower(), item["key"]
        assert "past 30 days" in item["text"]["en"]
        assert [(o["label"]["en"], o["value"]) for o in item["options"]] == [
            ("None", 1), ("Mild", 2), ("Moderate", 3), ("Severe", 4), ("Extreme or cannot do", 5),
        ]  # fmt: skip


# --------------------------------------------------------------------------- HB experience

HB_AGREE = ["heard", "choose", "understand", "sufficient"]


def test_hb_experience_mean_and_would_keep():
    answers = {"heard": 5, "choose": 4, "understand": 2, "sufficient": 1, "would_keep": 1,
               "comment": "Hyvä."}  # fmt: skip
    assert score_hb_experience(answers) == {"mean": 3.0, "answered": 4, "would_keep": "yes"}


def test_hb_experience_mean_with_three_answered():
    answers = {"heard": 5, "choose": 4, "understand": 4}
    assert score_hb_experience(answers) == {"mean": 4.3333, "answered": 3, "would_keep": None}


def test_hb_experience_mean_missing_with_two_answered():
    answers = {"heard": 5, "sufficient": 4, "would_keep": 0}
    assert score_hb_experience(answers) == {"mean": None, "answered": 2, "would_keep": "no"}


def test_hb_experience_dont_know():
    assert score_hb_experience({"would_keep": 9})["would_keep"] == "dont_know"
    with pytest.raises(ScoringError) as exc:
        score_hb_experience({"would_keep": 2})
    assert exc.value.code == "out_of_range"


def test_hb_experience_free_text_is_text_only():
    assert score_hb_experience({"comment": "12"})["mean"] is None
    with pytest.raises(ScoringError) as exc:
        score_hb_experience({"comment": 12})
    assert (exc.value.key, exc.value.code) == ("comment", "not_text")


def test_hb_experience_has_fi_sv_en_everywhere():
    inst = load_instrument("hb-experience")
    assert sorted(inst["languages"]) == ["en", "fi", "sv"]
    assert inst["licence"]["translations_licensed"] is False
    for item in inst["items"]:
        assert set(item["text"]) == {"fi", "sv", "en"}
        for option in item.get("options", []):
            assert set(option["label"]) == {"fi", "sv", "en"}
    items = {item["key"]: item for item in inst["items"]}
    for key in HB_AGREE:
        labels = [(o["value"], o["label"]["en"]) for o in items[key]["options"]]
        assert labels[0] == (1, "Completely disagree") and labels[-1] == (5, "Completely agree")
    assert sorted(o["value"] for o in items["would_keep"]["options"]) == [0, 1, 9]
    assert items["comment"]["type"] == "text"


# --------------------------------------------------------------------------- validation etc.


@pytest.mark.parametrize(
    "instrument, answers, key, code",
    [
        ("promis10", {"Global11": 3}, "Global11", "unknown_item"),
        ("promis10", {"Global07rc": 3}, "Global07rc", "unknown_item"),
        ("promis10", {"Global07r": 11}, "Global07r", "out_of_range"),
        ("promis10", {"Global07r": -1}, "Global07r", "out_of_range"),
        ("promis10", {"Global01": 0}, "Global01", "out_of_range"),
        ("promis10", {"Global01": 6}, "Global01", "out_of_range"),
        ("promis10", {"Global01": True}, "Global01", "not_integer"),
        ("promis10", {"Global01": 3.0}, "Global01", "not_integer"),
        ("promis10", {"Global01": "3"}, "Global01", "not_integer"),
        ("whoqol-bref", {"Q27": 3}, "Q27", "unknown_item"),
        ("whoqol-bref", {"q1": 3}, "q1", "unknown_item"),
        ("whoqol-bref", {"Q1": 0}, "Q1", "out_of_range"),
        ("whoqol-bref", {"Q26": 6}, "Q26", "out_of_range"),
        ("whoqol-bref", {"Q3": False}, "Q3", "not_integer"),
        ("whodas12", {"S0": 1}, "S0", "unknown_item"),
        ("whodas12", {"S12": 0}, "S12", "out_of_range"),
        ("whodas12", {"S1": [1]}, "S1", "not_integer"),
    ],
)
def test_validation_errors(instrument, answers, key, code):
    for call in (lambda: validate_answers(instrument, answers), lambda: score(instrument, answers)):
        with pytest.raises(ScoringError) as exc:
            call()
        assert exc.value.key == key
        assert exc.value.code == code
        assert isinstance(exc.value, ValueError)


def test_validate_answers_fills_missing_with_none():
    out = validate_answers("whodas12", {"S1": 2, "S2": None})
    assert list(out) == WHODAS_KEYS
    assert out["S1"] == 2 and out["S2"] is None and out["S12"] is None


@pytest.mark.parametrize("bad_id", ["nope", "../surveys/promis10", "PROMIS10", "", None])
def test_unknown_instrument(bad_id):
    with pytest.raises(ScoringError) as exc:
        score(bad_id, {})
    assert exc.value.code == "unknown_instrument"
    with pytest.raises(ScoringError):
        load_instrument(bad_id)


def test_score_dispatches():
    assert score("whodas12", {k: 2 for k in WHODAS_KEYS}) == {"total": 24}
    assert score("promis10", promis_answers())["gph"]["raw"] == 12
    assert score("whoqol-bref", all_answers(3))["social"]["score"] == 50.0
    assert score("hb-experience", {"heard": 4, "choose": 4, "understand": 4})["mean"] == 4.0


@pytest.mark.parametrize("instrument", ["promis10", "whoqol-bref", "whodas12", "hb-experience"])
def test_instrument_files_follow_the_schema(instrument):
    inst = load_instrument(instrument)
    assert inst["id"] == instrument
    for field in ("version", "title", "time_frame", "licence", "languages", "items", "scoring"):
        assert field in inst, field
    assert isinstance(inst["licence"]["note"], str) and inst["licence"]["note"]
    assert isinstance(inst["licence"]["translations_licensed"], bool)
    if instrument != "hb-experience":
        # licensed instruments: only the English text is shipped
        assert inst["languages"] == ["en"]
        assert inst["licence"]["translations_licensed"] is True
    keys = [item["key"] for item in inst["items"]]
    assert len(keys) == len(set(keys))
    for item in inst["items"]:
        assert set(item["text"]) == set(inst["languages"]), item["key"]
        kinds = [k for k in ("options", "scale") if k in item] + (
            ["text"] if item.get("type") == "text" else []
        )
        assert len(kinds) == 1, item["key"]


def test_load_instrument_returns_a_copy():
    inst = load_instrument("whodas12")
    inst["items"].clear()
    assert len(load_instrument("whodas12")["items"]) == 12


def test_scoring_reads_its_numbers_from_the_json(tmp_path, monkeypatch):
    """HB_SURVEYS_DIR overrides the directory, and the table really comes from the file."""
    src = scoring.surveys_dir()
    for path in src.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    data = json.loads((tmp_path / "promis10.json").read_text(encoding="utf-8"))
    data["scoring"]["subscales"]["gph"]["table"]["12"] = {"t": 99.9, "se": 9.9}
    (tmp_path / "promis10.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("HB_SURVEYS_DIR", str(tmp_path))
    assert score_promis10(promis_answers())["gph"] == {"raw": 12, "t": 99.9, "se": 9.9}
    monkeypatch.delenv("HB_SURVEYS_DIR")
    assert score_promis10(promis_answers())["gph"] == {"raw": 12, "t": 39.8, "se": 4.1}
