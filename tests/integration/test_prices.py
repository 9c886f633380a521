"""Dated provider prices: the newest row from the day asked about or before (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from hbapp.db import read_session, write_session
from hbapp.models import Provider, ProviderPrice, ServiceType
from hbapp.seed import seed_demo
from hbapp.services.prices import price_on, prices_on

TODAY = date.today()


def test_price_on_and_prices_on_follow_valid_from(empty_engine):
    seed_demo(empty_engine)
    with write_session(empty_engine) as session:
        provider = session.exec(select(Provider).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()
        home_care = session.exec(select(ServiceType).where(ServiceType.code == "home_care")).one()
        old = price_on(session, provider.id, home_care.id, "weekday_day", TODAY)
        assert old is not None and old > 0
        session.add(ProviderPrice(provider_id=provider.id, service_type_id=home_care.id,
                                  band="weekday_day", price_cents=old + 250,
                                  valid_from=TODAY + timedelta(days=10)))
    with read_session(empty_engine) as session:
        # Before the new row's day the old price holds; from it, the new one.
        assert price_on(session, provider.id, home_care.id, "weekday_day",
                        TODAY + timedelta(days=9)) == old
        assert price_on(session, provider.id, home_care.id, "weekday_day",
                        TODAY + timedelta(days=10)) == old + 250
        assert price_on(session, provider.id, home_care.id, "weekday_day",
                        date(1999, 12, 31)) is None  # seeded rows are valid from 2000-01-01
        assert price_on(session, provider.id, home_care.id, "no_such_band", TODAY) is None
        now = prices_on(session, [provider.id], TODAY)
        later = prices_on(session, [provider.id], TODAY + timedelta(days=30))
        assert now[(provider.id, home_care.id, "weekday_day")] == old
        assert later[(provider.id, home_care.id, "weekday_day")] == old + 250
        # The other keys are the same on both days.
        assert {k: v for k, v in later.items() if k[2] != "weekday_day"} == \
            {k: v for k, v in now.items() if k[2] != "weekday_day"}
        only = prices_on(session, [provider.id], TODAY, service_type_ids=[home_care.id],
                         band="weekday_day")
        assert only == {(provider.id, home_care.id, "weekday_day"): old}
        assert prices_on(session, [], TODAY) == {}
