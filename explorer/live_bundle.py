"""A live run's model as a bundle like any other (explorer/bundle.py): the Train view keeps it for the session and
offers it as a download. The bundle's figures are of the run's own data (its seeded subsets), its code history is
the test codes after each epoch the run trained, and its only map is the latent plane (2-D) or a PCA (above 2-D):
a UMAP would take longer to fit than the run took to train.
"""
import platform
import shutil
from dataclasses import asdict
from pathlib import Path

import numpy as np
import torch

from explorer.bundle import write_bundle
from explorer.data import Dataset
from explorer.live_training import LiveRun
from explorer.model_bundle import bundle_contents, dataset_section
from explorer.training import TrainConfig

IWAE_K = 50          # importance samples for the bound on -log p(x) (train_small.py uses 100 on 1,000 images)
IWAE_IMAGES = 500
COMMAND = "trained live in Latent Explorer's Train view"


def train_config(run: LiveRun, dataset: str, epochs_done: int) -> TrainConfig:
    """The TrainConfig a live run trains with (live_training.train_live), with the epochs it actually trained."""
    return TrainConfig(dataset=dataset, arch="mlp", latent_dim=run.latent_dim, likelihood=run.likelihood,
                       beta=run.beta, epochs=epochs_done, seed=run.seed, hidden=run.hidden, maps=["pca"],
                       grid_every=0, batch_size=run.batch_size, lr=run.lr, schedule=run.schedule)


def write_live_bundle(out: Path, model: torch.nn.Module, data: Dataset, run: LiveRun, history: list[dict],
                      code_history: list[np.ndarray]) -> Path:
    """Write the run's bundle to `out` (a folder, replaced whole). `data` is the run's data (its subsets),
    `history` its rows per epoch, `code_history` its test codes after each epoch."""
    model = model.cpu().eval()
    c = bundle_contents(model, data, run.seed, ["pca"], IWAE_K, IWAE_IMAGES)
    c.metrics.update(history=history, seconds_total=history[-1]["train_seconds"])
    c.latents["code_history"] = np.stack(code_history).astype(np.float16)
    config = {"model": model.config.to_dict(), "twin": None, "dataset": dataset_section(data),
              "training": asdict(train_config(run, data.name, len(history))), "command": COMMAND,
              "versions": {"python": platform.python_version(), "torch": torch.__version__}}
    return write_bundle(Path(out), config, model, c.metrics, c.latents, c.maps, c.samples_png)


def zip_bundle(folder: Path, out_zip: Path) -> Path:
    """A folder (a pair's: its vae/ and ae/ bundles) as a zip whose top folder is the folder's name (unzip it into
    a checkpoints folder)."""
    made = shutil.make_archive(str(out_zip.with_suffix("")), "zip", root_dir=folder.parent, base_dir=folder.name)
    return Path(made)
