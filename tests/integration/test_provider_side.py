"""The provider's side: vouchers shown, staff, the offer, price requests (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import AuditLog, Client, Person, Provider, ProviderStaff, ServiceType
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.identity import signed_in
from hbapp.services.landing import workspace_for_person
from hbapp.services.price_requests import (
    PriceRequestError,
    admin_price_requests,
    decide_price_request,
    provider_prices,
    request_price_change,
)
from hbapp.services.prices import price_on
from hbapp.services.provider_home import my_providers, provider_vouchers
from hbapp.services.provider_profile import (
    ProfileError,
    ProfileInput,
    confirm_profile,
    provider_profile,
    save_profile,
)
from hbapp.services.provider_staff import (
    StaffError,
    add_staff,
    remove_staff,
    set_main_user,
    staff_list,
)
from hbapp.services.providers import provider_detail
from hbapp.services.sessions import create_session, upsert_person

TODAY = date.today()
KOTIHELMI = "Saimaan Kotihelmi Oy"


def _actor(engine, subject):
    with read_session(engine) as session:
        person = session.exec(select(Person).where(Person.oidc_subject == subject)).one()
        return load_actor(session, person.id)


def _provider_id(engine, name=KOTIHELMI):
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


def _refusals(engine, person_id):
    with read_session(engine) as session:
        return [json.loads(a.details) for a in session.exec(select(AuditLog).where(
            AuditLog.actor_person_id == person_id, AuditLog.action == "refused")).all()]


@pytest.fixture
def demo(empty_engine):
    seed_demo(empty_engine)
    return empty_engine


def test_vouchers_only_of_the_own_provider_and_refusals_audited(demo):
    staff, other = _actor(demo, "demo-provider"), _actor(demo, "demo-provider-2")
    kotihelmi = _provider_id(demo)
    [mine] = my_providers(demo, staff)
    assert (mine.provider_id, mine.is_main_user, mine.active_vouchers) == (kotihelmi, True, 1)
    shown = provider_vouchers(demo, staff, kotihelmi)
    assert [(v.client_name, v.service_code) for v in shown.active] == [
        ("Aino Virtanen", "home_care")]
    assert shown.active[0].code.startswith("HB-") and shown.ended == []
    # Nothing in the result carries the identity code.
    assert "140345-9025" not in repr(shown)
    [elsewhere] = my_providers(demo, other)
    assert provider_vouchers(demo, other, elsewhere.provider_id).active == []
    for refused_id in (kotihelmi, 0, 2**40, None):
        with pytest.raises(AccessDenied):
            provider_vouchers(demo, other, refused_id)
    assert {r["reason"] for r in _refusals(demo, other.person_id)} == {"not_provider_staff"}
    assert kotihelmi in {r["provider_id"] for r in _refusals(demo, other.person_id)}
    # A worker and a client are refused too.
    for subject in ("demo-worker", "demo-client", "demo-admin"):
        with pytest.raises(AccessDenied):
            provider_vouchers(demo, _actor(demo, subject), kotihelmi)
    with read_session(demo) as session:
        aino = session.exec(select(Client).where(Client.first_name == "Aino")).one()
        assert session.exec(select(AuditLog).where(
            AuditLog.action == "provider_view_vouchers",
            AuditLog.subject_client_id == aino.id)).first() is not None


def test_staff_add_remove_and_the_last_main_user(demo):
    main = _actor(demo, "demo-provider")
    kotihelmi = _provider_id(demo)
    # demo-worker-2 by e-mail would need an address: add Jukka by identity code instead.
    jukka = add_staff(demo, main, kotihelmi, identity_code="300177-9312")
    assert jukka.has_signed_in and not jukka.is_main_user
    with pytest.raises(StaffError) as twice:
        add_staff(demo, main, kotihelmi, identity_code="300177-9312 ")
    assert twice.value.code == "already_staff"
    with pytest.raises(StaffError) as bad:
        add_staff(demo, main, kotihelmi, identity_code="300177-9313")
    assert (bad.value.code, bad.value.field) == ("bad_identity_code", "identity_code")
    with pytest.raises(StaffError) as unknown:
        add_staff(demo, main, kotihelmi, email="nobody@example.fi")
    assert unknown.value.code == "unknown_email"
    with pytest.raises(StaffError) as nameless:
        add_staff(demo, main, kotihelmi, identity_code="190852-936A")
    assert nameless.value.code == "name_needed"
    # Only main users (and administrators) manage staff.
    with pytest.raises(AccessDenied):
        add_staff(demo, load_actor_by_id(demo, jukka.person_id), kotihelmi,
                  identity_code="190852-936A", name="Tuula Laine")
    # The last main user can be neither removed nor unmarked ...
    with pytest.raises(StaffError) as last:
        remove_staff(demo, main, kotihelmi, main.person_id)
    assert last.value.code == "last_main_user"
    with pytest.raises(StaffError):
        set_main_user(demo, main, kotihelmi, main.person_id, False)
    # ... until another one is marked.
    set_main_user(demo, main, kotihelmi, jukka.person_id, True)
    remove_staff(demo, main, kotihelmi, main.person_id)
    names = [s.name for s in staff_list(demo, _actor(demo, "demo-admin"), kotihelmi).staff]
    assert names == ["Jukka Nieminen"]
    # Administrators manage any provider's staff; another provider's staff are refused.
    admin = _actor(demo, "demo-admin")
    add_staff(demo, admin, kotihelmi, identity_code="120479-942R", main_user=True)
    with pytest.raises(AccessDenied):
        add_staff(demo, _actor(demo, "demo-provider-2"), kotihelmi,
                  identity_code="190852-936A", name="Tuula Laine")
    with pytest.raises(AccessDenied):
        staff_list(demo, _actor(demo, "demo-worker"), kotihelmi)
    with read_session(demo) as session:
        actions = [a.action for a in session.exec(select(AuditLog).where(
            AuditLog.action.in_(["provider_staff_added", "provider_staff_removed"]))).all()]
    assert actions.count("provider_staff_added") == 2
    assert actions.count("provider_staff_removed") == 1


def load_actor_by_id(engine, person_id):
    with read_session(engine) as session:
        return load_actor(session, person_id)


def test_a_new_staff_member_is_linked_at_first_sign_in(demo):
    main = _actor(demo, "demo-provider")
    kotihelmi = _provider_id(demo)
    added = add_staff(demo, main, kotihelmi, identity_code="190852-936a", name="Tuula Laine")
    assert not added.has_signed_in
    assert workspace_for_person(demo, main.person_id, TODAY) == "/provider"
    # Her first sign-in carries the verified code: the recorded row becomes hers.
    person_id = upsert_person(demo, "tuula-subject", "Tuula Laine", "", "190852-936A")
    assert person_id == added.person_id
    token, _ = create_session(demo, person_id)
    current = signed_in(demo, token, TODAY)
    assert current.provider_ids == (kotihelmi,)
    assert workspace_for_person(demo, person_id, TODAY) == "/provider"
    assert staff_list(demo, main, kotihelmi).staff[-1].has_signed_in or any(
        s.has_signed_in for s in staff_list(demo, main, kotihelmi).staff
        if s.person_id == person_id)


def test_a_person_who_signed_in_before_keeps_the_staff_place_recorded_by_code(demo):
    # Signed in once without the identity-code claim, then recorded by code as staff.
    early = upsert_person(demo, "early-subject", "Tuula Laine", "", None)
    main = _actor(demo, "demo-provider")
    kotihelmi = _provider_id(demo)
    recorded = add_staff(demo, main, kotihelmi, identity_code="190852-936A", name="Tuula L.")
    assert recorded.person_id != early
    assert upsert_person(demo, "early-subject", "Tuula Laine", "", "190852-936A") == early
    with read_session(demo) as session:
        assert session.get(ProviderStaff, (kotihelmi, early)) is not None
        assert session.get(Person, recorded.person_id) is None


def test_workspaces_of_each_role(demo):
    expected = {"demo-client": "/", "demo-relative": "/", "demo-worker": "/worker",
                "demo-admin": "/admin/providers", "demo-provider": "/provider",
                "demo-provider-2": "/provider"}
    for subject, path in expected.items():
        assert workspace_for_person(demo, _actor(demo, subject).person_id, TODAY) == path


def _profile(**changes) -> ProfileInput:
    values = dict(intake="yes", expected_wait_weeks="", evening_service=True,
                  weekend_service=False, languages=("fi", "sv"), phone="+358 40 123 4567",
                  email="lappeenranta@kotihelmi.example", street_address="Koulukatu 5",
                  postal_code="53100", city="Lappeenranta", opening_hours="ma–pe 8–16",
                  description_fi="Kotihoitoa.", description_sv="Hemvård.",
                  description_en="Home care.")
    values.update(changes)
    return ProfileInput(**values)


def test_profile_validation_save_and_confirm(demo):
    staff = _actor(demo, "demo-provider")
    kotihelmi = _provider_id(demo)
    with pytest.raises(ProfileError) as bad:
        save_profile(demo, staff, kotihelmi, _profile(
            intake="waiting_list", expected_wait_weeks="x", languages=(), phone="abc",
            email="no-at", postal_code="531", description_fi=" ", description_en="a\x00b"))
    assert bad.value.errors == {
        "expected_wait_weeks": "bad_wait", "languages": "no_language", "phone": "bad_phone",
        "email": "bad_email", "postal_code": "bad_postal_code", "description_fi":
        "description_needed", "description_en": "bad_characters"}
    with pytest.raises(ProfileError) as no_wait:
        save_profile(demo, staff, kotihelmi, _profile(intake="waiting_list"))
    assert no_wait.value.errors == {"expected_wait_weeks": "wait_needed"}
    with pytest.raises(ProfileError) as no_contact:
        save_profile(demo, staff, kotihelmi, _profile(phone="", email=""))
    assert no_contact.value.errors == {"phone": "contact_needed"}
    assert provider_profile(demo, staff, kotihelmi).facts_confirmed_at is None
    saved = save_profile(demo, staff, kotihelmi,
                         _profile(intake="waiting_list", expected_wait_weeks="3"))
    with read_session(demo) as session:
        provider = session.get(Provider, kotihelmi)
        assert (provider.intake, provider.expected_wait_weeks, provider.takes_new_clients,
                provider.languages, provider.postal_code) == (
            "waiting_list", 3, False, "fi,sv", "53100")
        assert provider.facts_confirmed_at == saved
    later = confirm_profile(demo, staff, kotihelmi)
    assert later >= saved
    save_profile(demo, staff, kotihelmi, _profile())
    with read_session(demo) as session:
        provider = session.get(Provider, kotihelmi)
        assert provider.takes_new_clients and provider.expected_wait_weeks is None
    # The client sees the confirmed date on the provider's page.
    client = _actor(demo, "demo-client")
    detail = provider_detail(demo, client, client.own_client_id, kotihelmi, TODAY)
    assert detail.facts_confirmed_at is not None
    for subject in ("demo-provider-2", "demo-worker", "demo-client"):
        with pytest.raises(AccessDenied):
            confirm_profile(demo, _actor(demo, subject), kotihelmi)


def test_price_request_approval_and_price_on_around_the_date(demo):
    staff, admin = _actor(demo, "demo-provider"), _actor(demo, "demo-admin")
    kotihelmi = _provider_id(demo)
    with read_session(demo) as session:
        home_care = session.exec(select(ServiceType).where(ServiceType.code == "home_care")).one()
        old = price_on(session, kotihelmi, home_care.id, "weekday_day", TODAY)
    start = TODAY + timedelta(days=14)
    for price, day, code in (("abc", start, "bad_price"), ("0", start, "price_out_of_range"),
                             ("41,5", TODAY - timedelta(days=1), "date_in_past"),
                             ("41,5", None, "bad_date")):
        with pytest.raises(PriceRequestError) as refused:
            request_price_change(demo, staff, kotihelmi, "home_care", "weekday_day", price, day,
                                 TODAY)
        assert refused.value.code == code
    with pytest.raises(PriceRequestError):
        request_price_change(demo, staff, kotihelmi, "home_care", "moonlight", "41,5", start,
                             TODAY)
    request_id = request_price_change(demo, staff, kotihelmi, "home_care", "weekday_day",
                                      "41,50", start, TODAY)
    with pytest.raises(AccessDenied):
        request_price_change(demo, _actor(demo, "demo-provider-2"), kotihelmi, "home_care",
                             "weekday_day", "1", start, TODAY)
    pending, _ = admin_price_requests(demo, admin, TODAY)
    assert [(r.request_id, r.price_cents, r.current_cents) for r in pending] == [
        (request_id, 4150, old)]
    for subject in ("demo-provider", "demo-worker", "demo-client"):
        with pytest.raises(AccessDenied):
            decide_price_request(demo, _actor(demo, subject), request_id, True, "", TODAY)
    with pytest.raises(PriceRequestError) as noteless:
        decide_price_request(demo, admin, request_id, False, "", TODAY)
    assert noteless.value.code == "note_needed"
    decide_price_request(demo, admin, request_id, True, "OK from the 1st", TODAY)
    with pytest.raises(PriceRequestError) as again:
        decide_price_request(demo, admin, request_id, False, "no", TODAY)
    assert again.value.code == "already_decided"
    with read_session(demo) as session:
        assert price_on(session, kotihelmi, home_care.id, "weekday_day",
                        start - timedelta(days=1)) == old
        assert price_on(session, kotihelmi, home_care.id, "weekday_day", start) == 4150
    shown = provider_prices(demo, staff, kotihelmi, TODAY)
    row = next(p for p in shown.prices if p.service_code == "home_care"
               and p.band == "weekday_day")
    assert (row.price_cents, row.upcoming) == (old, ((start, 4150),))
    assert shown.requests[0].status == "approved"
    # A rejected request adds no price; a request whose day has passed cannot be approved.
    second = request_price_change(demo, staff, kotihelmi, "home_care", "saturday", "60",
                                  TODAY, TODAY)
    with pytest.raises(PriceRequestError) as passed:
        decide_price_request(demo, admin, second, True, "", TODAY + timedelta(days=1))
    assert passed.value.code == "effective_date_passed"
    decide_price_request(demo, admin, second, False, "Ask again from a later day.", TODAY)
    with read_session(demo) as session:
        assert price_on(session, kotihelmi, home_care.id, "saturday", TODAY) != 6000
