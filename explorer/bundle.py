"""Load a checkpoint bundle, every file checked before use (bundle_write.py writes one): one folder per model,
nothing unpickled.

    config.json        everything to rebuild the model, the data, the training arguments and command,
                       library versions, and a SHA-256 of every other file (tampering and truncation show)
    model.safetensors  the weights
    metrics.json       test metrics and the per-epoch history
    latents.npz        test-set codes (mu and logvar, or z for an AE), labels, class names, images (uint8, N x H x W,
                       or N x H x W x 3 in colour), optionally code_history: the codes after each epoch (float16,
                       epochs x N x D), for replay, and factors with factor_names: a generated set's true factors
    maps.npz           2-D maps of those codes and their inverses (see projection.py)
    samples.png        decoded prior samples
"""
import hashlib
import math
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load as load_weights

from explorer.bundle_checks import (MAX_CLASSES, MAX_GRID, MAX_PARAMETERS, MAX_TEST_IMAGES, BundleError,
                                    check_config, check_safetensors_header, need, parse_json, read_file, read_npz)
from explorer import own_model
from explorer.bundle_write import (CHECKED_FILES, FORMAT, FORMAT_VERSION, replace_maps, round_to_half, sha256,
                                   swap_in, write_bundle)
from explorer.holes import aggregate_posterior_draws
from explorer.models import ModelConfig, build_model
from explorer.projection import LatentMap, map_order

__all__ = ["Bundle", "BundleError", "load_bundle", "write_bundle", "round_to_half", "replace_maps", "find_bundles",
           "swap_in", "sha256"]   # the writing side lives in bundle_write.py

MNIST_STYLE_SETS = ("fashion-mnist", "mnist", "digits")   # 28x28 grey figures on black, cut out and centred


@dataclass(eq=False)    # compared and hashed by identity: one loaded bundle is one model
class Bundle:
    path: Path
    config: dict
    model: torch.nn.Module      # in eval mode
    metrics: dict
    latents: dict[str, np.ndarray]
    maps: dict[str, LatentMap]
    _memo: dict = field(default_factory=dict, repr=False)
    _memo_locks: dict = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> str:
        return self.config["model"]["kind"]

    @property
    def latent_dim(self) -> int:
        return self.config["model"]["latent_dim"]

    @property
    def dataset(self) -> str:
        return self.config["dataset"]["name"]

    @property
    def codes(self) -> np.ndarray:
        """(N, D) the test-set latent means (VAE) or codes (AE)."""
        return self.latents["mu"] if self.kind == "vae" else self.latents["z"]

    @property
    def code_history(self) -> np.ndarray | None:
        """(epochs, N, D) the test codes after each training epoch (float16), or None for a bundle without them."""
        return self.latents.get("code_history")

    @property
    def map_names(self) -> list[str]:
        """The bundle's maps in display order: "latent" for 2-D models, else PCA before UMAP."""
        return map_order(self.maps)

    def shown_map(self, preferred: str | None) -> str:
        """`preferred` if the bundle has that map, else its first map ("latent", then "pca", then "umap")."""
        return preferred if preferred in self.maps else self.map_names[0]

    @property
    def backbone(self) -> str:
        """The model's design in a word: "MLP", "CONV", or for a model of one's own its factory's name ("VAE")."""
        m = self.config["model"]
        return m["source"]["factory"].rsplit(":", 1)[-1] if m["arch"] == "custom" else m["arch"].upper()

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(C, H, W) of the model's input: (1, 28, 28) for the MNIST-style sets, (3, 32, 32) for colour sprites."""
        return tuple(self.config["model"].get("image_shape", (1, 28, 28)))

    @property
    def framed_shape(self) -> tuple[int, int, int] | None:
        """How an upload becomes this model's input: None for the MNIST-style sets, whose figures are cut out and
        centred (explorer/preprocess.py); else the (C, H, W) a picture's centre square is resized to, as the
        model's own training pictures were (explorer/preprocess_frame.py)."""
        return None if self.dataset in MNIST_STYLE_SETS else self.image_shape

    @property
    def colour(self) -> bool:
        return self.image_shape[0] == 3

    @property
    def factors(self) -> tuple[list[str], np.ndarray] | None:
        """A generated set's factor names and the test images' factor indices (N, F), or None."""
        if "factors" not in self.latents:
            return None
        return [str(n) for n in self.latents["factor_names"]], self.latents["factors"]

    @property
    def content_box(self) -> int:
        """The square an input's content is fitted into: Fashion-MNIST items fill 28x28, digits sit in 20x20, a
        colour or larger model's images fill their frame."""
        if self.framed_shape is not None:
            return self.image_shape[1]
        return 28 if self.dataset == "fashion-mnist" else 20

    def class_name(self, index: int) -> str:
        """The class of test image `index`, by name."""
        return str(self.latents["class_names"][self.latents["labels"][index]])

    def test_image(self, index) -> np.ndarray:
        """Test image `index` (an int, a slice or an index array) in [0, 1]: (..., H, W) float32, (..., H, W, 3) in
        colour (the images' own layout; `explorer.images.to_model` makes it (B, C, H, W))."""
        return self.latents["images"][index].astype(np.float32) / 255.0

    def first_of_class(self, label: int) -> int:
        """The index of the first test image of class `label` (0 when there is none)."""
        hits = np.flatnonzero(self.latents["labels"] == label)
        return int(hits[0]) if len(hits) else 0

    def posterior_draws(self, per_code: int, seed: int) -> np.ndarray:
        """(N * per_code, D) draws z ~ q(z|x) for every test image (the aggregate posterior); an AE's codes."""
        if "logvar" not in self.latents:
            return np.repeat(self.codes, per_code, axis=0)
        return aggregate_posterior_draws(self.codes, self.latents["logvar"], per_code, seed)

    def memo(self, key, make):
        """make(), computed once per bundle and kept with it: figures and exports derived from this read-only
        bundle, shared by every user. Thread-safe: one `make` per key runs at a time, others wait for its value."""
        if key in self._memo:
            return self._memo[key]
        with self._memo_locks.setdefault(key, threading.Lock()):
            if key not in self._memo:
                self._memo[key] = make()
        return self._memo[key]


LATENT_ARRAYS = re.compile(r"labels|class_names|images|mu|logvar|z|code_history|factors|factor_names")
MAX_EPOCHS = 1000   # of a code history
MAP_ARRAYS = re.compile(r"map_names|(latent|pca|umap)/(xy|mean|components|extent|grid|far|far_extent|far_limit)")


def load_bundle(path: str | Path, allow_model_code: bool = False) -> Bundle:
    """Load and validate a bundle; BundleError with one sentence naming the file on any problem.

    Every file is read once (regular files only, size-capped), checked against its checksum in config.json and
    against its schema (explorer/bundle_checks.py) before anything is built from it.
    allow_model_code: load a model of one's own (explorer/own_model.py), whose class the bundle names and whose
    module is imported, which runs its code; without it such a bundle is refused in one sentence.
    """
    path = Path(path)
    raw_config = read_file(path, "config.json")
    config = parse_json("config.json", raw_config)
    check_config(config, FORMAT, FORMAT_VERSION, CHECKED_FILES)
    files = {}
    for name in CHECKED_FILES:
        files[name] = read_file(path, name)
        if hashlib.sha256(files[name]).hexdigest() != config["files"][name]:
            raise BundleError(f"{name} does not match the checksum in config.json: it was truncated or modified.")
    if config["model"]["arch"] == "custom":
        model = _load_own_model(config["model"], files["model.safetensors"], allow_model_code)
    else:
        model = _load_model(ModelConfig(**config["model"]), files["model.safetensors"])
    model_config = model.config
    metrics = parse_json("metrics.json", files["metrics.json"])
    latents = read_npz("latents.npz", files["latents.npz"], LATENT_ARRAYS)
    _check_latents(latents, model_config)
    _check_metrics(metrics, model_config)
    bundle = Bundle(path, config, model, metrics, latents, {})
    maps_npz = read_npz("maps.npz", files["maps.npz"], MAP_ARRAYS)
    bundle.maps = _load_maps(maps_npz, bundle)
    return bundle


def _load_model(cfg: ModelConfig, data: bytes) -> torch.nn.Module:
    """The model of `cfg` with the weights in `data`, after their header matched the model's shapes (taken from
    the model built on the meta device, which allocates nothing) and before any weight is read."""
    with torch.device("meta"):
        shapes = {k: tuple(v.shape) for k, v in build_model(cfg).state_dict().items()}
    weights = _checked_weights(data, shapes)
    model = build_model(cfg)
    model.load_state_dict(weights, strict=True)
    return model.eval()


def _load_own_model(section: dict, data: bytes, allow_model_code: bool) -> torch.nn.Module:
    """A model of one's own: built by the factory config.json names (only with consent), given the weights in
    `data` once they match its state_dict, and seen through explorer's interface (own_model.OwnModel)."""
    model = own_model.rebuild(section, allow_model_code)
    model.load_state_dict(_checked_weights(data, {k: tuple(v.shape) for k, v in model.state_dict().items()}),
                          strict=True)
    return own_model.wrap_loaded(model, section)


def _checked_weights(data: bytes, shapes: dict[str, tuple]) -> dict[str, torch.Tensor]:
    """The weights in `data` as float32, once their header matched `shapes` and every value is finite."""
    if sum(math.prod(s) for s in shapes.values()) > MAX_PARAMETERS:
        raise BundleError(f"config.json describes a model of more than {MAX_PARAMETERS:,} weights.")
    check_safetensors_header(data, shapes)
    weights = load_weights(data)
    if not all(torch.isfinite(w).all() for w in weights.values()):
        raise BundleError("model.safetensors holds NaN or infinite weights.")
    return {k: w.float() for k, w in weights.items()}   # float16 stored: upcast


def _check_latents(latents: dict, cfg: ModelConfig) -> None:
    f = "latents.npz"
    labels = need(f, latents, "labels", "iu", (None,))
    n = len(labels)
    if not 1 <= n <= MAX_TEST_IMAGES:
        raise BundleError(f"{f} must hold 1 to {MAX_TEST_IMAGES} test images, not {n}.")
    names = need(f, latents, "class_names", "U", (None,))
    if not 1 <= len(names) <= MAX_CLASSES or labels.min() < 0 or labels.max() >= len(names):
        raise BundleError(f"{f}: every label must name one of its 1 to {MAX_CLASSES} classes.")
    c, h, w = cfg.image_shape
    need(f, latents, "images", "u", (n, h, w) if c == 1 else (n, h, w, c))
    if "factors" in latents:   # generated data: the true factor values of each test image, for the scores
        names = need(f, latents, "factor_names", "U", (None,))
        factors = need(f, latents, "factors", "iu", (n, len(names)))
        if not 1 <= len(names) <= 16 or factors.min() < 0:
            raise BundleError(f"{f}: factors must be 1 to 16 columns of non-negative factor indices.")
    for key in ("mu", "logvar") if cfg.kind == "vae" else ("z",):
        need(f, latents, key, "f", (n, cfg.latent_dim))
    if "code_history" in latents:
        history = need(f, latents, "code_history", "f", (None, n, cfg.latent_dim))
        if not 1 <= len(history) <= MAX_EPOCHS:
            raise BundleError(f"{f}: code_history must hold 1 to {MAX_EPOCHS} epochs, not {len(history)}.")


def _check_metrics(metrics: dict, cfg: ModelConfig) -> None:
    """The figures the app shows: numbers (or absent) where it reads them."""
    test = metrics.get("test")
    if not isinstance(test, dict):
        raise BundleError("metrics.json lacks its test section.")
    for key, value in test.items():
        if key == "kl_per_dim":
            ok = isinstance(value, list) and len(value) == cfg.latent_dim and all(_finite(v) for v in value)
        else:
            ok = value is None or _finite(value)
        if not ok:
            raise BundleError(f"metrics.json: test.{key[:40]} is not a finite number.")
    if cfg.kind == "vae" and not _finite(test.get("neg_elbo")):
        raise BundleError("metrics.json: test.neg_elbo is missing.")
    if not isinstance(test.get("active_units"), int):
        raise BundleError("metrics.json: test.active_units is missing.")


def _finite(v) -> bool:
    return not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)


def _load_maps(arrays: dict, bundle: Bundle) -> dict[str, LatentMap]:
    f, n, d = "maps.npz", len(bundle.codes), bundle.latent_dim
    names = [str(v) for v in need(f, arrays, "map_names", "U", (None,))]
    if not names or len(set(names)) != len(names) or not set(names) <= {"latent", "pca", "umap"}:
        raise BundleError(f"{f} must name its maps: latent, or pca and/or umap.")
    for name in names:
        need(f, arrays, f"{name}/xy", "f", (n, 2))
        if name == "pca":
            need(f, arrays, "pca/mean", "f", (d,))
            need(f, arrays, "pca/components", "f", (2, d))
        if name == "umap":
            _grid_size(f, need(f, arrays, "umap/grid", "f", (None, None, d)))
            _check_extent(f, "umap/extent", need(f, arrays, "umap/extent", "f", (4,)))
        if f"{name}/far" in arrays or name != "latent":   # a 2-D map written before it had the field: none
            _grid_size(f, need(f, arrays, f"{name}/far", "f", (None, None)))
            need(f, arrays, f"{name}/far_limit", "f", ())
            if f"{name}/far_extent" in arrays:
                _check_extent(f, f"{name}/far_extent", need(f, arrays, f"{name}/far_extent", "f", (4,)))
            elif name == "latent":
                raise BundleError(f"{f} lacks the array latent/far_extent.")
    maps = {name: LatentMap.from_arrays(name, arrays, bundle.codes, prior=bundle.kind == "vae") for name in names}
    for m in maps.values():
        if m.far is not None and m.far_extent is None:   # written before far_extent: its grid spans `extent`
            m.far_extent = m.extent
    return maps


def _grid_size(f: str, grid: np.ndarray) -> int:
    if not 2 <= grid.shape[0] == grid.shape[1] <= MAX_GRID:
        raise BundleError(f"{f}: a grid must be square, 2 to {MAX_GRID} nodes a side.")
    return grid.shape[0]


def _check_extent(f: str, key: str, extent: np.ndarray) -> None:
    if not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise BundleError(f"{f}: {key} must run from low to high.")


def find_bundles(root: str | Path) -> list[Path]:
    """Every folder under `root` with a config.json, sorted; temporary and hidden folders skipped."""
    return sorted(p.parent for p in Path(root).rglob("config.json")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))
