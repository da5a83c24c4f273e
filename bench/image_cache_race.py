"""Many users given the same output image at once, with gradio's own image cache and with explorer/gradio_cache.py.

    python bench/image_cache_race.py                 # 2 rounds x 60 s per variant, 6 uploaders
    python bench/image_cache_race.py --seconds 20 --rounds 1

Gradio 6.31 rewrites a cached output image in place each time it is produced, so when several users reconstruct
the same upload at once, one download can end early. Each round starts the app twice, one variant after the other
(stock: app.py with `gradio_cache.install` switched off; fixed: app.py as shipped), and has `--uploaders` clients
reconstruct the same image through the queue without pauses for `--seconds`. An error is a call that raised.
"""
import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.app_process import app_process  # noqa: E402
from bench.load import Tally, upload_png, uploader  # noqa: E402

STOCK = ("-c", "import runpy; from explorer import gradio_cache; gradio_cache.install = lambda: None; "
               "runpy.run_path('app.py', run_name='__main__')")
VARIANTS = {"stock gradio cache": STOCK, "explorer/gradio_cache.py": ("app.py",)}


def run(argv, image: Path, model: str, uploaders: int, seconds: float) -> dict:
    with app_process(ROOT / "checkpoints", argv=argv) as (url, _):
        tally, until = Tally(), time.monotonic() + seconds
        threads = [threading.Thread(target=uploader, args=(url, model, image, lambda: time.monotonic() < until,
                                                           tally)) for _ in range(uploaders)]
        [t.start() for t in threads]
        [t.join() for t in threads]
    return tally.summary()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--uploaders", type=int, default=6)
    p.add_argument("--model", default="fashion-mnist-mlp-z2/vae")
    a = p.parse_args()
    totals = {name: [0, 0] for name in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        image = upload_png(Path(tmp))
        for r in range(a.rounds):
            for name, argv in VARIANTS.items():
                s = run(argv, image, a.model, a.uploaders, a.seconds)
                totals[name][0] += s["errors"]
                totals[name][1] += s["n"]
                print(f"round {r + 1}, {name}: {s['errors']} errors in {s['n']} calls, median {s['median_ms']:.0f} ms "
                      f"{s['first_errors'][:1] or ''}", flush=True)
    for name, (errors, n) in totals.items():
        print(f"{name}: {errors} errors in {n} calls")
    return 0 if totals["explorer/gradio_cache.py"][0] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
