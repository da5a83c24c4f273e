"""Is an input much less likely than the test images? Two plain checks the Reconstruct view puts into words:
the image's negative ELBO against the test images' own (their 99th percentile), and whether an upload was a
colour picture, when every model here was trained on grey images only."""
import io

import numpy as np
from PIL import Image

from explorer.bundle import Bundle
from explorer.preprocess import FORMATS
from explorer.reconstruction import elbo_parts

PERCENTILE = 99
# The conv VAE takes ~1.1 ms an image on one CPU thread, so its 10,000 test images would cost ~11 s: a fixed,
# seeded subset of 1000 keeps the first check under 1 s on every shipped pair (0.6-0.8 s for the conv VAE, under
# 0.05 s for the MLPs; the 99th percentile of 1000 values still rests on the 10 largest). Smaller sets are used whole.
MAX_IMAGES = 1000
SUBSET_SEED = 0
COLOUR_LEVELS = 32     # grey levels between a pixel's strongest and weakest channel for it to count as coloured
COLOUR_SHARE = 0.02    # share of the visible pixels that must be coloured: specks of JPEG noise are not colour
COLOUR_SIDE = 256      # the colour check looks at a copy this size at most


def reference_indices(n_test: int) -> np.ndarray:
    """The test images the percentile is computed on: all of them, or MAX_IMAGES drawn once with SUBSET_SEED."""
    if n_test <= MAX_IMAGES:
        return np.arange(n_test)
    return np.sort(np.random.default_rng(SUBSET_SEED).choice(n_test, MAX_IMAGES, replace=False))


def neg_elbos(bundle: Bundle, x: np.ndarray, seed: int) -> np.ndarray:
    """(N,) the negative ELBO in nats of images x (N, H, W[, 3]), estimated exactly as the Reconstruct view does for
    one image with this seed (explorer.reconstruction.elbo_parts)."""
    rec, kl = elbo_parts(bundle, x, seed)
    return rec if kl is None else rec + kl.sum(1)


def reference_neg_elbos(bundle: Bundle, seed: int = 0) -> np.ndarray:
    """The test images' negative ELBOs (reference_indices), sorted; computed once per bundle and kept with it."""
    def make():
        return np.sort(neg_elbos(bundle, bundle.test_image(reference_indices(len(bundle.latents["images"]))), seed))
    return bundle.memo(("reference-neg-elbos", seed), make)


def neg_elbo_percentile(bundle: Bundle, q: float = PERCENTILE, seed: int = 0) -> float:
    """The q-th percentile, in nats, of the test images' negative ELBOs (numpy's linear interpolation)."""
    return float(np.percentile(reference_neg_elbos(bundle, seed), q))


def colour_share(img: Image.Image) -> float:
    """The share of an image's visible pixels whose red, green and blue differ by more than COLOUR_LEVELS."""
    if img.mode in ("1", "L", "LA", "La", "I", "F") or img.mode.startswith("I;"):
        return 0.0
    img = img.copy()
    img.thumbnail((COLOUR_SIDE, COLOUR_SIDE))
    try:
        rgba = np.asarray(img.convert("RGBA"), dtype=np.int16)
    except ValueError:   # LAB, HSV and the like: preprocess reads their lightness band; call them grey
        return 0.0
    visible = rgba[..., 3] >= 128
    if not visible.any():
        return 0.0
    spread = rgba[..., :3].max(-1) - rgba[..., :3].min(-1)
    return float((spread[visible] > COLOUR_LEVELS).mean())


def is_colour(data: bytes) -> bool:
    """Whether an image file is a colour picture (COLOUR_SHARE of its pixels coloured). Call it on files that
    explorer.preprocess.open_image has accepted: it trusts their format and size."""
    img = Image.open(io.BytesIO(data), formats=FORMATS)
    if img.format == "JPEG":   # decode at a reduced scale: the check looks at COLOUR_SIDE pixels at most
        img.draft("RGB", (COLOUR_SIDE, COLOUR_SIDE))
    return colour_share(img) >= COLOUR_SHARE
