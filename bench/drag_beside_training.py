"""Does a training run slow other users' drag? One page drags the live map (as bench_latent_map.py does) while
another client's training run streams from the Train view's endpoint (gradio_client, no second browser: in a
classroom the trainer's browser is on another machine), alternating with rounds where nothing trains.

    python bench/drag_beside_training.py --rounds 2

Starts app.py on the shipped checkpoints. The run is Fashion-MNIST (20,000 images) when it is installed, digits
otherwise, 100 epochs (the run's time cap, 120 s, ends it before); each "training" round starts a run, waits for its
first epoch, measures, and cancels it. Goal (issue 16): the drag's goals still hold
(move p95 <= 20 ms, click p95 <= 60 ms).
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_latent_map import CHROMIUM_ARGS, IDLE_JS, SEL, clicks, drag, summarise, use_path  # noqa: E402
from tests.app_process import app_process  # noqa: E402

def start_training(url: str):
    """A training run streaming to a gradio_client job, once its first epoch is in."""
    from gradio_client import Client

    from explorer.app.views.train import data_choices

    data = "fashion-mnist" if any(n == "fashion-mnist" for _, n in data_choices()) else "digits"
    job = Client(url, verbose=False).submit(data, 20000, 2, 1.0, "VAE", 100, "Bernoulli", api_name="/train_live")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        outputs = job.outputs()
        if outputs and "Epoch" in str(outputs[-1][-1]):
            return job
        time.sleep(0.2)
    raise RuntimeError(f"the run did not reach its first epoch: {job.status()}")


def stop_training(job) -> str:
    last = str(job.outputs()[-1][-1])
    job.cancel()
    return last


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--seconds", type=float, default=2.0)
    p.add_argument("--rate", type=float, default=60.0)
    p.add_argument("--drags", type=int, default=3)
    p.add_argument("--clicks", type=int, default=15)
    p.add_argument("--paths", nargs="+", default=["browser", "server"], choices=["browser", "server"])
    a = p.parse_args()
    rows = {}
    with app_process(ROOT / "checkpoints") as (url, _), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        user = browser.new_page(viewport={"width": 1440, "height": 900})
        user.goto(url)
        user.wait_for_function(IDLE_JS, arg=SEL, timeout=60_000)
        for r in range(a.rounds):
            for training in (False, True):
                if training:
                    job = start_training(url)
                for path in a.paths:
                    use_path(user, path)
                    drag(user, 0.5, a.rate)
                    runs = [drag(user, a.seconds, a.rate) for _ in range(a.drags)]
                    row = summarise("fashion-mnist-mlp-z2:latent", path, runs, clicks(user, a.clicks, seed=r))
                    rows.setdefault((path, training), []).append(row)
                    print(f"round {r + 1}, {'training' if training else 'idle'}, {path}: move p95 "
                          f"{row['move_p95']:.1f} ms, click p95 {row['click_p95']:.1f} ms, painted "
                          f"{row['delivered']:.0%}", flush=True)
                if training:
                    print(f"  the run was at: {stop_training(job)[:60]}", flush=True)
        browser.close()
    for (path, training), got in sorted(rows.items()):
        moves, clicks_ = [g["move_p95"] for g in got], [g["click_p95"] for g in got]
        print(f"{path:7s} {'training' if training else 'idle':8s}: move p95 median {np.median(moves):.1f} ms "
              f"({', '.join(f'{m:.1f}' for m in moves)}), click p95 median {np.median(clicks_):.1f} ms")


if __name__ == "__main__":
    main()
