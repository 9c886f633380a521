"""Providers, choices and feedback on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import (
    ApprovalStatus,
    AuditLog,
    Client,
    Feedback,
    Person,
    Provider,
    ProviderChoice,
    ServiceType,
    utcnow,
)
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.budget import load_month
from hbapp.services.feedback import FeedbackError, give_feedback, providers_for_feedback
from hbapp.services.providers import (
    Filters,
    ProviderNotFound,
    choice_preview,
    choose_provider,
    list_providers,
    provider_detail,
    set_approval,
    suspend_provider,
    worker_overview,
)

TODAY = date.today()


def actor(engine, subject):
    with read_session(engine) as session:
        pid = session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()
        return load_actor(session, pid)


def client_id(engine, subject):
    with read_session(engine) as session:
        return session.exec(select(Client.id).join(Person, Person.id == Client.person_id)
                            .where(Person.oidc_subject == subject)).one()


def provider_id(engine, name):
    with read_session(engine) as session:
        return session.exec(select(Provider.id).where(Provider.name == name)).one()


def names(result):
    return [offer.name for offer in result.offers]


# --------------------------------------------------------------------------- listing


def test_filters_sorting_and_what_the_budget_buys(seeded_engine):
    aino = actor(seeded_engine, "demo-client")
    cid = aino.own_client_id
    everywhere = list_providers(seeded_engine, aino, cid, "home_care", Filters(), TODAY)
    in_lappeenranta = list_providers(seeded_engine, aino, cid, "home_care",
                                     Filters(municipality="405"), TODAY)
    assert set(names(in_lappeenranta)) == {"Saimaan Kotihelmi Oy", "Kotihoito Kaislaranta Oy",
                                           "Hoiva-Saima Oy"}
    assert len(everywhere.offers) > len(in_lappeenranta.offers)
    assert in_lappeenranta.client_municipality == "405"
    prices = [o.price_cents for o in in_lappeenranta.offers]
    assert prices == sorted(prices)
    # Kaislaranta takes no new clients; only Hoiva-Saima serves in Swedish and English too.
    taking = list_providers(seeded_engine, aino, cid, "home_care",
                            Filters(municipality="405", takes_new_clients=True), TODAY)
    assert "Kotihoito Kaislaranta Oy" not in names(taking)
    english = list_providers(seeded_engine, aino, cid, "home_care",
                             Filters(municipality="405", language="en"), TODAY)
    assert names(english) == ["Hoiva-Saima Oy"]
    weekend = list_providers(seeded_engine, aino, cid, "home_care",
                             Filters(municipality="405", weekend_service=True), TODAY)
    assert "Kotihoito Kaislaranta Oy" not in names(weekend)
    evening = list_providers(seeded_engine, aino, cid, "home_care",
                             Filters(municipality="405", evening_service=True), TODAY)
    assert len(evening.offers) == 3
    by_name = list_providers(seeded_engine, aino, cid, "home_care",
                             Filters(municipality="405", sort="name"), TODAY)
    assert names(by_name) == sorted(names(by_name), key=str.casefold)
    by_nps = list_providers(seeded_engine, aino, cid, "home_care",
                            Filters(municipality="405", sort="nps"), TODAY)
    assert by_nps.offers[-1].nps.n < 5  # Hoiva-Saima has too few answers and goes last

    with read_session(seeded_engine) as session:
        month = load_month(session, session.get(Client, cid), TODAY, TODAY)
    remaining = next(b.remaining_cents for b in month.statement.lines
                     if month.lines[b.line_id].service_code == "home_care")
    saima = next(o for o in in_lappeenranta.offers if o.name == "Hoiva-Saima Oy")
    assert saima.remaining_cents == remaining
    assert saima.self_pay_per_unit_cents == saima.price_cents - 3990 > 0
    assert saima.buys_units * 3990 <= remaining  # only the budget's share counts
    assert in_lappeenranta.km_rule is None
    transport = list_providers(seeded_engine, aino, cid, "transport", Filters(), TODAY)
    assert transport.km_rule is not None and transport.km_rule.rate_cents == 24


def test_only_approved_providers_are_ever_shown(empty_engine):
    seed_demo(empty_engine)
    aino = actor(empty_engine, "demo-client")
    cid = aino.own_client_id
    suspended = provider_id(empty_engine, "Pölyhuiska Siivous Oy")
    pending = provider_id(empty_engine, "Vuoksen Avustajat Oy")
    cleaning = names(list_providers(empty_engine, aino, cid, "cleaning", Filters(), TODAY))
    assert "Pölyhuiska Siivous Oy" not in cleaning
    assistance = names(list_providers(empty_engine, aino, cid, "personal_assistance", Filters(),
                                      TODAY))
    assert "Vuoksen Avustajat Oy" not in assistance
    for hidden in (suspended, pending):
        with pytest.raises(ProviderNotFound):
            provider_detail(empty_engine, aino, cid, hidden, TODAY)
        with pytest.raises(ProviderNotFound):
            choose_provider(empty_engine, aino, cid, hidden, "cleaning", TODAY)

    # Suspending a provider hides it at once; approving shows it again. Both are audited.
    admin = actor(empty_engine, "demo-admin")
    kotihelmi = provider_id(empty_engine, "Saimaan Kotihelmi Oy")
    suspend_provider(empty_engine, admin, kotihelmi, "Valvontakäynnin havainnot.", TODAY)
    assert "Saimaan Kotihelmi Oy" not in names(
        list_providers(empty_engine, aino, cid, "home_care", Filters(), TODAY))
    set_approval(empty_engine, admin, pending, ApprovalStatus.APPROVED.value)
    assert "Vuoksen Avustajat Oy" in names(
        list_providers(empty_engine, aino, cid, "personal_assistance", Filters(), TODAY))
    with pytest.raises(AccessDenied):
        set_approval(empty_engine, aino, kotihelmi, ApprovalStatus.APPROVED.value)
    with pytest.raises(AccessDenied):
        set_approval(empty_engine, actor(empty_engine, "demo-worker"), kotihelmi, "approved")
    with read_session(empty_engine) as session:
        assert len(session.exec(select(AuditLog).where(
            AuditLog.action == "provider_approval")).all()) == 2


def test_provider_detail_has_prices_by_band_nps_and_anonymous_comments(seeded_engine):
    aino = actor(seeded_engine, "demo-client")
    detail = provider_detail(seeded_engine, aino, aino.own_client_id,
                             provider_id(seeded_engine, "Saimaan Kotihelmi Oy"), TODAY)
    home_care = next(s for s in detail.services if s.code == "home_care")
    assert [b.band for b in home_care.bands] == ["weekday_day", "weekday_evening", "saturday",
                                                 "sunday_holiday"]
    assert home_care.chosen
    assert detail.nps.n >= 5 and detail.nps.low <= detail.nps.nps <= detail.nps.high
    assert detail.phone and detail.email
    assert all(not hasattr(c, "client_id") for c in detail.comments)


# --------------------------------------------------------------------------- choosing


def test_choose_replaces_the_earlier_choice_and_is_audited(empty_engine):
    seed_demo(empty_engine)
    mikko = actor(empty_engine, "demo-relative")
    cid = client_id(empty_engine, "demo-client")
    saima = provider_id(empty_engine, "Hoiva-Saima Oy")
    kotihelmi = provider_id(empty_engine, "Saimaan Kotihelmi Oy")
    preview = choice_preview(empty_engine, mikko, cid, saima, "home_care", TODAY)
    assert preview.current_provider == "Saimaan Kotihelmi Oy" and not preview.already_chosen
    choose_provider(empty_engine, mikko, cid, saima, "home_care", TODAY)
    with read_session(empty_engine) as session:
        service = session.exec(select(ServiceType).where(ServiceType.code == "home_care")).one()
        choices = session.exec(select(ProviderChoice).where(
            ProviderChoice.client_id == cid, ProviderChoice.service_type_id == service.id)).all()
        active = [c for c in choices if c.ended_at is None]
        assert [c.provider_id for c in active] == [saima]
        assert any(c.provider_id == kotihelmi and c.ended_at is not None for c in choices)
        month = load_month(session, session.get(Client, cid), TODAY, TODAY)
        assert "Hoiva-Saima Oy" in [v.chosen_provider for v in month.lines.values()]
        entry = session.exec(select(AuditLog).where(AuditLog.action == "choose_provider")).one()
        assert entry.subject_client_id == cid
        assert json.loads(entry.details)["provider_id"] == saima
    # Choosing the same provider again changes nothing.
    choose_provider(empty_engine, mikko, cid, saima, "home_care", TODAY)
    with read_session(empty_engine) as session:
        assert len(session.exec(select(ProviderChoice).where(
            ProviderChoice.client_id == cid, ProviderChoice.ended_at.is_(None),
            ProviderChoice.provider_id == saima)).all()) == 1
    # A provider that does not offer the service cannot be chosen for it.
    from hbapp.services.providers import ChoiceError

    with pytest.raises(ChoiceError):
        choose_provider(empty_engine, mikko, cid, saima, "transport", TODAY)


def test_authorization_denials(seeded_engine):
    aino_id = client_id(seeded_engine, "demo-client")
    bengt_id = client_id(seeded_engine, "demo-client-2")
    kotihelmi = provider_id(seeded_engine, "Saimaan Kotihelmi Oy")
    liisa = actor(seeded_engine, "demo-relative-view")
    # A view-only relative may compare but not choose or give feedback.
    list_providers(seeded_engine, liisa, aino_id, "home_care", Filters(), TODAY)
    with pytest.raises(AccessDenied):
        choice_preview(seeded_engine, liisa, aino_id, kotihelmi, "home_care", TODAY)
    with pytest.raises(AccessDenied):
        choose_provider(seeded_engine, liisa, aino_id, kotihelmi, "home_care", TODAY)
    with pytest.raises(AccessDenied):
        providers_for_feedback(seeded_engine, liisa, aino_id, TODAY)
    with pytest.raises(AccessDenied):
        give_feedback(seeded_engine, liisa, aino_id, kotihelmi, 9, "", None, TODAY)
    # Another client's id is refused everywhere.
    aino = actor(seeded_engine, "demo-client")
    with pytest.raises(AccessDenied):
        list_providers(seeded_engine, aino, bengt_id, "home_care", Filters(), TODAY)
    with pytest.raises(AccessDenied):
        provider_detail(seeded_engine, aino, bengt_id, kotihelmi, TODAY)
    with pytest.raises(AccessDenied):
        choose_provider(seeded_engine, aino, bengt_id, kotihelmi, "home_care", TODAY)
    with pytest.raises(AccessDenied):
        give_feedback(seeded_engine, aino, bengt_id, kotihelmi, 9, "", None, TODAY)
    # Case workers choose nothing for clients and the overview is for workers only.
    with pytest.raises(AccessDenied):
        choose_provider(seeded_engine, actor(seeded_engine, "demo-worker"), aino_id, kotihelmi,
                        "home_care", TODAY)
    with pytest.raises(AccessDenied):
        worker_overview(seeded_engine, aino, TODAY)


# --------------------------------------------------------------------------- feedback


def test_feedback_replaces_within_30_days_and_marks_proxies(empty_engine):
    seed_demo(empty_engine)
    cid = client_id(empty_engine, "demo-client")
    aino = actor(empty_engine, "demo-client")
    mikko = actor(empty_engine, "demo-relative")
    kyyti = provider_id(empty_engine, "Karjalan Kyyti Oy")
    offered = {p.provider_id for p in providers_for_feedback(empty_engine, aino, cid, TODAY)}
    assert kyyti in offered
    with read_session(empty_engine) as session:
        before = session.exec(select(Feedback).where(
            Feedback.client_id == cid, Feedback.provider_id == kyyti,
            Feedback.replaced_at.is_(None))).all()
    recent = [f for f in before if f.created_at > utcnow() - timedelta(days=30)]
    assert recent  # the demo data has an answer of this month

    first = give_feedback(empty_engine, aino, cid, kyyti, 9, "Hyvä kuljettaja.", None, TODAY)
    second = give_feedback(empty_engine, mikko, cid, kyyti, 3, "Auto ei tullut.",
                           "service_not_delivered", TODAY)
    with read_session(empty_engine) as session:
        rows = {f.id: f for f in session.exec(select(Feedback).where(
            Feedback.client_id == cid, Feedback.provider_id == kyyti)).all()}
        current = [f for f in rows.values() if f.replaced_at is None]
        assert [f.id for f in current if f.created_at > utcnow() - timedelta(days=30)] == [second]
        assert rows[first].replaced_at is not None and not rows[first].proxy_reported
        assert rows[second].proxy_reported and rows[second].flag == "service_not_delivered"
        assert all(rows[f.id].replaced_at is not None for f in recent)
        # Answers older than 30 days stay current.
        old = [f for f in before if f not in recent]
        assert all(rows[f.id].replaced_at is None for f in old)
        actions = [a.action for a in session.exec(select(AuditLog).where(
            AuditLog.subject_client_id == cid, AuditLog.action == "give_feedback")).all()]
        assert actions == ["give_feedback", "give_feedback"]

    # The flag reaches the worker, who has Aino's consent.
    overview = worker_overview(empty_engine, actor(empty_engine, "demo-worker"), TODAY)
    flags = [f for row in overview for f in row.flags]
    assert any(f.feedback_id == second and f.client_name == "Aino Virtanen" for f in flags)
    # ... but never flags of clients without consent (Greta, Raili).
    assert not any(f.client_name in ("Greta Nyström", "Raili Pesonen") for f in flags)
    assert all(not row.flags for row in worker_overview(
        empty_engine, actor(empty_engine, "demo-worker-2"), TODAY))


def test_feedback_validation(seeded_engine):
    aino = actor(seeded_engine, "demo-client")
    cid = aino.own_client_id
    kyyti = provider_id(seeded_engine, "Karjalan Kyyti Oy")
    unused = provider_id(seeded_engine, "Imatran Hoivapalvelu Vuoksi Oy")
    for score, flag, comment in ((11, None, ""), (-1, None, ""), (True, None, ""),
                                 (5, "angry", ""), (5, None, "x" * 2001)):
        with pytest.raises(FeedbackError):
            give_feedback(seeded_engine, aino, cid, kyyti, score, comment, flag, TODAY)
    with pytest.raises(FeedbackError) as error:
        give_feedback(seeded_engine, aino, cid, unused, 5, "", None, TODAY)
    assert error.value.code == "provider_not_used"
