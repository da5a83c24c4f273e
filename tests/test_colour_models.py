"""A colour model end to end without a browser: a tiny sprites pair trained by the real script, through every view's
handler, the API, the map's decodes and thumbnails, and the browser decoder's export."""
import base64
import io
import shutil

import numpy as np
import pytest
from PIL import Image

from explorer.app import api
from explorer.app.latent_map.browser_export import export_decoder
from explorer.app.latent_map.payload import decode_point, map_payload, neighbours
from explorer.app.views.generate import filmstrip, manifold, sample_grid
from explorer.app.views.reconstruct import render
from explorer.pair_metrics import factor_labels, table_rows
from explorer.reconstruction import reconstruct
from explorer.registry import load_registry


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    import train_small

    root = tmp_path_factory.mktemp("ckpt")
    code = train_small.main(["--dataset", "sprites", "--arch", "conv", "--latent-dim", "4", "--hidden", "8", "16", "32",
                             "--epochs", "1", "--max-steps", "8", "--iwae-k", "4", "--maps", "pca",
                             "--out", str(root / "sprites-tiny")])
    assert code == 0
    return load_registry(root)


def png(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, format="PNG")
    return buf.getvalue()


def test_the_bundle_keeps_colour_images_and_the_true_factors(registry):
    vae, ae = registry.pair("sprites-tiny")
    assert vae.image_shape == (3, 32, 32) and vae.colour
    assert vae.latents["images"].shape[1:] == (32, 32, 3)
    names, factors = vae.factors
    assert names == ["shape", "colour", "scale", "rotation", "x", "y"] and factors.shape == (len(vae.codes), 6)
    assert ae.factors is not None


def test_reconstructions_samples_and_traversals_come_out_in_colour(registry):
    vae, _ = registry.pair("sprites-tiny")
    r = reconstruct(vae, vae.test_image(0), seed=0)
    assert r.recon.shape == (32, 32, 3) and r.samples.shape == (16, 32, 32, 3)
    image, _ = sample_grid("sprites-tiny", 4, 1.0, 0, registry)
    assert image.mode == "RGB"
    grid_image, caption, _ = manifold("sprites-tiny", 5, "normal", registry)
    assert grid_image.mode == "RGB" and "factor" in caption


def test_a_colour_upload_stays_in_colour_and_is_framed(registry):
    red = np.zeros((50, 80, 3), np.uint8)
    red[10:40, 30:50] = (255, 0, 0)
    vae, _ = registry.pair("sprites-tiny")
    out = api.encode(registry, png(red), "sprites-tiny/vae")
    assert len(out["mu"]) == 4
    from explorer.app.inputs import read_upload
    pre = read_upload(png(red), vae.content_box, vae.framed_shape)
    assert pre.x.shape == (32, 32, 3) and not pre.colour          # nothing was greyed
    assert pre.x[..., 0].max() > 0.9 and pre.x[..., 1].max() < 0.1   # still red
    assert [name for name, _ in pre.steps] == ["in colour", "cropped to its centre square", "resized to 32x32"]


def test_render_takes_an_input_made_for_another_model_without_failing(registry):
    outputs = render(np.zeros((28, 28), np.float32), "sprites-tiny", None, False, registry)
    assert "another image size" in outputs[3]


def test_the_map_decodes_in_colour_and_its_thumbnails_are_colour_pngs(registry):
    vae, _ = registry.pair("sprites-tiny")
    key = registry.pairs["sprites-tiny"]["vae"]
    d = decode_point(vae, key, "pca", 0.0, 0.0)
    assert d["shape"] == [32, 32, 3] and len(base64.b64decode(d["pixels"])) == 32 * 32 * 3
    thumb = neighbours(vae, key, np.zeros(4, np.float32))["neighbours"][0]["image"]
    assert Image.open(io.BytesIO(base64.b64decode(thumb.split(",")[1]))).mode == "RGB"
    assert map_payload(vae, key, "pca")["first"]["shape"] == [32, 32, 3]


def test_the_browser_decoder_says_its_image_shape(registry):
    vae, _ = registry.pair("sprites-tiny")
    info, _ = export_decoder(vae)
    assert info["image_shape"] == [3, 32, 32]


def test_the_compare_table_scores_disentanglement_and_traversals_name_factors(registry):
    vae, ae = registry.pair("sprites-tiny")
    rows = {r[0]: r[1:] for r in table_rows(vae, ae, {})}
    mig_row = rows["Disentanglement: MIG (0–1, known factors)"]
    assert all(0 <= float(v) <= 1 for v in mig_row)
    labels = factor_labels(vae)
    assert len(labels) == 4 and all(v is None or v in vae.factors[0] for v in labels)


def test_the_interpolation_filmstrip_and_gif_are_colour(registry, tmp_path):
    vae, _ = registry.pair("sprites-tiny")
    shown, png_path, gif_path, _ = filmstrip(vae.test_image(0), vae.test_image(1), "sprites-tiny", "VAE", 4, "linear",
                                             registry, tmp_path)
    assert shown.mode == "RGB" and Image.open(png_path).mode == "RGB" and Image.open(gif_path).size == (256, 256)


def test_a_colour_gif_keeps_its_colours():
    from explorer.animate import gif_bytes

    frames = np.zeros((2, 8, 8, 3), np.float32)
    frames[0, ..., 0], frames[1, ..., 2] = 1.0, 1.0          # red, then blue
    gif = Image.open(io.BytesIO(gif_bytes(frames, scale=1)))
    first = gif.convert("RGB").getpixel((0, 0))
    gif.seek(1)
    second = gif.convert("RGB").getpixel((0, 0))
    assert first == (255, 0, 0) and second == (0, 0, 255)
