"""Train a VAE and its plain-autoencoder twin and write one checkpoint bundle per model.

    python train_small.py --dataset fashion-mnist --arch mlp --latent-dim 2 --epochs 20 \
        --out checkpoints/fashion-mnist-mlp-z2

writes checkpoints/fashion-mnist-mlp-z2/vae/ and .../ae/ (see explorer/bundle.py for what is inside).
"""
import argparse
import platform
import shlex
import sys
import time
from dataclasses import asdict
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np
import torch

from explorer import distributed
from explorer.bundle import round_to_half, write_bundle
from explorer.data import DATASETS, DataNotFoundError, load_dataset
from explorer.model_bundle import bundle_contents, dataset_section
from explorer.models import IMAGE_SIZES, ModelConfig, build_model
from explorer.training import DEFAULT_HIDDEN, TrainConfig, TrainingDiverged, default_hidden, fit


def parse_args(argv=None) -> tuple[TrainConfig, argparse.Namespace]:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dataset", default="fashion-mnist", choices=DATASETS)
    p.add_argument("--data-dir", default=None,
                   help="folder with the IDX files (looked at first), or for --dataset folder the folder of images "
                        "(one subfolder per class, or none)")
    p.add_argument("--image-size", type=int, default=None, choices=IMAGE_SIZES,
                   help="side in pixels for --dataset folder (default 32) and sprites (32 or 64)")
    p.add_argument("--channels", type=int, default=None, choices=[1, 3],
                   help="1 grey or 3 colour (the default), for --dataset folder")
    p.add_argument("--offline", action="store_true", help="never try to download the dataset")
    p.add_argument("--model", default="both", choices=["vae", "ae", "both"])
    p.add_argument("--arch", default="mlp", choices=["mlp", "conv"])
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument("--hidden", type=int, nargs="+", default=None,
                   help="MLP widths, or conv channels per stage then a dense width: c1 c2 dense (28 and 32 px), "
                        "c1 c2 c3 dense (64 px) (default: %s; conv at 64 px: [32, 64, 64, 512])" % DEFAULT_HIDDEN)
    p.add_argument("--likelihood", default="bernoulli", choices=["bernoulli", "gaussian"])
    p.add_argument("--sigma", type=float, default=0.1, help="decoder std for --likelihood gaussian")
    p.add_argument("--beta", type=float, default=1.0, help="weight on the KL term (beta-VAE)")
    p.add_argument("--warmup-epochs", type=float, default=0.0, help="ramp the KL weight up over N epochs")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--schedule", default="cosine", choices=["cosine", "constant"],
                   help="learning-rate schedule: cosine decay to 0 over the run, or constant")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--maps", nargs="+", default=["pca", "umap"], choices=["pca", "umap"],
                   help="2-D maps to fit for latents above 2")
    p.add_argument("--iwae-k", type=int, default=100)
    p.add_argument("--grid-every", type=int, default=1, help="save a sample grid PNG every N epochs")
    p.add_argument("--max-steps", type=int, default=0, help="stop early after N steps (smoke tests)")
    p.add_argument("--half-weights", action="store_true",
                   help="store the weights as float16 (half the file); metrics are those of the rounded weights")
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--out", required=True, help="output folder; gets vae/ and/or ae/ bundles")
    a = p.parse_args(argv)
    cfg = TrainConfig(dataset=a.dataset, arch=a.arch, latent_dim=a.latent_dim, likelihood=a.likelihood,
                      beta=a.beta, warmup_epochs=a.warmup_epochs, epochs=a.epochs, batch_size=a.batch_size,
                      lr=a.lr, schedule=a.schedule, seed=a.seed, hidden=a.hidden or default_hidden(a.arch, a.image_size),
                      maps=a.maps,
                      grid_every=a.grid_every, max_steps=a.max_steps)
    return cfg, a


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("torch", "numpy", "safetensors", "scikit-learn", "umap-learn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            pass
    return out


def train_one(kind: str, cfg: TrainConfig, a: argparse.Namespace, data, command: str) -> Path | None:
    torch.manual_seed(cfg.seed)   # same seed, same initial encoder/decoder for both twins
    model_cfg = ModelConfig(kind=kind, arch=cfg.arch, latent_dim=cfg.latent_dim, likelihood=cfg.likelihood,
                            gaussian_sigma=a.sigma, hidden=cfg.hidden, image_shape=data.image_shape)
    model = build_model(model_cfg)
    t0 = time.perf_counter()
    run = fit(model.to(distributed.device()), distributed.on_device(data), cfg)
    if not distributed.is_main():
        return None   # under torchrun rank 0 evaluates and writes; the others wait for it at the next collective
    model.cpu()   # evaluation runs on the CPU, as in a single-process run (a no-op there)
    if a.half_weights:
        round_to_half(model)   # what the bundle will hold, so every figure below is of it
    print(f"{kind}: evaluating on {len(data.x_test)} test images ...")
    c = bundle_contents(model, data, cfg.seed, cfg.maps, a.iwae_k, log=print)
    # the codes after each epoch, for the maps' replay; the last are the bundle's own (of the rounded weights)
    c.latents["code_history"] = np.concatenate([run["code_history"][:-1], c.mu[None].astype(np.float16)])
    c.metrics.update(history=run["history"], seconds_total=round(time.perf_counter() - t0, 1))
    config = {"model": model_cfg.to_dict(), "twin": "ae" if kind == "vae" else "vae", "dataset": dataset_section(data),
              "training": asdict(cfg), "command": command, "versions": library_versions(),
              "world_size": distributed.world_size()}   # processes that trained it (torchrun), 1 for plain python
    out = write_bundle(Path(a.out) / kind, config, model, c.metrics, c.latents, c.maps, c.samples_png,
                       run["progress_pngs"], half_weights=a.half_weights)
    print(f"{kind}: wrote {out}")
    return out


def main(argv=None) -> int:
    cfg, a = parse_args(argv)
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)   # tiny weights late in training otherwise slow CPU math ~1.5x
    command = "python train_small.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    try:
        distributed.init()   # under torchrun: join the other processes (README, "Several GPUs or machines")
        with distributed.local_main_first():   # one download into a machine's cache at a time
            data = load_dataset(cfg.dataset, a.data_dir, allow_download=not a.offline, image_size=a.image_size,
                                channels=a.channels)
        if distributed.is_main():
            print(f"{data.name}: {len(data.x_train)} train / {len(data.x_test)} test images from {data.source}")
        for kind in (["vae", "ae"] if a.model == "both" else [a.model]):
            train_one(kind, cfg, a, data, command)
        distributed.barrier()   # the other ranks wait here until rank 0 has written the last bundle
    except (DataNotFoundError, TrainingDiverged, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Interrupted: no bundle was written for the model in training.", file=sys.stderr)
        return 130
    finally:
        distributed.teardown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
