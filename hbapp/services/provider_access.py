"""Which provider's staff a person is, and which vouchers that provider may act on.

A provider's staff see only the clients that chose it, only for the chosen services and only
while the choice lasts (the voucher). Services of the provider side call these inside their
own transaction; a refusal is an `AccessDenied` (audited by `hbapp.db`).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from hbapp.domain.vouchers import normalize_voucher_code
from hbapp.models import ProviderStaff, Voucher
from hbapp.services.access import AccessDenied, Actor


def staff_provider_ids(session: Session, person_id: int) -> list[int]:
    return list(session.exec(select(ProviderStaff.provider_id)
                             .where(ProviderStaff.person_id == person_id)
                             .order_by(ProviderStaff.provider_id)).all())


def require_staff(session: Session, actor: Actor, provider_id: int,
                  main_user: bool = False) -> ProviderStaff:
    """The actor's staff row at this provider, or AccessDenied (`not_provider_staff`)."""
    row = session.get(ProviderStaff, (provider_id, actor.person_id))
    if row is None or (main_user and not row.is_main_user):
        raise AccessDenied("not_provider_staff", actor.person_id)
    return row


def voucher_for(session: Session, provider_id: int, code: str,
                at: datetime | None = None, actor_person_id: int | None = None) -> Voucher:
    """This provider's voucher by its code, valid at `at` (local time; default: now).

    Another provider's voucher and an unknown code are refused alike (`unknown_voucher`), so a
    provider cannot learn which codes exist; an ended one is `voucher_ended`.
    """
    normalized = normalize_voucher_code(code)
    voucher = None if normalized is None else session.exec(
        select(Voucher).where(Voucher.code == normalized)).first()
    if voucher is None or voucher.provider_id != provider_id:
        raise AccessDenied("unknown_voucher", actor_person_id)
    if at is not None and (at < voucher.issued_at.replace(hour=0, minute=0, second=0,
                                                          microsecond=0)
                           or (voucher.ended_at is not None and at >= voucher.ended_at)):
        raise AccessDenied("voucher_ended", actor_person_id, voucher.client_id)
    if at is None and voucher.ended_at is not None:
        raise AccessDenied("voucher_ended", actor_person_id, voucher.client_id)
    return voucher
