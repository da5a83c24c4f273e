"""Benchmark keeping a live run's model (the Train view's Stop): from the moment Stop is asked to the model
served, i.e. the epoch in progress, the run's bundle written by the training process (explorer/live_bundle.py:
metrics with an IWAE bound, codes, code history, maps, checksums) and loaded back with every check
(explorer/bundle.load_bundle), as trained_models.TrainedModels.keep does; and the zip's size.

    python bench/train_keep.py --repeats 3

The run goes through explorer.live_process (its own process, one thread), as in the app; nothing else should run.
"""
import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.bundle import load_bundle  # noqa: E402
from explorer.live_bundle import zip_bundle  # noqa: E402
from explorer.live_process import train_in_process, warm_up  # noqa: E402
from explorer.live_training import LiveRun  # noqa: E402

CASES = {"digits": ("digits", 1437), "fashion-10k": ("fashion-mnist", 10_000)}
STOP_AFTER = 3   # epochs shown before Stop


def one(data_name: str, n_train: int, seed: int, folder: Path) -> dict:
    asked = {"at": None}

    def stop() -> bool:
        return asked["at"] is not None

    seen = 0
    for [snap], bundles in train_in_process(data_name, [LiveRun(train_images=n_train, seed=seed, epochs=100)],
                                            folder / "run", stop):
        seen += 1
        if seen == STOP_AFTER:
            asked["at"] = time.perf_counter()
    written = time.perf_counter()
    loaded = load_bundle(bundles[0])
    served = time.perf_counter()
    archive = zip_bundle(folder / "run", folder / "run.zip")
    return {"stop_to_served": served - asked["at"], "load": served - written, "epochs": snap.epoch,
            "zip_mb": archive.stat().st_size / 1e6, "test_images": len(loaded.codes)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    warm_up()
    for case in a.cases:
        rows = []
        for seed in range(a.repeats):
            with tempfile.TemporaryDirectory() as tmp:
                rows.append(one(*CASES[case], seed, Path(tmp)))
        s = [r["stop_to_served"] for r in rows]
        print(f"{case}: Stop to model served median {statistics.median(s):.2f} s (each: "
              + ", ".join(f"{v:.2f}" for v in s) + f"); of it, loading and checking the bundle "
              f"{statistics.median(r['load'] for r in rows):.2f} s; kept after epoch "
              f"{', '.join(str(r['epochs']) for r in rows)}; zip {rows[0]['zip_mb']:.1f} MB "
              f"({rows[0]['test_images']} test images)")


if __name__ == "__main__":
    main()
