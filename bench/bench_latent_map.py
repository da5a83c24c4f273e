"""Benchmark the live latent map in headless Chromium: drag latency, delivered frames, click latency.

    python bench/bench_latent_map.py --append
    python bench/bench_latent_map.py --site OUT_DIR    # a static build (python -m explorer.site OUT_DIR), over HTTP

Starts app.py on --checkpoints in a subprocess, then for each case (pair:map) and each decode path (--paths:
"browser" = the page's own copy of the decoder, "server" = every image decoded by the lm_decode server function)
drags the VAE map's cursor for --seconds at --rate real mouse moves per second and clicks --clicks times.
A move's latency runs from the pointer event's timestamp to the animation frame in which its decoded image is
first shown (the canvas is drawn before that frame).
Goals: move p95 <= 20 ms, >= 90 % of moves painted, last frame = final position; click p95 <= 60 ms.
"""
import argparse
import datetime
import os
import platform
import re
import shlex
import sys
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app_process import app_process  # noqa: E402
from tests.static_server import served  # noqa: E402
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DEFAULT_CASES = ["fashion-mnist-mlp-z2:latent", "fashion-mnist-conv-z16:pca", "fashion-mnist-conv-z16:umap"]
SECTION = "## Live latent map"
SEL = "#map-vae"
STATE_JS = """(sel) => { const m = document.querySelector(sel + ' .lm').latentMap; const s = m.state;
  const r = m.element.querySelector('.lm-plot').getBoundingClientRect(); const f = m.frame();
  const [cx, cy] = m.dataToPixel(s.cursor[0], s.cursor[1], f);
  return { seq: s.seq, moves: m.log.moves, nframes: m.log.frames.length, cursor: s.cursor, errors: m.log.errors,
           last: s.last && { seq: s.last.seq, x: s.last.x, y: s.last.y }, f, left: r.left, top: r.top,
           cursorPage: [r.left + cx, r.top + cy] }; }"""
IDLE_JS = """(sel) => { const e = document.querySelector(sel + ' .lm'); const m = e && e.latentMap;
  return m && m.state.ready && !m.busy() && m.state.last && m.state.last.seq === m.state.seq; }"""


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", default=str(ROOT / "checkpoints"))
    p.add_argument("--site", help="a static build (python -m explorer.site DIR) to measure instead of the app; "
                                  "it decodes only in the browser")
    p.add_argument("--cases", nargs="+", default=DEFAULT_CASES, help="pair:map, e.g. digits-mlp-z2:latent")
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rate", type=float, default=60.0, help="mouse moves per second during the drag")
    p.add_argument("--drags", type=int, default=3, help="drags per case")
    p.add_argument("--clicks", type=int, default=30)
    p.add_argument("--paths", nargs="+", default=["browser", "server"], choices=["browser", "server"])
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--append", action="store_true", help=f"write the results to BENCHMARKS.md, '{SECTION}'")
    p.add_argument("--note", default="", help="context for BENCHMARKS.md, e.g. what else was running")
    return p.parse_args()


def select(page, pair: str, map_name: str, site: bool = False) -> None:
    """Choose the pair in the dropdown and the map in the radio, then wait for the VAE map to settle."""
    if site:   # the static build's picker is a plain <select>
        page.select_option("#pair", pair)
    else:
        page.get_by_label("Model pair (a VAE and its AE twin)").click()
        page.get_by_role("option", name=f"({pair})").click()
    page.wait_for_function(f"() => document.querySelector('{SEL} .lm').latentMap.state.payload.bundle === "
                           f"'{pair}/vae'", timeout=30000)
    if map_name != "latent" and site:
        page.check(f"#map-switch input[value={map_name}]")
    elif map_name != "latent":
        page.get_by_role("radio", name=map_name, exact=True).check()
    page.wait_for_function(f"() => document.querySelector('{SEL} .lm').latentMap.state.payload.map === "
                           f"'{map_name}'", timeout=30000)
    page.wait_for_function(IDLE_JS, arg=SEL, timeout=30000)


def use_path(page, path: str) -> None:
    """Decode in the browser (waiting for its decoder to load) or on the server."""
    page.evaluate("([sel, on]) => { document.querySelector(sel + ' .lm').latentMap.options.browserDecoding = on; }",
                  [SEL, path == "browser"])
    if path == "browser":
        page.wait_for_function(f"() => document.querySelector('{SEL} .lm').latentMap.hasBrowserModel()", timeout=30000)


def drag(page, seconds: float, rate: float) -> dict:
    """One drag along a Lissajous path on a fixed schedule; latencies of its painted frames."""
    s0 = page.evaluate(STATE_JS, SEL)
    rtt0 = page.evaluate(f"() => document.querySelector('{SEL} .lm').latentMap.log.rtt.length")
    f = s0["f"]
    cx, cy = s0["left"] + f["l"] + f["w"] / 2, s0["top"] + f["t"] + f["h"] / 2
    page.mouse.move(*s0["cursorPage"])
    page.mouse.down()
    n = int(seconds * rate)
    start = time.perf_counter()
    for i in range(n):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        a = 2 * np.pi * i / n
        page.mouse.move(cx + 0.4 * f["w"] * np.sin(a), cy + 0.4 * f["h"] * np.sin(2 * a))
    took = time.perf_counter() - start
    page.mouse.up()
    page.wait_for_function(IDLE_JS, arg=SEL, timeout=30000)
    page.wait_for_timeout(100)   # the last frame's timestamp is taken in an animation frame
    s1 = page.evaluate(STATE_JS, SEL)
    frames = page.evaluate("([sel, k]) => document.querySelector(sel + ' .lm').latentMap.log.frames.slice(k)",
                           [SEL, s0["nframes"]])
    rtt = page.evaluate("([sel, k]) => document.querySelector(sel + ' .lm').latentMap.log.rtt.slice(k)",
                        [SEL, rtt0])
    final_ok = bool(frames) and frames[-1]["seq"] == s1["seq"] and frames[-1]["x"] == s1["cursor"][0] \
        and frames[-1]["y"] == s1["cursor"][1] and s1["last"]["seq"] == s1["seq"]
    return {"sent": n, "handled": s1["moves"] - s0["moves"], "frames": len(frames), "rate": n / took,
            "latency": [fr["t1"] - fr["t0"] for fr in frames], "ready": [fr["tPainted"] - fr["t0"] for fr in frames],
            "sources": [fr["source"] for fr in frames], "rtt": rtt, "final_ok": final_ok,
            "errors": s1["errors"] - s0["errors"]}


def clicks(page, count: int, seed: int = 0) -> list[float]:
    """Clicks at random plot positions away from the cursor; latency of each click's painted decode."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(count):
        s0 = page.evaluate(STATE_JS, SEL)
        f = s0["f"]
        while True:
            x = s0["left"] + f["l"] + f["w"] * rng.uniform(0.05, 0.95)
            y = s0["top"] + f["t"] + f["h"] * rng.uniform(0.05, 0.95)
            if np.hypot(x - s0["cursorPage"][0], y - s0["cursorPage"][1]) > 30:
                break
        page.mouse.click(x, y)
        page.wait_for_function("([sel, n]) => document.querySelector(sel + ' .lm').latentMap.log.frames.length > n"
                               " && document.querySelector(sel + ' .lm').latentMap.state.last.seq === "
                               "document.querySelector(sel + ' .lm').latentMap.state.seq", arg=[SEL, s0["nframes"]],
                               timeout=10000)
        fr = page.evaluate("(sel) => document.querySelector(sel + ' .lm').latentMap.log.frames.slice(-1)[0]", SEL)
        out.append(fr["t1"] - fr["t0"])
        page.wait_for_timeout(350)   # plotly treats two clicks within 300 ms as a double click (reset axes)
    return out


def summarise(case: str, path: str, drags: list[dict], click_ms: list[float]) -> dict:
    lat = np.concatenate([d["latency"] for d in drags])
    ready = np.concatenate([d["ready"] for d in drags])
    rtt = np.concatenate([d["rtt"] for d in drags])
    sources = [src for d in drags for src in d["sources"]]
    return {"case": case, "path": path, "by_path": sources.count(path) / max(len(sources), 1),
            "move_median": float(np.median(lat)), "move_p95": float(np.percentile(lat, 95)),
            "ready_p95": float(np.percentile(ready, 95)), "rtt_median": float(np.median(rtt)) if len(rtt) else None,
            "delivered": sum(d["frames"] for d in drags) / sum(d["sent"] for d in drags),
            "handled": sum(d["handled"] for d in drags) / sum(d["sent"] for d in drags),
            "rate": float(np.mean([d["rate"] for d in drags])), "final_ok": all(d["final_ok"] for d in drags),
            "errors": sum(d["errors"] for d in drags),
            "click_median": float(np.median(click_ms)), "click_p95": float(np.percentile(click_ms, 95))}


def table(rows: list[dict]) -> str:
    head = ("| case | decoded by | move median ms | move p95 ms | (p95 to canvas drawn) | server round trip median ms | "
            "moves painted | moves/s sent | last frame = final | click median ms | click p95 ms |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n")
    return head + "".join(
        f"| {r['case']} | {r['path']} ({100 * r['by_path']:.0f} % of frames) | {r['move_median']:.1f} | "
        f"{r['move_p95']:.1f} | {r['ready_p95']:.1f} | "
        f"{'–' if r['rtt_median'] is None else format(r['rtt_median'], '.1f')} | "
        f"{100 * r['delivered']:.0f} % | "
        f"{r['rate']:.0f} | {'yes' if r['final_ok'] else 'NO'} | {r['click_median']:.1f} | {r['click_p95']:.1f} |\n"
        for r in rows)


def append_section(text: str) -> None:
    """Replace (or add) only our own section of BENCHMARKS.md; other sections belong to others."""
    path = ROOT / "BENCHMARKS.md"
    old = path.read_text() if path.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.S | re.M)
    new = pattern.sub(lambda _: text, old) if pattern.search(old) else old.rstrip("\n") + "\n\n" + text
    path.write_text(new)


def main() -> None:
    a = parse_args()
    rows = []
    if a.site:
        a.paths = ["browser"]
    with (served(Path(a.site)) if a.site else app_process(a.checkpoints)) as served_at, sync_playwright() as p:
        url = f"{served_at}/index.html" if a.site else served_at[0]
        browser = p.chromium.launch(executable_path=a.chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(url)
        page.wait_for_function(IDLE_JS, arg=SEL, timeout=60000)
        for case in a.cases:
            pair, map_name = case.split(":")
            select(page, pair, map_name, site=bool(a.site))
            for path in a.paths:
                use_path(page, path)
                drag(page, 0.5, a.rate)   # warm-up: first torch calls and JIT paths
                runs = [drag(page, a.seconds, a.rate) for _ in range(a.drags)]
                rows.append(summarise(case, path, runs, clicks(page, a.clicks)))
                print(rows[-1], flush=True)
        browser.close()
    print(table(rows))
    if a.append:
        load = os.getloadavg()
        argv = sys.argv[1:]
        if "--note" in argv:   # the note is printed below the command, not inside it
            del argv[argv.index("--note"):argv.index("--note") + 2]
        command = shlex.join(["python", "bench/bench_latent_map.py", *argv])
        append_section(
            f"{SECTION}\n\n`{command.strip()}` ({datetime.date.today()}, {platform.machine()}, "
            f"{os.cpu_count()} CPUs, load average {load[0]:.1f} at the end; headless Chromium, app on localhost).\n"
            f"{a.drags} drags of {a.seconds:g} s at {a.rate:g} mouse moves/s per case, {a.clicks} clicks; "
            "latency = pointer event timestamp -> the animation frame that first shows the decoded image. "
            "Goals: move p95 <= 20 ms, >= 90 % of moves painted, last frame = final position; "
            "click p95 <= 60 ms.\n" + (f"\n{a.note}\n" if a.note else "") + "\n" + table(rows) + "\n")


if __name__ == "__main__":
    main()
