"""VAE versus AE: how much of the prior N(0, I) falls in holes between the data's codes.

A prior draw is in a hole when its nearest data code is farther than the data codes themselves usually
are from each other. The threshold comes from the codes (a quantile of their nearest-neighbour distances),
so it adapts to each model's scale: an AE whose codes spread to +-40 and a VAE held near N(0, I) are
judged by their own spacing, and the fraction measures how well the codes cover where the prior samples.
For a VAE the fair "codes" are draws from the aggregate posterior q(z) = mean_x q(z|x), not the means alone:
a VAE whose means huddle together but whose posteriors are wide still covers the prior.
"""
import numpy as np
import torch

from explorer.losses import reparameterise


def aggregate_posterior_draws(mu, logvar, per_code: int, seed: int) -> np.ndarray:
    """(N * per_code, D) draws z ~ q(z|x_i) for every test image i: samples of the aggregate posterior."""
    mu, logvar = _as_codes(mu, "posterior means"), _as_codes(logvar, "posterior log-variances")
    if mu.shape != logvar.shape or per_code < 1:
        raise ValueError(f"Means and log-variances must match and per_code be >= 1, got {mu.shape}, "
                         f"{logvar.shape}, {per_code}.")
    eps = np.random.default_rng(seed).standard_normal((per_code, *mu.shape))
    z = reparameterise(*(torch.from_numpy(a) for a in (mu, logvar, eps)))     # (per_code, N, D)
    return z.numpy().reshape(-1, mu.shape[1])


def hole_threshold(data_codes, quantile: float = 0.99) -> float:
    """The `quantile` of each data code's distance to its nearest other data code."""
    codes = _as_codes(data_codes, "data codes")
    if len(codes) < 2 or not 0 < quantile <= 1:
        raise ValueError(f"Need at least 2 data codes and 0 < quantile <= 1, got {len(codes)} and {quantile}.")
    from sklearn.neighbors import NearestNeighbors   # here, not at the top: a 1-2 s import the app's start skips

    nn = NearestNeighbors(n_neighbors=2, n_jobs=1).fit(codes)
    dist, _ = nn.kneighbors(codes)       # column 0 is the code itself (distance 0)
    return float(np.quantile(dist[:, 1], quantile))


def hole_mask(prior_draws, data_codes, threshold: float) -> np.ndarray:
    """(M,) True where a prior draw's nearest data code is farther than `threshold`."""
    draws, codes = _as_codes(prior_draws, "prior draws"), _as_codes(data_codes, "data codes")
    if draws.shape[1] != codes.shape[1]:
        raise ValueError(f"Prior draws have {draws.shape[1]} dimensions but data codes have {codes.shape[1]}.")
    from sklearn.neighbors import NearestNeighbors

    dist, _ = NearestNeighbors(n_neighbors=1, n_jobs=1).fit(codes).kneighbors(draws)
    return dist[:, 0] > threshold


def holes_fraction(prior_draws, data_codes, threshold: float | None = None,
                   quantile: float = 0.99) -> tuple[float, float]:
    """(share of prior draws in holes, the distance threshold used); the threshold defaults to the data's."""
    if threshold is None:
        threshold = hole_threshold(data_codes, quantile)
    return float(hole_mask(prior_draws, data_codes, threshold).mean()), float(threshold)


def _as_codes(a, what: str) -> np.ndarray:
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or len(a) == 0 or not np.isfinite(a).all():
        raise ValueError(f"The {what} must be a finite, non-empty (N, D) array, got shape {a.shape}.")
    return a
