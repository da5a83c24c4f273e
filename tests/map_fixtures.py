"""Small, real bundles for the latent-map tests, written with the library's own write_bundle in seconds."""
import sys
import types
from pathlib import Path

import numpy as np
import torch

from explorer.bundle import write_bundle
from explorer.images import png_bytes
from explorer.models import ModelConfig, build_model
from explorer.map_fit import fit_maps

CLASS_NAMES = ["ring", "bar", "dot", "cross"]


def _latents(kind: str, dim: int, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Four well separated Gaussian blobs of codes, with labels and random uint8 images."""
    labels = np.arange(n) % len(CLASS_NAMES)
    centres = rng.normal(0, 2.0, size=(len(CLASS_NAMES), dim))
    codes = (centres[labels] + rng.normal(0, 0.3, size=(n, dim))).astype(np.float32)
    out = {"labels": labels.astype(np.int64), "class_names": np.array(CLASS_NAMES),
           "images": _shapes(labels, rng)}
    if kind == "vae":
        out.update(mu=codes, logvar=np.zeros_like(codes))
    else:
        out["z"] = codes
    return out


def _shapes(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N, 28, 28) uint8: each class its own shape (ring, bar, dot, cross), shifted a little, so thumbnails read."""
    yy, xx = np.mgrid[:28, :28] - 13.5
    r = np.hypot(xx, yy)
    masks = [(r > 7) & (r < 10), np.abs(xx) < 3, r < 5, (np.abs(xx) < 2) | (np.abs(yy) < 2)]
    out = np.zeros((len(labels), 28, 28), np.uint8)
    for i, c in enumerate(labels):
        out[i] = np.roll(masks[c], tuple(rng.integers(-2, 3, size=2)), axis=(0, 1)) * rng.integers(160, 256)
    return out


class _FakeUMAP:
    """Stands in for umap.UMAP at fit time (the real one takes a minute to JIT): a fixed bent projection."""

    def __init__(self, **kwargs):
        pass

    def fit_transform(self, codes):
        x, y = codes[:, 0], codes[:, 1]
        return np.stack([x + 0.3 * np.tanh(y), y - 0.2 * x**2 / (1 + np.abs(x))], 1)


def write_test_bundle(out: Path, kind: str, dim: int, n: int = 400, seed: int = 0, epochs: int = 0) -> Path:
    """A bundle with an untrained MLP (decodes are deterministic noise) and synthetic test-set codes; with
    `epochs`, a code history in which the codes grow from 1/epochs of their size to the whole."""
    torch.manual_seed(seed)
    cfg = ModelConfig(kind=kind, arch="mlp", latent_dim=dim, hidden=[32, 16])
    model = build_model(cfg).eval()
    latents = _latents(kind, dim, n, np.random.default_rng(seed))
    codes = latents["mu" if kind == "vae" else "z"].astype(np.float64)
    if epochs:
        latents["code_history"] = np.stack([codes * e / epochs for e in range(1, epochs + 1)]).astype(np.float16)
    saved = sys.modules.get("umap")
    sys.modules["umap"] = types.SimpleNamespace(UMAP=_FakeUMAP)
    try:
        maps = fit_maps(codes, seed, ["pca", "umap"], prior=kind == "vae")
    finally:
        if saved is None:
            sys.modules.pop("umap", None)
        else:
            sys.modules["umap"] = saved
    config = {"model": cfg.to_dict(), "twin": "ae" if kind == "vae" else "vae",
              "dataset": {"name": "synthetic", "class_names": CLASS_NAMES}}
    metrics = {"test": {"rec_nats": 100.0, "mse_per_pixel": 0.05, "active_units": dim, "knn5_accuracy": 0.5}}
    if kind == "vae":
        metrics["test"].update(neg_elbo=110.0, kl_nats=10.0, kl_per_dim=[10.0 / dim] * dim)
    return write_bundle(out, config, model, metrics, latents, maps, png_bytes(np.zeros((28, 28), np.uint8)))


def make_checkpoints(root: Path) -> Path:
    """root/pair-z2/{vae,ae} (2-D latents, 2500 points), root/proj-z6/{vae,ae} (PCA + UMAP, 400 points, SVG),
    root/broken/vae (damaged)."""
    for kind in ("vae", "ae"):
        write_test_bundle(root / "pair-z2" / kind, kind, 2, n=2500)   # above GL_POINTS: drawn with WebGL
        write_test_bundle(root / "proj-z6" / kind, kind, 6)
    (root / "broken" / "vae").mkdir(parents=True)
    (root / "broken" / "vae" / "config.json").write_text("{ not json")
    return root
