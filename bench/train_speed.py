"""Reference (pytorch/examples VAE recipe) vs train_small.py on Fashion-MNIST, side by side in one run.

    python bench/train_speed.py --repeats 3

Reports the reference's 10-epoch test negative ELBO and training time, and the training time train_small.py
needs to reach that figure (first epoch whose test negative ELBO is at or below it), interleaving the runs so
that both see the same machine load. Times exclude test evaluation for both.
"""
import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.reference_vae import run_reference  # noqa: E402

OURS = ["--dataset", "fashion-mnist", "--model", "vae", "--arch", "mlp", "--hidden", "400", "--latent-dim", "20",
        "--lr", "3e-3", "--epochs", "8", "--maps", "pca", "--iwae-k", "1"]


def run_ours(seed: int) -> list[dict]:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, str(ROOT / "train_small.py"), *OURS, "--seed", str(seed), "--out", out]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return json.loads((Path(out) / "vae" / "metrics.json").read_text())["history"]


def seconds_to_reach(history: list[dict], target: float) -> float | None:
    return next((h["train_seconds"] for h in history if h["test_neg_elbo"] <= target), None)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--idx-dir", default="/usr/share/datasets/fashion-mnist")
    a = p.parse_args()
    rows = []
    for r in range(a.repeats):
        ref = run_reference(Path(a.idx_dir), epochs=10, seed=r + 1, log=lambda s: None)
        target, ref_seconds = ref[-1]["test_neg_elbo"], ref[-1]["train_seconds"]
        ours = run_ours(seed=r)
        reach = seconds_to_reach(ours, target)
        rows.append({"ref_nelbo": target, "ref_s": ref_seconds, "ours_reach_s": reach,
                     "ours_final_nelbo": ours[-1]["test_neg_elbo"], "ours_s": ours[-1]["train_seconds"]})
        print(json.dumps(rows[-1]), flush=True)
    med = lambda k: statistics.median(row[k] for row in rows if row[k] is not None)
    ratios = [row["ours_reach_s"] / row["ref_s"] for row in rows if row["ours_reach_s"] is not None]
    print(f"\ntorch {torch.__version__}, {a.repeats} interleaved repeats")
    print(f"reference 10 epochs: test neg ELBO {med('ref_nelbo'):.2f} nats, {med('ref_s'):.1f} s training (medians)")
    print(f"train_small.py {' '.join(OURS)}")
    print(f"  reaches the reference's figure after {med('ours_reach_s'):.1f} s (median); "
          f"reached in {len(ratios)}/{len(rows)} runs; time ratio ours/reference median {statistics.median(ratios):.3f}")
    print(f"  its own {OURS[OURS.index('--epochs') + 1]}-epoch figure {med('ours_final_nelbo'):.2f} nats "
          f"after {med('ours_s'):.1f} s")


if __name__ == "__main__":
    main()
