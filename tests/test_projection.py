import numpy as np
import pytest

from explorer.projection import GRID, LatentMap, bilinear, fit_maps, fit_pca, grid_nodes, padded_extent


@pytest.fixture(scope="module")
def codes():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 4, (5, 6))
    return np.concatenate([c + rng.normal(0, 0.5, (80, 6)) for c in centres])


def test_pca_inverse_round_trips_on_the_plane(codes):
    m = fit_pca(codes)
    xy = m.xy[:20]
    z, reliable = m.to_latent(xy)
    np.testing.assert_allclose(m.to_map(z), xy, atol=1e-4)
    assert reliable.all()


def test_pca_matches_scikit_learn(codes):
    from sklearn.decomposition import PCA

    ours, theirs = fit_pca(codes).xy, PCA(2).fit_transform(codes)
    for i in range(2):   # components agree up to sign
        assert abs(abs(np.corrcoef(ours[:, i], theirs[:, i])[0, 1]) - 1) < 1e-6


def test_bilinear_is_exact_for_a_linear_function():
    extent = np.array([-2.0, 3.0, -1.0, 4.0])
    nodes = grid_nodes(extent, 9)
    f = lambda p: np.stack([2 * p[:, 0] - p[:, 1] + 1, p[:, 1]], 1)
    grid = f(nodes).reshape(9, 9, 2)
    pts = np.random.default_rng(1).uniform([-2, -1], [3, 4], (50, 2))
    np.testing.assert_allclose(bilinear(grid, extent, pts), f(pts), atol=1e-9)


def test_unreliable_far_from_data_and_reliable_on_it(codes):
    m = fit_pca(codes)
    _, on_data = m.to_latent(m.xy)
    assert on_data.mean() > 0.99
    x0, x1, y0, y1 = m.extent
    corners = np.array([[x0, y0], [x1, y1], [x0, y1], [x1, y0]])
    gaps = [p for p in corners if np.min(np.linalg.norm(m.xy - p, axis=1)) > 2 * m.far_limit]
    assert gaps, "the synthetic clusters should leave empty corners"
    assert not m.to_latent(np.array(gaps))[1].any()
    assert not m.to_latent([[x1 + 100, y1 + 100]])[1].any()      # outside the map altogether


def test_two_dim_latents_map_to_themselves():
    z = np.random.default_rng(2).normal(size=(30, 2))
    m = fit_maps(z, seed=0, names=["pca", "umap"])["latent"]
    np.testing.assert_allclose(m.xy, z)
    back, reliable = m.to_latent(z[:3])
    np.testing.assert_allclose(back, z[:3], atol=1e-6)
    assert reliable.all()


def test_one_dim_latents_are_drawn_on_the_x_axis():
    z = np.linspace(-2, 2, 10)[:, None]
    m = fit_maps(z, seed=0, names=[])["latent"]
    assert m.xy.shape == (10, 2) and (m.xy[:, 1] == 0).all()
    assert m.to_latent([[0.5, 9.0]])[0].tolist() == [[0.5]]


@pytest.mark.slow
def test_umap_grid_inverse_lands_near_the_data(codes):
    m = fit_maps(codes, seed=0, names=["umap"])["umap"]
    assert m.grid.shape == (GRID, GRID, codes.shape[1])
    z, reliable = m.to_latent(m.xy[::10])
    # the inverse of a data point's map position is close to that point's own latent
    own = np.linalg.norm(z - codes[::10], axis=1)
    typical = np.linalg.norm(codes - codes.mean(0), axis=1).mean()
    assert np.median(own) < 0.25 * typical and reliable.mean() > 0.95
    # forward: each latent maps to (nearly) its own map point
    np.testing.assert_allclose(m.to_map(codes[:10]), m.xy[:10], atol=1e-3)


def test_arrays_round_trip(codes):
    m = fit_pca(codes)
    arrays = m.to_arrays()
    assert all(k.startswith("pca/") for k in arrays)
    back = LatentMap.from_arrays("pca", arrays, codes)
    pts = np.random.default_rng(3).uniform(m.extent[[0, 2]], m.extent[[1, 3]], (20, 2))
    np.testing.assert_allclose(back.to_latent(pts)[0], m.to_latent(pts)[0], atol=1e-4)
    np.testing.assert_array_equal(back.to_latent(pts)[1], m.to_latent(pts)[1])


def test_padded_extent_contains_the_data(codes):
    xy = codes[:, :2]
    x0, x1, y0, y1 = padded_extent(xy)
    assert x0 < xy[:, 0].min() and x1 > xy[:, 0].max() and y0 < xy[:, 1].min() and y1 > xy[:, 1].max()
