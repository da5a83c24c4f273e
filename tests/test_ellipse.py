import numpy as np
import pytest

from explorer.ellipse import ellipse, projected_ellipse


@pytest.mark.parametrize("mu, var, n_sigma, exaggerate", [([0, 0], [1, 1], 1, 1),
                                                          ([2.0, -1.0], [0.04, 0.25], 2, 1),
                                                          ([0.5, 0.5], [1e-4, 4e-4], 3, 10)])
def test_axis_aligned_ellipse_lies_on_the_contour(mu, var, n_sigma, exaggerate):
    pts = ellipse(mu, var, n_sigma, n_points=50, exaggerate=exaggerate)
    assert pts.shape == (50, 2) and np.allclose(pts[0], pts[-1])
    r2 = (((pts - mu) / np.sqrt(var)) ** 2).sum(1)
    np.testing.assert_allclose(r2, (n_sigma * exaggerate) ** 2, rtol=1e-9)
    np.testing.assert_allclose(pts.max(0) - mu, np.sqrt(var) * n_sigma * exaggerate, rtol=1e-2)


@pytest.mark.parametrize("cov", [[[4.0, 1.5], [1.5, 1.0]], [[0.01, 0.0], [0.0, 0.09]],
                                 [[1.0, -0.99], [-0.99, 1.0]]])
def test_projected_ellipse_uses_the_sample_covariance(cov):
    rng = np.random.default_rng(0)
    pts = rng.multivariate_normal([3.0, -2.0], cov, size=4000)
    outline = projected_ellipse(pts, n_sigma=2.0)
    d = outline - pts.mean(0)
    mahal = np.einsum("ij,jk,ik->i", d, np.linalg.inv(np.cov(pts, rowvar=False)), d)
    np.testing.assert_allclose(mahal, 4.0, rtol=1e-6)
    np.testing.assert_allclose(np.cov(pts, rowvar=False), cov, atol=0.1 * np.abs(cov).max())


def test_projected_matches_axis_aligned_for_a_diagonal_cloud():
    rng = np.random.default_rng(1)
    pts = rng.normal([1.0, 2.0], [0.5, 2.0], size=(20000, 2))
    outline = projected_ellipse(pts, n_sigma=1.0, n_points=400, exaggerate=3.0)
    reference = ellipse(pts.mean(0), pts.var(0, ddof=1), 1.0, n_points=400, exaggerate=3.0)
    np.testing.assert_allclose(outline.max(0), reference.max(0), rtol=1e-3)
    np.testing.assert_allclose(outline.min(0), reference.min(0), rtol=1e-3)


def test_degenerate_cloud_gives_a_segment():
    pts = np.stack([np.linspace(0, 1, 10), np.zeros(10)], 1)
    outline = projected_ellipse(pts)
    assert np.isfinite(outline).all() and np.allclose(outline[:, 1], 0)


@pytest.mark.parametrize("call", [lambda: ellipse([0, 0], [-1, 1]), lambda: ellipse([0, 0, 0], [1, 1]),
                                  lambda: projected_ellipse(np.zeros((2, 2))),
                                  lambda: ellipse([0, 0], [1, 1], n_points=2)])
def test_ellipse_errors(call):
    with pytest.raises(ValueError):
        call()
