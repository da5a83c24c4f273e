"""Datasets as in-memory tensors, and where they come from.

Fashion-MNIST and MNIST are looked for, in order, in `--data-dir`, in the Debian package
(`apt-get install dataset-fashion-mnist`), then fetched by torchvision where the network allows.
scikit-learn's 8x8 digits are bundled with scikit-learn, so "digits" always works offline.
"""
import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

DATASETS = ("fashion-mnist", "mnist", "digits")
CLASS_NAMES = {
    "fashion-mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
    "mnist": [str(i) for i in range(10)],
    "digits": [str(i) for i in range(10)],
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
    x_train: torch.Tensor   # (N, 1, 28, 28) float32 in [0, 1]
    y_train: torch.Tensor   # (N,) int64
    x_test: torch.Tensor
    y_test: torch.Tensor
    class_names: list[str]
    source: str             # where it was read from, for the bundle's config.json


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


def _to_dataset(name, train_x, train_y, test_x, test_y, source) -> Dataset:
    def images(a):  # uint8 (N, 28, 28) -> float (N, 1, 28, 28) in [0, 1]
        return torch.from_numpy(np.asarray(a, dtype=np.float32) / 255.0).unsqueeze(1)

    def labels(a):
        return torch.from_numpy(np.asarray(a, dtype=np.int64))

    return Dataset(name, images(train_x), labels(train_y), images(test_x), labels(test_y),
                   CLASS_NAMES[name], source)


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


def load_dataset(name: str, data_dir: str | Path | None = None, allow_download: bool = True) -> Dataset:
    """Load `name` into memory from the first place that has it; DataNotFoundError otherwise."""
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset {name!r}; choose one of {', '.join(DATASETS)}.")
    if name == "digits":
        return digits_28()
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
