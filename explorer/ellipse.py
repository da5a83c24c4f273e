"""Outlines of Gaussian posteriors on a 2-D map: axis-aligned in a 2-D latent, fitted in a projection."""
import numpy as np


def unit_circle(n_points: int) -> np.ndarray:
    """(n_points, 2) points on the unit circle; the last repeats the first so a line trace closes."""
    if n_points < 3:
        raise ValueError(f"An outline needs at least 3 points, got {n_points}.")
    theta = np.linspace(0.0, 2 * np.pi, n_points)
    return np.stack([np.cos(theta), np.sin(theta)], axis=1)


def ellipse(mu2, var2, n_sigma: float = 1.0, n_points: int = 64, exaggerate: float = 1.0) -> np.ndarray:
    """The n_sigma contour of N(mu2, diag(var2)) in 2-D, (n_points, 2).

    `exaggerate` scales the radii: trained posteriors are often too small to see on the data's scale, so
    the UI may draw them larger (and should say so).
    """
    mu2, var2 = np.asarray(mu2, dtype=np.float64).ravel(), np.asarray(var2, dtype=np.float64).ravel()
    if mu2.shape != (2,) or var2.shape != (2,) or (var2 < 0).any():
        raise ValueError(f"Need a 2-D mean and two non-negative variances, "
                         f"got {mu2.tolist()} and {var2.tolist()}.")
    return mu2 + unit_circle(n_points) * np.sqrt(var2) * n_sigma * exaggerate


def projected_ellipse(points_2d, n_sigma: float = 1.0, n_points: int = 64,
                      exaggerate: float = 1.0) -> np.ndarray:
    """The n_sigma contour of the Gaussian fitted to points (m, 2), e.g. projected posterior draws.

    A projection mixes latent dimensions, so the outline is tilted: its axes are the eigenvectors of the
    sample covariance and its radii the square roots of the eigenvalues.
    """
    p = np.asarray(points_2d, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 3:
        raise ValueError(f"Need at least 3 points of shape (m, 2) to fit an outline, got {p.shape}.")
    values, vectors = np.linalg.eigh(np.cov(p, rowvar=False))
    radii = np.sqrt(np.clip(values, 0.0, None))     # rounding can leave a tiny negative eigenvalue
    return p.mean(0) + (unit_circle(n_points) * radii * n_sigma * exaggerate) @ vectors.T
