"""Net Promoter Score and its adjusted-Wald interval (numbers worked out by hand below)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hbapp.domain.nps import MIN_ANSWERS_FOR_DISPLAY, NpsSummary, nps_summary


def test_all_promoters_n3():
    # P=3, D=0, n=3 → NPS 100.
    # n′=6, p′=3.75/6=0.625, d′=0.75/6=0.125, NPS′=50,
    # SE=100·√((0.75 − 0.25)/6)=100/√12=28.8675…, 1.96·SE=56.5803…
    # low = 50 − 56.5803 = −6.5803, high = 106.58 → clipped to 100.
    s = nps_summary([9, 10, 10])
    assert (s.n, s.promoters, s.passives, s.detractors) == (3, 3, 0, 0)
    assert s.nps == 100.0
    assert s.low == pytest.approx(50 - 1.96 * 100 / math.sqrt(12))
    assert s.low == pytest.approx(-6.5803, abs=1e-4)
    assert s.high == 100.0


def test_all_detractors_n3_is_clipped_low():
    s = nps_summary([0, 6, 3])
    assert (s.promoters, s.passives, s.detractors) == (0, 0, 3)
    assert s.nps == -100.0
    assert s.low == -100.0
    assert s.high == pytest.approx(-50 + 1.96 * 100 / math.sqrt(12))
    assert s.high == pytest.approx(6.5803, abs=1e-4)


def test_mixed_balanced():
    # P=4 (10, 9, 10, 9), passives 2 (8, 7), D=4 (6, 0, 3, 5), n=10 → NPS 0.
    # n′=13, p′=d′=4.75/13, NPS′=0, SE=100·√((9.5/13)/13)=100·√9.5/13=23.7093
    # interval ±1.96·23.7093 = ±46.4702.
    s = nps_summary([10, 9, 8, 7, 6, 0, 10, 3, 9, 5])
    assert (s.n, s.promoters, s.passives, s.detractors) == (10, 4, 2, 4)
    assert s.nps == 0.0
    half = 1.96 * 100 * math.sqrt(9.5) / 13
    assert half == pytest.approx(46.4702, abs=1e-4)
    assert s.low == pytest.approx(-half)
    assert s.high == pytest.approx(half)


def test_mixed_unbalanced():
    # P=5, passives 2, D=1, n=8 → NPS = 100·4/8 = 50.
    # n′=11, p′=5.75/11, d′=1.75/11, NPS′=100·4/11=36.3636,
    # p′+d′=7.5/11, (p′−d′)²=16/121, SE=100·√((7.5/11 − 16/121)/11)=100·√(66.5/1331)=22.3523
    # 1.96·SE=43.8105 → low −7.4468, high 80.1741.
    s = nps_summary([10, 10, 10, 9, 9, 8, 7, 2])
    assert (s.n, s.promoters, s.passives, s.detractors) == (8, 5, 2, 1)
    assert s.nps == 50.0
    se = 100 * math.sqrt(66.5 / 1331)
    assert s.low == pytest.approx(400 / 11 - 1.96 * se)
    assert s.high == pytest.approx(400 / 11 + 1.96 * se)
    assert s.low == pytest.approx(-7.4468, abs=1e-4)
    assert s.high == pytest.approx(80.1741, abs=1e-4)


def test_category_boundaries():
    s = nps_summary([6, 7, 8, 9])
    assert (s.promoters, s.passives, s.detractors) == (1, 2, 1)
    assert s.nps == 0.0


def test_empty():
    assert nps_summary([]) == NpsSummary(0, 0, 0, 0, None, None, None)


def test_accepts_any_iterable_once():
    s = nps_summary(x for x in [10, 0])
    assert s.n == 2 and s.nps == 0.0


@pytest.mark.parametrize("bad", [11, -1, True, False, 9.0, "9", None])
def test_rejects_non_integer_or_out_of_range(bad):
    with pytest.raises(ValueError):
        nps_summary([9, bad])


def test_summary_is_frozen_and_threshold():
    s = nps_summary([9])
    with pytest.raises(AttributeError):
        s.nps = 0  # type: ignore[misc]
    assert MIN_ANSWERS_FOR_DISPLAY == 5


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=60))
def test_interval_properties(scores):
    s = nps_summary(scores)
    assert s.n == len(scores) == s.promoters + s.passives + s.detractors
    assert -100 <= s.low <= s.high <= 100
    assert -100 <= s.nps <= 100
    centre = 100 * (s.promoters - s.detractors) / (s.n + 3)
    assert s.low - 1e-9 <= centre <= s.high + 1e-9
