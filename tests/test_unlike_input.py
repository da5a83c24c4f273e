"""An input much less likely than the test images gets one plain sentence with its ELBO: a colour picture, and an
image beyond the 99th percentile of the test images' negative ELBOs. On the shipped bundles, no server."""
import io

import numpy as np
import pytest
import torch
from PIL import Image

from app_server import ROOT
from explorer.app.inputs import read_upload
from explorer.app.views.reconstruct import SEED, example_indices, render
from explorer.bundle import load_bundle
from explorer.likelihood_check import (MAX_IMAGES, is_colour, neg_elbo_percentile, neg_elbos, reference_indices,
                                       reference_neg_elbos)
from explorer.reconstruction import N_SAMPLES, elbo_parts, reconstruct
from explorer.registry import Registry

PAIR = "fashion-mnist-mlp-z2"
COLOUR = "colour picture"
UNLIKELY = "less likely than 99 % of its test images"


@pytest.fixture(scope="module")
def registry() -> Registry:
    torch.set_num_threads(1)
    return Registry({f"{PAIR}/{kind}": load_bundle(ROOT / "checkpoints" / PAIR / kind) for kind in ("vae", "ae")})


def png(a: np.ndarray, mode: str | None = None, fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.fromarray(a, mode).save(out, fmt)
    return out.getvalue()


def shirt(colour=(200, 30, 30), paper=(255, 255, 255)) -> np.ndarray:
    """A T-shirt-like blob on paper, (120, 90, 3) uint8: a phone photo of a garment, roughly."""
    a = np.empty((120, 90, 3), np.uint8)
    a[:] = paper
    a[20:100, 15:75] = colour
    a[20:45, 0:90] = colour
    return a


def elbo_text(registry, x, colour=False) -> str:
    return render(x, PAIR, None, False, registry, colour)[3]


@pytest.mark.parametrize("pair", ["digits-mlp-z2", PAIR])
def test_the_percentile_is_numpys_over_the_views_own_neg_elbos(pair):
    """Brute force: every reference test image through reconstruct(), the view's own function, then np.percentile."""
    torch.set_num_threads(1)
    b = load_bundle(ROOT / "checkpoints" / pair / "vae")
    idx = reference_indices(len(b.latents["images"]))
    brute = []
    for i in idx:
        r = reconstruct(b, b.test_image(int(i)), SEED)
        brute.append(r.rec_nats + r.kl_nats)
    np.testing.assert_allclose(reference_neg_elbos(b, SEED), np.sort(brute), rtol=1e-4)
    assert neg_elbo_percentile(b, 99, SEED) == pytest.approx(np.percentile(brute, 99), rel=1e-4)
    assert neg_elbo_percentile(b, 50, SEED) == pytest.approx(np.median(brute), rel=1e-4)


def test_the_conv_vaes_batched_neg_elbos_are_its_reconstructions():
    torch.set_num_threads(1)
    b = load_bundle(ROOT / "checkpoints" / "fashion-mnist-conv-z16" / "vae")
    idx = reference_indices(len(b.latents["images"]))[:40]
    brute = [sum((r.rec_nats, r.kl_nats)) for r in (reconstruct(b, b.test_image(int(i)), SEED) for i in idx)]
    np.testing.assert_allclose(neg_elbos(b, b.test_image(idx), SEED), brute, rtol=1e-4)


def test_the_elbo_parts_are_torch_distributions_at_the_first_posterior_draw():
    """The one-draw ELBO estimate against torch.distributions: -log Bernoulli(x | decode(z)) at z = mu + sigma * eps,
    eps the first of the N_SAMPLES draws with the seed, and KL(q(z|x) || N(0, I)) per dimension."""
    from torch.distributions import Bernoulli, Normal, kl_divergence

    b = load_bundle(ROOT / "checkpoints" / PAIR / "vae")
    x = b.test_image(np.arange(5))
    rec, kl = elbo_parts(b, x, SEED)
    xt = torch.as_tensor(x, dtype=torch.float32).reshape(-1, 1, 28, 28)
    with torch.no_grad():
        mu, logvar = b.model.encode(xt)
        q = Normal(mu, (0.5 * logvar).exp())
        eps = torch.randn((N_SAMPLES, mu.shape[1]), generator=torch.Generator().manual_seed(SEED))[0]
        p = Bernoulli(logits=b.model.decode(q.mean + q.stddev * eps), validate_args=False)
        ref_rec = -p.log_prob(xt).flatten(1).sum(1)
        ref_kl = kl_divergence(q, Normal(torch.zeros_like(mu), torch.ones_like(mu)))
    np.testing.assert_allclose(rec, ref_rec.numpy(), rtol=1e-5)
    np.testing.assert_allclose(kl, ref_kl.numpy(), rtol=1e-5, atol=1e-6)


def test_the_reference_is_every_test_image_or_a_fixed_subset():
    np.testing.assert_array_equal(reference_indices(360), np.arange(360))
    big = reference_indices(10_000)
    assert len(big) == MAX_IMAGES == len(set(big.tolist())) and big.max() < 10_000
    np.testing.assert_array_equal(big, reference_indices(10_000))     # the same subset every time


@pytest.mark.parametrize("data, expected", [
    (png(shirt()), True),
    (png(shirt(colour=(40, 90, 200)), fmt="JPEG"), True),
    (png(np.dstack([shirt(colour=(30, 30, 30))[..., 0], np.full((120, 90), 255, np.uint8)]), "LA"), False),
    (png(shirt(colour=(30, 30, 30))), False),                               # RGB, but every pixel grey
    (png(shirt(colour=(30, 30, 30)), fmt="JPEG"), False),                   # grey, with JPEG's colour noise
    (png(np.dstack([shirt(colour=(30, 30, 30)), np.full((120, 90), 255, np.uint8)]), "RGBA"), False),
    (png(np.dstack([shirt(), np.where(shirt()[..., 1] < 100, 0, 255).astype(np.uint8)]), "RGBA"), False),  # colour only where transparent
])
def test_colour_is_told_from_grey(data, expected):
    assert is_colour(data) is expected


def test_a_colour_upload_gets_the_colour_sentence(registry):
    up = read_upload(png(shirt()), box=28)
    assert up.colour and up.x.shape == (28, 28)
    assert [name for name, _ in up.steps][0] == "greyscale"           # the steps shown are unchanged
    text = elbo_text(registry, up.x, up.colour)
    assert text.startswith("### This image:") and COLOUR in text and "grey Fashion-MNIST" in text


def test_a_grey_upload_is_not_called_colour(registry):
    up = read_upload(png(shirt(colour=(30, 30, 30))), box=28)
    assert not up.colour
    assert COLOUR not in elbo_text(registry, up.x, up.colour)


def test_pure_noise_is_less_likely_than_99_percent_of_the_test_images(registry):
    noise = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    up = read_upload(png(noise), box=28)
    text = elbo_text(registry, up.x, up.colour)
    assert UNLIKELY in text and f"The VAE of {PAIR}" in text and COLOUR not in text
    nats = float(text.split("This image: ")[1].split(" nats")[0])
    assert nats > neg_elbo_percentile(registry.pair(PAIR)[0], 99, SEED)


def test_test_images_get_no_sentence(registry):
    b = registry.model_of(PAIR)
    for i in example_indices(b):
        text = elbo_text(registry, b.test_image(i))
        assert UNLIKELY not in text and COLOUR not in text, (i, text)
