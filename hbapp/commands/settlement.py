"""`hb settlement close --month YYYY-MM`: close a past month for every provider.

Prints one line per settlement (business id, provider, reference, RF reference, payable euros)
and says whether the month was closed now or earlier. `--csv` prints the accounts-payable CSV of
the month instead. Exit status 2 for a bad or not yet finished month.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from hbapp.db import get_engine
from hbapp.domain.inputs import parse_month
from hbapp.domain.reference import format_reference, format_rf
from hbapp.services.settlements import (
    ACCOUNTS_PAYABLE_COLUMNS,
    SettlementError,
    close_month,
    euros,
)

EXIT_BAD_INPUT = 2


def run_close(args: argparse.Namespace) -> int:
    month = parse_month(args.month)
    if month is None:
        print(f"hb settlement close: error: --month must be YYYY-MM, not {args.month!r}",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        result = close_month(get_engine(), month, date.today())
    except SettlementError:
        print(f"hb settlement close: error: {args.month} is not over yet; only past months "
              "can be closed", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(ACCOUNTS_PAYABLE_COLUMNS)
        for s in result.settlements:
            writer.writerow([s.business_id, s.provider_name, s.month.strftime("%Y-%m"),
                             s.reference, s.rf_reference, euros(s.payable_cents),
                             euros(s.organizer_cents), euros(s.km_cents),
                             euros(s.self_pay_cents), s.row_count, s.correction_rows,
                             s.credit_rows, s.event_count,
                             s.closed_at.isoformat(timespec="seconds") if s.closed_at else ""])
        return 0
    state = "closed now" if result.created else "was closed earlier"
    print(f"{month:%Y-%m} {state}: {len(result.settlements)} settlement(s)")
    for s in result.settlements:
        print(f"{s.business_id}  {s.provider_name}  ref {format_reference(s.reference)}  "
              f"{format_rf(s.rf_reference)}  {euros(s.payable_cents)} EUR  "
              f"({s.row_count} rows, {s.correction_rows} corrections, {s.credit_rows} credits)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("settlement", help="month-end settlements of providers")
    commands = parser.add_subparsers(dest="settlement_command", required=True)
    close = commands.add_parser(
        "close", help="close a past month: one settlement per provider (idempotent)",
        description=("Freeze the month's recorded events of every provider into one settlement "
                     "per provider, with an invoicing reference. Running it again changes "
                     "nothing and prints the same settlements. Events recorded or cancelled "
                     "later for a closed month go into the provider's next settlement as "
                     "correction or credit rows."))
    close.add_argument("--month", required=True, help="the month, YYYY-MM (a past month)")
    close.add_argument("--csv", action="store_true",
                       help="print the accounts-payable CSV of the month instead")
    close.set_defaults(func=run_close)
