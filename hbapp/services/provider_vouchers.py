"""The vouchers a provider may record on, as its own systems see them (`GET /vouchers`).

Only the provider's own vouchers and only those still valid; a client's name and the code,
never the identity code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from hbapp.db import read_session
from hbapp.models import Client, ServiceType, Voucher


@dataclass(frozen=True)
class ActiveVoucher:
    code: str
    client_name: str
    service_code: str
    since: datetime


def active_vouchers(engine: Engine, *, provider_id: int,
                    api_token_id: int | None = None) -> list[ActiveVoucher]:
    """The provider's valid vouchers, by client name; the listing is audited (it shows names)."""
    with read_session(engine) as session:
        rows = session.exec(
            select(Voucher.code, Client.first_name, Client.last_name, ServiceType.code,
                   Voucher.issued_at, Voucher.client_id)
            .join(Client, Client.id == Voucher.client_id)
            .join(ServiceType, ServiceType.id == Voucher.service_type_id)
            .where(Voucher.provider_id == provider_id, Voucher.ended_at.is_(None))
            .order_by(Client.last_name, Client.first_name, Voucher.code)).all()
    result = [ActiveVoucher(code, f"{first} {last}", service, issued)
              for code, first, last, service, issued, _client in rows]
    if api_token_id is not None:
        from hbapp.services.provider_tokens import audit_api_read

        audit_api_read(engine, provider_id=provider_id, api_token_id=api_token_id,
                       action="provider_vouchers_listed", clients=[row[5] for row in rows])
    return result
