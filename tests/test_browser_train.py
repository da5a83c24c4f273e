"""The Train view in Chromium: Train redraws the map and the curves as the model learns, Stop ends the run, and a
page that goes away takes its run with it (the next user does not wait for it)."""
import re
import time

import pytest

from app_server import need_chromium, open_page

pytestmark = pytest.mark.browser

need_chromium()
STATUS = "#train-status"
EPOCH = re.compile(r"Epoch (\d+) of")


def open_train(browser, url):
    page, errors = open_page(browser, url)
    page.get_by_role("tab", name="Train").click()
    page.wait_for_selector("#train-button", timeout=30_000)
    return page, errors


def status(page) -> str:
    return page.locator(STATUS).inner_text()


def set_slider(page, label: str, value: int) -> None:
    box = page.locator(f'input[aria-label="number input for {label}"]')   # the slider's number field
    box.fill(str(value))
    box.press("Enter")


def test_train_redraws_the_map_and_curves_then_stop_ends_the_run(app_url, browser, shots):
    page, errors = open_train(browser, app_url)
    page.locator("#train-button").click()
    seen = set()
    deadline = time.monotonic() + 90
    while len(seen) < 3 and time.monotonic() < deadline:
        m = EPOCH.search(status(page))
        if m:
            seen.add(int(m.group(1)))
        page.wait_for_timeout(100)
    assert len(seen) >= 3, (seen, status(page))
    # the map has one trace per digit, the curves a point per epoch shown
    n_classes = page.evaluate("() => document.querySelector('#train-map .js-plotly-plot').data.length")
    points = page.evaluate("() => document.querySelector('#train-curves .js-plotly-plot').data[0].x.length")
    assert n_classes == 10 and points >= 3
    page.screenshot(path=str(shots / "train.png"))
    page.locator("#stop-button").click()
    page.wait_for_function(f"() => document.querySelector('{STATUS}').innerText.startsWith('Stopped')",
                           timeout=10_000)
    page.wait_for_timeout(1500)
    assert status(page).startswith("Stopped")   # no epoch after the stop
    page.close()
    assert not errors, errors


def test_a_closed_page_takes_its_run_with_it(app_url, browser):
    first, _ = open_train(browser, app_url)
    set_slider(first, "Epochs", 100)   # ~30 s of digits epochs
    first.locator("#train-button").click()
    first.wait_for_function(f"() => /Epoch \\d+ of/.test(document.querySelector('{STATUS}').innerText)",
                            timeout=60_000)
    assert " of 100," in status(first), status(first)
    first.close()   # its run has ~25 s to go; the one training slot must free at once
    second, errors = open_train(browser, app_url)
    t0 = time.monotonic()
    second.locator("#train-button").click()
    second.wait_for_function(f"() => /Epoch \\d+ of/.test(document.querySelector('{STATUS}').innerText)",
                             timeout=60_000)
    waited = time.monotonic() - t0
    second.locator("#stop-button").click()
    second.close()
    assert waited < 8, f"the second page waited {waited:.1f} s for its first epoch"
    assert not errors, errors
