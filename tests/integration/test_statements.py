"""The client's monthly statement as PDF and CSV: read back, in the person's language, and
refused to those without the view right."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader
from starlette.applications import Starlette
from starlette.testclient import TestClient

from hbapp.db import read_session
from hbapp.domain.ledger import add_months, month_start
from hbapp.i18n import Translator
from hbapp.models import Client
from hbapp.seed import seed_demo
from hbapp.services.budget import load_month
from hbapp.services.sessions import create_session
from hbapp.web import guard, statements
from tests.integration.test_survey_service import person_id

TODAY = date.today()
LAST_MONTH = add_months(month_start(TODAY), -1)


@pytest.fixture
def setup(empty_engine, monkeypatch):
    seed_demo(empty_engine)
    monkeypatch.setattr(statements, "get_engine", lambda: empty_engine)
    monkeypatch.setattr(guard, "get_engine", lambda: empty_engine)
    client = TestClient(Starlette(routes=statements.statement_routes()),
                        base_url="http://localhost:3000")

    def sign_in(subject: str) -> None:
        token, _ = create_session(empty_engine, person_id(empty_engine, subject))
        client.cookies.set("hb_session", token)

    return empty_engine, client, sign_in


def aino_month(engine, month):
    from sqlmodel import select

    with read_session(engine) as session:
        client = session.exec(select(Client).where(Client.first_name == "Aino")).one()
        return load_month(session, client, month, TODAY)


def test_pdf_statement_reads_back_with_events_totals_and_decision(setup):
    engine, client, sign_in = setup
    sign_in("demo-client")
    response = client.get(f"/api/statement.pdf?month={LAST_MONTH:%Y-%m}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    # Table cells wrap: compare with every run of white space as one space.
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    month = aino_month(engine, LAST_MONTH)
    t = Translator("fi")

    def flat(value: str) -> str:
        return " ".join(value.split())

    assert month.decision_reference in text
    assert flat(t.money(month.statement.budget_cents)) in text
    assert flat(t.money(month.statement.used_cents)) in text
    assert "Saimaan Kotihelmi Oy" in text
    assert month.events
    for event in [e for e in month.events if e.counted]:
        assert t.date(event.started_at, "short") in text
    # Tagged PDF/UA: structure tree, language and title.
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "fi"
    assert reader.metadata.title == t("Budget statement {month}", month=t.month(LAST_MONTH))


def test_csv_statement_parses_back(setup):
    engine, client, sign_in = setup
    sign_in("demo-client")
    response = client.get(f"/api/statement.csv?month={LAST_MONTH:%Y-%m}")
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    month = aino_month(engine, LAST_MONTH)
    t = Translator("fi")
    flat = [cell for row in rows for cell in row]
    assert month.decision_reference in flat
    assert t.money(month.statement.used_cents) in flat
    header = next(i for i, row in enumerate(rows) if row and row[0] == t("Date"))
    events = rows[header + 1:]
    assert len(events) == len([e for e in month.events if e.counted])
    assert {row[4] for row in events} >= {"Saimaan Kotihelmi Oy"}
    total = sum(e.amount_cents + e.km_compensation_cents for e in month.events if e.counted)
    assert total == month.statement.used_cents


def test_statement_in_the_persons_language(setup):
    engine, client, sign_in = setup
    sign_in("demo-client-2")  # Bengt chose Swedish; a cookie of another language loses
    client.cookies.set("hb_lang", "en")
    response = client.get(f"/api/statement.csv?month={LAST_MONTH:%Y-%m}")
    text = response.content.decode("utf-8-sig")
    sv = Translator("sv")
    assert sv("Budget statement {month}", month=sv.month(LAST_MONTH)) in text
    assert "Bengt Lindholm" in text


@pytest.mark.parametrize("subject,status", [("demo-relative-view", 200), ("demo-worker", 403),
                                            ("demo-provider", 403)])
def test_view_scope_only(setup, subject, status):
    _engine, client, sign_in = setup
    sign_in(subject)
    response = client.get(f"/api/statement.pdf?month={LAST_MONTH:%Y-%m}")
    assert response.status_code == status
    if status != 200:
        assert response.json()["message"]


def test_signed_out_and_bad_months(setup):
    _engine, client, sign_in = setup
    assert client.get(f"/api/statement.csv?month={LAST_MONTH:%Y-%m}").status_code == 401
    sign_in("demo-client")
    for bad in ("", "2026-13", "x" * 300, "1999-01-01"):
        assert client.get(f"/api/statement.csv?month={bad}").status_code == 400
    future = add_months(month_start(TODAY), 1)
    assert client.get(f"/api/statement.csv?month={future:%Y-%m}").status_code == 400
    assert client.get("/api/statement.csv?month=2001-01").status_code == 404
