"""`hb db upgrade`: migrate the database; `hb db revision -m MSG`: write a new migration."""

from __future__ import annotations

from alembic import command

from hbapp.migrations import alembic_config, upgrade


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="database migrations")
    db_sub = parser.add_subparsers(dest="db_command", required=True)
    up = db_sub.add_parser("upgrade", help="migrate the database to the newest revision")
    up.set_defaults(func=lambda args: upgrade() or 0)
    rev = db_sub.add_parser("revision", help="autogenerate a migration from the models")
    rev.add_argument("-m", "--message", required=True)
    rev.set_defaults(func=_revision)


def _revision(args) -> int:
    command.revision(alembic_config(), message=args.message, autogenerate=True)
    return 0
