"""`hb export research --out DIR`: pseudonymised CSVs for research, and a separate key file.

Every client gets a random coded id (`secrets`, new in each export, stable within it). The data
files hold only coded ids, dates, instrument and service codes, numbers and statuses: never a
personal identity code, a name, an address or free text. The key file, which maps coded ids to
clients, is written apart (`DIR/key/research_key.csv` or `--key-out PATH`) so that it can be
kept by the registrar only. Rows are sorted by coded id, so their order reveals nothing either.
"""

from __future__ import annotations

import argparse
import csv
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlmodel import select

from hbapp.config import get_settings
from hbapp.db import make_engine, write_session
from hbapp.domain.ledger import add_months, month_start
from hbapp.models import (
    Budget,
    BudgetLine,
    BudgetStatus,
    Client,
    ServiceType,
    SurveyAssignment,
    SurveyResponse,
    SwapRequest,
)
from hbapp.services import audit
from hbapp.services.budget import load_month

SURVEY_FILE = "survey_scores.csv"
BUDGET_FILE = "budget_use.csv"
SWAP_FILE = "swaps.csv"
KEY_FILE = "research_key.csv"

SURVEY_FIXED = ["coded_id", "instrument", "timepoint", "submitted_on", "proxy_reported"]
BUDGET_COLUMNS = ["coded_id", "month", "service_code", "unit", "granted_units", "granted_cents",
                  "used_units", "used_cents"]
SWAP_COLUMNS = ["coded_id", "month", "from_service", "to_service", "from_units", "to_units",
                "amount_cents", "status"]
KEY_COLUMNS = ["coded_id", "client_id", "personal_identity_code", "first_name", "last_name"]


@dataclass(frozen=True)
class ExportResult:
    data_files: tuple[Path, ...]
    key_file: Path
    clients: int
    survey_rows: int
    budget_rows: int
    swap_rows: int


def coded_ids(client_ids: Iterable[int]) -> dict[int, str]:
    """A random, unique coded id per client, e.g. 'R-3F9A1C07'."""
    result: dict[int, str] = {}
    used: set[str] = set()
    for client_id in client_ids:
        while True:
            code = "R-" + secrets.token_hex(4).upper()
            if code not in used:
                used.add(code)
                result[client_id] = code
                break
    return result


def flatten_scores(scores: dict, prefix: str = "") -> dict[str, object]:
    """{'gph': {'t': 39.8}} → {'gph_t': 39.8}. Scores hold numbers and codes only (free-text
    answers are never scored), so nothing personal can pass through here."""
    flat: dict[str, object] = {}
    for key, value in scores.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_scores(value, f"{name}_"))
        else:
            flat[name] = value
    return flat


def _number(value: Decimal) -> str:
    return format(Decimal(value).normalize(), "f")


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="raise")
        writer.writeheader()
        for row in sorted(rows, key=lambda r: tuple(str(r.get(c, "")) for c in columns)):
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})


def export_research(
    engine: Engine, out_dir: Path, key_path: Path | None = None, today: date | None = None
) -> ExportResult:
    today = today or date.today()
    out_dir = Path(out_dir)
    key_path = Path(key_path) if key_path else out_dir / "key" / KEY_FILE
    with write_session(engine) as session:
        clients = session.exec(select(Client).order_by(Client.id)).all()
        codes = coded_ids(c.id for c in clients)

        # Survey scores, one row per administration; score columns are the union over instruments.
        survey_rows: list[dict] = []
        score_columns: list[str] = []
        for response, timepoint in session.exec(
            select(SurveyResponse, SurveyAssignment.timepoint)
            .outerjoin(SurveyAssignment, SurveyAssignment.id == SurveyResponse.assignment_id)
            .order_by(SurveyResponse.id)
        ).all():
            flat = flatten_scores(json.loads(response.scores))
            for column in flat:
                if column not in score_columns:
                    score_columns.append(column)
            survey_rows.append({
                "coded_id": codes[response.client_id],
                "instrument": response.instrument_id,
                "timepoint": timepoint or "other",
                "submitted_on": response.submitted_at.date().isoformat(),
                "proxy_reported": int(response.proxy_reported),
                **flat,
            })

        # Monthly budget use per service, from the ledger, for every month a budget covers
        # up to the current month.
        budget_rows: list[dict] = []
        this_month = month_start(today)
        for client in clients:
            budgets = session.exec(
                select(Budget).where(
                    Budget.client_id == client.id,
                    Budget.status.in_([BudgetStatus.ACTIVE.value, BudgetStatus.ENDED.value]),
                )
            ).all()
            months: set[date] = set()
            for budget in budgets:
                month = month_start(budget.valid_from)
                last = min(month_start(budget.valid_to), this_month) if budget.valid_to \
                    else this_month
                while month <= last:
                    months.add(month)
                    month = add_months(month, 1)
            for month in sorted(months):
                result = load_month(session, client, month, today)
                if result is None:
                    continue
                for line in result.statement.lines:
                    budget_rows.append({
                        "coded_id": codes[client.id],
                        "month": month.strftime("%Y-%m"),
                        "service_code": line.service_code,
                        "unit": line.unit.value,
                        "granted_units": _number(line.granted_units),
                        "granted_cents": line.value_cents,
                        "used_units": _number(line.used_units),
                        "used_cents": line.used_cents,
                    })

        from_line, to_line = aliased(BudgetLine), aliased(BudgetLine)
        from_type, to_type = aliased(ServiceType), aliased(ServiceType)
        swap_rows = [
            {
                "coded_id": codes[swap.client_id],
                "month": swap.month.strftime("%Y-%m"),
                "from_service": from_code,
                "to_service": to_code,
                "from_units": _number(swap.from_units),
                "to_units": _number(swap.to_units),
                "amount_cents": swap.amount_cents,
                "status": swap.status,
            }
            for swap, from_code, to_code in session.exec(
                select(SwapRequest, from_type.code, to_type.code)
                .join(from_line, from_line.id == SwapRequest.from_line_id)
                .join(from_type, from_type.id == from_line.service_type_id)
                .join(to_line, to_line.id == SwapRequest.to_line_id)
                .join(to_type, to_type.id == to_line.service_type_id)
            ).all()
        ]

        files = (out_dir / SURVEY_FILE, out_dir / BUDGET_FILE, out_dir / SWAP_FILE)
        _write(files[0], SURVEY_FIXED + score_columns, survey_rows)
        _write(files[1], BUDGET_COLUMNS, budget_rows)
        _write(files[2], SWAP_COLUMNS, swap_rows)
        _write(key_path, KEY_COLUMNS, [
            {"coded_id": codes[c.id], "client_id": c.id,
             "personal_identity_code": c.personal_identity_code,
             "first_name": c.first_name, "last_name": c.last_name}
            for c in clients
        ])
        # The export is a use of every client's data: one entry per client, so that each of
        # them reads it on /privacy, and one summary; the same export id links them.
        export_id = secrets.token_hex(8)
        for client in clients:
            audit.record(session, None, "research_export", client.id, export_id=export_id)
        audit.record(session, None, "research_export", None, export_id=export_id,
                     clients=len(clients), survey_rows=len(survey_rows),
                     budget_rows=len(budget_rows), swap_rows=len(swap_rows))
    return ExportResult(files, key_path, len(clients), len(survey_rows), len(budget_rows),
                        len(swap_rows))


def run_research(args: argparse.Namespace) -> int:
    engine = make_engine(get_settings().database_url)
    try:
        result = export_research(engine, Path(args.out), Path(args.key_out) if args.key_out
                                 else None)
    finally:
        engine.dispose()
    for path in result.data_files:
        print(f"wrote {path}")
    print(f"wrote the key file {result.key_file} – keep it apart from the data, with the "
          "registrar only")
    print(f"{result.clients} clients, {result.survey_rows} survey administrations, "
          f"{result.budget_rows} budget rows, {result.swap_rows} swaps")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("export", help="export data")
    kinds = parser.add_subparsers(dest="kind", required=True)
    research = kinds.add_parser(
        "research",
        help="pseudonymised CSVs for research, with a separate key file",
        description="Write survey_scores.csv, budget_use.csv and swaps.csv with a random coded "
        "id per client (no identity code, no names) to DIR, and the key file mapping coded ids "
        "to clients to DIR/key/research_key.csv or --key-out.",
    )
    research.add_argument("--out", required=True, metavar="DIR", help="directory for the data")
    research.add_argument("--key-out", metavar="PATH",
                          help="where to write the key file (default: DIR/key/research_key.csv)")
    research.set_defaults(func=run_research)
