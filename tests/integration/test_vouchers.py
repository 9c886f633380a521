"""Vouchers follow choices; provider staff are known to the session (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.domain.vouchers import is_voucher_code
from hbapp.models import Client, Person, Provider, ProviderChoice, ServiceEvent, Voucher
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.provider_access import require_staff, staff_provider_ids, voucher_for
from hbapp.services.providers import choose_provider

TODAY = date.today()


def _person(engine, subject):
    with read_session(engine) as session:
        return session.exec(select(Person).where(Person.oidc_subject == subject)).one()


def _provider(engine, name):
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


def test_demo_staff_and_vouchers(empty_engine):
    seed_demo(empty_engine)
    kotihelmi = _provider(empty_engine, "Saimaan Kotihelmi Oy")
    with read_session(empty_engine) as session:
        staff = _person(empty_engine, "demo-provider")
        other = _person(empty_engine, "demo-provider-2")
        assert staff_provider_ids(session, staff.id) == [kotihelmi]
        [elsewhere] = staff_provider_ids(session, other.id)
        assert elsewhere != kotihelmi
        # demo-provider-2's provider was chosen by nobody.
        assert session.exec(select(Voucher).where(Voucher.provider_id == elsewhere)).all() == []
        vouchers = session.exec(select(Voucher)).all()
        assert len(vouchers) == session.exec(select(ProviderChoice)).all().__len__() == 3
        assert all(is_voucher_code(v.code) for v in vouchers)
        aino_hc = next(v for v in vouchers if v.provider_id == kotihelmi)
        # The seeded events of a chosen provider carry its voucher.
        assert session.exec(select(ServiceEvent).where(
            ServiceEvent.voucher_id == aino_hc.id)).first() is not None
        actor = load_actor(session, staff.id)
        require_staff(session, actor, kotihelmi, main_user=True)
        with pytest.raises(AccessDenied):
            require_staff(session, load_actor(session, other.id), kotihelmi)
        assert voucher_for(session, kotihelmi, aino_hc.code.lower()).id == aino_hc.id
        with pytest.raises(AccessDenied) as refused:
            voucher_for(session, elsewhere, aino_hc.code)  # another provider's voucher
        assert refused.value.reason == "unknown_voucher"


def test_a_new_choice_ends_the_old_voucher_and_issues_a_new_one(empty_engine):
    seed_demo(empty_engine)
    mikko = _person(empty_engine, "demo-relative")
    saima = _provider(empty_engine, "Hoiva-Saima Oy")
    kotihelmi = _provider(empty_engine, "Saimaan Kotihelmi Oy")
    with read_session(empty_engine) as session:
        cid = session.exec(select(Client.id).where(Client.first_name == "Aino")).one()
        actor = load_actor(session, mikko.id)
        old = session.exec(select(Voucher).where(Voucher.provider_id == kotihelmi)).one()
    choose_provider(empty_engine, actor, cid, saima, "home_care", TODAY)
    with read_session(empty_engine) as session:
        ended = session.get(Voucher, old.id)
        assert ended.ended_at is not None
        new = session.exec(select(Voucher).where(Voucher.provider_id == saima)).one()
        assert new.ended_at is None and new.client_id == cid and new.code != old.code
        with pytest.raises(AccessDenied) as refused:
            voucher_for(session, kotihelmi, old.code)
        assert refused.value.reason == "voucher_ended"
        # Still valid for what happened before the choice ended.
        before = ended.ended_at - timedelta(hours=1)
        assert voucher_for(session, kotihelmi, old.code, at=before).id == old.id
        assert voucher_for(session, saima, new.code, at=datetime.now()).id == new.id
