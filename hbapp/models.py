"""The one shared SQL model (SQLModel tables), migrated with Alembic.

Money is always integer cents. Quantities of service units (hours, days, visits, km)
are exact decimals. Instants (created, expires, audit times) are naive UTC; service event start times are
naive local Finnish time, which is how providers record them and how time bands are defined.
Validation of identity codes and business ids happens in the services, with the
rules of `hbapp.domain.identifiers`.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel

UNITS = sa.Numeric(12, 3)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class BudgetStatus(str, enum.Enum):
    DRAFT = "draft"
    ACTIVE = "active"
    ENDED = "ended"
    # A version replaced before its first month by a change from the same month: never shown.
    SUPERSEDED = "superseded"


class ApprovalStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    SUSPENDED = "suspended"


class MandateSource(str, enum.Enum):
    WORKER_RECORDED = "worker_recorded"  # guardianship, relatives without e-identification
    CLIENT_GRANTED = "client_granted"
    RELATIVE_REQUESTED = "relative_requested"  # becomes active when the client confirms
    SUOMIFI = "suomifi"  # reserved for a Suomi.fi mandates adapter


class MandateStatus(str, enum.Enum):
    REQUESTED = "requested"
    ACTIVE = "active"
    DECLINED = "declined"
    REVOKED = "revoked"


class SwapStatus(str, enum.Enum):
    APPLIED = "applied"
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class EventStatus(str, enum.Enum):
    """A service event's state. Only RECORDED events count against the budget and are settled."""

    RECORDED = "recorded"
    NEEDS_REVIEW = "needs_review"  # would take the month over what is left: the worker decides
    REJECTED = "rejected"  # the case worker refused a needs-review event
    CANCELLED = "cancelled"  # the provider withdrew it (with a reason), or a dispute upheld


class Intake(str, enum.Enum):
    """Whether a provider takes new clients."""

    YES = "yes"
    WAITING_LIST = "waiting_list"
    NO = "no"


class Organizer(SQLModel, table=True):
    """The organizer: a wellbeing services county, municipality or joint authority."""

    id: int | None = Field(default=None, primary_key=True)
    name_fi: str = Field(max_length=200)
    name_sv: str = Field(max_length=200)
    name_en: str = Field(max_length=200)
    business_id: str = Field(max_length=9, unique=True)
    km_rate_cents: int = 24
    km_free_km: int = 10
    km_max_km: int = 100
    # For the cost calculator: the client fee of own production and the voucher's maximum value.
    own_production_fee_cents_per_hour: int = 0
    own_production_cost_cents_per_hour: int = 3990
    voucher_max_cents_per_hour: int = 2700
    phone: str = Field(default="", max_length=40)
    email: str = Field(default="", max_length=200)


class Municipality(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=3)  # Statistics Finland code, e.g. "205"
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    name_fi: str = Field(max_length=100)
    name_sv: str = Field(max_length=100)


class ServiceType(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("organizer_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    code: str = Field(max_length=40)  # stable id used in rulebooks and CSV imports
    name_fi: str = Field(max_length=120)
    name_sv: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    unit: str = Field(max_length=10)  # hbapp.domain.units.Unit value
    unit_value_cents: int  # the budget's value of one unit (weekday day band when time-banded)
    time_banded: bool = False  # prices and values differ by time band
    self_pay_applies: bool = False  # client pays the part of the price above the unit value
    sort_order: int = 0


class ServiceBandValue(SQLModel, table=True):
    """The budget's unit value of a time-banded service in one band (e.g. 22–44 €/h)."""

    __table_args__ = (sa.UniqueConstraint("service_type_id", "band"),)

    id: int | None = Field(default=None, primary_key=True)
    service_type_id: int = Field(foreign_key="servicetype.id", index=True)
    band: str = Field(max_length=20)  # hbapp.domain.timebands.TimeBand value
    unit_value_cents: int


class ServiceUnitValue(SQLModel, table=True):
    """The catalog's unit value of a service from a date on (values change every January).

    Non-banded services use the band `weekday_day`. A decision version takes the value in force
    on its first day, unless its line fixes its own value.
    """

    __table_args__ = (sa.UniqueConstraint("service_type_id", "band", "valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    service_type_id: int = Field(foreign_key="servicetype.id", index=True)
    band: str = Field(default="weekday_day", max_length=20)
    valid_from: date
    unit_value_cents: int
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Person(SQLModel, table=True):
    """Someone who signs in: a client, a relative, a guardian, a worker, an administrator.

    A row without `oidc_subject` was recorded by a case worker by identity code (a relative
    given a mandate before they ever signed in); their first sign-in links it by that code.
    """

    id: int | None = Field(default=None, primary_key=True)
    oidc_subject: str | None = Field(default=None, max_length=255, unique=True, index=True)
    # The verified identity code from the sign-in claim, kept only for linking; never shown.
    identity_code: str | None = Field(default=None, max_length=11, unique=True)
    display_name: str = Field(max_length=200)
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    locale: str | None = Field(default=None, max_length=5)  # chosen language, None = browser's
    text_size: str = Field(default="normal", max_length=12)
    is_worker: bool = False
    is_admin: bool = False
    organizer_id: int | None = Field(default=None, foreign_key="organizer.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class Client(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    organizer_id: int = Field(foreign_key="organizer.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", unique=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    personal_identity_code: str = Field(max_length=11, unique=True)
    municipality_code: str = Field(foreign_key="municipality.code", max_length=3)
    language: str = Field(default="fi", max_length=5)
    own_worker_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    street_address: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=40)
    # Bumped by every write of the client's decisions: two workers editing at once are told.
    decisions_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: NaiveDatetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Budget(SQLModel, table=True):
    """One version of a budget decision, in force from `valid_from` to `valid_to`.

    All versions of one decision share `decision_reference` (the decision number, e.g.
    HB-2026-0042); a change is a new version from a month, and the previous version then ends
    on the last day of the month before.
    """

    __table_args__ = (
        sa.UniqueConstraint("organizer_id", "decision_reference", "decision_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    organizer_id: int = Field(foreign_key="organizer.id")
    valid_from: date
    valid_to: date | None = None
    status: str = Field(default=BudgetStatus.ACTIVE.value, max_length=10)
    decision_reference: str = Field(max_length=60)
    decision_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    decision_date: date | None = None
    reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    # Set on the version a decision to end the budget ended (its valid_to is the last day).
    end_decision_date: date | None = None
    end_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # Bumped by every change of the budget's money, so concurrent writers can detect races.
    version: int = 0
    created_at: NaiveDatetime = Field(default_factory=utcnow)


class BudgetLine(SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("budget_id", "service_type_id"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    granted_units_per_month: Decimal = Field(sa_column=sa.Column(UNITS, nullable=False))
    unit_value_cents: int
    # Empty: the catalog's value in force on the version's first day. Otherwise the decision
    # fixed its own value, and this says why.
    unit_value_reason: str = Field(default="", max_length=300,
                                   sa_column_kwargs={"server_default": ""})


class BudgetLineBandValue(SQLModel, table=True):
    """A time-banded line's unit value in one band (copied from the catalog or fixed)."""

    __table_args__ = (sa.UniqueConstraint("budget_line_id", "band"),)

    id: int | None = Field(default=None, primary_key=True)
    budget_line_id: int = Field(foreign_key="budgetline.id", index=True)
    band: str = Field(max_length=20)
    unit_value_cents: int


class BudgetAddition(SQLModel, table=True):
    """Money added to the budget outside the lines (e.g. a trip with an assistant): once, in
    `month`, or every month of its decision version from `month` on (`monthly`)."""

    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    month: date  # first day of the month
    amount_cents: int
    description: str = Field(max_length=200)
    monthly: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})


class DecisionSequence(SQLModel, table=True):
    """The last decision number used per organizer and year (HB-2026-0042 → 42)."""

    organizer_id: int = Field(foreign_key="organizer.id", primary_key=True)
    year: int = Field(primary_key=True)
    last_number: int = 0


class DecisionConflict(SQLModel, table=True):
    """Something a decision change or end could not carry over (a swap's adjustment or a
    pending swap request), kept for the case worker to resolve: never dropped silently."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    budget_id: int = Field(foreign_key="budget.id")  # the version that caused it
    month: date
    kind: str = Field(max_length=20)  # no_line, below_moved, after_end
    swap_request_id: int | None = Field(default=None, foreign_key="swaprequest.id")
    service_type_id: int | None = Field(default=None, foreign_key="servicetype.id")
    details: str = "{}"  # JSON: units, moved units
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    resolved_at: NaiveDatetime | None = None
    resolved_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    resolution: str = ""


class LineAdjustment(SQLModel, table=True):
    """Money a swap moved into (+) or out of (−) one line in one month; the budget is money."""

    id: int | None = Field(default=None, primary_key=True)
    budget_line_id: int = Field(foreign_key="budgetline.id", index=True)
    month: date
    delta_cents: int
    swap_request_id: int = Field(foreign_key="swaprequest.id", index=True)


class Provider(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: str = Field(max_length=9, unique=True)
    name: str = Field(max_length=200, index=True)
    description_fi: str = ""
    description_sv: str = ""
    description_en: str = ""
    approval_status: str = Field(default=ApprovalStatus.PENDING.value, max_length=10, index=True)
    languages: str = Field(default="fi", max_length=40)  # comma-separated locale codes
    takes_new_clients: bool = True
    evening_service: bool = False
    weekend_service: bool = False
    phone: str = Field(default="", max_length=40)  # the local contact, not a head office
    email: str = Field(default="", max_length=200)
    street_address: str = Field(default="", max_length=200)
    postal_code: str = Field(default="", max_length=5)
    city: str = Field(default="", max_length=100)
    opening_hours: str = Field(default="", max_length=200)
    # `takes_new_clients` stays the yes/no that filters use; `intake` says it in full.
    intake: str = Field(default=Intake.YES.value, max_length=12,
                        sa_column_kwargs={"server_default": Intake.YES.value})
    expected_wait_weeks: int | None = None  # with intake = waiting_list
    facts_confirmed_at: NaiveDatetime | None = None  # when its staff last confirmed the offer
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    # The last suspension (approval_status = suspended): when, why and by whom. Its current
    # clients still see its contact details and this notice; new clients are not offered it.
    suspended_at: NaiveDatetime | None = None
    suspended_reason: str = Field(default="", max_length=1000,
                                  sa_column_kwargs={"server_default": ""})
    suspended_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class ProviderStaff(SQLModel, table=True):
    """A person working for a provider in HB; a main user may add and remove staff."""

    provider_id: int = Field(foreign_key="provider.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    is_main_user: bool = False
    added_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: NaiveDatetime = Field(default_factory=utcnow)


class ProviderMunicipality(SQLModel, table=True):
    provider_id: int = Field(foreign_key="provider.id", primary_key=True)
    municipality_code: str = Field(foreign_key="municipality.code", primary_key=True, max_length=3)


class ProviderPrice(SQLModel, table=True):
    """A provider's price for a service and band, in force from `valid_from` until the next row
    of the same key (price changes are approved requests that add a row)."""

    __table_args__ = (
        sa.UniqueConstraint("provider_id", "service_type_id", "band", "valid_from",
                            name="uq_providerprice_valid_from"),)

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id", index=True)
    band: str = Field(default="weekday_day", max_length=20)
    price_cents: int
    valid_from: date = Field(default=date(2000, 1, 1),
                             sa_column_kwargs={"server_default": "2000-01-01"})


class PriceChangeRequest(SQLModel, table=True):
    """A provider's asked-for price, effective from a date once an administrator approves it."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    band: str = Field(default="weekday_day", max_length=20)
    price_cents: int
    effective_from: date
    status: str = Field(default="pending", max_length=10, index=True)  # ApprovalStatus values
    requested_by_person_id: int = Field(foreign_key="person.id")
    requested_at: NaiveDatetime = Field(default_factory=utcnow)
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: NaiveDatetime | None = None
    note: str = ""


class ProviderChoice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    provider_id: int = Field(foreign_key="provider.id", index=True)
    chosen_by_person_id: int = Field(foreign_key="person.id")
    chosen_at: NaiveDatetime = Field(default_factory=utcnow)
    ended_at: NaiveDatetime | None = None


class Voucher(SQLModel, table=True):
    """The code of one client–provider–service choice (palveluseteli), shown to both parties.

    Valid while its choice lasts: ending the choice ends the voucher (`ended_at`)."""

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=12, unique=True)  # HB-XXXX-XXXX, see domain.vouchers
    choice_id: int = Field(foreign_key="providerchoice.id", unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    issued_at: NaiveDatetime = Field(default_factory=utcnow)
    ended_at: NaiveDatetime | None = None


class ServiceEvent(SQLModel, table=True):
    """A delivered service recorded by a provider (palvelutapahtuma).

    Only `status == recorded` counts against the budget. Corrections never edit the money of a
    row: a provider cancels it (reason kept) and records a new one.
    """

    __table_args__ = (
        sa.Index("ix_serviceevent_client_time", "client_id", "started_at"),
        # POST /events with the same external_id answers with the first result (per provider).
        sa.UniqueConstraint("provider_id", "external_id", name="uq_serviceevent_provider_external"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    client_id: int = Field(foreign_key="client.id")
    budget_line_id: int = Field(foreign_key="budgetline.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    started_at: NaiveDatetime  # local Finnish time
    units: Decimal = Field(sa_column=sa.Column(UNITS, nullable=False))
    band: str = Field(default="weekday_day", max_length=20)
    amount_cents: int  # charged to the budget
    self_pay_cents: int = 0  # paid by the client to the provider
    km: Decimal = Field(default=Decimal(0), sa_column=sa.Column(UNITS, nullable=False))
    km_compensation_cents: int = 0
    external_ref: str | None = Field(default=None, max_length=64, unique=True)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    voucher_id: int | None = Field(default=None, foreign_key="voucher.id", index=True)
    ended_at: NaiveDatetime | None = None  # local time, for hour-based services
    status: str = Field(default=EventStatus.RECORDED.value, max_length=12, index=True,
                        sa_column_kwargs={"server_default": EventStatus.RECORDED.value})
    source: str = Field(default="seed", max_length=8)  # seed, page, csv, api
    external_id: str | None = Field(default=None, max_length=100)
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    api_token_id: int | None = Field(default=None, foreign_key="providerapitoken.id")
    reviewed_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    reviewed_at: NaiveDatetime | None = None
    review_note: str = ""
    cancelled_at: NaiveDatetime | None = None
    cancelled_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    cancel_reason: str = ""


class SettlementRowKind(str, enum.Enum):
    NORMAL = "normal"  # the month's recorded events of one voucher and service, summed
    CORRECTION = "correction"  # an event of an earlier, already settled month recorded late
    CREDIT = "credit"  # an event settled earlier and cancelled afterwards: negative amounts


class MonthClose(SQLModel, table=True):
    """A month closed for settlement (all providers at once). Its primary key is the lock that
    makes closing idempotent: a second, concurrent close cannot insert it again."""

    month: date = Field(primary_key=True)  # first day of the month
    closed_at: NaiveDatetime = Field(default_factory=utcnow)
    closed_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Settlement(SQLModel, table=True):
    """One provider's closed month: what the organizer pays (frozen; never changed).

    Later changes to a settled month go into the provider's next settlement as correction or
    credit rows. `reference` is the national invoicing reference (viitenumero), `rf_reference`
    its ISO 11649 form (`hbapp.domain.reference`).
    """

    __table_args__ = (
        sa.UniqueConstraint("provider_id", "month", name="uq_settlement_provider_month"),
    )

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    month: date  # first day of the settled month
    closed_at: NaiveDatetime = Field(default_factory=utcnow)
    closed_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    reference: str = Field(max_length=20, unique=True)
    rf_reference: str = Field(max_length=25)
    organizer_cents: int = 0  # charged to the budgets (service amounts, no km)
    self_pay_cents: int = 0  # the clients pay these to the provider directly (for information)
    km_cents: int = 0  # kilometre compensation, paid by the organizer
    row_count: int = 0
    event_count: int = 0  # events settled (normal, correction and credit)


class SettlementRow(SQLModel, table=True):
    """One line of a settlement: a voucher's service of the month summed (`normal`), or one
    late (`correction`) or cancelled (`credit`, negative) event of an earlier settled month."""

    id: int | None = Field(default=None, primary_key=True)
    settlement_id: int = Field(foreign_key="settlement.id", index=True)
    kind: str = Field(max_length=10)  # SettlementRowKind value
    event_id: int | None = Field(default=None, foreign_key="serviceevent.id", index=True)
    voucher_code: str = Field(default="", max_length=12)
    client_id: int = Field(foreign_key="client.id", index=True)
    service_type_id: int = Field(foreign_key="servicetype.id")
    event_month: date  # the month the event(s) happened in
    event_count: int = 0
    units: Decimal = Field(sa_column=sa.Column(UNITS, nullable=False))
    organizer_cents: int = 0
    self_pay_cents: int = 0
    km: Decimal = Field(default=Decimal(0), sa_column=sa.Column(UNITS, nullable=False))
    km_cents: int = 0


class SettledEvent(SQLModel, table=True):
    """Which settlement took an event in, and which credited it: an event is settled at most
    once and credited at most once (the primary key and the unique constraint say so)."""

    __table_args__ = (
        sa.UniqueConstraint("event_id", "kind", name="uq_settledevent_event_kind"),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="serviceevent.id", index=True)
    kind: str = Field(max_length=10)  # "settled" or "credited"
    settlement_id: int = Field(foreign_key="settlement.id", index=True)
    settlement_row_id: int = Field(foreign_key="settlementrow.id")


class ProviderApiToken(SQLModel, table=True):
    """A provider's API token: only its sha256 is kept; the token is shown once."""

    id: int | None = Field(default=None, primary_key=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=12)  # the first characters, to tell tokens apart
    label: str = Field(default="", max_length=100)
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    last_used_at: NaiveDatetime | None = None
    revoked_at: NaiveDatetime | None = None
    revoked_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class Mandate(SQLModel, table=True):
    """The right of a person (agent) to act for a client, with scopes and a period."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    agent_person_id: int = Field(foreign_key="person.id", index=True)
    scopes: str = Field(max_length=100)  # comma-separated: view, manage, feedback, surveys
    relation: str = Field(default="relative", max_length=20)  # relative, guardian, other
    source: str = Field(max_length=20)
    status: str = Field(default=MandateStatus.ACTIVE.value, max_length=10)
    valid_from: date
    valid_to: date | None = None
    external_ref: str | None = Field(default=None, max_length=100)  # e.g. a Suomi.fi mandate id
    created_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    revoked_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    revoked_at: NaiveDatetime | None = None


class CaseWorkerAssignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    worker_person_id: int = Field(foreign_key="person.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    starts_on: date
    ends_on: date | None = None


class Consent(SQLModel, table=True):
    """The client's (or guardian's) consent to show their data to case workers."""

    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    given_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    recorded_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    given_on: date
    revoked_at: NaiveDatetime | None = None
    note: str = Field(default="", max_length=300)


class SurveyAssignment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    instrument_id: str = Field(max_length=30)
    timepoint: str = Field(default="baseline", max_length=20)  # baseline, 6_months, end, other
    due_on: date
    assigned_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    completed_at: NaiveDatetime | None = None
    cancelled_at: NaiveDatetime | None = None
    draft_answers: str = "{}"  # JSON of answers saved so far, resumable on another day


class SurveyResponse(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    assignment_id: int | None = Field(default=None, foreign_key="surveyassignment.id", unique=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    instrument_id: str = Field(max_length=30)
    answered_by_person_id: int = Field(foreign_key="person.id")
    proxy_reported: bool = False
    # Marked by the case worker: the client answered with someone's help (e.g. a licensed
    # questionnaire shown in English, gone through together).
    answered_with_help: bool = Field(default=False,
                                     sa_column_kwargs={"server_default": sa.false()})
    help_marked_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    language: str = Field(default="en", max_length=5)
    answers: str  # JSON object as given
    scores: str  # JSON object computed by hbapp.domain.scoring
    idempotency_key: str = Field(max_length=64, unique=True)
    submitted_at: NaiveDatetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    score: int  # Net Promoter 0–10
    comment: str = ""
    flag: str | None = Field(default=None, max_length=40)
    given_by_person_id: int = Field(foreign_key="person.id")
    proxy_reported: bool = False
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    replaced_at: NaiveDatetime | None = None  # a later answer within 30 days replaces this one
    flag_handled_at: NaiveDatetime | None = None  # the flag was resolved: no longer open
    flag_handled_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    flag_handled_note: str = Field(default="", max_length=1000,
                                   sa_column_kwargs={"server_default": ""})
    flag_contacted_at: NaiveDatetime | None = None  # the worker contacted the provider
    flag_contacted_by_person_id: int | None = Field(default=None, foreign_key="person.id")


class SwapRequest(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    budget_id: int = Field(foreign_key="budget.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    month: date
    from_line_id: int = Field(foreign_key="budgetline.id")
    to_line_id: int = Field(foreign_key="budgetline.id")
    from_units: Decimal = Field(sa_column=sa.Column(UNITS, nullable=False))  # as asked
    to_units: Decimal = Field(sa_column=sa.Column(UNITS, nullable=False))  # what it bought
    amount_cents: int  # the money moved from the from-line to the to-line
    requested_cents: int = 0  # the request's value; requested − moved stayed in the from-line
    status: str = Field(max_length=10)
    rulebook_version: str = Field(default="", max_length=40)
    requested_by_person_id: int = Field(foreign_key="person.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: NaiveDatetime | None = None
    reason: str = ""


class Message(SQLModel, table=True):
    """A notice in a person's HB inbox (`/messages`).

    Stored as a kind and its parameters, never as text: it is rendered in the reader's language
    when shown (`hbapp.views.messages`), so the same message reads in Finnish, Swedish or English.
    """

    __table_args__ = (
        # The unread count in the navigation: one index-only count per page load.
        sa.Index("ix_message_recipient_read", "recipient_person_id", "read_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_person_id: int = Field(foreign_key="person.id")
    kind: str = Field(max_length=40)  # hbapp.views.messages.KINDS
    subject_client_id: int | None = Field(default=None, foreign_key="client.id")
    params: str = "{}"  # JSON: values for the kind's texts (dates ISO, names per language)
    link: str = Field(default="", max_length=200)  # a path inside HB, e.g. /budget?month=…
    created_at: NaiveDatetime = Field(default_factory=utcnow, index=True)
    read_at: NaiveDatetime | None = None


class NoticeOutbox(SQLModel, table=True):
    """A notice about a new message to send outside HB (an e-mail), written in the same
    transaction as the message and sent after commit by `hbapp.services.notices`.

    Holds no personal data beyond the address: the text only says there is a new message.
    """

    __table_args__ = (sa.Index("ix_noticeoutbox_pending", "sent_at", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    message_id: int = Field(foreign_key="message.id", index=True)
    channel: str = Field(default="email", max_length=20)
    address: str = Field(max_length=200)
    locale: str = Field(default="fi", max_length=5)
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    attempts: int = 0
    next_attempt_at: NaiveDatetime = Field(default_factory=utcnow)
    sent_at: NaiveDatetime | None = None
    last_error: str = Field(default="", max_length=500)


class DisputeReason(str, enum.Enum):
    DID_NOT_HAPPEN = "did_not_happen"
    WRONG_TIME_OR_LENGTH = "wrong_time_or_length"
    OTHER = "other"


class DisputeStatus(str, enum.Enum):
    OPEN = "open"
    UPHELD = "upheld"  # the event was cancelled
    REJECTED = "rejected"  # the event was kept, with an explanation


class Dispute(SQLModel, table=True):
    """A problem the client (or a proxy with the manage scope) reported with one event; the
    client's case worker decides it."""

    __table_args__ = (
        # At most one open dispute per event (a partial unique index on both databases).
        sa.Index("uq_dispute_open_event", "event_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"),
                 postgresql_where=sa.text("status = 'open'")),
    )

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="serviceevent.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    provider_id: int = Field(foreign_key="provider.id", index=True)
    opened_by_person_id: int = Field(foreign_key="person.id")
    opened_at: NaiveDatetime = Field(default_factory=utcnow)
    reason: str = Field(max_length=24)  # DisputeReason value
    comment: str = ""
    status: str = Field(default=DisputeStatus.OPEN.value, max_length=10, index=True)
    decided_by_person_id: int | None = Field(default=None, foreign_key="person.id")
    decided_at: NaiveDatetime | None = None
    explanation: str = ""


class AuditLog(SQLModel, table=True):
    """Append-only: who did what, for whom, when (views of personal data included)."""

    __table_args__ = (
        sa.Index("ix_auditlog_subject_at", "subject_client_id", "at"),
        # One person's recent actions of one kind (the limit on mandate requests).
        sa.Index("ix_auditlog_actor_action_at", "actor_person_id", "action", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: NaiveDatetime = Field(default_factory=utcnow)
    actor_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    subject_client_id: int | None = Field(default=None, foreign_key="client.id")
    action: str = Field(max_length=60)
    details: str = "{}"  # JSON


class LoginSession(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)  # sha256 of the cookie value
    person_id: int = Field(foreign_key="person.id", index=True)
    acting_for_client_id: int | None = Field(default=None, foreign_key="client.id")
    created_at: NaiveDatetime = Field(default_factory=utcnow)
    expires_at: NaiveDatetime
    ended_at: NaiveDatetime | None = None
    id_token_hint: str = ""  # for RP-initiated logout at the OpenID provider
