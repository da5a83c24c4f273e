"""What the live latent map sends to the browser: the plotted map, decodes, thumbnails; no gradio.

Every function here is pure (a bundle and plain numbers in, JSON-ready dicts out), so the server functions in
`latent_map.py` only add validation of the untrusted request, a concurrency cap and error strings.
"""
import base64
import math

import numpy as np
import torch

from explorer.bundle import Bundle
from explorer.images import png_bytes, to_uint8, upscale
from explorer.models import decode_mean

# Thumbnails travel at 28x28 and the browser scales them up with `image-rendering: pixelated` (latent_map.css):
# crisp, and a 28x28 PNG encodes and decodes several times faster than a 224x224 one.
THUMB_SCALE = 1
K_NEAREST = 5
PRIOR_SIGMAS = (1, 2, 3)
# Tableau 10: the same class gets the same colour on every map, so a VAE map and its AE twin compare at a glance.
PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
           "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


class PointError(ValueError):
    """A request the map cannot decode; the message is one sentence for the page."""


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def image_url(image: np.ndarray, scale: int) -> str:
    """A (28, 28) image (uint8 or floats in [0, 1]) as a nearest-neighbour upscaled PNG data URL."""
    a = image if image.dtype == np.uint8 else to_uint8(image)
    return data_url(png_bytes(upscale(a, scale)))


def pixels_b64(image: np.ndarray) -> str:
    """A (28, 28) image in [0, 1] as base64 of its uint8 grey levels, row by row: the browser paints these
    straight into a canvas, with no PNG to encode here or to decode there."""
    return base64.b64encode(to_uint8(image).tobytes()).decode("ascii")


def map_names(bundle: Bundle) -> list[str]:
    """The bundle's maps in display order: "latent" for 2-D models, else PCA before UMAP."""
    order = {"latent": 0, "pca": 1, "umap": 2}
    return sorted(bundle.maps, key=lambda n: order.get(n, 9))


def limits(bundle: Bundle, map_name: str) -> np.ndarray:
    """[x0, x1, y0, y1]: requests are clamped here; three times the data's span, and the prior's 4σ for a VAE."""
    xy = bundle.maps[map_name].xy
    lo, hi = xy.min(0), xy.max(0)
    span = np.maximum(hi - lo, 1e-3)
    lo, hi = lo - span, hi + span
    if map_name == "latent" and bundle.kind == "vae":
        lo, hi = np.minimum(lo, -4.0), np.maximum(hi, 4.0)
    return np.array([lo[0], hi[0], lo[1], hi[1]])


def view_range(bundle: Bundle, map_name: str) -> list[float]:
    """The initial axis ranges: the data with a margin, plus the 3σ circle for a 2-D VAE."""
    xy = bundle.maps[map_name].xy
    lo, hi = xy.min(0), xy.max(0)
    pad = 0.06 * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad
    if map_name == "latent" and bundle.kind == "vae":
        lo, hi = np.minimum(lo, -3.2), np.maximum(hi, 3.2)
    return [float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])]


def unreliable_grid(bundle: Bundle, map_name: str) -> dict | None:
    """The grid cells whose inverse is far from any data (z=1, else null), for a grey overlay; None for "latent"."""
    m = bundle.maps[map_name]
    if m.far is None:
        return None
    g = m.far.shape[0]
    x0, x1, y0, y1 = (float(v) for v in m.extent)
    z = np.where(m.far > m.far_limit, 1.0, np.nan)   # rows along y, as the grid is stored
    return {"x": np.linspace(x0, x1, g).round(5).tolist(), "y": np.linspace(y0, y1, g).round(5).tolist(),
            "z": [[None if math.isnan(v) else 1 for v in row] for row in z], "extent": [x0, x1, y0, y1]}


def start_point(xy: np.ndarray) -> list[float]:
    """Where the cursor starts: the data point nearest the median, so the first decode is of real data."""
    i = int(np.argmin(((xy - np.median(xy, 0)) ** 2).sum(1)))
    return [float(xy[i, 0]), float(xy[i, 1])]


def map_payload(bundle: Bundle, key: str, map_name: str) -> dict:
    """Everything the browser needs to draw one map: one trace per class (with test-set indices), ranges, overlays."""
    if map_name not in bundle.maps:
        raise PointError(f"The bundle {key} has no {map_name!r} map; it has {', '.join(map_names(bundle))}.")
    xy = bundle.maps[map_name].xy
    labels = bundle.latents["labels"].astype(int)
    names = [str(n) for n in bundle.latents["class_names"]]
    traces = []
    for c, name in enumerate(names):
        idx = np.flatnonzero(labels == c)
        traces.append({"name": name, "color": PALETTE[c % len(PALETTE)], "idx": idx.tolist(),
                       "x": xy[idx, 0].round(4).tolist(), "y": xy[idx, 1].round(4).tolist()})
    d = bundle.codes.shape[1]
    return {
        "bundle": key, "map": map_name, "kind": bundle.kind, "latent_dim": d,
        "title": f"{bundle.kind.upper()} · {bundle.config.get('dataset', {}).get('name', '?')} · "
                 + (f"z ∈ R^{d}" if map_name == "latent" else f"{map_name.upper()} of z ∈ R^{d}"),
        "traces": traces, "range": view_range(bundle, map_name),
        "circles": list(PRIOR_SIGMAS) if map_name == "latent" else [],
        "unreliable": unreliable_grid(bundle, map_name),
        "start": start_point(xy), "n": int(len(xy)),
    }


def finite_number(value, name: str) -> float:
    """A float from a JSON number; PointError for strings, booleans, None, NaN and infinities."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PointError(f"{name} must be a number, got {type(value).__name__}.")
    try:
        value = float(value)
    except OverflowError:   # a JSON integer with hundreds of digits
        raise PointError(f"{name} must be a finite number, got an integer too large for a float.") from None
    if not math.isfinite(value):
        raise PointError(f"{name} must be a finite number, got {value}.")
    return value


def clamp_point(bundle: Bundle, map_name: str, x: float, y: float) -> tuple[float, float, bool]:
    """(x, y) clamped into `limits`, and whether it had to be."""
    x0, x1, y0, y1 = limits(bundle, map_name)
    cx, cy = min(max(x, x0), x1), min(max(y, y0), y1)
    return float(cx), float(cy), (cx, cy) != (x, y)


def latent_summary(z: np.ndarray) -> str:
    """A short line about a full latent: its norm and first few coordinates."""
    head = " ".join(f"{v:+.2f}" for v in z[:4])
    more = " …" if len(z) > 4 else ""
    return f"‖z‖ = {np.linalg.norm(z):.2f} · z[0:{min(4, len(z))}] = {head}{more}"


def nearest(codes: np.ndarray, z: np.ndarray, k: int = K_NEAREST) -> np.ndarray:
    """Indices of the k test codes nearest to z (Euclidean, in the full latent space), nearest first."""
    d2 = ((codes - z[None, :]) ** 2).sum(1)
    k = min(k, len(d2))
    idx = np.argpartition(d2, k - 1)[:k]
    return idx[np.argsort(d2[idx])]


def decode_point(bundle: Bundle, key: str, map_name: str, x: float, y: float, with_image: bool = True) -> dict:
    """Decode the map point (x, y): the image, the latent behind it, its reliability and its nearest test images.
    with_image=False leaves the image out, for a browser that decoded the point itself."""
    m = bundle.maps[map_name]
    x, y, clamped = clamp_point(bundle, map_name, x, y)
    z, reliable = m.to_latent(np.array([[x, y]]))          # (1, D), (1,)
    codes = bundle.codes
    nn = nearest(codes, z[0].astype(codes.dtype))
    names = bundle.latents["class_names"]
    labels = bundle.latents["labels"]
    coords = (f"z = ({x:+.3f}, {y:+.3f})" if map_name == "latent"
              else f"{map_name.upper()} ({x:+.3f}, {y:+.3f})")
    out = {
        "bundle": key, "map": map_name, "x": x, "y": y, "clamped": clamped, "reliable": bool(reliable[0]),
        "coords": coords, "summary": "" if map_name == "latent" else latent_summary(z[0]),
        "neighbours": [{"index": int(i), "label": str(names[labels[i]]), "image": test_image_url(bundle, int(i))}
                       for i in nn],
    }
    if with_image:
        with torch.no_grad():
            out["pixels"] = pixels_b64(decode_mean(bundle.model, torch.from_numpy(z))[0, 0].numpy())
    return out


def thumbnail(bundle: Bundle, index: int) -> dict:
    """One test image as a data URL with its class name, for the hover preview."""
    label = bundle.latents["class_names"][bundle.latents["labels"][index]]
    return {"index": index, "label": str(label), "image": test_image_url(bundle, index)}


_TEST_IMAGE_URLS: dict[tuple[int, int], str] = {}   # (id(bundle), index) -> data URL; bundles live as long as the app


def test_image_url(bundle: Bundle, index: int) -> str:
    """A test image's data URL, encoded once: the same neighbours come back on every step of a drag.
    A cache of read-only data shared by all users, not per-user state."""
    key = (id(bundle), index)
    if key not in _TEST_IMAGE_URLS:
        _TEST_IMAGE_URLS[key] = image_url(bundle.latents["images"][index], THUMB_SCALE)
    return _TEST_IMAGE_URLS[key]
