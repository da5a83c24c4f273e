"""Load: many pages dragging on the latent map while others reconstruct uploads, then a soak for memory growth.

    python bench/load.py                  # 20 clients x 100 decodes + 5 uploaders, then a 10-minute soak
    python bench/load.py --quick          # 3 clients x 10 decodes + 1 uploader, 20 s soak (a smoke run)
    python bench/load.py --append --note "idle machine"    # also add the result to BENCHMARKS.md

Decodes go where the browser sends them, POST /gradio_api/component_server/ (lm_decode, which skips the queue),
one session per client, one request in flight per client as the page does, each asking for the image: the
heavier case of a page whose browser decoder has not loaded (once it has, the page asks only for neighbours). Uploaders call /reconstruct through
gradio_client (the queue). An error is any answer that is not an image: "busy" counts. Memory is the app
process's resident set (/proc/<pid>/status), sampled through the soak, which runs the same mix at a gentler pace.
"""
import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app_process import app_process  # noqa: E402


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for pid {pid}")


def map_component(url: str) -> int:
    config = httpx.get(url + "config", timeout=30).json()
    return next(c["id"] for c in config["components"] if "lm_decode" in (c["props"].get("server_fns") or []))


def upload_png(folder: Path) -> Path:
    """A dark-on-light stroke figure, as a photo of a drawing would be."""
    a = np.full((200, 160), 245, np.uint8)
    a[30:170, 60:80] = 20
    a[150:170, 60:130] = 20
    path = folder / "figure.png"
    Image.fromarray(a).save(path)
    return path


class Tally:
    """Latencies and errors from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.ms: list[float] = []
        self.errors: list[str] = []

    def add(self, ms: float, error: str | None):
        with self.lock:
            self.ms.append(ms)
            if error:
                self.errors.append(error)

    def summary(self) -> dict:
        ms = sorted(self.ms)
        pct = (lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]) if ms else (lambda q: float("nan"))
        return {"n": len(ms), "errors": len(self.errors), "median_ms": statistics.median(ms) if ms else float("nan"),
                "p95_ms": pct(0.95), "max_ms": ms[-1] if ms else float("nan"), "first_errors": self.errors[:3]}


def decode_client(url: str, component: int, model: str, n: int | None, until: float | None, tally: Tally,
                  seed: int, pause_s: float = 0.0):
    """One page dragging: n decodes (or until `until`), one in flight, at random points of the map."""
    rng = np.random.default_rng(seed)
    session = f"load-{seed}"
    with httpx.Client(base_url=url, timeout=60) as http:
        i = 0
        while (n is None or i < n) and (until is None or time.monotonic() < until):
            x, y = rng.uniform(-3, 3, 2)
            body = {"data": {"bundle": model, "map": None, "x": x, "y": y}, "component_id": component,
                    "fn_name": "lm_decode", "session_hash": session}
            t0 = time.perf_counter()
            try:
                r = httpx_post(http, body)
                error = None if "pixels" in r else r.get("error", "no image")
            except Exception as err:   # noqa: BLE001 - counted, the run goes on
                error = f"{type(err).__name__}: {err}"
            tally.add((time.perf_counter() - t0) * 1000, error)
            i += 1
            time.sleep(pause_s)


def httpx_post(http: httpx.Client, body: dict) -> dict:
    r = http.post("gradio_api/component_server/", json=body)
    return r.json() if r.status_code == 200 else {"error": f"HTTP {r.status_code}"}


def uploader(url: str, model: str, image: Path, until, tally: Tally, pause_s: float = 0.0):
    """One user reconstructing an upload again and again while `until()` is true."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    while True:   # at least one, however short the phase
        t0 = time.perf_counter()
        try:
            client.predict(handle_file(str(image)), model, api_name="/reconstruct")
            error = None
        except Exception as err:   # noqa: BLE001 - counted, the run goes on
            error = f"{type(err).__name__}: {err}"
        tally.add((time.perf_counter() - t0) * 1000, error)
        if not until():
            break
        time.sleep(pause_s)


def load_phase(url: str, component: int, model: str, image: Path, clients: int, decodes: int,
               uploaders: int) -> tuple[Tally, Tally, float]:
    decodes_t, uploads_t = Tally(), Tally()
    done = threading.Event()
    ups = [threading.Thread(target=uploader, args=(url, model, image, lambda: not done.is_set(), uploads_t))
           for _ in range(uploaders)]
    decs = [threading.Thread(target=decode_client, args=(url, component, model, decodes, None, decodes_t, i))
            for i in range(clients)]
    t0 = time.monotonic()
    [t.start() for t in ups + decs]
    [t.join() for t in decs]
    done.set()
    [t.join() for t in ups]
    return decodes_t, uploads_t, time.monotonic() - t0


def soak(url: str, pid: int, component: int, model: str, image: Path, seconds: float, clients: int,
         uploaders: int) -> tuple[list[tuple[float, float]], Tally, Tally]:
    """The same mix at a gentler pace (a pause between requests) for `seconds`; RSS sampled every ~2% of it."""
    until = time.monotonic() + seconds
    decodes_t, uploads_t = Tally(), Tally()
    threads = [threading.Thread(target=decode_client, args=(url, component, model, None, until, decodes_t, 100 + i,
                                                            0.02)) for i in range(clients)]
    threads += [threading.Thread(target=uploader, args=(url, model, image, lambda: time.monotonic() < until,
                                                        uploads_t, 0.2)) for _ in range(uploaders)]
    [t.start() for t in threads]
    samples, t0 = [], time.monotonic()
    while time.monotonic() < until:
        samples.append((time.monotonic() - t0, rss_mb(pid)))
        time.sleep(max(0.5, seconds / 50))
    [t.join() for t in threads]
    samples.append((time.monotonic() - t0, rss_mb(pid)))
    return samples, decodes_t, uploads_t


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoints", type=Path, default=ROOT / "checkpoints")
    p.add_argument("--model", default="fashion-mnist-mlp-z2/vae")
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--decodes", type=int, default=100)
    p.add_argument("--uploaders", type=int, default=5)
    p.add_argument("--soak-s", type=float, default=600.0)
    p.add_argument("--quick", action="store_true", help="3 clients x 10 decodes, 1 uploader, 20 s soak")
    p.add_argument("--append", action="store_true", help="add the result to BENCHMARKS.md")
    p.add_argument("--note", default="")
    a = p.parse_args(argv)
    if a.quick:
        a.clients, a.decodes, a.uploaders, a.soak_s = 3, 10, 1, 20.0
    with tempfile.TemporaryDirectory() as tmp, app_process(a.checkpoints) as (url, pid):
        image = upload_png(Path(tmp))
        component = map_component(url)
        load_phase(url, component, a.model, image, 1, 5, 0)            # warm-up: first decode, caches
        rss_before = rss_mb(pid)
        decodes, uploads, seconds = load_phase(url, component, a.model, image, a.clients, a.decodes, a.uploaders)
        samples, soak_dec, soak_up = soak(url, pid, component, a.model, image, a.soak_s,
                                          max(1, a.clients // 4), max(1, a.uploaders // 2))
        load = os.getloadavg()[0]
    d, u = decodes.summary(), uploads.summary()
    sd, su = soak_dec.summary(), soak_up.summary()
    start_mb, end_mb = samples[0][1], samples[-1][1]
    growth = 100 * (end_mb - start_mb) / start_mb
    print(f"load: {a.clients} clients x {a.decodes} decodes + {a.uploaders} uploaders, {seconds:.1f} s")
    print(f"  decodes:      {d['n']} done, {d['errors']} errors, median {d['median_ms']:.1f} ms, "
          f"p95 {d['p95_ms']:.1f} ms, max {d['max_ms']:.1f} ms {d['first_errors'] or ''}")
    print(f"  reconstructs: {u['n']} done, {u['errors']} errors, median {u['median_ms']:.1f} ms, "
          f"p95 {u['p95_ms']:.1f} ms {u['first_errors'] or ''}")
    print(f"soak: {a.soak_s:.0f} s, {sd['n']} decodes ({sd['errors']} errors), {su['n']} reconstructs "
          f"({su['errors']} errors); RSS {rss_before:.0f} MB before load, {start_mb:.0f} MB at soak start, "
          f"{end_mb:.0f} MB at end: {growth:+.1f} % (max {max(m for _, m in samples):.0f} MB) "
          f"{sd['first_errors'] or ''} {su['first_errors'] or ''}")
    print(f"load average at the end: {load:.1f}")
    errors = d["errors"] + u["errors"] + sd["errors"] + su["errors"]
    ok = min(d["n"], u["n"], sd["n"], su["n"]) > 0 and errors == 0 and growth < 10
    if a.append:
        with open(ROOT / "BENCHMARKS.md", "a") as f:
            f.write(f"\n## Load ({date.today()}{', ' + a.note if a.note else ''})\n\n"
                    f"`python bench/load.py{' --quick' if a.quick else ''}`, load average {load:.1f} at the end.\n\n"
                    "| clients x decodes | uploaders | decode errors | decode median ms | decode p95 ms | "
                    "reconstruct errors | reconstruct p95 ms | soak s | soak errors | RSS growth |\n"
                    "|---|---|---|---|---|---|---|---|---|---|\n"
                    f"| {a.clients} x {a.decodes} | {a.uploaders} | {d['errors']} | {d['median_ms']:.1f} | "
                    f"{d['p95_ms']:.1f} | {u['errors']} | {u['p95_ms']:.0f} | {a.soak_s:.0f} | "
                    f"{sd['errors'] + su['errors']} of {sd['n'] + su['n']} | "
                    f"{start_mb:.0f} -> {end_mb:.0f} MB ({growth:+.1f} %) |\n")
    print("PASS" if ok else "FAIL: errors, or memory grew by 10 % or more")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
