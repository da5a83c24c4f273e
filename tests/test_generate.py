import numpy as np
import pytest
import torch
from scipy.stats import norm

from explorer.generate import (decode_latents, interpolate, kl_order, manifold_axis, manifold_grid,
                               posterior_samples, prior_samples, traversals)
from explorer.models import ModelConfig, build_model


def tiny(kind: str = "vae", latent_dim: int = 2) -> torch.nn.Module:
    return build_model(ModelConfig(kind=kind, latent_dim=latent_dim, hidden=[32, 16])).eval()


@pytest.mark.parametrize("latent_dim", [2, 8])
def test_prior_samples_follow_the_seed(latent_dim):
    model = tiny(latent_dim=latent_dim)
    a, b = prior_samples(model, 6, 1.0, seed=3), prior_samples(model, 6, 1.0, seed=3)
    assert a.shape == (6, 28, 28) and a.dtype == np.float32 and 0 <= a.min() and a.max() <= 1
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, prior_samples(model, 6, 1.0, seed=4))


@pytest.mark.parametrize("temperature", [0.0, 0.5, 2.0])
def test_temperature_scales_the_prior_std(temperature):
    model = tiny(latent_dim=4)
    z = torch.randn((5, 4), generator=torch.Generator().manual_seed(7)) * temperature
    np.testing.assert_allclose(prior_samples(model, 5, temperature, seed=7), decode_latents(model, z), atol=1e-6)


def test_temperature_zero_gives_identical_images():
    images = prior_samples(tiny(), 4, 0.0, seed=1)
    assert all(np.array_equal(images[0], im) for im in images)


@pytest.mark.parametrize("spacing, extent, ends", [
    ("normal", None, (norm.ppf(0.05), norm.ppf(0.95))),
    ("normal", (0.01, 0.99), (norm.ppf(0.01), norm.ppf(0.99))),
    ("linear", None, (-3.0, 3.0)),
    ("linear", (-1.0, 2.0), (-1.0, 2.0)),
])
def test_manifold_axis(spacing, extent, ends):
    axis = manifold_axis(7, spacing, extent)
    np.testing.assert_allclose([axis[0], axis[-1]], ends, atol=1e-9)
    assert (np.diff(axis) > 0).all()
    if spacing == "normal":   # equal prior mass between neighbours
        assert np.allclose(np.diff(norm.cdf(axis)), np.diff(norm.cdf(axis))[0])


@pytest.mark.parametrize("spacing", ["normal", "linear"])
def test_manifold_corners(spacing):
    model, n = tiny(), 5
    grid = manifold_grid(model, n, spacing)
    lo, hi = manifold_axis(n, spacing)[[0, -1]]
    assert grid.shape == (n, n, 28, 28)
    corners = {(0, 0): (lo, hi), (0, n - 1): (hi, hi), (n - 1, 0): (lo, lo), (n - 1, n - 1): (hi, lo)}
    for (r, c), z in corners.items():   # top row = largest z2, left column = smallest z1
        np.testing.assert_allclose(grid[r, c], decode_latents(model, [z])[0], atol=1e-6)


@pytest.mark.parametrize("bad", [dict(latent_dim=8), dict(spacing="log"), dict(n=1)])
def test_manifold_errors(bad):
    model = tiny(latent_dim=bad.pop("latent_dim", 2))
    with pytest.raises(ValueError, match="2-D latent space|spacing|at least 2"):
        manifold_grid(model, **{"n": 4, **bad})


@pytest.mark.parametrize("kl, order", [([0.1, 3.0, 0.0, 1.5], [1, 3, 0, 2]),
                                       ([0.0, 0.0, 2.0], [2, 0, 1]),   # ties keep index order
                                       (np.array([[5.0, 6.0]]), [1, 0])])
def test_kl_order(kl, order):
    assert kl_order(kl) == order


@pytest.mark.parametrize("n_steps", [3, 7])
def test_traversals_vary_one_dimension(n_steps):
    model = tiny(latent_dim=4)
    z0 = np.array([0.3, -0.2, 1.0, 0.0])
    out = traversals(model, z0, [2, 0], n_steps, span=2.0)
    assert out.shape == (2, n_steps, 28, 28)
    for row, dim in enumerate([2, 0]):
        zs = np.repeat(z0[None], n_steps, 0)
        zs[:, dim] += np.linspace(-2.0, 2.0, n_steps)
        np.testing.assert_allclose(out[row], decode_latents(model, zs), atol=1e-6)
        np.testing.assert_allclose(out[row, n_steps // 2], decode_latents(model, [z0])[0], atol=1e-6)


@pytest.mark.parametrize("z0, dims, n_steps", [(np.zeros(3), [0], 5), (np.zeros(4), [4], 5),
                                               (np.zeros(4), [-1], 5), (np.zeros(4), [0], 1)])
def test_traversal_errors(z0, dims, n_steps):
    with pytest.raises(ValueError):
        traversals(tiny(latent_dim=4), z0, dims, n_steps)


@pytest.mark.parametrize("mode", ["linear", "spherical"])
@pytest.mark.parametrize("a, b", [([1.0, 2.0, -0.5], [-0.3, 0.1, 2.2]), ([1.0, 0.0], [2.0, 0.0]),
                                  ([1.0, 1.0], [-1.0, -1.0]), ([0.0, 0.0], [1.0, 2.0])])
def test_interpolation_endpoints_are_exact(mode, a, b):
    path = interpolate(a, b, 6, mode)
    assert path.shape == (6, len(a)) and np.isfinite(path).all()
    assert np.array_equal(path[0], a) and np.array_equal(path[-1], b)


def test_slerp_keeps_the_norm_and_linear_cuts_the_corner():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=16), rng.normal(size=16)
    b *= np.linalg.norm(a) / np.linalg.norm(b)
    norms = np.linalg.norm(interpolate(a, b, 9, "spherical"), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(a), rtol=1e-9)
    assert np.linalg.norm(interpolate(a, b, 9, "linear")[4]) < 0.9 * np.linalg.norm(a)


def test_slerp_of_orthogonal_unit_vectors():
    mid = interpolate([1.0, 0.0], [0.0, 1.0], 3, "spherical")[1]
    np.testing.assert_allclose(mid, [np.sqrt(0.5), np.sqrt(0.5)], atol=1e-12)


def test_slerp_of_parallel_vectors_is_the_line():
    np.testing.assert_allclose(interpolate([1.0, 2.0], [2.0, 4.0], 5, "spherical"),
                               interpolate([1.0, 2.0], [2.0, 4.0], 5, "linear"))


@pytest.mark.parametrize("args", [([0, 0], [0, 0, 0], 4, "linear"), ([0, 0], [1, 1], 1, "linear"),
                                  ([0, 0], [1, 1], 4, "cubic")])
def test_interpolation_errors(args):
    with pytest.raises(ValueError):
        interpolate(*args)


def test_decode_latents_checks_shape():
    model = tiny(latent_dim=3)
    assert decode_latents(model, np.zeros((4, 3))).shape == (4, 28, 28)
    with pytest.raises(ValueError, match=r"\(n, 3\)"):
        decode_latents(model, np.zeros((4, 2)))


def test_vae_posterior_samples():
    model = tiny(latent_dim=3)
    x = np.random.default_rng(0).random((28, 28)).astype(np.float32)
    post = posterior_samples(model, x, n=5, seed=2)
    mu, logvar = model.encode(torch.from_numpy(x).reshape(1, 1, 28, 28))
    np.testing.assert_allclose(post.mu, mu[0].detach().numpy(), atol=1e-6)
    np.testing.assert_allclose(post.logvar, logvar[0].detach().numpy(), atol=1e-6)
    eps = torch.randn((5, 3), generator=torch.Generator().manual_seed(2)).numpy()
    np.testing.assert_allclose(post.z, post.mu + eps * np.exp(0.5 * post.logvar), atol=1e-5)
    np.testing.assert_allclose(post.images, decode_latents(model, post.z), atol=1e-6)
    np.testing.assert_array_equal(post.images, posterior_samples(model, x, n=5, seed=2).images)


def test_ae_posterior_is_a_point():
    model = tiny(kind="ae", latent_dim=3)
    post = posterior_samples(model, np.zeros((28, 28)), n=4, seed=0)
    assert post.logvar is None and post.images.shape == (4, 28, 28)
    assert all(np.array_equal(post.images[0], im) for im in post.images)


def test_traversal_labels_grow_with_the_grid_they_label():
    """A wide traversal is shown shrunk to its column: its label column (and font) is a share of its width."""
    from PIL import Image

    from explorer.app.views.generate import label_rows

    narrow = label_rows(Image.new("L", (400, 300), 0), ["z1: 2.9 nats"] * 4, row_height=75)
    wide = label_rows(Image.new("L", (2100, 672), 0), ["z1: 2.9 nats"] * 8, row_height=84)
    assert narrow.width == 400 + 150
    assert (wide.width - 2100) / wide.width >= 0.17, wide.width
    ink = np.asarray(wide)[:, : wide.width - 2100] < 128
    rows_with_ink = np.flatnonzero(ink[:84].any(axis=1))
    assert rows_with_ink.max() - rows_with_ink.min() >= 20, "the label's letters are at least 20 px tall"
