"""`hb providers import`: good files are imported, any bad row stops the whole import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlmodel import func, select

from hbapp.db import read_session
from hbapp.models import ApprovalStatus, Provider, ProviderMunicipality, ProviderPrice
from hbapp.seed import business_id_for, seed_demo

HEADER = ("business_id,name,service_code,band,price_eur,municipalities,languages,"
          "takes_new_clients,evening_service,weekend_service,phone,email,street_address,"
          "postal_code,city,opening_hours,description_fi,description_sv,description_en\n")
BID = business_id_for(9_123_456)
BID2 = business_id_for(9_123_470)


def row(bid=BID, service="home_care", band="weekday_day", price="38,00", municipalities="405",
        name="Uusi Hoiva Oy", flag="kyllä"):
    return (f'{bid},{name},{service},{band},"{price}",{municipalities},fi sv,{flag},ei,no,'
            f'05 123 4567,info@uusi.example,Katu 1,53100,Lappeenranta,ma–pe 8–16,'
            f'Autamme kotona.,Vi hjälper hemma.,We help at home.\n')


def run_import(engine, tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "providers.csv"
    path.write_text(text, encoding="utf-8")
    env = {"HB_DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
           "PATH": str(Path(sys.executable).parent)}
    return subprocess.run([sys.executable, "-m", "hbapp.cli", "providers", "import", str(path)],
                          capture_output=True, text=True, env=env)


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def test_good_file_imports_pending_providers(empty_engine, tmp_path):
    seed_demo(empty_engine)
    before = count(empty_engine, Provider)
    text = HEADER + row() + row(band="saturday", price="46.00") + row(
        service="cleaning", municipalities="405 416") + row(
        bid=BID2, name="Toinen Siivous Oy", service="cleaning", price="33")
    # The third row repeats the provider with other municipalities: refused as inconsistent.
    result = run_import(empty_engine, tmp_path, text)
    assert result.returncode == 1
    assert "line 4:" in result.stderr
    assert count(empty_engine, Provider) == before

    text = HEADER + row() + row(band="saturday", price="46.00") + row(service="cleaning") + row(
        bid=BID2, name="Toinen Siivous Oy", service="cleaning", price="33")
    result = run_import(empty_engine, tmp_path, text)
    assert result.returncode == 0, result.stderr
    assert "2 new providers" in result.stdout
    with read_session(empty_engine) as session:
        new = session.exec(select(Provider).where(Provider.business_id == BID)).one()
        assert new.approval_status == ApprovalStatus.PENDING.value
        assert new.languages == "fi,sv" and new.takes_new_clients and not new.evening_service
        prices = session.exec(select(ProviderPrice).where(
            ProviderPrice.provider_id == new.id)).all()
        assert sorted(p.price_cents for p in prices) == [3800, 3800, 4600]
        assert session.exec(select(ProviderMunicipality.municipality_code).where(
            ProviderMunicipality.provider_id == new.id)).all() == ["405"]

    # Importing again updates the same provider and keeps its approval status.
    result = run_import(empty_engine, tmp_path, HEADER + row(price="39,50"))
    assert result.returncode == 0, result.stderr
    assert "0 new providers" in result.stdout and "1 updated" in result.stdout
    assert count(empty_engine, Provider) == before + 2


def test_every_bad_row_is_reported_by_line_and_nothing_is_imported(empty_engine, tmp_path):
    seed_demo(empty_engine)
    before = (count(empty_engine, Provider), count(empty_engine, ProviderPrice))
    bad_checksum = BID[:-1] + str((int(BID[-1]) + 1) % 10)
    text = (HEADER
            + row()                                              # line 2: good
            + row(bid=bad_checksum, name="Väärä Oy")             # line 3: checksum
            + row(bid=BID2, service="massage")                   # line 4: unknown service
            + row(bid=BID2, price="0")                           # line 5: not positive
            + row(bid=BID2, price="-5")                          # line 6: negative
            + row(bid=BID2, municipalities="999")                # line 7: unknown municipality
            + row(bid=BID2, band="midnight")                     # line 8: unknown band
            + row(bid=BID2, flag="maybe"))                       # line 9: bad yes/no
    result = run_import(empty_engine, tmp_path, text)
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if ": line " in line]
    assert [line.split(": line ")[1].split(":")[0] for line in lines] == [
        "3", "4", "5", "6", "7", "8", "9"]
    assert "check digit" in lines[0]
    assert "massage" in lines[1]
    assert "greater than zero" in lines[2]
    assert "999" in lines[4]
    assert "midnight" in lines[5]
    assert "nothing was imported" in result.stderr
    assert (count(empty_engine, Provider), count(empty_engine, ProviderPrice)) == before


def test_header_and_unreadable_files(empty_engine, tmp_path):
    seed_demo(empty_engine)
    result = run_import(empty_engine, tmp_path, "name,price\nX,1\n")
    assert result.returncode == 1 and "line 1: missing columns" in result.stderr
    result = run_import(empty_engine, tmp_path, HEADER)
    assert result.returncode == 1 and "no rows" in result.stderr
    missing = subprocess.run([sys.executable, "-m", "hbapp.cli", "providers", "import",
                              str(tmp_path / "nope.csv")], capture_output=True, text=True)
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_hostile_files_are_reported_not_crashed_on(empty_engine, tmp_path):
    seed_demo(empty_engine)
    before = count(empty_engine, Provider)
    cases = [
        (HEADER + row(price="100000,00"), "line 2:", "at most 10000 euros"),
        (HEADER + row(price="99999999999999999999"), "line 2:", "too large"),
        (HEADER + row(price="9" * 5000), "line 2:", "too large"),
        (HEADER + row(name="x" * 200_000), "line 2:", "field larger than field limit"),
        (HEADER + row(name="Uusi\u2028Hoiva Oy"), "line 2:", "U+2028"),
        (HEADER + row(name="Uusi\u0085Hoiva Oy"), "line 2:", "line break"),
        (HEADER + row() + row(bid=BID2, name="Nul\x00 Oy"), "line 3:", "NUL"),
        (HEADER.replace("city,", "city,name,"), "line 1:", "named twice: name"),
        (HEADER + row().replace("Autamme kotona.", '"Autamme\x07 kotona."'), "line 2:",
         "control character"),
    ]
    for text, where, what in cases:
        result = run_import(empty_engine, tmp_path, text)
        assert result.returncode == 1, (what, result.stderr)
        assert "Traceback" not in result.stderr
        assert where in result.stderr and what in result.stderr, (what, result.stderr)
    assert count(empty_engine, Provider) == before


def test_quoted_descriptions_may_span_lines(empty_engine, tmp_path):
    seed_demo(empty_engine)
    multi = row().replace("Autamme kotona.", '"Autamme kotona.\nMyös iltaisin."')
    # The third record starts on line 4 of the file: errors name the line where a row starts.
    text = HEADER + multi + row(bid=BID2, service="massage")
    result = run_import(empty_engine, tmp_path, text)
    assert result.returncode == 1 and ": line 4:" in result.stderr, result.stderr
    result = run_import(empty_engine, tmp_path, HEADER + multi)
    assert result.returncode == 0, result.stderr
    with read_session(empty_engine) as session:
        provider = session.exec(select(Provider).where(Provider.business_id == BID)).one()
    assert provider.description_fi == "Autamme kotona.\nMyös iltaisin."
