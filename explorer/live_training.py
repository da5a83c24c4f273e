"""Training you can watch: a VAE (or AE) trained epoch by epoch, with a snapshot of everything a page shows after
each epoch (the test codes, the loss curves so far, prior samples, how well classes separate). The Train view
(issue 16) draws these snapshots; bench/train_live.py measures how soon a map is recognisable.

The training itself is explorer.training's: the same loss, optimiser and schedule as train_small.py. What this adds
is a data cap, a time cap, and a stop that a caller can pull at any moment; the model trained so far is kept.
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from explorer.data import Dataset
from explorer.errors import UserError
from explorer.evaluate import encode_all, knn_accuracy
from explorer.gpu import device
from explorer.image_layout import as_images
from explorer.models import ModelConfig, build_model, decode_mean
from explorer.training import TrainConfig, train_epochs

MAX_TRAIN_IMAGES = 20_000   # a live run's data cap: Fashion-MNIST's 60,000 would make epochs too slow to watch
MAX_TEST_IMAGES = 2_000     # test codes drawn on the map and used for kNN-5
N_SAMPLES = 16              # prior samples decoded after each epoch (the same z every epoch)


@dataclass
class LiveRun:
    """What to train live: a small MLP. The defaults are the quickest to a recognisable map that bench/train_live.py
    found (a 2-D VAE on digits: kNN-5 >= 0.8 after 5-7 s); the learning rate is constant, as a run may be stopped
    at any epoch (a cosine schedule would tie the model to a length chosen in advance)."""
    kind: str = "vae"                 # "vae" or "ae"
    latent_dim: int = 2
    beta: float = 1.0                 # 0 gives a VAE whose KL is free: plain-autoencoder behaviour
    likelihood: str = "bernoulli"
    epochs: int = 20
    train_images: int = 10_000        # at most this many training images (a seeded subset when fewer)
    seed: int = 0
    max_seconds: float = 120.0        # the run stops after the epoch that crosses this
    hidden: list[int] = field(default_factory=lambda: [256, 128])
    batch_size: int = 32
    lr: float = 3e-3
    schedule: str = "constant"


@dataclass
class Snapshot:
    epoch: int
    seconds: float                    # since the run started (building the model and the subsets included)
    codes: np.ndarray                 # (N, D) test codes: mu for a VAE, z for an AE
    labels: np.ndarray                # (N,) their classes
    history: list[dict]               # one row per epoch so far (explorer.training.train_epochs)
    knn5: float                       # kNN-5 accuracy of test codes against training codes
    samples: np.ndarray               # (N_SAMPLES, H, W) decodes of fixed prior draws
    model: torch.nn.Module            # the model as trained so far, on its device (do not train it further)
    done: bool = False                # the last snapshot of the run (all epochs, the time cap, or a stop)


def subset(data: Dataset, n_train: int, n_test: int, seed: int) -> Dataset:
    """At most n_train training and n_test test images, drawn once with `seed` (all of them when fewer)."""
    rng = np.random.default_rng(seed)

    def pick(n_all: int, n: int) -> torch.Tensor:
        return torch.from_numpy(np.sort(rng.choice(n_all, n, replace=False)) if n < n_all else np.arange(n_all))

    tr, te = pick(len(data.x_train), n_train), pick(len(data.x_test), n_test)
    return replace(data, x_train=data.x_train[tr], y_train=data.y_train[tr], x_test=data.x_test[te],
                   y_test=data.y_test[te])


def check(run: LiveRun) -> None:
    """Refuse a run outside the caps with one sentence (the page's controls keep to them; an API caller may not)."""
    if run.kind not in ("vae", "ae"):
        raise UserError(f"kind must be 'vae' or 'ae', not {run.kind!r}.")
    if not 1 <= run.latent_dim <= 32:
        raise UserError("The latent size must be between 1 and 32.")
    if run.likelihood not in ("bernoulli", "gaussian"):
        raise UserError(f"likelihood must be 'bernoulli' or 'gaussian', not {run.likelihood!r}.")
    if not 0 <= run.beta <= 8:
        raise UserError("beta must be between 0 and 8.")
    if not 1 <= run.epochs <= 200:
        raise UserError("Train for 1 to 200 epochs.")
    if not 100 <= run.train_images <= MAX_TRAIN_IMAGES:
        raise UserError(f"Use 100 to {MAX_TRAIN_IMAGES:,} training images.")


def train_live(data: Dataset, run: LiveRun, stop: Callable[[], bool] = lambda: False) -> Iterator[Snapshot]:
    """Train run's model on `data`, yielding a Snapshot after every epoch; the last has done=True. `stop()` is
    asked after each epoch; True ends the run there (the model so far is the last snapshot's)."""
    check(run)
    t0 = time.perf_counter()
    dev = device()
    data = subset(data, run.train_images, MAX_TEST_IMAGES, run.seed)
    data = replace(data, x_train=data.x_train.to(dev), x_test=data.x_test.to(dev))   # labels stay for scikit-learn
    torch.manual_seed(run.seed)
    model = build_model(ModelConfig(kind=run.kind, arch="mlp", latent_dim=run.latent_dim, likelihood=run.likelihood,
                                    hidden=run.hidden, image_shape=data.image_shape)).to(dev)
    cfg = TrainConfig(dataset=data.name, arch="mlp", latent_dim=run.latent_dim, likelihood=run.likelihood,
                      beta=run.beta, epochs=run.epochs, seed=run.seed, hidden=run.hidden, grid_every=0,
                      batch_size=run.batch_size, lr=run.lr, schedule=run.schedule)
    prior = torch.randn((N_SAMPLES, run.latent_dim), generator=torch.Generator().manual_seed(run.seed)).to(dev)
    history = []
    for row in train_epochs(model, data, cfg, progress=False):
        history.append(row)
        with torch.no_grad():
            train_codes, _ = encode_all(model, data.x_train)
            codes, _ = encode_all(model, data.x_test)
            samples = as_images(decode_mean(model, prior))
        seconds = time.perf_counter() - t0
        done = row["epoch"] == run.epochs or seconds >= run.max_seconds or stop()
        yield Snapshot(row["epoch"], seconds, codes, data.y_test.numpy(), list(history),
                       knn_accuracy(train_codes, data.y_train.numpy(), codes, data.y_test.numpy()),
                       samples, model, done)
        if done:
            return
