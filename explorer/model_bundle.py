"""What every bundle writer computes from a trained model and its data: the test metrics, the codes with what a
bundle keeps of the test set, the 2-D maps, the prior samples, and the data's section of config.json. train_small.py,
the Train view (live_bundle.py) and export_model (own_bundle.py) each add their own config and history to these."""
from dataclasses import dataclass

import numpy as np
import torch

from explorer.data import Dataset, test_latents
from explorer.evaluate import encode_all, evaluate
from explorer.map_fit import fit_maps
from explorer.projection import LatentMap
from explorer.training import sample_grid_png


@dataclass
class Contents:
    metrics: dict                  # metrics.json (the caller adds the history)
    latents: dict                  # latents.npz: test_latents and the codes (mu and logvar, or z)
    maps: dict[str, LatentMap]
    samples_png: bytes
    mu: np.ndarray                 # (N, D) the test codes, float32


def bundle_contents(model, data: Dataset, seed: int, maps, iwae_k: int, iwae_n: int = 1000,
                    log=lambda text: None) -> Contents:
    """Evaluate `model` (in eval mode, on the CPU) on `data`'s test set and fit its maps, all seeded by `seed`."""
    kind = model.config.kind
    mu, logvar = encode_all(model, data.x_test)   # once: the metrics' kNN and active units use these codes too
    metrics = evaluate(model, data, torch.Generator().manual_seed(seed), iwae_k=iwae_k, iwae_n=iwae_n, test_codes=mu)
    latents = {**test_latents(data), **({"mu": mu, "logvar": logvar} if kind == "vae" else {"z": mu})}
    log(f"{kind}: fitting 2-D maps ...")
    fitted = fit_maps(mu.astype(np.float64), seed, list(maps), prior=kind == "vae")
    return Contents(metrics, latents, fitted, sample_grid_png(model, torch.Generator().manual_seed(seed)), mu)


def dataset_section(data: Dataset) -> dict:
    """config.json's "dataset": where the data came from, its classes and sizes."""
    return {"name": data.name, "source": data.source, "class_names": data.class_names,
            "n_train": len(data.x_train), "n_test": len(data.x_test)}
