"""`hb export research`: pseudonymised data files, a separate key, nothing identifying leaks."""

from __future__ import annotations

import csv
from datetime import date

from sqlmodel import select

from hbapp.cli import main
from hbapp.commands.export import export_research
from hbapp.db import read_session, write_session
from hbapp.models import Budget, BudgetLine, Client, Person, ServiceType, SwapRequest, SwapStatus
from hbapp.seed import seed_demo


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def add_swap(engine) -> None:
    with write_session(engine) as session:
        aino = session.exec(select(Client).where(Client.first_name == "Aino")).one()
        person = session.exec(select(Person).where(Person.oidc_subject == "demo-client")).one()
        rows = session.exec(
            select(BudgetLine, ServiceType.code)
            .join(ServiceType, ServiceType.id == BudgetLine.service_type_id)
        ).all()
        aino_lines = {}
        budget = session.exec(select(Budget).where(Budget.client_id == aino.id)).one()
        for line, code in rows:
            if line.budget_id == budget.id:
                aino_lines[code] = line
        session.add(SwapRequest(
            budget_id=budget.id, client_id=aino.id, month=date.today().replace(day=1),
            from_line_id=aino_lines["carers_leave"].id, to_line_id=aino_lines["home_care"].id,
            from_units=1, to_units=2, amount_cents=7980, status=SwapStatus.APPROVED.value,
            requested_by_person_id=person.id,
        ))


def test_export_is_pseudonymised_and_the_key_maps_every_coded_id(empty_engine, tmp_path):
    seed_demo(empty_engine)
    add_swap(empty_engine)
    result = export_research(empty_engine, tmp_path / "out")
    assert result.key_file == tmp_path / "out" / "key" / "research_key.csv"
    with read_session(empty_engine) as session:
        clients = session.exec(select(Client)).all()
    forbidden = set()
    for c in clients:
        forbidden |= {c.personal_identity_code, c.first_name, c.last_name, c.street_address}
    # Every data file, scanned as raw text, case-insensitively.
    data_files = sorted((tmp_path / "out").glob("*.csv"))
    assert {p.name for p in data_files} == {"survey_scores.csv", "budget_use.csv", "swaps.csv"}
    coded_in_data = set()
    for path in data_files:
        text = path.read_text(encoding="utf-8").casefold()
        for value in forbidden:
            assert value.casefold() not in text, (path.name, value)
        coded_in_data |= {row["coded_id"] for row in read_csv(path)}

    key = read_csv(result.key_file)
    assert len(key) == len(clients) == len({row["coded_id"] for row in key})
    by_code = {row["coded_id"]: row for row in key}
    assert coded_in_data <= set(by_code)
    by_id = {c.id: c for c in clients}
    for row in key:
        c = by_id[int(row["client_id"])]
        assert row["personal_identity_code"] == c.personal_identity_code
        assert (row["first_name"], row["last_name"]) == (c.first_name, c.last_name)
        assert row["coded_id"] != str(c.id)

    aino_code = next(r["coded_id"] for r in key if r["first_name"] == "Aino")
    surveys = read_csv(tmp_path / "out" / "survey_scores.csv")
    aino_promis = sorted((r for r in surveys if r["coded_id"] == aino_code),
                         key=lambda r: r["submitted_on"])
    assert [r["gmh_t"] for r in aino_promis] == ["50.8", "38.8"]
    assert {r["proxy_reported"] for r in surveys} == {"0", "1"}
    assert len(surveys) == result.survey_rows == 6

    budget = read_csv(tmp_path / "out" / "budget_use.csv")
    this_month = date.today().strftime("%Y-%m")
    aino_now = {r["service_code"]: r for r in budget
                if r["coded_id"] == aino_code and r["month"] == this_month}
    assert set(aino_now) == {"home_care", "carers_leave", "cleaning", "transport", "gym_card"}
    # The test's swap has no line adjustment, so the granted budget is the seeded one.
    assert sum(int(r["granted_cents"]) for r in aino_now.values()) == 156_400

    swaps = read_csv(tmp_path / "out" / "swaps.csv")
    assert swaps == [{
        "coded_id": aino_code, "month": this_month, "from_service": "carers_leave",
        "to_service": "home_care", "from_units": "1", "to_units": "2", "amount_cents": "7980",
        "status": "approved",
    }]


def test_coded_ids_are_new_in_every_export(empty_engine, tmp_path):
    seed_demo(empty_engine)
    first = export_research(empty_engine, tmp_path / "a")
    second = export_research(empty_engine, tmp_path / "b", key_path=tmp_path / "keys" / "k.csv")
    assert second.key_file == tmp_path / "keys" / "k.csv"
    assert not (tmp_path / "b" / "key").exists()
    codes_a = {r["coded_id"] for r in read_csv(first.key_file)}
    codes_b = {r["coded_id"] for r in read_csv(second.key_file)}
    assert codes_a.isdisjoint(codes_b)


def test_command_line(empty_engine, tmp_path, monkeypatch):
    seed_demo(empty_engine)
    monkeypatch.setenv("HB_DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    from hbapp.config import get_settings

    get_settings.cache_clear()
    try:
        assert main(["export", "research", "--out", str(tmp_path / "x"),
                     "--key-out", str(tmp_path / "secret" / "key.csv")]) == 0
    finally:
        get_settings.cache_clear()
    assert (tmp_path / "x" / "survey_scores.csv").exists()
    assert (tmp_path / "secret" / "key.csv").exists()
