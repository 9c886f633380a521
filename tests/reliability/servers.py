"""Servers of one's own for fault injection: a PostgreSQL cluster, a Redis and HB's backend.

Never the machine's shared PostgreSQL or Redis: other tests use them. `OwnPostgres` runs
`initdb` and `pg_ctl` (the binaries under /usr/lib/postgresql/*/bin) on a free port in a
temporary directory; `OwnRedis` runs `redis-server` on a free port without persistence; `OwnApp`
runs HB's production backend (`reflex run --env prod --backend-only`: Granian with several
worker processes, Reflex's Redis state manager, PostgreSQL) in its own process group. Each can
be killed and restarted; everything is removed at the end.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"no PostgreSQL {name} under /usr/lib/postgresql/*/bin")
    return found[-1]


def _run_as_postgres() -> list[str]:
    """initdb refuses to run as root: run the cluster as the postgres user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


class OwnPostgres:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hb-faults-pg-"))
        self.port = free_port()
        self.data = self.dir / "data"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run([*_run_as_postgres(), pg_bin("initdb"), "-D", str(self.data), "-U",
                        "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
                       check=True, capture_output=True)
        self.start()

    @property
    def url_prefix(self) -> str:
        return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}"

    def _ctl(self, *args: str) -> None:
        subprocess.run([*_run_as_postgres(), pg_bin("pg_ctl"), "-D", str(self.data),
                        "-l", str(self.dir / "log"), *args], check=True, capture_output=True)

    def start(self) -> None:
        self._ctl("-w", "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                              "-c max_connections=200 -c fsync=off", "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-w", "-m", mode, "stop")

    def restart(self, down_seconds: float = 1.0) -> None:
        self.stop("immediate")  # as a crash: no checkpoint, recovery at start
        time.sleep(down_seconds)
        self.start()

    def create_database(self, name: str) -> str:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres",
                                      dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()
        return f"{self.url_prefix}/{name}"

    def close(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnRedis:
    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hb-faults-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None

    def restart(self, down_seconds: float = 1.0) -> None:
        self.kill()  # every tab state in Redis is gone, as after a crash
        time.sleep(down_seconds)
        self.start()

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


class OwnApp:
    """HB's production backend: Granian workers, Redis state, PostgreSQL."""

    def __init__(self, database_url: str, redis_url: str, workers: int = 2) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hb-faults-app-"))
        self.database_url = database_url
        self.env = {
            **os.environ,
            "HB_DATABASE_URL": database_url, "HB_REDIS_URL": redis_url,
            "HB_PUBLIC_URL": f"http://localhost:{self.port}", "HB_DEV_OIDC": "1",
            "HB_DATA_DIR": str(self.dir), "GRANIAN_WORKERS": str(workers),
            "REFLEX_WEB_WORKDIR": str(self.dir / "web"),
            "REFLEX_STATES_WORKDIR": str(self.dir / "states"),
            "REFLEX_OPLOCK_ENABLED": "true", "PYTHONUNBUFFERED": "1",
            "REFLEX_TELEMETRY_ENABLED": "false", "REFLEX_CHECK_LATEST_VERSION": "false",
        }
        bin_dir = Path(sys.executable).parent
        subprocess.run([str(bin_dir / "hb"), "db", "upgrade"], env=self.env, check=True,
                       cwd=REPO, capture_output=True)
        subprocess.run([str(bin_dir / "hb"), "seed", "--no-migrate"], env=self.env, check=True,
                       cwd=REPO, capture_output=True)
        self.log_path = self.dir / "server.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [str(bin_dir / "reflex"), "run", "--env", "prod", "--backend-only",
             "--backend-port", str(self.port), "--loglevel", "warning"],
            cwd=REPO, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.wait_healthy(600)

    @property
    def base_url(self) -> str:
        return f"http://localhost:{self.port}"

    @property
    def socket_url(self) -> str:
        """The address to open sockets to (the server listens on IPv4 only)."""
        return f"http://127.0.0.1:{self.port}"

    def healthz(self) -> int:
        try:
            return httpx.get(self.base_url + "/healthz", timeout=5).status_code
        except httpx.HTTPError:
            return 0

    def wait_healthy(self, timeout: float = 120) -> float:
        """Seconds until /healthz answers 200 (no manual step: the app recovers itself)."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError("the app exited:\n" + self.log_path.read_text()[-3000:])
            if self.healthz() == 200:
                return time.monotonic() - began
            time.sleep(0.3)
        raise RuntimeError("the app did not become healthy:\n"
                           + self.log_path.read_text()[-3000:])

    def worker_pids(self) -> list[int]:
        """Granian's worker processes (the children of its supervisor)."""
        found = []
        for pid in [self.process.pid, *children(self.process.pid)]:
            for child in children(pid):
                try:
                    command = Path(f"/proc/{child}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"reflex" in command or b"granian" in command or b"python" in command:
                    found.append(child)
        return sorted(set(found))

    def close(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
