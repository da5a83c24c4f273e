import numpy as np
import pytest

from explorer.holes import hole_threshold
from explorer.map_fit import fit_maps, fit_pca
from explorer.projection import GRID, LatentMap, bilinear, grid_nodes, padded_extent


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
    assert on_data.all()
    x0, x1, y0, y1 = m.limits
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
    pts = np.random.default_rng(3).uniform(m.limits[[0, 2]], m.limits[[1, 3]], (20, 2))
    np.testing.assert_allclose(back.to_latent(pts)[0], m.to_latent(pts)[0], atol=1e-4)
    np.testing.assert_array_equal(back.to_latent(pts)[1], m.to_latent(pts)[1])


def test_padded_extent_contains_the_data(codes):
    xy = codes[:, :2]
    x0, x1, y0, y1 = padded_extent(xy)
    assert x0 < xy[:, 0].min() and x1 > xy[:, 0].max() and y0 < xy[:, 1].min() and y1 > xy[:, 1].max()


@pytest.mark.parametrize("name", ["pca", "umap"])
def test_at_a_dot_the_inverse_gives_that_images_code(codes, name):
    """The base inverse of a projection loses what the 2 axes do not keep; anchored at the data, the inverse at
    a test image's own dot is its code (to float32), even where dots of other clusters overlap."""
    m = fit_maps(codes, seed=0, names=[name])[name] if name == "umap" else fit_pca(codes)
    z, near = m.to_latent(m.xy)
    np.testing.assert_allclose(z, codes, atol=1e-4 * np.abs(codes).max())
    assert near.all()
    base = m.base_latent(m.xy)
    assert np.abs(base - codes).max() > 0.1, "the base inverse alone is not exact (else this test shows nothing)"
    rounded = m.to_latent(np.round(m.xy, 4))[0]    # where the page puts a dot (4 decimals)
    assert np.median(np.abs(rounded - codes).max(1)) < 1e-2


def test_between_two_dots_a_blend_and_far_away_the_base_inverse(codes):
    m = fit_pca(codes)
    a, b = 0, 1    # two dots of one cluster
    mid = (m.xy[a] + m.xy[b]) / 2
    z = m.to_latent(mid[None])[0][0]
    lo, hi = np.minimum(codes[a], codes[b]), np.maximum(codes[a], codes[b])
    inside = (z >= lo - 0.5) & (z <= hi + 0.5)
    assert inside.mean() > 0.8, "near two dots the latent lies between (or near) their codes"
    far = np.array([[m.limits[1], m.limits[3]]])
    np.testing.assert_allclose(m.to_latent(far)[0], m.base_latent(far), atol=1e-3)


def test_the_far_rule_is_the_holes_rule_and_greys_the_grid(codes):
    m = fit_pca(codes)
    assert m.far_limit == pytest.approx(hole_threshold(m.xy, 0.99))
    assert m.far.shape == (128, 128)
    np.testing.assert_allclose(m.far_extent, m.limits)
    nodes = grid_nodes(m.far_extent, 128)
    want = np.sqrt(((nodes[:, None] - m.xy[None]) ** 2).sum(-1)).min(1)
    np.testing.assert_allclose(m.far.ravel(), want, atol=1e-6)
    two_d = fit_maps(codes[:, :2], seed=0, names=[])["latent"]
    assert two_d.far is not None and np.isfinite(two_d.far_limit), "2-D maps have the same field"
