"""Every bundle in checkpoints/ loads, and its stored codes and metrics match a recomputation."""
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import ROOT, need_fashion_mnist
from explorer.bundle import find_bundles, load_bundle
from explorer.evaluate import elbo_means, encode_all

SHIPPED = find_bundles(ROOT / "checkpoints")
EXPECTED = {f"{pair}/{kind}" for pair in ("fashion-mnist-mlp-z2", "fashion-mnist-conv-z16", "digits-mlp-z2")
            for kind in ("vae", "ae")}
SUBSET = 1000


def name(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def test_the_expected_bundles_are_shipped():
    assert EXPECTED <= {name(p) for p in SHIPPED}


@pytest.fixture(scope="module", params=SHIPPED, ids=name)
def shipped(request):
    return load_bundle(request.param)


def stored_images(b, n=SUBSET) -> torch.Tensor:
    return torch.from_numpy(b.latents["images"][:n].astype(np.float32) / 255.0).unsqueeze(1)


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
