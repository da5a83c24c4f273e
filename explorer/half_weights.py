"""Store a bundle's weights as float16: half the file, and the model the bundle then holds evaluated afresh.

    python -m explorer.half_weights checkpoints/fashion-mnist-conv-z16/vae checkpoints/fashion-mnist-conv-z16/ae

The weights are rounded to float16 (they load as float32); everything computed from them is computed again from
the rounded model: the test metrics (train_small.py's evaluation, same seed), the test codes, the maps (PCA
refitted; a UMAP embedding kept, its inverse rebuilt on the new codes) and the sample grid. The training
history, the progress grids and the rest of config.json stay. Each bundle is swapped in whole.
"""
import argparse
import sys
from pathlib import Path

import torch

from explorer.bundle import load_bundle, round_to_half, write_bundle
from explorer.data import load_dataset
from explorer.evaluate import encode_all, evaluate
from explorer.map_fit import refit
from explorer.training import sample_grid_png

KEPT_METRICS = ("history", "seconds_total")


def halve(path: Path, data) -> dict:
    """Rewrite the bundle at `path` with float16 weights; returns its new metrics."""
    b = load_bundle(path)
    train = b.config["training"]
    model = round_to_half(b.model)
    metrics = evaluate(model, data, torch.Generator().manual_seed(train["seed"]),
                       iwae_k=b.metrics.get("iwae", {}).get("k", 100))
    metrics.update({k: b.metrics[k] for k in KEPT_METRICS if k in b.metrics})
    mu, logvar = encode_all(model, data.x_test)
    latents = {k: b.latents[k] for k in ("labels", "class_names", "images")}
    latents.update({"mu": mu, "logvar": logvar} if b.kind == "vae" else {"z": mu})
    maps = refit(b.maps, mu, prior=b.kind == "vae")
    config = {k: v for k, v in b.config.items() if k not in ("format", "format_version", "files")}
    config["command"] = f"{config.get('command', '')}; python -m explorer.half_weights {path}".lstrip("; ")
    progress = {str(p.relative_to(path)): p.read_bytes() for p in sorted((path / "progress").glob("*.png"))}
    png = sample_grid_png(model, torch.Generator().manual_seed(train["seed"]))
    write_bundle(path, config, model, metrics, latents, maps, png, progress, half_weights=True)
    return metrics


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("bundles", nargs="+", type=Path)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    a = p.parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    datasets = {}
    for path in a.bundles:
        name = load_bundle(path).config["training"]["dataset"]
        if name not in datasets:
            datasets[name] = load_dataset(name, allow_download=False)
        t = halve(path, datasets[name])["test"]
        print(f"{path}: float16 weights; test rec. {t['rec_nats']:.2f} nats, kNN-5 {t['knn5_accuracy']:.3f}, "
              f"active units {t['active_units']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
