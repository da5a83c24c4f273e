"""Benchmark a drawn stroke's way to the map in headless Chromium: from the end of a stroke on the Reconstruct
view's drawing pad to the frame in which the VAE's map shows the drawing's new overlay (its μ and rings), and to
the frame in which the whole view (reconstruction, ELBO text) is updated.

    python bench/bench_stroke.py                          # starts app.py on the shipped checkpoints
    python bench/bench_stroke.py --url http://127.0.0.1:7911/

Each round clears the pad and draws --strokes strokes one after the other, each once the previous one is on the
map, as a user adds to a drawing. Goal (issue 15): a stroke reaches the map in under 1 s.
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_latent_map import CHROMIUM_ARGS  # noqa: E402
from tests.app_process import app_process  # noqa: E402

PAD = "#recon-pad"
# In the page: the time of the latest pointerup on the pad, and of the first frame after it in which the VAE map's
# overlay (an object replaced by every new map value) or the ELBO heading changed.
WATCH_JS = """() => {
  const w = window.__stroke = { up: 0, map: 0, view: 0, overlay: null, heading: '' };
  const m = document.querySelector('#map-vae .lm').latentMap;
  const heading = () => [...document.querySelectorAll('h3')].map((h) => h.textContent).join('|');
  document.querySelector('#recon-pad canvas').addEventListener('pointerup', () => {
    Object.assign(w, { up: performance.now(), map: 0, view: 0, overlay: JSON.stringify(m.state.overlayPoint || null),
      heading: heading() });
  });
  const tick = () => {
    if (w.up) {
      const now = performance.now();
      const ov = m.element.querySelector('.lm-plot').data;
      const shown = JSON.stringify(ov ? ov.slice(-3).map((t) => [t.x, t.y]) : null);
      if (!w.map && w.shownBefore !== undefined && shown !== w.shownBefore) w.map = now - w.up;
      if (!w.view && heading() !== w.heading) w.view = now - w.up;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}"""
BEFORE_JS = """() => { const ov = document.querySelector('#map-vae .lm-plot').data;
  window.__stroke.shownBefore = JSON.stringify(ov ? ov.slice(-3).map((t) => [t.x, t.y]) : null); }"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", help="an app already running (else app.py is started on --checkpoints)")
    p.add_argument("--checkpoints", default=str(ROOT / "checkpoints"))
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--strokes", type=int, default=4, help="strokes per round")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    return p.parse_args()


def stroke(page, box: dict, k: int) -> None:
    """A short wiggly line, a different one for each k."""
    x0, y0 = box["x"] + box["width"] * (0.3 + 0.1 * (k % 4)), box["y"] + box["height"] * 0.2
    page.mouse.move(x0, y0)
    page.mouse.down()
    for i in range(1, 13):
        page.mouse.move(x0 + (i % 3) * 4, y0 + i * box["height"] * 0.05)
    page.mouse.up()


def measure(url: str, rounds: int, strokes: int, chromium: str) -> list[tuple[float, float]]:
    out = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(url)
        page.wait_for_function("() => { const e = document.querySelector('#map-vae .lm');"
                               " return e && e.latentMap && e.latentMap.state.ready; }", timeout=120_000)
        page.get_by_role("tab", name="Reconstruct").click()
        page.wait_for_selector(f"{PAD} canvas", timeout=30_000)
        page.wait_for_function("() => !!window.DrawPadModule", timeout=30_000)
        page.evaluate(WATCH_JS)
        for r in range(rounds):
            page.locator(f"{PAD} .dp-clear").click()
            for k in range(strokes):
                page.locator(PAD).scroll_into_view_if_needed()
                box = page.locator(f"{PAD} canvas").bounding_box()
                page.evaluate(BEFORE_JS)
                stroke(page, box, k)
                page.wait_for_function("() => window.__stroke.map > 0 && window.__stroke.view > 0", timeout=60_000)
                w = page.evaluate("() => window.__stroke")
                out.append((w["map"], w["view"]))
                print(f"round {r + 1} stroke {k + 1}: map {w['map']:.0f} ms, view {w['view']:.0f} ms", flush=True)
                time.sleep(0.3)
        browser.close()
    return out


def main() -> None:
    a = parse_args()
    if a.url:
        results = measure(a.url, a.rounds, a.strokes, a.chromium)
    else:
        with open("/dev/null", "w") as log, app_process(Path(a.checkpoints), log) as (url, _):
            results = measure(url, a.rounds, a.strokes, a.chromium)
    to_map, to_view = [r[0] for r in results], [r[1] for r in results]
    print(f"{len(results)} strokes: to the map median {statistics.median(to_map):.0f} ms, max {max(to_map):.0f} ms; "
          f"whole view median {statistics.median(to_view):.0f} ms, max {max(to_view):.0f} ms")


if __name__ == "__main__":
    main()
