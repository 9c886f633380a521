"""`hb events import --provider BUSINESS_ID FILE.csv`: record a provider's service events.

The same columns and rules as the provider's page /provider/events/import (see
`hbapp.domain.event_csv`): every good row is recorded on its own (source `csv`), every bad row
is reported by its line number, and the refused rows are written next to the file as
FILE.rejected.csv (the original columns plus `error`) to fix and send again. Sending the same
file again never records an event twice. Exit status: 0 all rows recorded (or recorded
earlier), 1 some rows refused or the file unreadable, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hbapp.config import get_settings
from hbapp.db import make_engine
from hbapp.domain.event_csv import MAX_BYTES
from hbapp.i18n import Translator


def run_import(args: argparse.Namespace) -> int:
    from hbapp.services.event_import import import_events, message_text
    from hbapp.services.provider_tokens import provider_by_business_id

    path = Path(args.file)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        print(f"hb events import: error: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    t = Translator(args.language)
    engine = make_engine(get_settings().database_url)
    try:
        provider_id = provider_by_business_id(engine, args.provider)
        if provider_id is None:
            print(f"hb events import: error: no provider with business ID {args.provider}",
                  file=sys.stderr)
            return 2
        report = import_events(engine, provider_id=provider_id, data=data, actor=None)
    finally:
        engine.dispose()
    if report.file_code:
        message = t(report.file_message).format(**{"field": "", **report.file_params})
        print(f"{path}: {message}", file=sys.stderr)
        return 1
    for outcome in report.refused:
        print(f"{path}: line {outcome.line}: {message_text(t, outcome)}", file=sys.stderr)
    print(f"recorded: {report.count('recorded')}, needs review: {report.count('needs_review')}, "
          f"recorded earlier: {report.count('repeated')}, refused: {report.count('refused')}")
    if report.refused:
        rejected = path.with_name(path.stem + ".rejected.csv")
        rejected.write_text(report.rejected_rows_csv(t), encoding="utf-8-sig")
        print(f"the refused rows are in {rejected}: fix them and send that file again",
              file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("events", help="providers' service events",
                                   description="Providers' service events.")
    actions = parser.add_subparsers(dest="action", required=True)
    importer = actions.add_parser(
        "import", help="record a provider's service events from a CSV file",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    importer.add_argument("--provider", required=True, metavar="BUSINESS_ID",
                          help="the provider's business ID (Y-tunnus)")
    importer.add_argument("--language", default="en", choices=("fi", "sv", "en"),
                          help="the language of the messages (default en)")
    importer.add_argument("file", metavar="FILE.csv")
    importer.set_defaults(func=run_import)
