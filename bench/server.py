"""The app under test: the production profile started on its own port, and signed-in sessions."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
PG_PREFIX = os.environ.get("HB_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("HB_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
# People with a budget: the load spreads over them like over real households.
SIGNED_IN_SUBJECTS = ("demo-client", "demo-client-2", "demo-relative", "demo-guardian")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class App:
    base_url: str
    database_url: str
    supervisor_pid: int | None = None
    log_path: Path | None = None
    _engine: object = field(default=None, repr=False)

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def engine(self):
        if self._engine is None:
            from hbapp.db import make_engine

            self._engine = make_engine(self.database_url)
        return self._engine

    def session_token(self, subject: str = "demo-client") -> str:
        """A fresh server-side login session for a demo person (as after OpenID login)."""
        from sqlmodel import Session, select

        from hbapp.models import Person
        from hbapp.services.sessions import create_session

        with Session(self.engine) as session:
            person_id = session.exec(select(Person.id).where(Person.oidc_subject == subject)).one()
        token, _expires = create_session(self.engine, person_id)
        return token

    def worker_pids(self) -> list[int]:
        """The backend worker processes: the children of the Granian supervisor."""
        if self.supervisor_pid is None:
            return []
        return children(self.supervisor_pid)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may contain spaces and parentheses: the ppid follows the last ')'.
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes (all their threads), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
    return total / ticks


def _wait_healthy(base_url: str, process: subprocess.Popen | None, log_path: Path | None,
                  timeout: float = 600, health_path: str = "/healthz") -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text()[-4000:] if log_path else ""
            raise RuntimeError(f"the app exited early:\n{tail}")
        try:
            if httpx.get(base_url + health_path, timeout=3).status_code == 200 and \
                    httpx.get(base_url + "/", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not become healthy at {base_url}")
        time.sleep(1)


FLOOR_DIR = REPO / "bench" / "floor"
FLOOR_ACCOUNTS = 1000
FLOOR_MONTHS = 36  # three years of rows per account, around this month
# The floor's state lives in its own Redis database, so per-client figures never mix.
FLOOR_REDIS_DB = 1
FLOOR_SCHEMA = """
CREATE TABLE IF NOT EXISTS floor_month (
    account_id integer NOT NULL,
    month char(7) NOT NULL,
    amount_cents integer NOT NULL,
    PRIMARY KEY (account_id, month)
)
"""


def redis_url(db: int | None = None) -> str:
    """REDIS_URL, or the same server with another database number."""
    if db is None:
        return REDIS_URL
    base = REDIS_URL.rsplit("/", 1)[0] if REDIS_URL.count("/") > 2 else REDIS_URL
    return f"{base}/{db}"


def _serve(name: str, command: list[str], cwd: Path, env: dict[str, str], health_path: str,
           database_url: str, workers: int):
    """Start one app in its own process group; returns (App, process, log file)."""
    port = int(env["PORT"])
    log_path = Path(env["BENCH_SCRATCH"]) / "server.log"
    log = log_path.open("w")
    print(f"starting {name} on port {port} with {workers} workers (log: {log_path})", flush=True)
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    app = App(f"http://localhost:{port}", database_url, supervisor_pid=process.pid,
              log_path=log_path)
    try:
        _wait_healthy(app.base_url, process, log_path, health_path=health_path)
    except BaseException:
        _stop(process, log)
        raise
    return app, process, log


def _stop(process: subprocess.Popen, log) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=20)
    log.close()


def _profile_env(scratch: Path, port: int, workers: int, oplock: bool | None) -> dict[str, str]:
    env = {
        **os.environ,
        "PORT": str(port),
        "BENCH_SCRATCH": str(scratch),
        "GRANIAN_WORKERS": str(workers),
        # A build directory of its own: never disturb `make run` or the browser tests.
        "REFLEX_WEB_WORKDIR": str(scratch / "web"),
        "REFLEX_STATES_WORKDIR": str(scratch / "states"),
        "PYTHONUNBUFFERED": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "REFLEX_CHECK_LATEST_VERSION": "false",
    }
    if oplock is not None:
        env["REFLEX_OPLOCK_ENABLED"] = "true" if oplock else "false"
    return env


@contextmanager
def production_app(workers: int = 3, url: str | None = None,
                   database: str = "hb_bench_app", oplock: bool | None = None) -> Iterator[App]:
    """Start `hbapp.tools.run_prod` (PostgreSQL + Redis + N workers) or use a running app.

    With `url`, the running app's database must be HB_DATABASE_URL (sessions are made there).
    `oplock` sets REFLEX_OPLOCK_ENABLED for the workers (None: the profile's own default).
    """
    if url:
        database_url = os.environ.get("HB_DATABASE_URL", f"{PG_PREFIX}/hb")
        _wait_healthy(url.rstrip("/"), None, None, timeout=30)
        yield App(url.rstrip("/"), database_url)
        return
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="hb-bench-app-"))
    database_url = f"{PG_PREFIX}/{database}"
    env = {
        **_profile_env(scratch, port, workers, oplock),
        "HB_DATABASE_URL": database_url,
        "HB_REDIS_URL": REDIS_URL,
        "HB_PUBLIC_URL": f"http://localhost:{port}",
        "HB_DEV_OIDC": "1",
        "HB_DATA_DIR": str(scratch),
    }
    app, process, log = _serve(
        "the production profile",
        [sys.executable, "-m", "hbapp.tools.run_prod", "--port", str(port),
         "--workers", str(workers), "--seed"],
        REPO, env, "/healthz", database_url, workers)
    try:
        yield app
    finally:
        _stop(process, log)
        if app._engine is not None:
            app._engine.dispose()


BASELINE_REDIS_DB = 2


@contextmanager
def baseline_app(revision: str, workers: int = 3, database: str = "hb_bench_base",
                 oplock: bool | None = None, extra_env: dict[str, str] | None = None
                 ) -> Iterator[App]:
    """HB as of an earlier git revision, under the same profile, to measure a change against
    what it replaces in the same run (`python -m bench events --baseline REV`). The revision is
    exported with `git archive` (no worktree is registered) and runs on this checkout's .venv;
    its state lives in Redis database BASELINE_REDIS_DB."""
    scratch = Path(tempfile.mkdtemp(prefix="hb-bench-base-"))
    source = scratch / "src"
    source.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", revision],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    pybabel = str(Path(sys.executable).parent / "pybabel")
    subprocess.run([pybabel, "compile", "--use-fuzzy", "-d", "locales", "-D", "messages"],
                   cwd=source, check=True, capture_output=True)
    port = free_port()
    database_url = f"{PG_PREFIX}/{database}"
    env = {
        **_profile_env(scratch, port, workers, oplock),
        # The exported tree's hbapp, not the editable install of this checkout.
        "PYTHONPATH": str(source),
        "HB_DATABASE_URL": database_url,
        "HB_REDIS_URL": redis_url(BASELINE_REDIS_DB),
        "HB_PUBLIC_URL": f"http://localhost:{port}",
        "HB_DEV_OIDC": "1",
        "HB_DATA_DIR": str(scratch),
        **(extra_env or {}),
    }
    # Revisions before the security fixes seed by themselves; later ones are asked to.
    seed = ["--seed"] if "--seed" in (source / "hbapp/tools/run_prod.py").read_text() else []
    app, process, log = _serve(
        f"HB at {revision}",
        [sys.executable, "-m", "hbapp.tools.run_prod", "--port", str(port),
         "--workers", str(workers), *seed],
        source, env, "/healthz", database_url, workers)
    try:
        yield app
    finally:
        _stop(process, log)
        if app._engine is not None:
            app._engine.dispose()


def prepare_floor_database(database_url: str) -> None:
    """Create the floor's database and table and fill it once (FLOOR_ACCOUNTS × FLOOR_MONTHS)."""
    import sqlalchemy as sa

    from hbapp.tools.run_prod import ensure_postgres_database

    ensure_postgres_database(database_url)
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(FLOOR_SCHEMA))
            first = _month_index(time.localtime()) - FLOOR_MONTHS // 2
            have = connection.execute(sa.text(
                "SELECT count(*) FROM floor_month WHERE month IN (:first, :last)"),
                {"first": _month_text(first), "last": _month_text(first + FLOOR_MONTHS - 1)},
            ).scalar()
            if have == 2 * FLOOR_ACCOUNTS:
                return
            connection.execute(sa.text("TRUNCATE floor_month"))
            connection.execute(sa.text(
                "INSERT INTO floor_month (account_id, month, amount_cents) "
                "SELECT a, to_char(make_date(m / 12, m % 12 + 1, 1), 'YYYY-MM'), "
                "(a * 7919 + (m % 97) * 1013) % 200000 "
                "FROM generate_series(1, :accounts) a, generate_series(:first, :last) m"),
                {"accounts": FLOOR_ACCOUNTS, "first": first, "last": first + FLOOR_MONTHS - 1})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("ANALYZE floor_month"))
    finally:
        engine.dispose()


def _month_index(now: time.struct_time) -> int:
    return now.tm_year * 12 + now.tm_mon - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@contextmanager
def floor_app(workers: int = 3, database: str = "hb_bench_floor",
              oplock: bool | None = None) -> Iterator[App]:
    """Start the bare Reflex app of bench/floor under the same profile as HB: Granian with
    `workers` workers, Reflex's Redis state manager (database FLOOR_REDIS_DB), PostgreSQL."""
    port = free_port()
    scratch = Path(tempfile.mkdtemp(prefix="hb-bench-floor-"))
    database_url = f"{PG_PREFIX}/{database}"
    prepare_floor_database(database_url)
    env = {
        **_profile_env(scratch, port, workers, oplock),
        "FLOOR_DATABASE_URL": database_url,
        "FLOOR_REDIS_URL": redis_url(FLOOR_REDIS_DB),
    }
    reflex = str(Path(sys.executable).parent / "reflex")
    app, process, log = _serve(
        "the floor",
        [reflex, "run", "--env", "prod", "--single-port", "--frontend-port", str(port),
         "--loglevel", "warning"],
        FLOOR_DIR, env, "/", database_url, workers)
    try:
        yield app
    finally:
        _stop(process, log)
