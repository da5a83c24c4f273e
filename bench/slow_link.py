"""A first visit over a slow link, in Chromium: what is downloaded, and when the map, its first decode and the
in-browser decoder arrive; then the switch to the latent-16 pair.

    python bench/slow_link.py                       # the Gradio app on the shipped checkpoints
    python bench/slow_link.py --site OUT_DIR        # a static build (python -m explorer.site OUT_DIR), over HTTP

The link is emulated through Chromium's DevTools protocol (Network.emulateNetworkConditions): 150 ms latency,
1.5 Mbit/s down, 0.75 Mbit/s up, an empty cache. Times are from the start of navigation. "bytes" are what went
over the wire (compressed where the server compressed), "before the first decode" counts every response that
finished by then.
"""
import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app_process import app_process  # noqa: E402
from tests.static_server import served  # noqa: E402

LATENCY_MS, DOWN_BPS, UP_BPS = 150, 1.5e6, 0.75e6
SWITCH_TO = "fashion-mnist-conv-z16"
# Per map (the selectors of both maps): drawn, first decode shown, in-browser decoder loaded, for which bundle.
STATE = """(sels) => sels.map((s) => { const e = document.querySelector(s + ' .lm'); const m = e && e.latentMap;
  return m ? {ready: m.state.ready, decoded: !!m.state.last, browser: m.hasBrowserModel(),
              bundle: m.state.payload && m.state.payload.bundle} : null; })"""


def run(url: str, chromium: str, switch: bool, timeout: float) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": LATENCY_MS, "downloadThroughput": DOWN_BPS / 8,
            "uploadThroughput": UP_BPS / 8})
        done = []   # (seconds since start, bytes on the wire, url)
        urls = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished", lambda e: done.append(
            (time.monotonic() - t0, e["encodedDataLength"], urls.get(e["requestId"], "?"))))
        t0 = time.monotonic()
        page.goto(url, wait_until="commit")
        sels = ["#map-vae", "#map-ae"]
        marks = {}

        def watch(names: dict, until: float, bundle_prefix: str | None = None):
            while time.monotonic() < until:
                states = page.evaluate(STATE, sels)
                now = time.monotonic() - t0
                ok = [s for s in states if s and (bundle_prefix is None or (s["bundle"] or "").startswith(bundle_prefix))]
                for name, key in names.items():
                    if name not in marks and len(ok) == len(sels) and all(s[key] for s in ok):
                        marks[name] = now
                if all(n in marks for n in names):
                    return
                page.wait_for_timeout(50)

        watch({"map drawn": "ready", "first decode": "decoded", "browser decoding": "browser"}, t0 + timeout)
        out = {name: marks.get(name) for name in ("map drawn", "first decode", "browser decoding")}
        first = out["first decode"] or float("inf")
        out["bytes before first decode"] = sum(b for t, b, _ in done if t <= first)
        page.wait_for_timeout(1000)
        out["bytes"], out["requests"] = sum(b for _, b, _ in done), len(done)
        out["largest"] = sorted(((b, u.rsplit("/", 1)[-1][:40]) for _, b, u in done), reverse=True)[:6]
        if switch:
            before = len(done)
            t_switch = time.monotonic()
            if page.locator("select#pair").count():     # the static site: a plain <select>
                page.select_option("select#pair", SWITCH_TO)
            else:                                         # the app: gradio's dropdown
                page.get_by_label("Model pair (a VAE and its AE twin)").click()
                page.get_by_role("option", name=f"({SWITCH_TO})").click()
            marks.clear()
            watch({"switch: map drawn": "ready", "switch: browser decoding": "browser"}, time.monotonic() + timeout,
                  bundle_prefix=SWITCH_TO)
            for name in ("switch: map drawn", "switch: browser decoding"):
                out[name] = None if name not in marks else marks[name] - (t_switch - t0)
            out["switch bytes"] = sum(b for _, b, _ in done[before:])
        browser.close()
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    p.add_argument("--site", type=Path, help="a static build to serve instead of the app")
    p.add_argument("--app", default="app.py", help="the app to start, e.g. an older checkout's app.py to compare")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--timeout", type=float, default=150.0)
    p.add_argument("--repeats", type=int, default=1)
    a = p.parse_args()
    rows = []
    for _ in range(a.repeats):
        if a.site:
            with served(a.site) as base:
                rows.append(run(f"{base}/index.html", a.chromium, True, a.timeout))
        else:
            with app_process(a.checkpoints, argv=(a.app,)) as (url, _):
                rows.append(run(url, a.chromium, True, a.timeout))
        print(rows[-1], flush=True)
    fmt = lambda v: "–" if v is None else f"{v:.1f}"   # noqa: E731
    print("| map drawn s | first decode s | in-browser decoding s | MB before first decode | MB, requests (first view) "
          "| switch: map drawn s | switch: in-browser decoding s | switch MB |\n|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {fmt(r['map drawn'])} | {fmt(r['first decode'])} | {fmt(r['browser decoding'])} | "
              f"{r['bytes before first decode'] / 1e6:.2f} | {r['bytes'] / 1e6:.2f}, {r['requests']} | "
              f"{fmt(r.get('switch: map drawn'))} | {fmt(r.get('switch: browser decoding'))} | "
              f"{r.get('switch bytes', 0) / 1e6:.2f} |")


if __name__ == "__main__":
    main()
