"""Browser tests: build and start the production app ONCE per test run, drive Chromium.

The app runs exactly as `make run` runs it (prod build, single port, development OpenID
provider), on its own port and its own freshly seeded SQLite database.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("HB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningApp:
    base_url: str
    database_url: str
    data_dir: Path

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def app_server(tmp_path_factory) -> Iterator[RunningApp]:
    data_dir = tmp_path_factory.mktemp("app-data")
    port = int(os.environ.get("HB_TEST_PORT") or _free_port())
    base_url = f"http://localhost:{port}"
    database_url = f"sqlite:///{data_dir}/browser.db"
    env = {
        **os.environ,
        "HB_DATA_DIR": str(data_dir),
        "HB_DATABASE_URL": database_url,
        "HB_PUBLIC_URL": base_url,
        "HB_DEV_OIDC": "1",
        "HB_DEFAULT_LOCALE": "fi",
        "PYTHONUNBUFFERED": "1",
        # A build directory of its own, so parallel test runs never share one.
        "REFLEX_WEB_WORKDIR": str(data_dir / "web"),
        "REFLEX_STATES_WORKDIR": str(data_dir / "states"),
    }
    env.pop("HB_REDIS_URL", None)
    venv_bin = Path(sys.executable).parent
    subprocess.run([str(venv_bin / "hb"), "db", "upgrade"], env=env, check=True, cwd=REPO)
    subprocess.run([str(venv_bin / "hb"), "seed"], env=env, check=True, cwd=REPO,
                   stdout=subprocess.DEVNULL)
    log_path = data_dir / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [str(venv_bin / "reflex"), "run", "--env", "prod", "--single-port",
         "--frontend-port", str(port), "--loglevel", "warning"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the app exited early:\n{log_path.read_text()[-4000:]}")
            try:
                if httpx.get(base_url + "/", timeout=2).status_code == 200 and \
                        httpx.get(base_url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not start:\n{log_path.read_text()[-4000:]}")
            time.sleep(1)
        yield RunningApp(base_url, database_url, data_dir)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="fi-FI")
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
