"""A Markdown table of every shipped bundle's test metrics.

    python bench/bundle_metrics.py               # as stored in each metrics.json (computed at train time)
    python bench/bundle_metrics.py --recompute   # computed again now from the weights and the test set

--recompute runs train_small.py's own evaluation (explorer.evaluate.evaluate, same seed and IWAE k) on each
bundle's dataset, so its figures must match the stored ones up to float summation order.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from explorer.bundle import find_bundles, load_bundle  # noqa: E402


def fmt(value, digits=2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def recomputed(path: Path, datasets: dict) -> dict:
    import torch

    from explorer.data import load_dataset
    from explorer.evaluate import evaluate

    b = load_bundle(path)
    train = b.config["training"]
    if train["dataset"] not in datasets:
        datasets[train["dataset"]] = load_dataset(train["dataset"], allow_download=False)
    iwae_k = b.metrics.get("iwae", {}).get("k", 100)
    return evaluate(b.model, datasets[train["dataset"]], torch.Generator().manual_seed(train["seed"]), iwae_k=iwae_k)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--recompute", action="store_true", help="evaluate each bundle again instead of reading metrics.json")
    a = p.parse_args()
    datasets: dict = {}
    print("| bundle | test −ELBO (nats) | IWAE NLL (nats, k, images) | rec. nats | MSE/pixel | active units | kNN-5 acc. |")
    print("|---|---|---|---|---|---|---|")
    for path in find_bundles(ROOT / "checkpoints"):
        m = recomputed(path, datasets) if a.recompute else json.loads((path / "metrics.json").read_text())
        t, iwae = m["test"], m.get("iwae")
        dim = json.loads((path / "config.json").read_text())["model"]["latent_dim"]
        iwae_s = f"{iwae['nll']:.2f} (k={iwae['k']}, {iwae['n_images']})" if iwae else "–"
        print(f"| {path.parent.name}/{path.name} | {fmt(t.get('neg_elbo'))} | {iwae_s} | {fmt(t['rec_nats'])} | "
              f"{fmt(t['mse_per_pixel'], 4)} | {t['active_units']}/{dim} | {fmt(t['knn5_accuracy'], 3)} |", flush=True)


if __name__ == "__main__":
    main()
