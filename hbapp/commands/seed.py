"""`hb seed`: load the demo data (South Karelia, its providers and HB clients) into the database.

The database of the settings (HB_DATABASE_URL) is migrated to the newest revision first, unless
`--no-migrate` is given. Data is loaded only into an empty database (no organizer yet); otherwise
the command says so and exits 0, so it is safe to run on every start.
"""

from __future__ import annotations

import argparse
from datetime import date

from sqlmodel import Session, func, select

from hbapp.config import get_settings
from hbapp.db import make_engine
from hbapp.migrations import upgrade
from hbapp.models import Client, Feedback, Provider, ServiceEvent, SurveyResponse
from hbapp.seed import seed_demo


def run(args: argparse.Namespace) -> int:
    url = get_settings().database_url
    if not args.no_migrate:
        upgrade(url)
    engine = make_engine(url)
    try:
        today = date.fromisoformat(args.today) if args.today else None
        if not seed_demo(engine, today=today):
            print("database already has data; nothing loaded")
            return 0
        with Session(engine) as session:
            counts = {
                name: session.exec(select(func.count()).select_from(model)).one()
                for name, model in (
                    ("clients", Client),
                    ("providers", Provider),
                    ("service events", ServiceEvent),
                    ("feedback answers", Feedback),
                    ("survey responses", SurveyResponse),
                )
            }
        print("loaded the demo data: " + ", ".join(f"{n} {name}" for name, n in counts.items()))
        print("sign in with the development provider as demo-client, demo-client-2, "
              "demo-relative, demo-relative-view, demo-guardian, demo-worker, demo-worker-2 "
              "or demo-admin")
        return 0
    finally:
        engine.dispose()


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "seed",
        help="load the demo data into an empty database",
        description="Load the demo data into the database of HB_DATABASE_URL if it has no "
        "organizer yet; otherwise print that nothing was loaded and exit 0.",
    )
    parser.add_argument(
        "--if-empty", action="store_true", default=True,
        help="load only into an empty database (the default and only behaviour)",
    )
    parser.add_argument("--no-migrate", action="store_true",
                        help="do not migrate the database to the newest revision first")
    parser.add_argument("--today", metavar="YYYY-MM-DD",
                        help="date the demo data is relative to (default: today)")
    parser.set_defaults(func=run)
