"""Every bundle in checkpoints/ loads, and its stored codes and metrics match a recomputation."""
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import ROOT, need_fashion_mnist
from explorer.bundle import find_bundles, load_bundle
from explorer.evaluate import elbo_means, encode_all
from explorer.image_layout import as_batch

SHIPPED = find_bundles(ROOT / "checkpoints")
EXPECTED = {f"{pair}/{kind}" for pair in ("fashion-mnist-mlp-z2", "fashion-mnist-conv-z16", "digits-mlp-z2",
                                          "sprites-conv-z8") for kind in ("vae", "ae")} | {
    "fashion-mnist-mlp-z2-beta0.5/vae", "fashion-mnist-mlp-z2-beta4/vae", "sprites-conv-z8-beta4/vae"}
TWO_D = [p for p in SHIPPED if "-z2" in p.parent.name]
SUBSET = 1000


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_expected_bundles_are_shipped():
    assert EXPECTED <= {name(p) for p in SHIPPED}


@pytest.fixture(scope="module", params=SHIPPED, ids=name)
def shipped(request):
    return load_bundle(request.param)


def stored_images(b, n=SUBSET) -> torch.Tensor:
    return as_batch(b.latents["images"][:n].astype(np.float32) / 255.0, b.image_shape)


@pytest.mark.parametrize("path", TWO_D, ids=name)
def test_the_2d_bundles_keep_their_codes_after_every_epoch(path):
    b = load_bundle(path)
    assert b.code_history.shape == (b.config["training"]["epochs"], *b.codes.shape)
    np.testing.assert_allclose(b.code_history[-1], b.codes, rtol=2e-3, atol=2e-3)   # float16 of the same codes
    moved = np.abs(b.code_history[0].astype(np.float32) - b.codes).mean()
    assert moved > 0.05, "the first epoch's codes are not yet the final ones"


def test_the_beta_family_trades_kl_for_reconstruction():
    vaes = {beta: load_bundle(ROOT / "checkpoints" / folder / "vae") for beta, folder in
            [(0.5, "fashion-mnist-mlp-z2-beta0.5"), (1, "fashion-mnist-mlp-z2"), (4, "fashion-mnist-mlp-z2-beta4")]}
    assert [b.config["training"]["beta"] for b in vaes.values()] == [0.5, 1, 4]
    kl = [b.metrics["test"]["kl_nats"] for b in vaes.values()]
    rec = [b.metrics["test"]["rec_nats"] for b in vaes.values()]
    assert kl == sorted(kl, reverse=True) and rec == sorted(rec)   # more beta: less KL, more distortion


def test_stored_codes_are_what_the_model_computes(shipped):
    mu, logvar = encode_all(shipped.model, stored_images(shipped))
    np.testing.assert_allclose(shipped.codes[:SUBSET], mu, rtol=0, atol=1e-4)
    if shipped.kind == "vae":
        np.testing.assert_allclose(shipped.latents["logvar"][:SUBSET], logvar, rtol=0, atol=1e-4)


def test_stored_metrics_match_a_recomputation_on_a_subset(shipped):
    again = elbo_means(shipped.model, stored_images(shipped), torch.Generator().manual_seed(0))
    stored = shipped.metrics["test"]
    # a subset mean of a per-image quantity: close to the full-test-set mean, not equal to it
    assert again["rec_nats"] == pytest.approx(stored["rec_nats"], rel=0.04)
    assert again["mse_per_pixel"] == pytest.approx(stored["mse_per_pixel"], rel=0.08)
    if shipped.kind == "vae":
        assert again["neg_elbo"] == pytest.approx(stored["neg_elbo"], rel=0.04)
        assert again["kl_nats"] == pytest.approx(stored["kl_nats"], rel=0.08)
        assert shipped.metrics["iwae"]["nll"] <= shipped.metrics["iwae"]["neg_elbo_same_images"]
    codes = shipped.codes
    assert stored["active_units"] == int((codes.var(0) > 0.01).sum())


def test_maps_are_trustworthy(shipped):
    from sklearn.manifold import trustworthiness

    n = len(shipped.codes)
    idx = np.random.default_rng(0).choice(n, min(n, 800), replace=False)
    # A flat PCA view of a latent with several active units keeps fewer neighbours than UMAP, which is built to.
    floor = {"latent": 0.999, "pca": 0.7, "umap": 0.85}
    for m in shipped.maps.values():
        assert trustworthiness(shipped.codes[idx], m.xy[idx], n_neighbors=10) > floor[m.name], m.name
        _, reliable = m.to_latent(m.xy[idx])
        assert reliable.mean() > 0.95, m.name


def test_stored_images_are_the_test_set(shipped):
    if shipped.config["dataset"]["name"] == "fashion-mnist":
        need_fashion_mnist()
    from explorer.data import load_dataset

    data = load_dataset(shipped.config["dataset"]["name"], allow_download=False)
    np.testing.assert_array_equal(stored_images(shipped, None).numpy(), data.x_test.numpy())
    np.testing.assert_array_equal(shipped.latents["labels"], data.y_test.numpy())
    if data.factors:
        np.testing.assert_array_equal(shipped.factors[1], data.factors["test"])


def test_the_sprites_show_the_beta_vae_lesson():
    """A larger β gives the known factors dimensions of their own: MIG rises from the AE and the β = 1 VAE to the
    β = 4 VAE, whose two most informative dimensions follow x and y (what the Generate view's labels say)."""
    from explorer.disentanglement import mig
    from explorer.pair_metrics import factor_information, factor_labels

    ae, vae, vae4 = (load_bundle(ROOT / "checkpoints" / key)
                     for key in ("sprites-conv-z8/ae", "sprites-conv-z8/vae", "sprites-conv-z8-beta4/vae"))
    score = {name: mig(factor_information(b)) for name, b in (("ae", ae), ("vae", vae), ("vae4", vae4))}
    assert score["vae4"] > 2 * max(score["vae"], score["ae"]), score
    assert {"x", "y"} <= set(factor_labels(vae4))
