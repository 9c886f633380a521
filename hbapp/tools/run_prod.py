"""The production profile: PostgreSQL, Reflex's Redis state manager, several backend workers.

`make run-prod` (or `python -m hbapp.tools.run_prod`) creates the PostgreSQL database when it
is missing, migrates it and serves the production build on one port. It loads the demo data
only when asked (`--seed`, which `make run-prod` passes), and signs people in only through a
real OpenID provider (`HB_OIDC_ISSUER`) unless the development provider is asked for by name
(`HB_DEV_OIDC=1`), which is refused with an https:// public URL: a misconfigured deployment
stops with a message instead of offering passwordless sign-in or demo people. Reflex runs its
backend under Granian; `GRANIAN_WORKERS` is the number of worker processes (Reflex's own default with Redis is 2 × cores + 1, capped at 8). Several
workers need a state shared between them, which is why Redis is required here.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from hbapp.config import DEV_OIDC_WITH_HTTPS, REPO_ROOT

DEFAULT_DATABASE_URL = "postgresql+psycopg2://postgres@127.0.0.1:5432/hb"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_WORKERS = 3
# Reflex's opportunistic lock keeps a tab's state in the worker that served its last event for
# up to half the lock time (5 s) instead of writing it to Redis after every event. State here
# is a cache of the database: a worker crash loses at most those seconds of a tab's unsaved
# answers and the month it showed, never a saved change (see README, "Benchmarks").
DEFAULT_OPLOCK = True


def ensure_postgres_database(url: str) -> bool:
    """Create the database of a PostgreSQL URL when it does not exist; True when created."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return False
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            ).first()
            if exists:
                return False
            quoted = admin.dialect.identifier_preparer.quote(parsed.database)
            connection.execute(sa.text(f"CREATE DATABASE {quoted}"))
            return True
    finally:
        admin.dispose()


def check_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
    try:
        client.ping()
    finally:
        client.close()


def production_env(args: argparse.Namespace, base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of the production profile (explicit HB_* variables win)."""
    env = dict(os.environ if base is None else base)
    env.setdefault("HB_DATABASE_URL", DEFAULT_DATABASE_URL)
    env.setdefault("HB_REDIS_URL", DEFAULT_REDIS_URL)
    env.setdefault("HB_PUBLIC_URL", f"http://localhost:{args.port}")
    env["GRANIAN_WORKERS"] = str(args.workers)
    env.setdefault("REFLEX_OPLOCK_ENABLED", "true" if DEFAULT_OPLOCK else "false")  # see above
    env.setdefault("PYTHONUNBUFFERED", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("REFLEX_CHECK_LATEST_VERSION", "false")
    return env


class RefusedToStart(Exception):
    """The settings must not be served; the message says what to change."""


def _on(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def check_sign_in(env: dict[str, str]) -> str:
    """Which sign-in this environment serves ("oidc" or "development"), or RefusedToStart."""
    dev_oidc = _on(env.get("HB_DEV_OIDC"))
    if dev_oidc and env.get("HB_PUBLIC_URL", "").lower().startswith("https://"):
        raise RefusedToStart(DEV_OIDC_WITH_HTTPS)
    if env.get("HB_OIDC_ISSUER"):
        return "oidc"
    if dev_oidc:
        return "development"
    raise RefusedToStart(
        "No OpenID provider: set HB_OIDC_ISSUER, HB_OIDC_CLIENT_ID and HB_OIDC_CLIENT_SECRET of "
        "your provider. For a local demo only, HB_DEV_OIDC=1 turns on the development provider "
        "(anyone can sign in as anyone)."
    )


def prepare(env: dict[str, str], seed: bool = False) -> None:
    """Create and migrate the database of the profile (and with `seed` load the demo data
    into it when it is empty); fail early without Redis."""
    database_url = env["HB_DATABASE_URL"]
    if ensure_postgres_database(database_url):
        print(f"created database {database_url.rsplit('/', 1)[-1]}")
    check_redis(env["HB_REDIS_URL"])
    hb = str(Path(sys.executable).parent / "hb")
    subprocess.run([hb, "db", "upgrade"], env=env, check=True, cwd=REPO_ROOT)
    if seed:
        subprocess.run([hb, "seed", "--no-migrate"], env=env, check=True, cwd=REPO_ROOT)


def reflex_command(port: int, loglevel: str = "warning") -> list[str]:
    reflex = str(Path(sys.executable).parent / "reflex")
    return [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
            "--loglevel", loglevel]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "3000")))
    parser.add_argument("--workers", type=int,
                        default=int(os.environ.get("GRANIAN_WORKERS", DEFAULT_WORKERS)),
                        help="backend worker processes (default %(default)s)")
    parser.add_argument("--prepare-only", action="store_true",
                        help="create and migrate the database (and --seed it), then exit")
    parser.add_argument("--seed", action="store_true",
                        help="load the demo data into an empty database (never in production)")
    parser.add_argument("--loglevel", default="warning")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    env = production_env(args)
    try:
        sign_in = check_sign_in(env)
    except RefusedToStart as refused:
        print(f"run_prod: refusing to start: {refused}", file=sys.stderr)
        return 2
    if sign_in == "development":
        print("run_prod: the development OpenID provider is on (HB_DEV_OIDC=1): anyone can sign "
              "in as anyone. Never expose this to a network.", file=sys.stderr)
    prepare(env, seed=args.seed)
    if args.prepare_only:
        return 0
    print(f"serving on http://localhost:{args.port} with {args.workers} backend workers, "
          f"state in {env['HB_REDIS_URL']}")
    os.chdir(REPO_ROOT)
    os.execvpe(reflex_command(args.port, args.loglevel)[0], reflex_command(args.port, args.loglevel),
               env)
    return 0  # not reached: exec replaces this process


if __name__ == "__main__":
    raise SystemExit(main())
