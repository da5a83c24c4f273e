"""What the live latent map sends to the browser: the plotted map, decodes, neighbours, thumbnails; no gradio.

Every function here is pure (a bundle and checked numbers in, JSON-ready dicts out), so the server functions in
`component.py` only add validation of the untrusted request, a concurrency cap and error strings; the static
site (explorer/site) writes the same payloads to files.
"""
import base64

import numpy as np
import torch

from explorer.bundle import Bundle
from explorer.errors import UserError
from explorer.image_layout import as_images
from explorer.images import png_bytes, to_uint8
from explorer.figures import PALETTE
from explorer.models import decode_mean

K_NEAREST = 5
PRIOR_SIGMAS = (1, 2, 3)


class PointError(UserError):
    """A request the map cannot answer; the message is one sentence for the page."""


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def pixels_b64(image: np.ndarray) -> str:
    """An (H, W) or (H, W, 3) image in [0, 1] as base64 of its uint8 levels, pixel by pixel: the browser paints
    these straight into a canvas, with no PNG to encode here or to decode there."""
    return base64.b64encode(to_uint8(image).tobytes()).decode("ascii")


def unreliable_grid(bundle: Bundle, map_name: str) -> dict | None:
    """The grid cells far from every dot (z=1, else null), for a grey overlay; None for a map without the field."""
    m = bundle.maps[map_name]
    if m.far is None:
        return None
    g = m.far.shape[0]
    x0, x1, y0, y1 = (float(v) for v in m.far_extent)
    far = m.far > m.far_limit    # rows along y, as the grid is stored
    return {"x": np.linspace(x0, x1, g).round(5).tolist(), "y": np.linspace(y0, y1, g).round(5).tolist(),
            "z": [[1 if v else None for v in row] for row in far], "extent": [x0, x1, y0, y1]}


def start_point(xy: np.ndarray) -> list[float]:
    """Where the cursor starts: the data point nearest the median, so the first decode is of real data."""
    i = int(np.argmin(((xy - np.median(xy, 0)) ** 2).sum(1)))
    return [float(xy[i, 0]), float(xy[i, 1])]


def map_payload(bundle: Bundle, key: str, map_name: str) -> dict:
    """Everything the browser needs to draw one map: one trace per class (with test-set indices), ranges, overlays."""
    if map_name not in bundle.maps:
        raise PointError(f"The bundle {key} has no {map_name!r} map; it has {', '.join(bundle.map_names)}.")
    m = bundle.maps[map_name]
    labels = bundle.latents["labels"].astype(int)
    traces = []
    for c, name in enumerate(str(n) for n in bundle.latents["class_names"]):
        idx = np.flatnonzero(labels == c)
        traces.append({"name": name, "color": PALETTE[c % len(PALETTE)], "idx": idx.tolist(),
                       "x": m.xy[idx, 0].round(4).tolist(), "y": m.xy[idx, 1].round(4).tolist()})
    d = bundle.latent_dim
    start = start_point(m.xy)
    return {
        "bundle": key, "map": map_name, "kind": bundle.kind, "latent_dim": d,
        "title": f"{bundle.kind.upper()} · {bundle.dataset} · "
                 + (f"z ∈ R^{d}" if map_name == "latent" else f"{map_name.upper()} of z ∈ R^{d}"),
        "traces": traces, "range": m.view_range,
        "circles": list(PRIOR_SIGMAS) if map_name == "latent" else [],
        "unreliable": unreliable_grid(bundle, map_name),
        "start": start, "n": int(len(m.xy)),
        # the decode at the start, sent with the map: it shows before the map is drawn or any weights arrive
        "first": decode_point(bundle, key, map_name, *start),
        "dims": latent_dims(bundle) if d > 2 else [],
        # how the map formed: {"epochs"} when the bundle kept its codes per epoch (history_frames; the app adds
        # the "url" of the file)
        "history": {"epochs": len(bundle.code_history)} if has_history(bundle, map_name) else None,
    }


def has_history(bundle: Bundle, map_name: str) -> bool:
    """Whether the map can replay its training: the bundle kept its codes per epoch and the map is not a UMAP."""
    return bundle.code_history is not None and map_name != "umap"


def history_frames(bundle: Bundle, map_name: str) -> np.ndarray | None:
    """(epochs, N, 2) float16: where each test image sat on the map after each training epoch, for the replay; the
    last epoch is the map's own positions. For a PCA map, the codes through the final PCA (a linear map, so early
    epochs show as the final model's axes see them); a UMAP cannot place old codes without moving its dots: None."""
    if not has_history(bundle, map_name):
        return None
    m = bundle.maps[map_name]
    codes = bundle.code_history.astype(np.float64)
    xy = codes if map_name == "latent" else (codes - m.mean) @ m.components.T
    xy[-1] = m.xy
    return xy.astype(np.float16)


ACTIVE = 0.01     # evaluate.active_units: a dimension whose mean code varies more than this across the data


def latent_dims(bundle: Bundle) -> list[dict]:
    """The latent dimensions for the sliders, the most used first: by KL for a VAE (the nats it spends there), by
    the spread of the codes for an AE; each with its slider range and whether the model uses it at all."""
    codes = bundle.codes
    spread = codes.var(0)
    kl = bundle.metrics["test"].get("kl_per_dim") if bundle.kind == "vae" else None
    order = np.argsort(-(np.asarray(kl) if kl is not None else spread), kind="stable")
    lo, hi = codes.min(0), codes.max(0)
    if bundle.kind == "vae":    # the prior's +-3.5 sigma, and any code beyond
        lo, hi = np.minimum(lo, -3.5), np.maximum(hi, 3.5)
    else:
        pad = 0.1 * np.maximum(hi - lo, 1e-3)
        lo, hi = lo - pad, hi + pad
    return [{"index": int(j), "label": f"z{j + 1}", "kl": None if kl is None else round(float(kl[j]), 3),
             "active": bool(spread[j] > ACTIVE), "lo": round(float(lo[j]), 3), "hi": round(float(hi[j]), 3)}
            for j in order]


def coords_text(map_name: str, x: float, y: float) -> str:
    """How the page names a map point (latent_map/static/inverse.js coordsText says the same)."""
    return f"z = ({x:+.3f}, {y:+.3f})" if map_name == "latent" else f"{map_name.upper()} ({x:+.3f}, {y:+.3f})"


ON_A_DOT = 0.05   # within this share of the far limit from a dot, the decode is (nearly) that dot's own code


def how_text(map_name: str, distance: float, far_limit: float, nearest: str) -> str:
    """What the decode at a map point is made of (static/inverse.js howText says the same): `nearest` names the
    nearest test image, e.g. "#12 (Trouser)"."""
    if distance > far_limit:
        return ("Far from every test code: a hole, where the model learned nothing." if map_name == "latent"
                else "Far from every test image: the projection's guess.")
    if distance <= ON_A_DOT * far_limit:
        return f"The code of test image {nearest}."
    return "" if map_name == "latent" else "Between test images: a blend of their codes."


def latent_summary(z: np.ndarray) -> str:
    """A short line about a full latent: its norm and first few coordinates."""
    head = " ".join(f"{v:+.2f}" for v in z[:4])
    more = " …" if len(z) > 4 else ""
    return f"‖z‖ = {np.linalg.norm(z):.2f} · z[0:{min(4, len(z))}] = {head}{more}"


def decode_point(bundle: Bundle, key: str, map_name: str, x: float, y: float, z: np.ndarray | None = None) -> dict:
    """Decode at map point (x, y): the image, the latent behind it and its reliability. Without `z` the latent is
    the map's inverse at the (clamped) point; with it, that exact latent (an input image's code) at that point."""
    m = bundle.maps[map_name]
    x, y, clamped = m.clamp(x, y)
    point = np.array([[x, y]])
    inverse, reliable = m.to_latent(point)          # (1, D), (1,)
    dist, idx = m.nearest_dots(point, 1)
    exact = z is not None
    z = inverse[0] if z is None else np.asarray(z, dtype=np.float32)
    with torch.no_grad():
        pixels = as_images(decode_mean(bundle.model, torch.from_numpy(z[None])))[0]
    nearest = int(idx[0, 0])
    how = ("The code you gave, exactly." if exact
           else how_text(map_name, float(dist[0, 0]), m.far_limit, f"#{nearest} ({bundle.class_name(nearest)})"))
    return {"bundle": key, "map": map_name, "x": x, "y": y, "clamped": clamped, "reliable": bool(reliable[0]),
            "z": z.astype(float).tolist(), "coords": coords_text(map_name, x, y), "how": how,
            "summary": "" if map_name == "latent" else latent_summary(z), "pixels": pixels_b64(pixels),
            "shape": list(pixels.shape[:2]) + [bundle.image_shape[0]]}


def nearest(codes: np.ndarray, z: np.ndarray, k: int = K_NEAREST) -> np.ndarray:
    """Indices of the k test codes nearest to z (Euclidean, in the full latent space), nearest first."""
    d2 = ((codes - z[None, :]) ** 2).sum(1)
    k = min(k, len(d2))
    idx = np.argpartition(d2, k - 1)[:k]
    return idx[np.argsort(d2[idx])]


def neighbours(bundle: Bundle, key: str, z: np.ndarray) -> dict:
    """The test images whose codes are nearest to the latent z, each with its class name."""
    nn = nearest(bundle.codes, np.asarray(z, dtype=bundle.codes.dtype))
    return {"bundle": key, "neighbours": [thumbnail(bundle, int(i)) for i in nn]}


def thumbnail(bundle: Bundle, index: int) -> dict:
    """One test image as a data URL with its class name, for the hover preview and the neighbours."""
    return {"index": index, "label": bundle.class_name(index), "image": test_image_url(bundle, index)}


def test_image_url(bundle: Bundle, index: int) -> str:
    """A test image's PNG at its own size (28, 32 or 64 px) as a data URL, encoded once per bundle: the same
    neighbours come back on every step of a drag. The browser scales it up with `image-rendering: pixelated`
    (latent_map.css): crisp, and a small PNG encodes and decodes several times faster than a larger one."""
    return bundle.memo(("test-image-url", index), lambda: data_url(png_bytes(bundle.latents["images"][index])))
