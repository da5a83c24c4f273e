"""Handlers behind the app's views, on a tiny trained pair (no browser, no server)."""
import json
import shutil

import numpy as np
import pytest

import gradio as gr

from explorer.app import api
from explorer.app.views.generate import manifold, sample_grid
from explorer.errors import UserError
from explorer.pair_metrics import prior_figures, table_rows
from explorer.reconstruction import map_overlay, reconstruct
from explorer.registry import load_registry


@pytest.fixture(scope="module")
def registry(tiny_bundles, tmp_path_factory):
    root = tmp_path_factory.mktemp("ckpt")
    shutil.copytree(tiny_bundles, root / "tiny")
    (root / "broken" / "vae").mkdir(parents=True)
    (root / "broken" / "vae" / "config.json").write_text("{oops")
    return load_registry(root)


def test_registry_pairs_and_reports_broken_bundles(registry):
    assert registry.pairs == {"tiny": {"vae": "tiny/vae", "ae": "tiny/ae"}}
    assert len(registry.problems) == 1 and "broken/vae" in registry.problems[0]
    vae, ae = registry.pair("tiny")
    assert vae.kind == "vae" and ae.kind == "ae"


def test_reconstruction_splits_the_elbo(registry):
    vae, ae = registry.pair("tiny")
    x = vae.latents["images"][0].astype(np.float32) / 255
    r = reconstruct(vae, x, seed=0)
    assert r.recon.shape == (28, 28) and r.samples.shape == (16, 28, 28)
    assert r.kl_nats == pytest.approx(float(r.kl_per_dim.sum())) and r.kl_nats >= 0 and r.rec_nats > 0
    assert reconstruct(vae, x, seed=0).rec_nats == r.rec_nats     # same seed, same estimate
    r_ae = reconstruct(ae, x, seed=0)
    assert r_ae.logvar is None and r_ae.kl_nats == 0
    assert np.allclose(r_ae.samples, r_ae.samples[0])            # an AE has no posterior spread


def test_overlay_rings_on_a_2d_map_are_the_true_posterior(registry):
    vae, _ = registry.pair("tiny")
    r = reconstruct(vae, vae.latents["images"][3].astype(np.float32) / 255, seed=0)
    o = map_overlay(vae, "latent", r, seed=0)
    assert np.allclose(o["point"], r.mu)
    one, two = (np.array(e["xy"]) for e in o["ellipses"])
    sd = np.exp(0.5 * r.logvar)
    assert np.allclose((((one - r.mu) / sd) ** 2).sum(1), 1, atol=1e-3)
    assert np.allclose((((two - r.mu) / sd) ** 2).sum(1), 4, atol=1e-3)
    big = map_overlay(vae, "latent", r, seed=0, exaggerate=5.0)
    assert np.allclose((((np.array(big["ellipses"][0]["xy"]) - r.mu) / sd) ** 2).sum(1), 25, atol=1e-2)


def test_prior_figures_and_table(registry):
    vae, ae = registry.pair("tiny")
    figures = {"vae": prior_figures(vae, None), "ae": prior_figures(ae, None)}
    assert all(0 <= f["holes"] <= 1 for f in figures.values())
    rows = table_rows(vae, ae, figures)
    assert [r[0] for r in rows][0].startswith("Reconstruction error")
    assert all(len(r) == 3 for r in rows)


def test_generate_handlers(registry):
    img, mark = sample_grid("tiny", 16, 1.0, 3, registry)
    again, _ = sample_grid("tiny", 16, 1.0, 3, registry)
    assert np.array_equal(np.asarray(img), np.asarray(again))
    assert len(mark["x"]) == 16 and mark["name"] == "prior samples"
    np.testing.assert_allclose(np.c_[mark["x"], mark["y"]], mark["z"], atol=1e-5)   # a 2-D latent is its map
    grid_img, caption, grid_mark = manifold("tiny", 5, "normal", registry)
    assert "5×5" in caption and grid_img.width > 5 * 28 and len(grid_mark["z"]) == 25
    with pytest.raises(UserError, match="Choose a model pair"):
        sample_grid("nope", 16, 1.0, 0, registry)


@pytest.mark.parametrize("z", [[float("nan"), 0.0], [float("inf"), 0.0], [1e9, 0.0], ["a", 0.0], [True, 0.0],
                               [0.0], "0,0", None, {"z": [0.0]}])
def test_api_decode_refuses_bad_latents(registry, z):
    with pytest.raises(UserError):
        api.decode(registry, z, "tiny/vae")


def test_api_decode_and_unknown_model(registry):
    assert api.decode(registry, [0.1, -0.2], "tiny/vae").size == (28, 28)
    assert api.decode(registry, {"z": [0.1, -0.2]}, "tiny/ae").size == (28, 28)
    with pytest.raises(UserError, match="Unknown model"):
        api.decode(registry, [0.0, 0.0], "../../etc/passwd")


def test_api_encode_an_uploaded_png(registry, tmp_path):
    from PIL import Image

    f = tmp_path / "x.png"
    Image.fromarray(registry.bundles["tiny/vae"].latents["images"][0]).save(f)
    out = api.encode(registry, f.read_bytes(), "tiny/vae")
    assert len(out["mu"]) == 2 and len(out["logvar"]) == 2
    assert json.loads(json.dumps(out)) == out
    (tmp_path / "bad.png").write_bytes(b"<html>not an image</html>")
    with pytest.raises(UserError, match="not a PNG"):
        api.encode(registry, (tmp_path / "bad.png").read_bytes(), "tiny/vae")


def test_unexpected_handler_errors_reach_the_user_as_one_sentence(caplog):
    import inspect

    from explorer.app.display import FAILED, friendly

    def handler(image, evt: gr.SelectData, pair: str = "x"):
        raise ValueError("internal detail /srv/app/secret.py")

    wrapped = friendly(handler)
    assert inspect.signature(wrapped) == inspect.signature(handler)   # gradio reads it for special arguments
    with pytest.raises(gr.Error) as err:
        wrapped(1, None)
    assert err.value.message == FAILED and "secret" not in str(err.value)
    assert "internal detail" in caplog.text   # the details go to the log
    with pytest.raises(gr.Error, match="Choose a model pair"):
        friendly(lambda: (_ for _ in ()).throw(gr.Error("Choose a model pair.")))()
    with pytest.raises(gr.Error) as err:     # a user's own mistake: its sentence, as it is
        friendly(lambda: (_ for _ in ()).throw(UserError("z must contain numbers only.")))()
    assert err.value.message == "z must contain numbers only."


def test_sample_api_takes_one_image_and_names_bad_numbers(registry):
    assert api.sample(registry, "tiny/vae", 1, 1.0, 0).size == (32, 32)
    for args, words in [((float("nan"), 1.0, 0), "n must"), ((4, float("nan"), 0), "temperature must"),
                        ((4, 1.0, float("nan")), "seed must"), ((4, 1.0, 2**40), "seed must"),
                        ((300, 1.0, 0), "n must be a whole number from 1 to 256")]:
        with pytest.raises(UserError, match=words):
            api.sample(registry, "tiny/vae", *args)


def test_an_empty_file_as_an_interpolation_end_is_refused_not_replaced():
    from explorer.app.views.generate import endpoint

    with pytest.raises(UserError, match="empty"):
        endpoint(b"", None, np.zeros((28, 28), np.float32), 20)


def test_a_long_model_name_is_not_echoed_whole(registry):
    with pytest.raises(UserError) as err:
        api.decode(registry, [0.0, 0.0], "x" * 3_000_000)
    assert len(str(err.value)) < 300


def test_the_filmstrip_shows_both_input_images_at_its_ends(registry, tmp_path):
    from explorer.app.views.generate import filmstrip

    b = registry.model_of("tiny")
    xa, xb = b.test_image(0), b.test_image(1)
    shown, png, gif, _ = filmstrip(xa, xb, "tiny", "VAE", 5, "linear", registry, tmp_path)
    a = np.asarray(shown.convert("L"))[::4, ::4] / 255.0   # scale 4 undone: 2-px gaps around 28x28 tiles
    tiles = [a[2:30, 2 + i * 30: 30 + i * 30] for i in range(a.shape[1] // 30)]
    assert len(tiles) == 7, "the two inputs and 5 decodes"
    assert np.abs(tiles[0] - xa).max() <= 1 / 255 and np.abs(tiles[-1] - xb).max() <= 1 / 255


def test_the_rate_chart_places_each_vae_on_the_data_by_its_kl_and_reconstruction(registry):
    from explorer.app.views.compare import rate_chart

    fig = rate_chart(registry, "tiny", ["not-served-any-more"])
    [dot] = [t for t in fig.data if t.mode == "markers+text"]
    test = registry.pair("tiny")[0].metrics["test"]
    assert (dot.x[0], dot.y[0]) == (test["kl_nats"], test["rec_nats"]) and dot.name == "tiny"
    assert dot.marker.size == 16 and "units" in dot.text[0]             # the chosen pair, drawn larger
    lines = [t for t in fig.data if t.mode == "lines"]
    assert lines and all(abs(t.x[0] + t.y[0] - (t.x[1] + t.y[1])) < 1e-9 for t in lines)   # equal −ELBO
    assert rate_chart(registry, "no-such-pair", []) is None
