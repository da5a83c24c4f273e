"""Save and load a checkpoint bundle: one folder per model, nothing unpickled.

    config.json        everything to rebuild the model, the data, the training arguments and command,
                       library versions, and a SHA-256 of every other file (tampering and truncation show)
    model.safetensors  the weights
    metrics.json       test metrics and the per-epoch history
    latents.npz        test-set codes (mu and logvar, or z for an AE), labels, class names, images (uint8)
    maps.npz           2-D maps of those codes and their inverses (see projection.py)
    samples.png        decoded prior samples
"""
import ctypes
import hashlib
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from explorer.models import ModelConfig, build_model
from explorer.holes import aggregate_posterior_draws
from explorer.projection import LatentMap, map_order

FORMAT = "latent-explorer-bundle"
FORMAT_VERSION = 1
CHECKED_FILES = ("model.safetensors", "metrics.json", "latents.npz", "maps.npz", "samples.png")


class BundleError(RuntimeError):
    """A bundle that cannot be used; the message names the file and what is wrong with it."""


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
    def map_names(self) -> list[str]:
        """The bundle's maps in display order: "latent" for 2-D models, else PCA before UMAP."""
        return map_order(self.maps)

    @property
    def content_box(self) -> int:
        """The square an input's content is fitted into: Fashion-MNIST items fill 28x28, digits sit in 20x20."""
        return 28 if self.dataset == "fashion-mnist" else 20

    def class_name(self, index: int) -> str:
        """The class of test image `index`, by name."""
        return str(self.latents["class_names"][self.latents["labels"][index]])

    def test_image(self, index) -> np.ndarray:
        """Test image `index` (an int, a slice or an index array) as model input: (..., 28, 28) float32 in [0, 1]."""
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


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_bundle(out: Path, config: dict, model, metrics: dict, latents: dict, maps: dict[str, LatentMap],
                 samples_png: bytes, extra_files: dict[str, bytes] | None = None) -> Path:
    """Write a bundle to a temporary folder beside `out`, then swap it in, so a crash leaves no half bundle."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        save_file({k: v.detach().contiguous() for k, v in model.state_dict().items()},
                  str(tmp / "model.safetensors"), metadata={"format": FORMAT})
        (tmp / "model.safetensors").chmod(0o644)   # safetensors makes it 0600; whoever serves the app must read it
        (tmp / "metrics.json").write_text(json.dumps(metrics, indent=2))
        np.savez_compressed(tmp / "latents.npz", **latents)
        arrays = {k: v for m in maps.values() for k, v in m.to_arrays().items()}
        np.savez_compressed(tmp / "maps.npz", map_names=np.array(list(maps)), **arrays)
        (tmp / "samples.png").write_bytes(samples_png)
        for name, data in (extra_files or {}).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        full = {"format": FORMAT, "format_version": FORMAT_VERSION, **config,
                "files": {name: sha256(tmp / name) for name in CHECKED_FILES}}
        (tmp / "config.json").write_text(json.dumps(full, indent=2))
        _fsync_tree(tmp)
        swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _fsync_tree(folder: Path) -> None:
    for f in folder.rglob("*"):
        if f.is_file():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())


def swap_in(new: Path, target: Path) -> None:
    """Make `new` appear at `target` in one step; an existing `target` is replaced and removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if _rename_exchange(new, target):   # atomic swap on Linux: `target` is never missing
        shutil.rmtree(new)
        return
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old)


def _rename_exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two paths atomically; False where the system lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def load_bundle(path: str | Path) -> Bundle:
    """Load and validate a bundle; BundleError with one sentence naming the file on any problem."""
    path = Path(path)
    config = _read_json(path / "config.json")
    if config.get("format") != FORMAT:
        raise BundleError(f"{path / 'config.json'} is not a Latent Explorer bundle config.")
    for name in CHECKED_FILES:
        f = path / name
        if not f.is_file():
            raise BundleError(f"{f} is missing; the bundle is incomplete, so retrain it with train_small.py.")
        if sha256(f) != config.get("files", {}).get(name):
            raise BundleError(f"{f} does not match the checksum in config.json: it was truncated or modified.")
    try:
        model_config = ModelConfig(**config["model"])
    except (KeyError, TypeError, ValueError) as err:
        raise BundleError(f"{path / 'config.json'} has an invalid model section: {err}") from None
    model = build_model(model_config)
    try:
        model.load_state_dict(load_file(str(path / "model.safetensors")), strict=True)
    except Exception as err:
        raise BundleError(f"{path / 'model.safetensors'} does not fit the model in config.json "
                          f"({type(err).__name__}).") from None
    model.eval()
    latents = _read_npz(path / "latents.npz")
    maps_npz = _read_npz(path / "maps.npz")
    bundle = Bundle(path, config, model, _read_json(path / "metrics.json"), latents, {})
    _check_latents(bundle, model_config)
    names = [str(n) for n in maps_npz.get("map_names", [])]
    bundle.maps = {n: LatentMap.from_arrays(n, maps_npz, bundle.codes, prior=bundle.kind == "vae") for n in names}
    for name, m in bundle.maps.items():
        if m.xy.shape != (len(bundle.codes), 2):
            raise BundleError(f"{path / 'maps.npz'} has a {name} map that does not match latents.npz.")
    return bundle


def _check_latents(bundle: Bundle, cfg: ModelConfig) -> None:
    f = bundle.path / "latents.npz"
    key = "mu" if cfg.kind == "vae" else "z"
    need = [key, "labels", "class_names", "images"] + (["logvar"] if cfg.kind == "vae" else [])
    missing = [k for k in need if k not in bundle.latents]
    if missing:
        raise BundleError(f"{f} lacks the arrays {', '.join(missing)}.")
    n = len(bundle.latents["labels"])
    if bundle.latents[key].shape != (n, cfg.latent_dim) or bundle.latents["images"].shape != (n, 28, 28):
        raise BundleError(f"{f} does not match the model's latent size {cfg.latent_dim} or its own labels.")


def _read_json(f: Path) -> dict:
    try:
        return json.loads(f.read_text())
    except FileNotFoundError:
        raise BundleError(f"{f} is missing; is this folder a bundle written by train_small.py?") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BundleError(f"{f} is not valid JSON: the file is damaged.") from None


def _read_npz(f: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(f, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except Exception as err:
        raise BundleError(f"{f} cannot be read as plain arrays ({type(err).__name__}).") from None


def find_bundles(root: str | Path) -> list[Path]:
    """Every folder under `root` with a config.json, sorted; temporary and hidden folders skipped."""
    return sorted(p.parent for p in Path(root).rglob("config.json")
                  if not any(part.startswith(".") for part in p.relative_to(root).parts))
