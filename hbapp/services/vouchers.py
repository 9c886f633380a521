"""Vouchers: a code per client–provider–service choice, valid while the choice lasts.

`issue_voucher` and `end_vouchers` run inside the caller's transaction (the choice's), so a
choice and its voucher always begin and end together.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from hbapp.domain.vouchers import new_voucher_code
from hbapp.models import ProviderChoice, Voucher


def issue_voucher(session: Session, choice: ProviderChoice) -> Voucher:
    """A new voucher for a just-made choice (a fresh code on the rare collision)."""
    for _ in range(5):
        code = new_voucher_code()
        taken = session.exec(select(Voucher.id).where(Voucher.code == code)).first()
        if taken is None:
            break
    else:  # pragma: no cover - 28^8 codes: five collisions in a row do not happen
        raise RuntimeError("could not draw a free voucher code")
    voucher = Voucher(code=code, choice_id=choice.id, client_id=choice.client_id,
                      provider_id=choice.provider_id, service_type_id=choice.service_type_id,
                      issued_at=choice.chosen_at)
    session.add(voucher)
    session.flush()
    return voucher


def end_vouchers(session: Session, choice_ids: list[int], at: datetime) -> None:
    """End the vouchers of ended choices: their provider can no longer record on them."""
    if choice_ids:
        session.execute(sa.update(Voucher)
                        .where(Voucher.choice_id.in_(choice_ids), Voucher.ended_at.is_(None))
                        .values(ended_at=at))
