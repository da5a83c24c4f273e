"""Run app.py in a subprocess and drive it with Playwright in Debian's Chromium (shared by the browser tests)."""
import contextlib
import os
from pathlib import Path

import pytest

from app_process import ROOT, app_process  # noqa: F401  (ROOT is re-exported to the tests)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]


def need_chromium() -> None:
    """Skip without Chromium, except in CI, where its absence is a failure (.ci/run installs it)."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing: .ci/run should have installed chromium")
        pytest.skip(f"{CHROMIUM} is missing", allow_module_level=True)


@contextlib.contextmanager
def running_app(checkpoints: Path, log_path: Path, timeout: float = 120):
    """app.py on `checkpoints`; yields its URL; a failed start fails the test with the app's output."""
    with open(log_path, "w+") as log, contextlib.ExitStack() as stack:
        try:
            url, _ = stack.enter_context(app_process(checkpoints, log, timeout))
        except RuntimeError:
            log.seek(0)
            pytest.fail(f"app.py did not start:\n{log.read()[-3000:]}")
        yield url


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


# Both maps of a page: drawn, idle, and showing the decode of the latest request.
MAP_READY = """(sel) => { const e = document.querySelector(sel + ' .lm'); const m = e && e.latentMap;
  return m && m.state.ready && !m.busy() && m.state.last && m.state.last.seq === m.state.seq; }"""


@contextlib.contextmanager
def shipped_app_page(log_dir: Path, viewport=(1500, 1000)):
    """app.py on the shipped checkpoints and a Chromium page on it, once both maps are ready."""
    with running_app(ROOT / "checkpoints", log_dir / "app.log") as url:
        with browser_page(url, viewport=viewport) as pg:
            for sel in ("#map-vae", "#map-ae"):
                pg.wait_for_function(MAP_READY, arg=sel, timeout=90_000)
            yield pg


def touch(cdp, kind: str, *points) -> None:
    """One touch event through Chromium's input pipeline (pointer and touch events, as a finger gives them); `cdp`
    is the page's DevTools session, points are (x, y) in CSS px, one per finger."""
    cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": [
        {"x": x, "y": y, "id": i, "radiusX": 5, "radiusY": 5} for i, (x, y) in enumerate(points)]})


def open_page(browser, url: str, width: int = 1366, height: int = 900, scale: float = 1, touch: bool = False):
    """A new page of `browser` on `url` once both maps are drawn and idle; (page, the page errors it collects).
    `touch`: a phone or tablet (touch events, mobile viewport)."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=scale,
                            has_touch=touch, is_mobile=touch)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    for sel in ("#map-vae", "#map-ae"):
        page.wait_for_function(MAP_READY, arg=sel, timeout=90_000)
    return page, errors
