"""`hb decisions import` on real SQLite and PostgreSQL: a good file, bad rows (every one reported
by line number, nothing imported), and a re-run that changes nothing."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest
from sqlmodel import func, select

from hbapp.commands.decisions import FIELD_SIZE_LIMIT, ImportFailed, import_decisions
from hbapp.db import read_session
from hbapp.models import AuditLog, Budget, BudgetLine, CaseWorkerAssignment, Client
from hbapp.seed import seed_demo
from hbapp.services.budget import load_month

TODAY = date.today()
HEADER = ("identity_code,first_name,last_name,municipality,language,street_address,phone,"
          "worker_email,decision_number,decision_date,valid_from,valid_to,reason,service_code,"
          "units_per_month,unit_value_eur,unit_value_reason\n")
YEAR = TODAY.year - 1
GOOD = HEADER + (
    f'010190-950A,Tuula,Laine,405,fi,"Kauppakatu 1, A 2",040 123,sari.makinen@ekhva.example,'
    f'OLD-{YEAR}-17,{YEAR}-12-15,{YEAR + 1}-01-01,,"Tarvitset apua kotona,\nja siivousta.",'
    f"home_care,20,,\n"
    f'010190-950A,Tuula,Laine,405,fi,"Kauppakatu 1, A 2",040 123,sari.makinen@ekhva.example,'
    f'OLD-{YEAR}-17,{YEAR}-12-15,{YEAR + 1}-01-01,,"Tarvitset apua kotona,\nja siivousta.",'
    f"cleaning,4,\"37,00\",Kaksi siivoojaa\n"
    f"020290-950S,Stina,Berg,153,sv,,,,OLD-{YEAR}-18,1.6.{YEAR},1.6.{YEAR},31.12.{YEAR},"
    f"Du behöver hjälp.,personal_assistance,40,,\n"
)


@pytest.fixture
def engine(empty_engine):
    seed_demo(empty_engine, TODAY)
    return empty_engine


def counts(engine):
    with read_session(engine) as session:
        return (session.exec(select(func.count()).select_from(Client)).one(),
                session.exec(select(func.count()).select_from(Budget)).one(),
                session.exec(select(func.count()).select_from(BudgetLine)).one())


def test_a_good_file_imports_and_a_rerun_changes_nothing(engine):
    before = counts(engine)
    summary = import_decisions(engine, GOOD, TODAY)
    assert (summary.clients_added, summary.decisions_added, summary.lines_added) == (2, 2, 3)
    assert counts(engine) == (before[0] + 2, before[1] + 2, before[2] + 3)
    with read_session(engine) as session:
        tuula = session.exec(select(Client).where(
            Client.personal_identity_code == "010190-950A")).one()
        assert tuula.street_address == "Kauppakatu 1, A 2" and tuula.own_worker_id
        assert session.exec(select(CaseWorkerAssignment).where(
            CaseWorkerAssignment.client_id == tuula.id)).one()
        budget = session.exec(select(Budget).where(Budget.client_id == tuula.id)).one()
        assert budget.reason == "Tarvitset apua kotona, ja siivousta."
        assert budget.decision_reference == f"OLD-{YEAR}-17"
        month = load_month(session, tuula, date(YEAR + 1, 1, 1), TODAY)
        assert month.statement.budget_cents == 20 * 3990 + 4 * 3700
        stina = session.exec(select(Client).where(Client.first_name == "Stina")).one()
        ended = session.exec(select(Budget).where(Budget.client_id == stina.id)).one()
        assert ended.status == "ended" and stina.own_worker_id is None
    again = import_decisions(engine, GOOD, TODAY)
    assert (again.clients_added, again.decisions_added, again.decisions_unchanged) == (0, 0, 2)
    assert counts(engine) == (before[0] + 2, before[1] + 2, before[2] + 3)


def test_every_bad_row_is_reported_and_nothing_is_imported(engine):
    before = counts(engine)
    bad = HEADER + (
        f"010190-950B,Tuula,Laine,405,fi,,,,X-1,{YEAR}-01-01,{YEAR}-01-01,,Syy,home_care,20,,\n"
        f"010190-950A,Tuula,Laine,999,fi,,,,X-2,{YEAR}-01-01,{YEAR}-01-01,,Syy,home_care,20,,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-2,{YEAR}-01-01,{YEAR}-01-01,,Syy,sauna,-3,,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-2,{YEAR}-01-01,{YEAR}-01-15,,Syy,cleaning,2,4,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-3,2999-01-01,{YEAR}-01-01,,Syy,cleaning,2,,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-4,{YEAR}-01-01,{YEAR}-01-01,,,cleaning,0,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_decisions(engine, bad, TODAY)
    lines = [error.split(":")[0] for error in failed.value.errors]
    assert lines == ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7"]
    errors = "\n".join(failed.value.errors)
    for expected in ("identity code", "unknown municipality", "unknown service code 'sauna'",
                     "units_per_month '-3'", "valid_from must be the first day",
                     "unit_value_reason is required", "decision date in future",
                     "reason is empty"):
        assert expected in errors, expected
    assert counts(engine) == before


def test_conflicting_rows_and_numbers_are_refused(engine):
    rows = HEADER + (
        f"010190-950A,Tuula,Laine,405,fi,,,,X-1,{YEAR}-01-01,{YEAR}-01-01,,Syy,home_care,20,,\n"
        f"010190-950A,Tuula,Laine,153,fi,,,,X-1,{YEAR}-01-01,{YEAR}-01-01,,Syy,cleaning,2,,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-1,{YEAR}-01-01,{YEAR}-01-01,,Syy,home_care,3,,\n"
        f"020290-950S,Stina,Berg,153,sv,,,,X-1,{YEAR}-01-01,{YEAR}-01-01,,Syy,cleaning,2,,\n"
        f"010190-950A,Tuula,Laine,405,fi,,,,X-5,{YEAR}-01-01,{YEAR}-03-01,,Syy,cleaning,2,,\n"
        f"140345-9025,Aino,Virtanen,405,fi,,,,X-6,{YEAR}-01-01,{TODAY.year}-01-01,,S,gym_card,9,,\n"
    )
    with pytest.raises(ImportFailed) as failed:
        import_decisions(engine, rows, TODAY)
    errors = "\n".join(failed.value.errors)
    assert "line 3: client columns differ from line 2" in errors
    assert "line 4: home_care twice in decision X-1" in errors
    assert "line 5: decision number X-1 is used for another client on line 2" in errors
    assert "line 6: decision X-5 overlaps decision X-1" in errors
    assert "line 7: decision X-6 overlaps decision HB-" in errors


def test_nul_bytes_huge_fields_and_broken_quoting_are_refused(engine):
    with pytest.raises(ImportFailed) as nul:
        import_decisions(engine, HEADER + "010190-950A,\x00\n", TODAY)
    assert nul.value.errors == ["line 2: contains a NUL byte"]
    huge = HEADER + "010190-950A," + "x" * (FIELD_SIZE_LIMIT + 1) + "\n"
    with pytest.raises(ImportFailed) as big:
        import_decisions(engine, huge, TODAY)
    assert big.value.errors[0].startswith("line 2: cannot be read as CSV (a field is longer")
    with pytest.raises(ImportFailed) as quote:
        import_decisions(engine, HEADER + GOOD.split("\n", 1)[1] + '"a"b,c\n', TODAY)
    assert quote.value.errors[0].startswith("line 7: cannot be read as CSV")
    with pytest.raises(ImportFailed) as header:
        import_decisions(engine, "identity_code,foo\n", TODAY)
    assert header.value.errors[0].startswith("line 1: missing columns")
    with read_session(engine) as session:
        assert not session.exec(select(AuditLog).where(
            AuditLog.action == "import_decisions")).first()


def test_the_command_reports_by_line_and_exits_1(engine, tmp_path):
    path = tmp_path / "decisions.csv"
    path.write_text(HEADER + "bad,row\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "hbapp.cli", "decisions", "import", str(path)],
        capture_output=True, text=True,
        env={"HB_DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
             "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert "line 2:" in result.stderr and "nothing was imported" in result.stderr
    help_text = subprocess.run([sys.executable, "-m", "hbapp.cli", "decisions", "import",
                                "--help"], capture_output=True, text=True).stdout
    for column in ("identity_code", "decision_number", "units_per_month", "unit_value_eur"):
        assert column in help_text
