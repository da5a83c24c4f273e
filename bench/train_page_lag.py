"""Benchmark how a page keeps up with the Train view while a run streams into it: how long the page takes to answer
a trivial script call (the renderer's main thread busy drawing the updates) every half second of a digits run,
and how long a click on Stop then takes. Against an app already running (start it with its own
GRADIO_SERVER_PORT), in headless Chromium at 1366x768; the run trains in its own process beside it.

    python bench/train_page_lag.py --url http://127.0.0.1:7911/ --repeats 2
"""
import argparse
import statistics
import time

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
READY = "() => { const e = document.querySelector('#map-vae .lm'); return e && e.latentMap && e.latentMap.state.ready; }"


def one(browser, url: str, samples: int) -> tuple[list[float], float]:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url)
    page.wait_for_function(READY, timeout=90_000)
    page.get_by_role("tab", name="Train").click()
    box = page.locator('input[aria-label="number input for Epochs"]')
    box.fill("100")
    box.press("Enter")
    page.locator("#train-button").click()
    page.wait_for_function("() => /Epoch \\d+ of/.test(document.querySelector('#train-status').innerText)",
                           timeout=60_000)
    waits = []
    for _ in range(samples):
        t = time.perf_counter()
        page.evaluate("1")
        waits.append(1000 * (time.perf_counter() - t))
        page.wait_for_timeout(500)
    t = time.perf_counter()
    page.locator("#stop-button").click(timeout=120_000)
    click = time.perf_counter() - t
    page.wait_for_function("() => /Stopped|Finished/.test(document.querySelector('#train-status').innerText)",
                           timeout=120_000)
    page.close()
    return waits, click


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--samples", type=int, default=20, help="script calls per run, one every half second")
    a = p.parse_args()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        for r in range(a.repeats):
            waits, click = one(browser, a.url, a.samples)
            print(f"run {r}: script call median {statistics.median(waits):.0f} ms, max {max(waits):.0f} ms; "
                  f"Stop click took {click:.2f} s")
        browser.close()


if __name__ == "__main__":
    main()
