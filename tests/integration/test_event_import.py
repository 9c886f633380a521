"""CSV import of service events (service and `hb events import`) and `hb providers token`."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from hbapp.db import read_session
from hbapp.i18n import Translator
from hbapp.models import (
    AuditLog,
    Person,
    Provider,
    ProviderApiToken,
    ProviderStaff,
    ServiceEvent,
    Voucher,
)
from hbapp.seed import seed_demo
from hbapp.services.access import AccessDenied, load_actor
from hbapp.services.event_import import import_events
from hbapp.services.provider_events import local_now
from hbapp.services.provider_tokens import verify

TODAY = local_now().date()
HEADER = "voucher;service_code;start;end;date;units;km;external_id\n"


def _fi(days_back: int) -> str:
    day = TODAY - timedelta(days=days_back)
    return f"{day.day}.{day.month}.{day.year}"


@pytest.fixture
def world(empty_engine):
    seed_demo(empty_engine)
    with read_session(empty_engine) as session:
        provider = session.exec(select(Provider).where(
            Provider.name == "Saimaan Kotihelmi Oy")).one()
        voucher = session.exec(select(Voucher).where(Voucher.provider_id == provider.id)).one()
        staff = session.exec(select(Person).where(Person.oidc_subject == "demo-provider")).one()
        other = session.exec(select(Person).where(Person.oidc_subject == "demo-provider-2")).one()
        return {"engine": empty_engine, "provider": provider, "voucher": voucher.code,
                "actor": load_actor(session, staff.id), "other": load_actor(session, other.id)}


def _events(engine, provider_id):
    with read_session(engine) as session:
        return session.exec(select(ServiceEvent).where(
            ServiceEvent.provider_id == provider_id, ServiceEvent.source == "csv")).all()


def test_good_rows_are_recorded_bad_ones_reported_and_a_resend_doubles_nothing(world):
    engine, pid, code = world["engine"], world["provider"].id, world["voucher"]
    text = (HEADER
            + f"{code};home_care;18:00;19:30;{_fi(2)};;;\n"  # 2 good: evening visit
            + f"{code.lower()};home_care;{_fi(3)} 09:00;{_fi(3)} 10:00;;;;own-7\n"  # 3 good
            + f"HB-2222-2222;home_care;10:00;11:00;{_fi(2)};;;\n"  # 4 unknown voucher
            + f"{code};home_care;10:00;11:00;{_fi(70)};;;\n"  # 5 too old
            + f"{code};home_care;10:00;11:00;{_fi(-2)};;;\n"  # 6 future
            + f"{code};cleaning;;;{_fi(2)};1;;\n"  # 7 not on the voucher
            + f"{code};home_care;11:00;10:00;{_fi(2)};;;\n"  # 8 end before start
            + f"{code};home_care;10:00;11:00;31.2.2026;;;\n")  # 9 no such date
    report = import_events(engine, provider_id=pid, data=text.encode("utf-8-sig"),
                           actor=world["actor"])
    assert report.file_code is None
    assert report.lines("recorded") + report.lines("needs_review") == [2, 3]
    refused = {o.line: o.code for o in report.refused}
    assert refused == {4: "unknown_voucher", 5: "too_old", 6: "future",
                       7: "service_not_on_voucher", 8: "bad_time", 9: "bad_date"}
    recorded = _events(engine, pid)
    assert len(recorded) == 2
    assert {e.external_id for e in recorded} >= {"own-7"}
    assert all(e.recorded_by_person_id == world["actor"].person_id for e in recorded)
    evening = next(e for e in recorded if e.external_id != "own-7")
    assert evening.external_id.startswith("csv:")
    # The refused rows, as written, with an error column in the person's language.
    t = Translator("fi")
    rejected = list(csv.reader(io.StringIO(report.rejected_rows_csv(t)), delimiter=";"))
    assert rejected[0] == [*HEADER.strip().split(";"), "error"]
    assert [row[-1].split(":")[0] for row in rejected[1:]] == ["4", "5", "6", "7", "8", "9"]
    assert rejected[1][0] == "HB-2222-2222"
    # The same file again: nothing new.
    again = import_events(engine, provider_id=pid, data=text.encode("utf-8"),
                          actor=world["actor"])
    assert again.lines("repeated") == [2, 3] and len(again.refused) == 6
    assert len(_events(engine, pid)) == 2
    with read_session(engine) as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "events_imported")).all()
        assert len(audits) == 2 and all(a.actor_person_id == world["actor"].person_id
                                        for a in audits)


def test_windows_1252_and_comma_delimited_files(world):
    engine, pid, code = world["engine"], world["provider"].id, world["voucher"]
    text = ("voucher,service_code,start,end,external_id\n"
            f"{code},home_care,{_fi(4)} 12:00,{_fi(4)} 13:00,Käynti-ä\n")
    report = import_events(engine, provider_id=pid, data=text.encode("cp1252"),
                           actor=world["actor"])
    assert not report.refused, [(o.code, o.field) for o in report.refused]
    assert [e.external_id for e in _events(engine, pid)] == ["Käynti-ä"]


def test_another_providers_staff_is_refused_and_nothing_is_recorded(world):
    engine, pid, code = world["engine"], world["provider"].id, world["voucher"]
    text = HEADER + f"{code};home_care;18:00;19:00;{_fi(2)};;;\n"
    with pytest.raises(AccessDenied):
        import_events(engine, provider_id=pid, data=text.encode(), actor=world["other"])
    assert _events(engine, pid) == []
    # Its own provider does not know the voucher.
    with read_session(engine) as session:
        other_pid = session.exec(select(ProviderStaff.provider_id).where(
            ProviderStaff.person_id == world["other"].person_id)).one()
    report = import_events(engine, provider_id=other_pid, data=text.encode(),
                           actor=world["other"])
    assert [o.code for o in report.refused] == ["unknown_voucher"]


def test_file_problems_and_ten_thousand_rows(world):
    engine, pid = world["engine"], world["provider"].id
    assert import_events(engine, provider_id=pid, data=b"price;x\n1;2\n",
                         actor=world["actor"]).file_code == "bad_header"
    rows = HEADER + f"{world['voucher']};home_care;10:00;11:00;32.1.2026;;;\n" * 10_000
    report = import_events(engine, provider_id=pid, data=rows.encode(), actor=world["actor"])
    assert report.file_code is None and len(report.refused) == 10_000
    assert report.refused[-1].line == 10_001
    too_many = rows + f"{world['voucher']};home_care;10:00;11:00;1.1.2026;;;\n"
    assert import_events(engine, provider_id=pid, data=too_many.encode(),
                         actor=world["actor"]).file_code == "too_many_rows"


def _hb(engine, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {"HB_DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
           "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([sys.executable, "-m", "hbapp.cli", *args], capture_output=True,
                          text=True, env=env, cwd=cwd)


def test_hb_events_import(world, tmp_path):
    engine, provider, code = world["engine"], world["provider"], world["voucher"]
    path = tmp_path / "events.csv"
    path.write_text(HEADER + f"{code};home_care;08:00;09:00;{_fi(5)};;;\n"
                    + f"{code};home_care;08:00;09:00;{_fi(99)};;;\n", encoding="utf-8")
    done = _hb(engine, "events", "import", "--provider", provider.business_id, str(path))
    assert done.returncode == 1, done.stderr
    assert "recorded: 1" in done.stdout or "needs review: 1" in done.stdout
    assert "line 3:" in done.stderr and "60 days" in done.stderr
    rejected = tmp_path / "events.rejected.csv"
    assert rejected.exists() and "error" in rejected.read_text(encoding="utf-8-sig")
    again = _hb(engine, "events", "import", "--provider", provider.business_id, str(path))
    assert "recorded earlier: 1" in again.stdout
    assert len(_events(engine, provider.id)) == 1
    assert all(e.recorded_by_person_id is None for e in _events(engine, provider.id))
    unknown = _hb(engine, "events", "import", "--provider", "0000000-0", str(path))
    assert unknown.returncode == 2 and "no provider" in unknown.stderr


def test_hb_providers_token_create_and_revoke(world):
    engine, provider = world["engine"], world["provider"]
    made = _hb(engine, "providers", "token", provider.business_id, "--label", "Kirjuri")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip()
    assert token.startswith("hbp_") and len(token) > 40
    assert verify(engine, token) == (provider.id, verify(engine, token)[1])
    with read_session(engine) as session:
        row = session.exec(select(ProviderApiToken).where(
            ProviderApiToken.provider_id == provider.id)).one()
        assert row.label == "Kirjuri" and token not in row.token_hash
        assert session.exec(select(AuditLog).where(
            AuditLog.action == "api_token_created")).first() is not None
    revoked = _hb(engine, "providers", "token", provider.business_id, "--revoke", row.prefix)
    assert revoked.returncode == 0 and row.prefix in revoked.stdout
    assert verify(engine, token) is None
    missing = _hb(engine, "providers", "token", provider.business_id, "--revoke", "hbp_nothing")
    assert missing.returncode == 1
