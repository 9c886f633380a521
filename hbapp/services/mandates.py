"""Mandates (who may act for a client) and case workers' consent: list, grant, request,
confirm, decline, revoke, record. Every change is one transaction with its audit entry.

Who may do what (checked here, on the server, for every call):
- the client, or a proxy whose mandate has `manage`, may see the client's mandates, grant a
  new one, confirm or decline a request and revoke; a proxy never grants or confirms a scope
  they do not hold themself;
- guardianships and Suomi.fi mandates are not the client's to cancel in the app: a case
  worker revokes a guardianship (after the court's decision), Suomi.fi rows change only at
  Suomi.fi;
- a relative (anyone signed in) may REQUEST a mandate, naming the client by name and birth
  date; it stays `requested` until the client (or a `manage` proxy) confirms it;
- a case worker needs an assignment to the client to record a mandate (guardianship, a
  relative without e-identification), to revoke one and to record or withdraw consent —
  consent itself is not needed for these, because recording it is how consent starts;
- a case worker or an administrator is never the agent of a mandate a worker records, nor
  the giver of a consent: consent comes from the client or their guardian (or, for a client
  without an account, is recorded as given in person), so staff cannot give themselves access;
- a view-only relative can change nothing.

Asking for a mandate (`request`) says the same for every name and birth date — found or not,
with or without an account, already asked — so nobody can find out who is a client; each
attempt is audited and a person may try at most REQUEST_LIMIT times in REQUEST_WINDOW.

Sources (`Mandate.source`, `MandateSource`) stay explicit so each row says where its authority
comes from: `worker_recorded`, `client_granted`, `relative_requested`, and `suomifi`.

A Suomi.fi mandates adapter (Suomi.fi-valtuudet, the "asiointivaltuudet" API) would, when a
person signs in or on a schedule, ask Suomi.fi for the mandates between the agent and the
client and call `sync_suomifi_mandate` for each: it creates or refreshes one row per Suomi.fi
mandate id (`external_ref`), with `source="suomifi"`, the scopes mapped from the Suomi.fi
issue codes, and the validity Suomi.fi reports; a mandate Suomi.fi no longer returns is
passed with `active=False` and becomes `revoked`. Such rows are never edited in the app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, and_, func, or_, select

from hbapp.db import lock_row, read_session, write_session
from hbapp.domain.identifiers import (
    birth_date_from_identity_code,
    is_valid_personal_identity_code,
    validate_personal_identity_code,
)
from hbapp.domain.inputs import MAX_ID
from hbapp.domain.mandates import (
    CLIENT_RELATIONS,
    RELATIONS,
    InvalidMandate,
    check_period,
    fold_name,
    is_in_force,
    name_matches,
    parse_scopes,
    stored_scopes,
)
from hbapp.models import (
    AuditLog,
    CaseWorkerAssignment,
    Client,
    Consent,
    Mandate,
    MandateSource,
    MandateStatus,
    Person,
    utcnow,
)
from hbapp.services import audit
from hbapp.services.access import AccessDenied, Actor, require_client_access, worker_serves

OPEN_STATUSES = (MandateStatus.ACTIVE.value, MandateStatus.REQUESTED.value)
# Mandate requests per person: enough for typing mistakes, too few to probe who is a client.
REQUEST_LIMIT = 5
REQUEST_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class MandateView:
    id: int
    client_id: int
    client_name: str
    agent_person_id: int
    agent_name: str
    scopes: tuple[str, ...]
    relation: str
    source: str
    status: str
    valid_from: date
    valid_to: date | None
    in_force: bool
    expired: bool


@dataclass(frozen=True)
class ConsentView:
    id: int
    given_by_name: str | None
    recorded_by_name: str | None
    given_on: date
    note: str


@dataclass(frozen=True)
class PersonChoice:
    person_id: int
    name: str


@dataclass(frozen=True)
class PersonMatch:
    """One person found when giving a mandate: what is safe to show to tell namesakes apart
    (the year of birth), never an identity code."""

    person_id: int
    name: str
    birth_year: int | None


# Name searches list at most this many people; more means "give more of the name".
SEARCH_LIMIT = 10


@dataclass(frozen=True)
class MandatesOverview:
    can_manage: bool  # the actor manages the client's mandates (client or `manage` proxy)
    client_id: int | None
    client_name: str
    held_scopes: tuple[str, ...]  # what the actor may give on (for a proxy: their own scopes)
    mandates: tuple[MandateView, ...]  # given for the client: in force or requested
    own: tuple[MandateView, ...]  # the actor's own mandates for others


@dataclass(frozen=True)
class EndedMandate:
    """A mandate that no longer gives any right: ended by someone, or run out (its valid_to)."""

    agent_name: str
    relation: str
    scopes: tuple[str, ...]
    valid_from: date
    ended_on: date
    ended_by: str  # "" when it ran out on its end date


@dataclass(frozen=True)
class WorkerClientAccess:
    client_id: int
    client_name: str
    status: str  # "ok" or "no_consent"
    consents: tuple[ConsentView, ...]  # only with consent
    mandates: tuple[MandateView, ...]  # only with consent
    agents: tuple[PersonChoice, ...]  # people a mandate can be recorded for
    consent_givers: tuple[PersonChoice, ...]  # the client and guardians
    ended: tuple[EndedMandate, ...] = ()  # only with consent; newest first


# ---------------------------------------------------------------- helpers


def _view(mandate: Mandate, client: Client, agent: Person, today: date) -> MandateView:
    return MandateView(
        id=mandate.id,
        client_id=client.id,
        client_name=client.full_name,
        agent_person_id=agent.id,
        agent_name=agent.display_name,
        scopes=stored_scopes(mandate.scopes),
        relation=mandate.relation,
        source=mandate.source,
        status=mandate.status,
        valid_from=mandate.valid_from,
        valid_to=mandate.valid_to,
        in_force=is_in_force(mandate.status, mandate.valid_from, mandate.valid_to, today),
        expired=mandate.valid_to is not None and mandate.valid_to < today,
    )


def _client_mandates(session: Session, client_id: int, today: date) -> list[MandateView]:
    rows = session.exec(
        select(Mandate, Client, Person)
        .join(Client, Client.id == Mandate.client_id)
        .join(Person, Person.id == Mandate.agent_person_id)
        .where(
            Mandate.client_id == client_id,
            Mandate.status.in_(OPEN_STATUSES),
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        )
        .order_by(Mandate.status.desc(), Person.display_name, Mandate.id)
    ).all()
    return [_view(m, c, p, today) for m, c, p in rows]


def _ended_mandates(session: Session, client_id: int, today: date) -> list[EndedMandate]:
    """The history: mandates revoked (by whom, when) and active ones whose period ended."""
    rows = session.exec(
        select(Mandate, Person)
        .join(Person, Person.id == Mandate.agent_person_id)
        .where(
            Mandate.client_id == client_id,
            or_(Mandate.status == MandateStatus.REVOKED.value,
                and_(Mandate.status == MandateStatus.ACTIVE.value,
                     Mandate.valid_to.is_not(None), Mandate.valid_to < today)),
        )
    ).all()
    ended = []
    for mandate, agent in rows:
        if mandate.status == MandateStatus.REVOKED.value:
            on = mandate.revoked_at.date() if mandate.revoked_at else mandate.valid_to or today
            by = (_agent_name(session, mandate.revoked_by_person_id)
                  if mandate.revoked_by_person_id else "")
        else:
            on, by = mandate.valid_to, ""
        ended.append(EndedMandate(agent.display_name, mandate.relation,
                                  stored_scopes(mandate.scopes), mandate.valid_from, on, by))
    return sorted(ended, key=lambda e: (e.ended_on, e.agent_name), reverse=True)


def _require_manager(session: Session, actor: Actor, client_id: int, today: date):
    """The client or a `manage` proxy; returns the actor's Represented entry."""
    return require_client_access(session, actor, client_id, "manage", today)


def _require_assigned_worker(session: Session, actor: Actor, client_id: int, today: date):
    if not actor.is_worker:
        raise AccessDenied("not_a_worker", actor.person_id, client_id)
    if worker_serves(session, actor.person_id, client_id, today) == "not_assigned":
        raise AccessDenied("not_assigned", actor.person_id, client_id)


def _locked_mandate(session: Session, actor: Actor, mandate_id: int) -> Mandate:
    mandate = lock_row(session, Mandate, mandate_id) if 0 < mandate_id <= MAX_ID else None
    if mandate is None:
        # The same answer as a refusal: ids of others' mandates reveal nothing.
        raise AccessDenied("no_mandate", actor.person_id)
    return mandate


def _is_staff(person: Person) -> bool:
    return bool(person.is_worker or person.is_admin)


def _guardians(session: Session, client_id: int, today: date) -> list[Person]:
    """The client's guardians in force (court-appointed, recorded by a case worker)."""
    return list(session.exec(
        select(Person).join(Mandate, Mandate.agent_person_id == Person.id).where(
            Mandate.client_id == client_id, Mandate.relation == "guardian",
            Mandate.status == MandateStatus.ACTIVE.value, Mandate.valid_from <= today,
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
            Person.is_worker.is_(False), Person.is_admin.is_(False),
        ).order_by(Person.display_name)
    ).all())


def _agent_name(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    return person.display_name if person else ""


def find_person(session: Session, query: str) -> Person:
    """An HB account by e-mail address or by name exactly as known to HB (case-insensitive)."""
    text = " ".join(query.split()).lower()
    if not text:
        raise InvalidMandate("agent_missing")
    column = func.lower(Person.email) if "@" in text else func.lower(Person.display_name)
    people = session.exec(select(Person).where(column == text)).all()
    if not people:
        raise InvalidMandate("agent_not_found")
    if len(people) > 1:
        raise InvalidMandate("agent_ambiguous")
    return people[0]


def _person_by_identity_code(session: Session, code: str, name: str) -> Person:
    """The person with this identity code, recorded now (without a sign-in) when unknown."""
    code = validate_personal_identity_code(code)
    person = session.exec(select(Person).where(Person.identity_code == code)).first()
    if person is not None:
        return person
    clean = " ".join((name or "").split())
    if not clean:
        raise InvalidMandate("agent_name_missing")
    if len(clean) > 200:
        raise InvalidMandate("agent_name_too_long")
    person = Person(oidc_subject=None, identity_code=code, display_name=clean)
    session.add(person)
    session.flush()
    return person


def _check_no_open_mandate(session: Session, client_id: int, agent_id: int, today: date) -> None:
    existing = session.exec(
        select(Mandate.id).where(
            Mandate.client_id == client_id,
            Mandate.agent_person_id == agent_id,
            Mandate.status.in_(OPEN_STATUSES),
            or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
        )
    ).first()
    if existing is not None:
        raise InvalidMandate("already_has_mandate")


# ---------------------------------------------------------------- reading


def overview(engine: Engine, actor: Actor, client_id: int | None, today: date) -> MandatesOverview:
    """The /mandates page: the client's mandates when the actor manages them, and always the
    actor's own mandates for others. Viewing the client's mandates is audited."""
    with write_session(engine) as session:
        own_rows = session.exec(
            select(Mandate, Client, Person)
            .join(Client, Client.id == Mandate.client_id)
            .join(Person, Person.id == Mandate.agent_person_id)
            .where(Mandate.agent_person_id == actor.person_id)
            .order_by(Mandate.created_at.desc(), Mandate.id.desc())
        ).all()
        own = tuple(_view(m, c, p, today) for m, c, p in own_rows)
        if client_id is None:
            return MandatesOverview(False, None, "", (), (), own)
        try:
            represented = _require_manager(session, actor, client_id, today)
        except AccessDenied:
            client = session.get(Client, client_id)
            name = client.full_name if client else ""
            return MandatesOverview(False, client_id, name, (), (), own)
        mandates = tuple(_client_mandates(session, client_id, today))
        audit.record(session, actor.person_id, "view_mandates", client_id)
        return MandatesOverview(True, client_id, represented.name, represented.scopes, mandates,
                                own)


def list_client_mandates(engine: Engine, actor: Actor, client_id: int, today: date) -> list[MandateView]:
    """Mandates in force or requested for a client: for the client, a `manage` proxy, or an
    assigned case worker with consent."""
    with write_session(engine) as session:
        if actor.is_worker and actor.own_client_id != client_id:
            require_client_access(session, actor, client_id, "worker", today)
        else:
            _require_manager(session, actor, client_id, today)
        result = _client_mandates(session, client_id, today)
        audit.record(session, actor.person_id, "view_mandates", client_id)
        return result


# ---------------------------------------------------------------- the client's side


def _check_new_mandate(
    scopes: list[str] | tuple[str, ...] | str, relation: str, valid_to: date | None, today: date
) -> tuple[str, ...]:
    """What a mandate given or asked for in the app must satisfy; returns the scopes."""
    wanted = parse_scopes(scopes)
    if relation not in CLIENT_RELATIONS:
        raise InvalidMandate("bad_relation")  # guardianship comes from a court, via a worker
    check_period(today, valid_to, today)
    return wanted


def grant(
    engine: Engine,
    actor: Actor,
    client_id: int,
    agent_query: str,
    scopes: list[str] | tuple[str, ...] | str,
    valid_to: date | None,
    today: date,
    relation: str = "relative",
    agent_person_id: int | None = None,
) -> int:
    """The client (or a `manage` proxy) gives a mandate in the app; it is in force at once.
    The agent is `agent_person_id` (chosen from `search_agents`) or else `agent_query`."""
    wanted = _check_new_mandate(scopes, relation, valid_to, today)
    with write_session(engine) as session:
        represented = _require_manager(session, actor, client_id, today)
        if set(wanted) - set(represented.scopes):
            raise AccessDenied("scope_not_held", actor.person_id, client_id)
        agent = (_searchable_person(session, agent_person_id) if agent_person_id is not None
                 else find_person(session, agent_query))
        client = lock_row(session, Client, client_id)  # one new mandate at a time
        if agent.id == client.person_id:
            raise InvalidMandate("agent_is_client")
        if agent.id == actor.person_id and client.person_id != actor.person_id:
            # a proxy does not widen their own mandate
            raise AccessDenied("scope_not_held", actor.person_id, client_id)
        _check_no_open_mandate(session, client_id, agent.id, today)
        mandate = Mandate(
            client_id=client_id, agent_person_id=agent.id, scopes=",".join(wanted),
            relation=relation, source=MandateSource.CLIENT_GRANTED.value,
            status=MandateStatus.ACTIVE.value, valid_from=today, valid_to=valid_to,
            created_by_person_id=actor.person_id,
        )
        session.add(mandate)
        session.flush()
        audit.record(session, actor.person_id, "grant_mandate", client_id, mandate_id=mandate.id,
                     agent=agent.display_name, scopes=",".join(wanted), relation=relation,
                     valid_to=valid_to)
        return mandate.id


def request(
    engine: Engine,
    actor: Actor,
    client_name: str,
    birth_date: date,
    scopes: list[str] | tuple[str, ...] | str,
    valid_to: date | None,
    today: date,
    relation: str = "relative",
) -> None:
    """A relative asks for a mandate; the client confirms or declines it in the app.

    Returns the same (nothing) whether the name and birth date match a client or not, whether
    the client has an account, and whether this person already has a mandate or a request:
    the asker learns nothing about who is a client. Raises InvalidMandate only for the
    asker's own input, and `too_many_requests` after REQUEST_LIMIT attempts in REQUEST_WINDOW
    (counted from the audit log, so the limit survives restarts and holds across workers).
    Every attempt is audited: `request_mandate` with the client as subject when a request was
    made, else `request_mandate_attempt` with the outcome and no subject.
    """
    wanted = _check_new_mandate(scopes, relation, valid_to, today)
    name = " ".join(client_name.split()).lower()
    if not name:
        raise InvalidMandate("client_missing")
    with write_session(engine) as session:
        # One attempt of a person at a time, so that parallel attempts are all counted.
        lock_row(session, Person, actor.person_id)
        attempts = session.exec(
            select(func.count(AuditLog.id)).where(
                AuditLog.actor_person_id == actor.person_id,
                AuditLog.action.in_(("request_mandate", "request_mandate_attempt")),
                AuditLog.at >= utcnow() - REQUEST_WINDOW,
            )
        ).one()
        if attempts >= REQUEST_LIMIT:
            audit.record(session, actor.person_id, "request_mandate_limited", None,
                         attempts=attempts)
            outcome = "limited"
        else:
            outcome = _request(session, actor, name, birth_date, wanted, relation, valid_to,
                               today)
    if outcome == "limited":
        raise InvalidMandate("too_many_requests")


def _request(session: Session, actor: Actor, name: str, birth_date: date,
             wanted: tuple[str, ...], relation: str, valid_to: date | None, today: date) -> str:
    candidates = session.exec(
        select(Client).where(func.lower(Client.first_name + " " + Client.last_name) == name)
    ).all()
    matches = [c for c in candidates
               if birth_date_from_identity_code(c.personal_identity_code) == birth_date]
    client = matches[0] if len(matches) == 1 else None
    if client is None:
        outcome = "not_found"
    elif client.person_id is None:
        outcome = "no_account"  # a case worker records it instead
    elif client.person_id == actor.person_id:
        outcome = "agent_is_client"
    else:
        lock_row(session, Client, client.id)  # one new mandate of a client at a time
        try:
            _check_no_open_mandate(session, client.id, actor.person_id, today)
        except InvalidMandate:
            outcome = "already_has_mandate"
        else:
            outcome = "requested"
    if outcome != "requested":
        audit.record(session, actor.person_id, "request_mandate_attempt", None, outcome=outcome)
        return outcome
    mandate = Mandate(
        client_id=client.id, agent_person_id=actor.person_id, scopes=",".join(wanted),
        relation=relation, source=MandateSource.RELATIVE_REQUESTED.value,
        status=MandateStatus.REQUESTED.value, valid_from=today, valid_to=valid_to,
        created_by_person_id=actor.person_id,
    )
    session.add(mandate)
    session.flush()
    audit.record(session, actor.person_id, "request_mandate", client.id,
                 mandate_id=mandate.id, agent=actor.name, scopes=",".join(wanted),
                 valid_to=valid_to)
    return outcome


def _decide(engine: Engine, actor: Actor, mandate_id: int, today: date, confirm: bool) -> None:
    with write_session(engine) as session:
        mandate = _locked_mandate(session, actor, mandate_id)
        represented = _require_manager(session, actor, mandate.client_id, today)
        if mandate.status != MandateStatus.REQUESTED.value:
            raise InvalidMandate("not_requested")
        if confirm:
            if set(stored_scopes(mandate.scopes)) - set(represented.scopes):
                raise AccessDenied("scope_not_held", actor.person_id, mandate.client_id)
            if mandate.valid_to is not None and mandate.valid_to < today:
                raise InvalidMandate("ends_in_past")
            mandate.status = MandateStatus.ACTIVE.value
            mandate.valid_from = today
            replaced = _end_replaced(session, actor, mandate)
        else:
            replaced = []
            mandate.status = MandateStatus.DECLINED.value
            mandate.revoked_by_person_id = actor.person_id
            mandate.revoked_at = utcnow()
        session.add(mandate)
        audit.record(session, actor.person_id, "confirm_mandate" if confirm else "decline_mandate",
                     mandate.client_id, mandate_id=mandate.id,
                     agent=_agent_name(session, mandate.agent_person_id), scopes=mandate.scopes,
                     **({"replaces": replaced} if replaced else {}))


def _end_replaced(session: Session, actor: Actor, mandate: Mandate) -> list[int]:
    """A confirmed request for more rights replaces the agent's earlier mandate(s) given in
    the app (one mandate per agent and client stays in force)."""
    older = session.exec(
        select(Mandate).where(
            Mandate.client_id == mandate.client_id,
            Mandate.agent_person_id == mandate.agent_person_id,
            Mandate.id != mandate.id,
            Mandate.status == MandateStatus.ACTIVE.value,
            Mandate.source.in_((MandateSource.CLIENT_GRANTED.value,
                                MandateSource.RELATIVE_REQUESTED.value,
                                MandateSource.WORKER_RECORDED.value)),
            Mandate.relation != "guardian",
        ).with_for_update()
    ).all()
    for row in older:
        row.status = MandateStatus.REVOKED.value
        row.revoked_by_person_id = actor.person_id
        row.revoked_at = utcnow()
        session.add(row)
    return [row.id for row in older]


def request_more(engine: Engine, actor: Actor, client_id: int,
                 scopes: list[str] | tuple[str, ...] | str, today: date) -> int:
    """A person who already acts for a client asks for more rights: a new `requested`
    mandate with the scopes held plus the new ones, the same relation and end date; the
    client (or a `manage` proxy) confirms it like any request, which ends the old mandate.
    Unlike `request`, the asker already knows the client, so the answers may say what failed."""
    wanted = parse_scopes(scopes)
    with write_session(engine) as session:
        represented = require_client_access(session, actor, client_id, "view", today)
        if represented.relation == "self":
            raise InvalidMandate("agent_is_client")
        lock_row(session, Client, client_id)  # one new mandate of a client at a time
        current = session.exec(
            select(Mandate).where(
                Mandate.client_id == client_id, Mandate.agent_person_id == actor.person_id,
                Mandate.status == MandateStatus.ACTIVE.value, Mandate.valid_from <= today,
                or_(Mandate.valid_to.is_(None), Mandate.valid_to >= today),
            ).order_by(Mandate.id.desc())
        ).first()
        if current is None:
            raise AccessDenied("no_mandate", actor.person_id, client_id)
        if current.source == MandateSource.SUOMIFI.value:
            raise InvalidMandate("suomifi_mandate")
        held = set(stored_scopes(current.scopes))
        if set(wanted) <= held:
            raise InvalidMandate("nothing_more")
        pending = session.exec(select(Mandate.id).where(
            Mandate.client_id == client_id, Mandate.agent_person_id == actor.person_id,
            Mandate.status == MandateStatus.REQUESTED.value)).first()
        if pending is not None:
            raise InvalidMandate("already_requested")
        union = ",".join(s for s in stored_scopes(",".join(held | set(wanted))))
        mandate = Mandate(
            client_id=client_id, agent_person_id=actor.person_id, scopes=union,
            relation=current.relation, source=MandateSource.RELATIVE_REQUESTED.value,
            status=MandateStatus.REQUESTED.value, valid_from=today, valid_to=current.valid_to,
            created_by_person_id=actor.person_id,
        )
        session.add(mandate)
        session.flush()
        audit.record(session, actor.person_id, "request_mandate_upgrade", client_id,
                     mandate_id=mandate.id, agent=actor.name, scopes=union,
                     replaces=current.id)
        return mandate.id


def confirm_request(engine: Engine, actor: Actor, mandate_id: int, today: date) -> None:
    _decide(engine, actor, mandate_id, today, confirm=True)


def decline_request(engine: Engine, actor: Actor, mandate_id: int, today: date) -> None:
    _decide(engine, actor, mandate_id, today, confirm=False)


def revoke(engine: Engine, actor: Actor, mandate_id: int, today: date) -> None:
    """End a mandate: by the client or a `manage` proxy (not guardianships), or by an
    assigned case worker. Suomi.fi mandates are ended at Suomi.fi only."""
    with write_session(engine) as session:
        mandate = _locked_mandate(session, actor, mandate_id)
        if actor.is_worker and actor.own_client_id != mandate.client_id:
            _require_assigned_worker(session, actor, mandate.client_id, today)
        else:
            _require_manager(session, actor, mandate.client_id, today)
            if mandate.relation == "guardian":
                raise AccessDenied("guardianship_by_worker", actor.person_id, mandate.client_id)
        if mandate.source == MandateSource.SUOMIFI.value:
            raise AccessDenied("suomifi_mandate", actor.person_id, mandate.client_id)
        if mandate.status not in OPEN_STATUSES:
            raise InvalidMandate("not_open")
        mandate.status = MandateStatus.REVOKED.value
        mandate.revoked_by_person_id = actor.person_id
        mandate.revoked_at = utcnow()
        session.add(mandate)
        audit.record(session, actor.person_id, "revoke_mandate", mandate.client_id,
                     mandate_id=mandate.id, agent=_agent_name(session, mandate.agent_person_id))


# ---------------------------------------------------------------- the case worker's side


def worker_access(engine: Engine, actor: Actor, client_id: int, today: date) -> WorkerClientAccess:
    """The worker's access page for one client; needs an assignment. Without consent only
    the client's name (and who could give consent) is returned. Audited."""
    with write_session(engine) as session:
        _require_assigned_worker(session, actor, client_id, today)
        client = session.get(Client, client_id)
        status = worker_serves(session, actor.person_id, client_id, today)
        consents: tuple[ConsentView, ...] = ()
        mandates: tuple[MandateView, ...] = ()
        ended: tuple[EndedMandate, ...] = ()
        if status == "ok":
            mandates = tuple(_client_mandates(session, client_id, today))
            ended = tuple(_ended_mandates(session, client_id, today))
            rows = session.exec(
                select(Consent).where(Consent.client_id == client_id,
                                      Consent.revoked_at.is_(None))
                .order_by(Consent.given_on.desc(), Consent.id.desc())
            ).all()
            consents = tuple(
                ConsentView(c.id, _agent_name(session, c.given_by_person_id)
                            if c.given_by_person_id else None,
                            _agent_name(session, c.recorded_by_person_id)
                            if c.recorded_by_person_id else None, c.given_on, c.note)
                for c in rows
            )
        # Only people already connected to this client (any mandate of theirs, in any
        # state): listing everyone in the register would show the worker the clients and
        # relatives of other clients. Anyone else is found by e-mail or identity code.
        people = session.exec(
            select(Person).join(Mandate, Mandate.agent_person_id == Person.id)
            .where(Mandate.client_id == client_id, Person.is_worker.is_(False),
                   Person.is_admin.is_(False))
            .distinct().order_by(Person.display_name)
        ).all()
        agents = tuple(PersonChoice(p.id, p.display_name) for p in people
                       if p.id != client.person_id)
        givers: list[PersonChoice] = []
        if client.person_id is not None:
            givers.append(PersonChoice(client.person_id, client.full_name))
        givers.extend(PersonChoice(p.id, p.display_name)
                      for p in _guardians(session, client_id, today))
        audit.record(session, actor.person_id, "view_client_access", client_id, status=status)
        return WorkerClientAccess(client_id, client.full_name, status, consents, mandates,
                                  agents, tuple(givers), ended)


def record_mandate(
    engine: Engine,
    actor: Actor,
    client_id: int,
    agent: int | str,
    scopes: list[str] | tuple[str, ...] | str,
    relation: str,
    valid_from: date,
    valid_to: date | None,
    today: date,
    agent_name: str = "",
) -> int:
    """A case worker records a mandate (guardianship, a relative without e-identification).
    `agent` is a person id, an e-mail address / name known to HB, or a personal identity code:
    a code nobody has signed in with yet records the person under `agent_name`, and their first
    sign-in with that verified code links them (see `services.sessions.upsert_person`)."""
    wanted = parse_scopes(scopes)
    if relation not in RELATIONS:
        raise InvalidMandate("bad_relation")
    check_period(valid_from, valid_to, today)
    with write_session(engine) as session:
        _require_assigned_worker(session, actor, client_id, today)
        if isinstance(agent, int):
            person = session.get(Person, agent) if 0 < agent <= MAX_ID else None
            if person is None:
                raise InvalidMandate("agent_not_found")
        elif is_valid_personal_identity_code(agent.strip()):
            person = _person_by_identity_code(session, agent, agent_name)
        else:
            person = find_person(session, agent)
        if person.id == actor.person_id or _is_staff(person):
            # Staff never hold a mandate staff recorded: it would stand in for consent.
            raise AccessDenied("agent_is_staff", actor.person_id, client_id)
        client = lock_row(session, Client, client_id)  # one new mandate at a time
        if person.id == client.person_id:
            raise InvalidMandate("agent_is_client")
        _check_no_open_mandate(session, client_id, person.id, today)
        mandate = Mandate(
            client_id=client_id, agent_person_id=person.id, scopes=",".join(wanted),
            relation=relation, source=MandateSource.WORKER_RECORDED.value,
            status=MandateStatus.ACTIVE.value, valid_from=valid_from, valid_to=valid_to,
            created_by_person_id=actor.person_id,
        )
        session.add(mandate)
        session.flush()
        audit.record(session, actor.person_id, "record_mandate", client_id,
                     mandate_id=mandate.id, agent=person.display_name, relation=relation,
                     scopes=",".join(wanted), valid_from=valid_from, valid_to=valid_to)
        return mandate.id


def record_consent(
    engine: Engine,
    actor: Actor,
    client_id: int,
    given_by_person_id: int | None,
    note: str,
    today: date,
) -> int:
    """A case worker records the consent the client (or their guardian) gave; needs only
    assignment. `given_by_person_id` is the client's own account or a guardian in force; None
    only for a client who has no account and no guardian (the note says how it was given).
    Staff are never the giver."""
    note = " ".join(note.split())[:300]
    with write_session(engine) as session:
        _require_assigned_worker(session, actor, client_id, today)
        # One consent at a time: a second tab's record waits here, then finds the first.
        client = lock_row(session, Client, client_id)
        guardians = {p.id for p in _guardians(session, client_id, today)}
        allowed_givers = guardians | ({client.person_id} if client.person_id else set())
        if given_by_person_id is None:
            if allowed_givers:
                raise InvalidMandate("giver_not_found")
        elif given_by_person_id not in allowed_givers or given_by_person_id == actor.person_id:
            raise AccessDenied("giver_not_allowed", actor.person_id, client_id)
        existing = session.exec(
            select(Consent).where(Consent.client_id == client_id, Consent.revoked_at.is_(None),
                                  Consent.given_on <= today).with_for_update()
        ).first()
        if existing is not None:
            raise InvalidMandate("consent_exists")
        consent = Consent(client_id=client_id, given_by_person_id=given_by_person_id,
                          recorded_by_person_id=actor.person_id, given_on=today, note=note)
        session.add(consent)
        session.flush()
        audit.record(session, actor.person_id, "record_consent", client_id,
                     consent_id=consent.id,
                     given_by=_agent_name(session, given_by_person_id) if given_by_person_id
                     else None)
        return consent.id


def revoke_consent(engine: Engine, actor: Actor, client_id: int, today: date) -> int:
    """The client withdrew consent: a case worker records it. Returns how many ended."""
    with write_session(engine) as session:
        _require_assigned_worker(session, actor, client_id, today)
        rows = session.exec(
            select(Consent).where(Consent.client_id == client_id, Consent.revoked_at.is_(None))
            .with_for_update()
        ).all()
        if not rows:
            raise InvalidMandate("no_consent")
        now = utcnow()
        for consent in rows:
            consent.revoked_at = now
            session.add(consent)
        audit.record(session, actor.person_id, "revoke_consent", client_id, count=len(rows))
        return len(rows)


def assigned_clients(engine: Engine, actor: Actor, today: date) -> list[PersonChoice]:
    """The clients assigned to a case worker today (names only), for links to access pages."""
    with read_session(engine) as session:
        if not actor.is_worker:
            raise AccessDenied("not_a_worker", actor.person_id)
        rows = session.exec(
            select(Client).join(CaseWorkerAssignment, CaseWorkerAssignment.client_id == Client.id)
            .where(CaseWorkerAssignment.worker_person_id == actor.person_id,
                   CaseWorkerAssignment.starts_on <= today,
                   or_(CaseWorkerAssignment.ends_on.is_(None),
                       CaseWorkerAssignment.ends_on >= today))
            .order_by(Client.last_name, Client.first_name)
        ).all()
        return [PersonChoice(c.id, c.full_name) for c in rows]


# ---------------------------------------------------------------- Suomi.fi adapter hook


def sync_suomifi_mandate(
    engine: Engine,
    client_id: int,
    agent_person_id: int,
    external_ref: str,
    scopes: list[str] | tuple[str, ...] | str,
    valid_from: date,
    valid_to: date | None,
    active: bool,
) -> int:
    """Create or refresh the row of one Suomi.fi mandate (called by an adapter, not by people).
    Suomi.fi is the authority, so no app-side authorization applies; the change is audited
    with no actor and `source="suomifi"`."""
    wanted = parse_scopes(scopes)
    with write_session(engine) as session:
        mandate = session.exec(
            select(Mandate).where(Mandate.source == MandateSource.SUOMIFI.value,
                                  Mandate.external_ref == external_ref).with_for_update()
        ).first()
        if mandate is None:
            mandate = Mandate(client_id=client_id, agent_person_id=agent_person_id,
                              scopes="", relation="relative", source=MandateSource.SUOMIFI.value,
                              valid_from=valid_from, external_ref=external_ref)
        mandate.scopes = ",".join(wanted)
        mandate.valid_from, mandate.valid_to = valid_from, valid_to
        if active:
            mandate.status = MandateStatus.ACTIVE.value
            mandate.revoked_at = None
        elif mandate.status != MandateStatus.REVOKED.value:
            mandate.status = MandateStatus.REVOKED.value
            mandate.revoked_at = utcnow()
        session.add(mandate)
        session.flush()
        audit.record(session, None, "sync_suomifi_mandate", mandate.client_id,
                     mandate_id=mandate.id, agent=_agent_name(session, agent_person_id),
                     external_ref=external_ref, status=mandate.status)
        return mandate.id


# ---------------------------------------------------------------- checks before a change


def _searchable_person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id) if 0 < person_id <= MAX_ID else None
    if person is None:
        raise InvalidMandate("agent_not_found")
    return person


def search_agents(engine: Engine, actor: Actor, client_id: int, query: str,
                  today: date) -> list[PersonMatch]:
    """The people a mandate could be given to, for the grant journey's first step.

    - A personal identity code finds exactly its person, or nobody (a name is shown only for
      an exact match, so codes cannot be probed for names letter by letter);
    - an e-mail address finds exactly its person;
    - otherwise a name, case- and accent-insensitive, in parts ("aino virt"): at most
      SEARCH_LIMIT + 1 people (the page asks for more of the name when there are more).
    The client themself is never found. Only the client or a `manage` proxy may
    search. A name finds only people who have signed in (the agent signs in to act).
    """
    text = " ".join(query.split())
    if not text:
        raise InvalidMandate("agent_missing")
    with read_session(engine) as session:
        _require_manager(session, actor, client_id, today)
        client = session.get(Client, client_id)
        base = select(Person).where(Person.id != (client.person_id or 0))
        if is_valid_personal_identity_code(text.upper()):
            code = validate_personal_identity_code(text.upper())
            people = list(session.exec(base.where(Person.identity_code == code)).all())
        elif "@" in text:
            people = list(session.exec(
                base.where(func.lower(Person.email) == text.lower())).all())
        else:
            if len(fold_name(text).replace(" ", "")) < 2:
                raise InvalidMandate("agent_too_short")
            # Accent folding is done here, not in SQL, so it works the same on SQLite and
            # PostgreSQL; only id and name columns are read.
            rows = session.exec(
                select(Person.id, Person.display_name).where(
                    Person.id != (client.person_id or 0), Person.oidc_subject.is_not(None))
                .order_by(Person.display_name, Person.id)).all()
            ids = [pid for pid, name in rows if name_matches(text, name)][:SEARCH_LIMIT + 1]
            people = list(session.exec(select(Person).where(Person.id.in_(ids or [0]))
                                       .order_by(Person.display_name, Person.id)).all())
        return [PersonMatch(p.id, p.display_name, _birth_year(p.identity_code))
                for p in people]


def _birth_year(code: str | None) -> int | None:
    if not code:
        return None
    try:
        return birth_date_from_identity_code(code).year
    except ValueError:
        return None


def check_agent_id(engine: Engine, actor: Actor, client_id: int, person_id: int,
                   today: date) -> PersonChoice:
    """The chosen match of `search_agents`: may the actor grant, and is the person free?"""
    with read_session(engine) as session:
        _require_manager(session, actor, client_id, today)
        person = _searchable_person(session, person_id)
        client = session.get(Client, client_id)
        if person.id == client.person_id:
            raise InvalidMandate("agent_is_client")
        _check_no_open_mandate(session, client_id, person.id, today)
        return PersonChoice(person.id, person.display_name)


def check_agent(engine: Engine, actor: Actor, client_id: int, agent_query: str, today: date) -> PersonChoice:
    """The grant journey's first step: may the actor grant, and whom does the query name?"""
    with read_session(engine) as session:
        _require_manager(session, actor, client_id, today)
        person = find_person(session, agent_query)
        client = session.get(Client, client_id)
        if person.id == client.person_id:
            raise InvalidMandate("agent_is_client")
        _check_no_open_mandate(session, client_id, person.id, today)
        return PersonChoice(person.id, person.display_name)


def mandate_for_decision(engine: Engine, actor: Actor, mandate_id: int, today: date) -> MandateView:
    """One open mandate of a client, for a confirmation step (revoke, confirm, decline):
    only for those who may change it."""
    with read_session(engine) as session:
        mandate = session.get(Mandate, mandate_id) if 0 < mandate_id <= MAX_ID else None
        if mandate is None:
            raise AccessDenied("no_mandate", actor.person_id)
        if actor.is_worker and actor.own_client_id != mandate.client_id:
            _require_assigned_worker(session, actor, mandate.client_id, today)
        else:
            _require_manager(session, actor, mandate.client_id, today)
        if mandate.status not in OPEN_STATUSES:
            raise InvalidMandate("not_open")
        client = session.get(Client, mandate.client_id)
        agent = session.get(Person, mandate.agent_person_id)
        return _view(mandate, client, agent, today)
