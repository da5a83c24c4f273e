"""Benchmark training you can watch (explorer/live_training.py), on one CPU thread: how soon after pressing Train
the first map is there, and how soon the map is recognisable (kNN-5 accuracy of the test codes).

    python bench/train_live.py --seeds 0 1 2
    python bench/train_live.py --betas 0 1 4 --seeds 0 1     # what beta does (the Train view's text)

Goals (issue 16): a 2-D VAE on digits reaches kNN-5 >= 0.8 within 20 s; the first epoch's map within 3 s; on a
10,000-image Fashion-MNIST subset, kNN-5 >= 0.6 within 60 s. Times include building the model and, after every
epoch, encoding the training and test images and decoding the prior samples (what a page shows).
"""
import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.data import load_dataset  # noqa: E402
from explorer.live_training import LiveRun, train_live  # noqa: E402

CASES = {"digits": ("digits", 1437, 0.8, 20.0), "fashion-10k": ("fashion-mnist", 10_000, 0.6, 60.0)}


def one_run(data, n_train: int, target: float, cap: float, seed: int, epochs: int) -> dict:
    first, reached, gaps, after, last = None, None, [], [], None
    for snap in train_live(data, LiveRun(train_images=n_train, seed=seed, epochs=epochs, max_seconds=cap)):
        first = first if first is not None else snap.seconds
        if last is not None:   # the time between snapshots, and the part of it spent after the epoch's last step
            gaps.append(snap.seconds - last[0])
            after.append(gaps[-1] - (snap.history[-1]["train_seconds"] - last[1]))
        last = (snap.seconds, snap.history[-1]["train_seconds"])
        if reached is None and snap.knn5 >= target:
            reached = (snap.seconds, snap.epoch, snap.knn5)
    return {"first": first, "reached": reached, "epoch_s": statistics.median(gaps) if gaps else None,
            "after_s": statistics.median(after) if after else None,
            "final_knn5": snap.knn5, "epochs": snap.epoch}


def beta_sweep(betas: list[float], seeds: list[int], epochs: int = 40) -> None:
    """What β does on digits after `epochs` epochs (the Train view's text quotes it): test reconstruction, KL, kNN-5."""
    data = load_dataset("digits", allow_download=False)
    for beta in betas:
        rows = []
        for seed in seeds:
            snap = list(train_live(data, LiveRun(beta=beta, epochs=epochs, seed=seed)))[-1]
            rows.append(f"rec {snap.history[-1]['test_rec_nats']:.1f} KL {snap.history[-1]['test_kl_nats']:.2f} "
                        f"kNN-5 {snap.knn5:.3f}")
        print(f"digits, beta {beta:g}, {epochs} epochs, seeds {seeds}: " + "; ".join(rows), flush=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--betas", type=float, nargs="+", help="instead: what these betas do on digits (40 epochs)")
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.set_flush_denormal(True)
    if a.betas:
        beta_sweep(a.betas, a.seeds)
        return
    for case in a.cases:
        name, n_train, target, cap = CASES[case]
        data = load_dataset(name, allow_download=False)
        results = []
        for seed in a.seeds:
            t = time.perf_counter()
            r = one_run(data, n_train, target, cap, seed, a.epochs)
            results.append(r)
            hit = (f"kNN-5 >= {target} after {r['reached'][0]:.1f} s (epoch {r['reached'][1]}, {r['reached'][2]:.3f})"
                   if r["reached"] else f"kNN-5 never >= {target} within {cap:.0f} s")
            print(f"{case} seed {seed}: first map {r['first']:.2f} s; {hit}; epoch every {r['epoch_s']:.2f} s, "
                  f"its map {r['after_s']:.2f} s after its last step; "
                  f"final kNN-5 {r['final_knn5']:.3f} after {r['epochs']} epochs ({time.perf_counter() - t:.0f} s)",
                  flush=True)
        times = [r["reached"][0] for r in results if r["reached"]]
        print(f"{case}: first map median {statistics.median(r['first'] for r in results):.2f} s; target reached in "
              f"{len(times)} of {len(results)} seeds, median {statistics.median(times) if times else float('nan'):.1f} s")


if __name__ == "__main__":
    main()
