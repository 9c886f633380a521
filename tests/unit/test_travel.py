from decimal import Decimal

import pytest

from hbapp.domain.travel import km_compensation_cents


@pytest.mark.parametrize(
    ("km", "cents"),
    [
        (Decimal(8), 0),  # under the 10 free km
        (Decimal(10), 0),
        (Decimal(11), 24),
        (Decimal(25), 360),  # 15 km * 0.24 €
        (Decimal(100), 2160),  # 90 km * 0.24 €
        (Decimal(150), 2160),  # capped at 100 km
        (Decimal(0), 0),
        (Decimal("12.5"), 60),
        (Decimal("10.1"), 2),  # 0.1 km * 24 c = 2.4 c -> 2 c
        (Decimal("10.1875"), 5),  # 0.1875 km * 24 c = 4.5 c -> 5 c (half-up, not to even)
    ],
)
def test_kainuu_km_rule(km, cents):
    assert km_compensation_cents(km) == cents


def test_accepts_int_km():
    assert km_compensation_cents(25) == 360


def test_custom_rule_parameters():
    assert km_compensation_cents(Decimal(30), rate_cents=30, free_km=5, max_km=20) == 450


def test_negative_km_is_refused():
    with pytest.raises(ValueError):
        km_compensation_cents(Decimal(-1))


def test_float_km_is_refused():
    with pytest.raises(TypeError):
        km_compensation_cents(25.0)  # type: ignore[arg-type]


def test_return_trip_is_two_one_way_trips():
    # 25 km each way: 15 compensated km per direction.
    assert 2 * km_compensation_cents(Decimal(25)) == 720
    assert km_compensation_cents(Decimal(50)) == 960  # not the same as one 50 km trip
