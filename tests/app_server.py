"""Run app.py in a subprocess and drive it with Playwright in Debian's Chromium (shared by the browser tests)."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def need_chromium() -> None:
    """Skip without Chromium, except in CI, where its absence is a failure (.ci/run installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed chromium")
        pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(checkpoints: Path, log_path: Path, timeout: float = 120):
    """app.py on `checkpoints`; yields its URL; the process group is always killed."""
    port = free_port()
    env = {**os.environ, "LATENT_EXPLORER_CHECKPOINTS": str(checkpoints), "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(log_path, "w+")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.seek(0)
                    pytest.fail(f"app.py did not start:\n{log.read()[-3000:]}")
                time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):   # it may have died on its own
            os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
        log.close()


@contextlib.contextmanager
def browser_page(url: str, viewport=(1440, 900)):
    """A Chromium page on `url`; page errors are collected and must be none at the end."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url)
        yield page
        browser.close()
        assert not errors, errors
