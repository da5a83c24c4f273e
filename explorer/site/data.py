"""What the static site holds of each model pair: the maps' payloads and inverses, the decoder and encoder, the
test codes and images it shows, and the Compare table, as JSON-ready dicts.

A site shows the first `n` test images of a pair (the maps' dots, the nearest images, the hover previews), so
that it loads in seconds: the maps' inverses and far-from-data fields are refitted on those dots, with the same
rules as the app's (explorer/map_fit.py). Everything else is the bundle's own.
"""
import base64
import copy
import io

import numpy as np
from PIL import Image

from explorer.app.latent_map.browser_export import UnsupportedDecoder, export_decoder, export_encoder, export_inverse
from explorer.app.latent_map.payload import map_payload
from explorer.bundle import Bundle
from explorer.map_fit import refit
from explorer.pair_metrics import prior_figures, real_data_score, table_rows
from explorer.registry import Registry

PER_TEST_IMAGE = ("labels", "images", "mu", "logvar", "z")
SPRITE_COLUMNS = 50


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def first_images(bundle: Bundle, n: int) -> Bundle:
    """The bundle seen through its first n test images: codes, images and maps of those only."""
    n = min(n, len(bundle.codes))
    sub = copy.copy(bundle)
    sub._memo, sub._memo_locks = {}, {}
    sub.latents = {k: (v[:n] if k in PER_TEST_IMAGE else v[:, :n] if k == "code_history" else v)
                   for k, v in bundle.latents.items()}
    sub.maps = refit(bundle.maps, sub.codes, prior=bundle.kind == "vae")
    return sub


def sprite(images: np.ndarray) -> str:
    """Test images (N, 28, 28) uint8 as one PNG data URL, SPRITE_COLUMNS per row (a data URL: a canvas may read
    it even on a page opened from file://)."""
    n = len(images)
    rows = -(-n // SPRITE_COLUMNS)
    sheet = np.zeros((rows * 28, SPRITE_COLUMNS * 28), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, SPRITE_COLUMNS)
        sheet[r * 28:(r + 1) * 28, c * 28:(c + 1) * 28] = img
    buf = io.BytesIO()
    Image.fromarray(sheet, mode="L").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + b64(buf.getvalue())


def model_maps(bundle: Bundle, key: str) -> dict:
    """One model's maps (payloads and inverses) and test codes (already cut to the shown images)."""
    return {"key": key, "kind": bundle.kind, "latent_dim": bundle.latent_dim, "map_names": bundle.map_names,
            "maps": {name: {"payload": map_payload(bundle, key, name), "inverse": export_inverse(bundle, name)}
                     for name in bundle.map_names},
            "codes": b64(np.ascontiguousarray(bundle.codes, "<f4").tobytes())}


def network(bundle: Bundle, export) -> dict:
    """The decoder or encoder for the browser (export_decoder / export_encoder), its weights in base64."""
    try:
        info, weights = export(bundle)
    except UnsupportedDecoder as err:
        return {"unsupported": str(err)}
    return {**info, "weights": b64(weights), "bytes": len(weights)}


def compare_rows(vae: Bundle | None, ae: Bundle | None, classifiers: dict) -> tuple[list[list[str]], float | None]:
    """The Compare view's table, computed at build time, and the test images' own classifier score."""
    found = {b.kind: prior_figures(b, classifiers.get(b.dataset)) for b in (vae, ae) if b is not None}
    some = vae or ae
    return table_rows(vae, ae, found), real_data_score(some, classifiers.get(some.dataset))


def pair_parts(registry: Registry, pair: str, n: int, classifiers: dict) -> dict[str, dict]:
    """The site's data of one pair, in the parts the page loads one after the other: "maps" (what the first view
    draws), "decoders", "images" (the shown test images, for neighbours and previews), "encoders" (for drawings
    and uploads)."""
    vae, ae = registry.pair(pair)
    full = {kind: b for kind, b in (("vae", vae), ("ae", ae)) if b is not None}
    shown = {kind: first_images(b, n) for kind, b in full.items()}
    some = next(iter(shown.values()))
    rows, real = compare_rows(vae, ae, classifiers)
    maps = {"pair": pair, "label": registry.label(pair), "dataset": some.dataset, "latent_dim": some.latent_dim,
            "map_names": registry.shared_maps(pair), "class_names": [str(c) for c in some.latents["class_names"]],
            "labels": some.latents["labels"].astype(int).tolist(), "n": int(len(some.codes)),
            "content_box": some.content_box, "sprite_columns": SPRITE_COLUMNS,
            "models": {kind: model_maps(b, registry.pairs[pair][kind]) for kind, b in shown.items()},
            "compare": {"rows": rows, "real_score": real}}
    return {"maps": maps,
            "decoders": {kind: network(b, export_decoder) for kind, b in full.items()},
            "images": {"sprite": sprite(some.latents["images"])},
            "encoders": {kind: network(b, export_encoder) for kind, b in full.items()}}
