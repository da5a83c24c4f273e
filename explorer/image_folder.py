"""A folder of the user's own images as a Dataset: class names from subfolders, as torchvision's ImageFolder.

    photos/cat/001.png, photos/cat/002.jpg, photos/dog/001.png   -> classes "cat" and "dog"
    shapes/a.png, shapes/b.png                                   -> one class, "(no labels)"

Every image is cropped to its centre square and resized to image_size; a file that does not open as an image is
skipped and counted, never fatal. A seeded tenth (at least 16 images) is held out for testing.
"""
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from explorer.data import DataNotFoundError, Dataset, _to_dataset
from explorer.models import IMAGE_SIZES
from explorer.preprocess_frame import framed

EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
UNLABELLED = "(no labels)"
TEST_FRACTION = 0.1
MIN_TEST = 16       # held-out images at least: a UMAP map of the test codes needs 16 (its 15 neighbours and itself)
MIN_IMAGES = 2 * MIN_TEST


def image_files(root: Path) -> tuple[list[Path], list[int], list[str]]:
    """The image files under `root` (by extension), their class indices and the class names."""
    classes = sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if classes:
        files = [(f, i) for i, c in enumerate(classes) for f in sorted((root / c).rglob("*"))
                 if f.suffix.lower() in EXTENSIONS and f.is_file()]
    else:
        files = [(f, 0) for f in sorted(root.iterdir()) if f.suffix.lower() in EXTENSIONS and f.is_file()]
        classes = [UNLABELLED]
    return [f for f, _ in files], [i for _, i in files], classes


def read_image(path: Path, size: int, channels: int) -> np.ndarray | None:
    """(size, size) or (size, size, 3) uint8, the centre square resized; None when the file is not an image."""
    try:
        with Image.open(path) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        return None
    return np.asarray(framed(img, (channels, size, size)), dtype=np.uint8)


def folder_dataset(data_dir, image_size: int = 32, channels: int = 3, seed: int = 0) -> Dataset:
    """Every readable image under `data_dir`; DataNotFoundError with one sentence when there is nothing to train on."""
    if image_size not in IMAGE_SIZES or channels not in (1, 3):
        raise ValueError(f"--image-size must be one of {', '.join(map(str, IMAGE_SIZES))} and --channels 1 or 3 "
                         f"(got {image_size} and {channels}).")
    if not data_dir:
        raise DataNotFoundError("--dataset folder needs --data-dir FOLDER: a folder of images, or of one subfolder "
                                "of images per class.")
    root = Path(data_dir).expanduser()
    if not root.is_dir():
        raise DataNotFoundError(f"The image folder {root} does not exist or is not a folder.")
    files, labels, classes = image_files(root)
    images, kept = [], []
    for f, y in zip(files, labels):
        a = read_image(f, image_size, channels)
        if a is not None:
            images.append(a)
            kept.append(y)
    skipped = len(files) - len(images)
    if len(images) < MIN_IMAGES:
        found = f"{len(images)} readable image{'s' if len(images) != 1 else ''}"
        found += f" ({skipped} file{'s' if skipped != 1 else ''} could not be read)" if skipped else ""
        raise DataNotFoundError(f"The image folder {root} has {found}; at least {MIN_IMAGES} are needed "
                                f"({', '.join(sorted(EXTENSIONS))}).")
    x, y = np.stack(images), np.array(kept)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = max(MIN_TEST, round(TEST_FRACTION * len(x)))
    test, train = order[:n_test], order[n_test:]
    source = f"image folder {root} ({len(images)} images" + (f"; {skipped} unreadable files skipped)" if skipped else ")")
    return _to_dataset("folder", x[train], y[train], x[test], y[test], source, class_names=classes)
