"""Datasets as in-memory tensors, and where they come from.

Fashion-MNIST and MNIST are looked for, in order, in `--data-dir`, in the Debian package
(`apt-get install dataset-fashion-mnist`), then fetched by torchvision where the network allows.
scikit-learn's 8x8 digits are bundled with scikit-learn, so "digits" always works offline; "sprites" are drawn
here (explorer/sprites.py); "folder" reads a folder of images (explorer/image_folder.py).
"""
import gzip
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from explorer.image_layout import as_images
from explorer.sprites import FACTOR_NAMES, FACTORS, sprites

DATASETS = ("fashion-mnist", "mnist", "digits", "sprites", "folder")
CLASS_NAMES = {
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "mnist": [str(i) for i in range(10)],
    "digits": [str(i) for i in range(10)],
    "sprites": FACTORS["shape"],
}
DEBIAN_DIRS = {"fashion-mnist": Path("/usr/share/datasets/fashion-mnist")}
TORCHVISION_NAMES = {"fashion-mnist": "FashionMNIST", "mnist": "MNIST"}
IDX_FILES = {"train_x": "train-images-idx3-ubyte", "train_y": "train-labels-idx1-ubyte",
             "test_x": "t10k-images-idx3-ubyte", "test_y": "t10k-labels-idx1-ubyte"}


class DataNotFoundError(RuntimeError):
    """The dataset is in none of the places we look; the message says how to get it."""


@dataclass
class Dataset:
    name: str
    x_train: torch.Tensor   # (N, C, H, W) float32 in [0, 1]: (N, 1, 28, 28) for the MNIST-style sets
    y_train: torch.Tensor   # (N,) int64
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]
    source: str             # where it was read from, for the bundle's config.json
    factors: dict = field(default_factory=dict)   # generated sets: {"names": [...], "train"/"test": (N, F) int}

    @property
    def image_shape(self) -> list[int]:
        """(C, H, W) of one image."""
        return list(self.x_train.shape[1:])


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally .gz) into a uint8 array, checking its header against its size."""
    raw = gzip.open(path).read() if path.suffix == ".gz" else path.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] != 8:
        raise ValueError(f"{path} is not an unsigned-byte IDX file.")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: expected {np.prod(shape)} values, found {data.size}.")
    return data.reshape(shape)


def find_idx_dir(root: Path, name: str) -> Path | None:
    """The folder under `root` that holds the four IDX files (plain or .gz), in the usual layouts."""
    tv = TORCHVISION_NAMES.get(name, "")
    for folder in (root, root / "raw", root / tv / "raw", root / name, root / name / "raw"):
        if all(_idx_path(folder, f) for f in IDX_FILES.values()):
            return folder
    return None


def _idx_path(folder: Path, stem: str) -> Path | None:
    for candidate in (folder / f"{stem}.gz", folder / stem):
        if candidate.is_file():
            return candidate
    return None


def _from_idx(name: str, folder: Path) -> Dataset:
    arrays = {key: read_idx(_idx_path(folder, stem)) for key, stem in IDX_FILES.items()}
    return _to_dataset(name, arrays["train_x"], arrays["train_y"], arrays["test_x"], arrays["test_y"],
                       source=str(folder))


def model_images(a) -> torch.Tensor:
    """uint8 images (N, H, W) or (N, H, W, C) -> float (N, C, H, W) in [0, 1]."""
    x = torch.from_numpy(np.asarray(a, dtype=np.float32) / 255.0)
    return x.unsqueeze(1) if x.ndim == 3 else x.permute(0, 3, 1, 2).contiguous()


def _to_dataset(name, train_x, train_y, test_x, test_y, source, class_names=None, factors=None) -> Dataset:
    def labels(a):
        return torch.from_numpy(np.asarray(a, dtype=np.int64))

    return Dataset(name, model_images(train_x), labels(train_y), model_images(test_x), labels(test_y),
                   class_names or CLASS_NAMES[name], source, factors or {})


def test_latents(data: Dataset) -> dict[str, np.ndarray]:
    """What a bundle's latents.npz keeps of the test set besides codes: labels, class names, the images (uint8, as
    people see them: N x H x W, or N x H x W x 3 in colour) and a generated set's factors."""
    out = {"labels": data.y_test.numpy(), "class_names": np.array(data.class_names),
           "images": as_images((data.x_test * 255).round().to(torch.uint8))}
    if data.factors:
        out.update(factors=np.asarray(data.factors["test"], np.int64), factor_names=np.array(data.factors["names"]))
    return out


def sprites_dataset(image_size: int = 32, seed: int = 0) -> Dataset:
    """The coloured sprites, drawn here; their six factors ride along for the disentanglement scores."""
    if image_size not in (32, 64):
        raise ValueError(f"The sprites are drawn at 32 or 64 pixels, not {image_size}.")
    d = sprites(image_size, seed)
    return _to_dataset("sprites", d["train_x"], d["train_y"], d["test_x"], d["test_y"],
                       source=f"drawn by explorer/sprites.py at {image_size}x{image_size}, split by seed {seed}",
                       factors={"names": FACTOR_NAMES, "train": d["train_factors"], "test": d["test_factors"]})


def _from_torchvision(name: str, cache: Path) -> Dataset:
    import torchvision  # only here: the other sources do not need it

    cls = getattr(torchvision.datasets, TORCHVISION_NAMES[name])
    train, test = cls(cache, train=True, download=True), cls(cache, train=False, download=True)
    return _to_dataset(name, train.data.numpy(), train.targets.numpy(), test.data.numpy(),
                       test.targets.numpy(), source=f"torchvision download into {cache}")


def digits_28(seed: int = 0) -> Dataset:
    """scikit-learn's 1797 8x8 digits, upscaled to 20x20 and centred in 28x28 like MNIST."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    x = torch.from_numpy(bunch.images.astype(np.float32) / 16.0).unsqueeze(1)  # (N, 1, 8, 8)
    x = F.pad(F.interpolate(x, size=(20, 20), mode="bilinear", align_corners=False), (4, 4, 4, 4))
    x = (x.clamp(0, 1) * 255).round().to(torch.uint8).squeeze(1).numpy()
    train_i, test_i = train_test_split(np.arange(len(x)), test_size=0.2, random_state=seed,
                                       stratify=bunch.target)
    return _to_dataset("digits", x[train_i], bunch.target[train_i], x[test_i], bunch.target[test_i],
                       source="scikit-learn load_digits (bundled)")


def load_dataset(name: str, data_dir: str | Path | None = None, allow_download: bool = True,
                 image_size: int | None = None, channels: int | None = None) -> Dataset:
    """Load `name` into memory from the first place that has it; DataNotFoundError otherwise.
    `image_size` and `channels` are for the sets that can be had at several: "sprites" (32 or 64, colour) and
    "folder" (28, 32 or 64; 1 or 3 channels)."""
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if name == "sprites":
        if channels not in (None, 3):
            raise ValueError("The sprites are drawn in colour only: leave out --channels.")
        return sprites_dataset(image_size or 32)
    if name != "folder" and (image_size not in (None, 28) or channels not in (None, 1)):
        raise ValueError(f"{name} comes at 28x28 in grey only: --image-size and --channels are for folder and "
                         "sprites.")
    if name == "digits":
        return digits_28()
    if name == "folder":
        from explorer.image_folder import folder_dataset   # the one set that needs PIL's file readers

        return folder_dataset(data_dir, image_size or 32, channels or 3)
    roots = [Path(data_dir).expanduser()] if data_dir else []
    roots += [DEBIAN_DIRS[name]] if name in DEBIAN_DIRS else []
    for root in roots:
        folder = find_idx_dir(root, name)
        if folder is not None:
            return _from_idx(name, folder)
    cache = Path(data_dir or Path.home() / ".cache" / "latent-explorer").expanduser()
    if allow_download:
        try:
            return _from_torchvision(name, cache)
        except Exception as err:  # no network, no torchvision, a half download: all mean "not here"
            reason = f" (download failed: {type(err).__name__})"
    else:
        reason = ""
    hint = {"fashion-mnist": "run `apt-get install dataset-fashion-mnist`, or "}.get(name, "")
    raise DataNotFoundError(
        f"Could not find {name}{reason}: {hint}put the four IDX files (train-images-idx3-ubyte.gz, ...) "
        f"in a folder and pass --data-dir FOLDER, or run once on a machine with internet access.")
