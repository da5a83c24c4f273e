"""Coloured sprites with known factors, drawn here: the data set the beta-VAE lesson needs, with no download.

In the spirit of dSprites (Matthey et al., 2017), every combination of six factors is drawn once:
shape (3), colour (6), scale (4), rotation (6, over a quarter turn, which no shape here repeats itself in),
x (8) and y (8): 27,648 images of a flat-coloured shape on black. The drawing is deterministic; the seed only
shuffles which images are held out for testing.
"""
import numpy as np
from PIL import Image, ImageDraw

FACTORS = {
    "shape": ["square", "triangle", "heart"],
    "colour": ["red", "yellow", "green", "cyan", "blue", "magenta"],
    "scale": [0.55, 0.7, 0.85, 1.0],
    "rotation": [0, 15, 30, 45, 60, 75],      # degrees
    "x": list(range(8)),
    "y": list(range(8)),
}
FACTOR_NAMES = list(FACTORS)
RGB = {"red": (255, 40, 40), "yellow": (250, 220, 30), "green": (40, 210, 60), "cyan": (40, 220, 230),
       "blue": (60, 90, 255), "magenta": (235, 60, 220)}
SUPERSAMPLE = 4     # drawn 4x larger, then averaged down: smooth edges, the same on every machine
N_TEST = 4096


def outline(shape: str) -> np.ndarray:
    """The shape's corners around (0, 0), in units of its half-size: (K, 2), y down."""
    if shape == "square":
        return np.array([(-0.8, -0.8), (0.8, -0.8), (0.8, 0.8), (-0.8, 0.8)])
    if shape == "triangle":
        return np.array([(0.0, -1.0), (0.95, 0.75), (-0.95, 0.75)])
    t = np.linspace(0, 2 * np.pi, 48, endpoint=False)   # the classic heart curve, scaled to about [-1, 1]
    x = 16 * np.sin(t) ** 3
    y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
    return np.stack([x / 17, (y + 2.5) / 15], 1)


def mask(shape: str, scale: float, rotation: float, size: int) -> np.ndarray:
    """A (size, size) float mask in [0, 1] of the shape about the frame's centre (its outline's origin; the heart's
    drawing sits a little low of it), its half-size scale * size / 5."""
    big = size * SUPERSAMPLE
    a = np.deg2rad(rotation)
    rot = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    pts = outline(shape) @ rot.T * (scale * big / 5) + big / 2
    img = Image.new("L", (big, big), 0)
    ImageDraw.Draw(img).polygon([tuple(p) for p in pts], fill=255)
    small = np.asarray(img, np.float32).reshape(size, SUPERSAMPLE, size, SUPERSAMPLE).mean((1, 3))
    return small / 255.0


def offsets(size: int) -> list[int]:
    """The 8 x (and y) positions as pixel shifts from the centre, evenly spaced up to rounding to whole pixels
    (-10, -7, -4, -1, 1, 4, 7, 10 at 32 px): at the outermost places the largest sprites touch the frame's edge."""
    step = size / 16
    return [int(round((i - 3.5) * step * 1.4)) for i in range(8)]


def shift(a: np.ndarray, dy: int, dx: int) -> np.ndarray:
    """`a` (H, W) moved by (dy, dx) pixels, zeros coming in."""
    out = np.zeros_like(a)
    h, w = a.shape
    out[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] = a[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    return out


def all_factors() -> np.ndarray:
    """(27648, 6) every combination of factor indices, shape slowest and y fastest."""
    grids = np.meshgrid(*[np.arange(len(v)) for v in FACTORS.values()], indexing="ij")
    return np.stack([g.ravel() for g in grids], 1)


def draw(factors: np.ndarray, size: int = 32) -> np.ndarray:
    """The images of rows of factor indices: (N, size, size, 3) uint8."""
    shifts = offsets(size)
    masks = {}
    out = np.empty((len(factors), size, size, 3), np.uint8)
    for i, (s, c, k, r, x, y) in enumerate(factors):
        key = (s, k, r)
        if key not in masks:
            masks[key] = mask(FACTORS["shape"][s], FACTORS["scale"][k], FACTORS["rotation"][r], size)
        m = shift(masks[key], shifts[y], shifts[x])
        out[i] = np.round(m[..., None] * np.array(RGB[FACTORS["colour"][c]], np.float32)).astype(np.uint8)
    return out


def sprites(size: int = 32, seed: int = 0, n_test: int = N_TEST) -> dict[str, np.ndarray]:
    """Every sprite, shuffled by `seed` and split: train_x/test_x (N, size, size, 3) uint8, *_factors (N, 6), and
    *_y (the shape, the labels the maps colour by)."""
    factors = all_factors()
    order = np.random.default_rng(seed).permutation(len(factors))
    test, train = order[:n_test], order[n_test:]
    images = draw(factors, size)
    return {"train_x": images[train], "train_factors": factors[train], "train_y": factors[train, 0],
            "test_x": images[test], "test_factors": factors[test], "test_y": factors[test, 0]}
