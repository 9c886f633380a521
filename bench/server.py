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


def _wait_healthy(base_url: str, process: subprocess.Popen | None, log_path: Path | None,
                  timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text()[-4000:] if log_path else ""
            raise RuntimeError(f"the app exited early:\n{tail}")
        try:
            if httpx.get(base_url + "/healthz", timeout=3).status_code == 200 and \
                    httpx.get(base_url + "/", timeout=3).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app did not become healthy at {base_url}")
        time.sleep(1)


@contextmanager
def production_app(workers: int = 3, url: str | None = None,
                   database: str = "hb_bench_app") -> Iterator[App]:
    """Start `hbapp.tools.run_prod` (PostgreSQL + Redis + N workers) or use a running app.

    With `url`, the running app's database must be HB_DATABASE_URL (sessions are made there).
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
        **os.environ,
        "HB_DATABASE_URL": database_url,
        "HB_REDIS_URL": REDIS_URL,
        "HB_PUBLIC_URL": f"http://localhost:{port}",
        "HB_DEV_OIDC": "1",
        "HB_DATA_DIR": str(scratch),
        # A build directory of its own: never disturb `make run` or the browser tests.
        "REFLEX_WEB_WORKDIR": str(scratch / "web"),
        "REFLEX_STATES_WORKDIR": str(scratch / "states"),
        "PYTHONUNBUFFERED": "1",
    }
    log_path = scratch / "server.log"
    log = log_path.open("w")
    print(f"starting the production profile on port {port} with {workers} workers "
          f"(log: {log_path})", flush=True)
    process = subprocess.Popen(
        [sys.executable, "-m", "hbapp.tools.run_prod", "--port", str(port),
         "--workers", str(workers), "--seed"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    app = App(f"http://localhost:{port}", database_url, supervisor_pid=process.pid,
              log_path=log_path)
    try:
        _wait_healthy(app.base_url, process, log_path)
        yield app
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        if app._engine is not None:
            app._engine.dispose()
