"""Folders of generated PNGs, as a user's own data would be: colour or grey, with class subfolders or without, and a
corrupt file among them (shared by the image-folder tests)."""
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

COLOURS = {"red": (230, 40, 40), "green": (40, 200, 60), "blue": (50, 80, 240)}


def picture(rng, colour, size: int = 40) -> Image.Image:
    """A blob of `colour` at a random place and size on black."""
    img = Image.new("RGB", (size, size + 8), (0, 0, 0))   # not square: the loader crops its centre
    r = int(rng.integers(5, 12))
    x, y = (int(v) for v in rng.integers(r, size - r, 2))
    ImageDraw.Draw(img).ellipse((x - r, y + 4 - r, x + r, y + 4 + r), fill=colour)
    return img


def image_folder(root: Path, classes: bool = True, grey: bool = False, per_class: int = 20, seed: int = 0) -> Path:
    """root holding PNGs (in red/, green/, blue/ when `classes`), and one file that only looks like a PNG."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    for name, colour in COLOURS.items():
        folder = root / name if classes else root
        folder.mkdir(exist_ok=True)
        for i in range(per_class):
            img = picture(rng, colour)
            (img.convert("L") if grey else img).save(folder / f"{name}-{i:03d}.png")
    (root / ("red" if classes else ".") / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a picture")
    (root / "notes.txt").write_text("not an image: ignored by its extension")
    return root
