"""Images from a model: prior samples, the 2-D manifold grid, traversals, interpolation paths, posteriors.

Every function takes the model and plain numbers and returns numpy images in [0, 1], (..., H, W) or (..., H, W, 3)
in colour (explorer/image_layout.py);
nothing here picks a device or a seed, and nothing changes the model's train/eval mode.
"""
from statistics import NormalDist
from typing import NamedTuple

import numpy as np
import torch

from explorer.image_layout import as_batch, as_images
from explorer.losses import reparameterise
from explorer.models import decode_mean


@torch.no_grad()
def decode_latents(model: torch.nn.Module, zs) -> np.ndarray:
    """Decode latents (n, D) to mean images (n, H, W[, 3]) float32 in [0, 1]."""
    z = torch.as_tensor(np.asarray(zs, dtype=np.float32))
    if z.ndim != 2 or z.shape[1] != model.config.latent_dim:
        raise ValueError(f"Expected latents of shape (n, {model.config.latent_dim}), got {tuple(z.shape)}.")
    return as_images(decode_mean(model, z))


def prior_latents(dim: int, n: int, temperature: float, seed: int) -> np.ndarray:
    """n draws z ~ N(0, temperature^2 I) of a `dim`-D latent, (n, dim) float32; the same seed gives the same."""
    if n < 1 or temperature < 0:
        raise ValueError(f"Need n >= 1 and temperature >= 0, got n={n}, temperature={temperature}.")
    generator = torch.Generator().manual_seed(seed)
    return (torch.randn((n, dim), generator=generator) * temperature).numpy()


def prior_samples(model: torch.nn.Module, n: int, temperature: float, seed: int) -> np.ndarray:
    """n decoded draws z ~ N(0, temperature^2 I), (n, H, W[, 3]); the same seed gives the same images."""
    return decode_latents(model, prior_latents(model.config.latent_dim, n, temperature, seed))


def manifold_axis(n: int, spacing: str = "normal", extent: tuple[float, float] | None = None) -> np.ndarray:
    """The n latent values along one axis of the manifold grid, increasing.

    spacing="normal": z = Phi^-1(p) for p evenly spaced over `extent` (default (0.05, 0.95)), as in
    Kingma & Welling 2014, fig. 4, so each cell holds equal prior mass; "linear": evenly spaced z over
    `extent` (default (-3, 3)).
    """
    if n < 2:
        raise ValueError(f"A manifold grid needs at least 2 images a side, got {n}.")
    if spacing == "normal":
        lo, hi = extent or (0.05, 0.95)
        if not 0 < lo < hi < 1:
            raise ValueError(f"Normal spacing takes probabilities 0 < lo < hi < 1, got {(lo, hi)}.")
        return np.array([NormalDist().inv_cdf(p) for p in np.linspace(lo, hi, n)])
    if spacing == "linear":
        lo, hi = extent or (-3.0, 3.0)
        return np.linspace(lo, hi, n)
    raise ValueError(f"Unknown spacing {spacing!r}; use 'normal' or 'linear'.")


def manifold_grid(model: torch.nn.Module, n: int, spacing: str = "normal",
                  extent: tuple[float, float] | None = None) -> np.ndarray:
    """Decoded n x n grid over a 2-D latent space, (n, n, H, W[, 3]): z1 grows left to right, z2 bottom to top."""
    if model.config.latent_dim != 2:
        raise ValueError(f"The manifold grid needs a 2-D latent space, but this model has "
                         f"{model.config.latent_dim} dimensions: use the traversals instead.")
    images = decode_latents(model, manifold_latents(n, spacing, extent))
    return images.reshape(n, n, *images.shape[1:])


def manifold_latents(n: int, spacing: str = "normal", extent: tuple[float, float] | None = None) -> np.ndarray:
    """The (n*n, 2) latents of the manifold grid, row-major: row 0 is the largest z2, as on a plot."""
    axis = manifold_axis(n, spacing, extent)
    z2, z1 = np.meshgrid(axis[::-1], axis, indexing="ij")
    return np.stack([z1.ravel(), z2.ravel()], axis=1)


def kl_order(kl_per_dim) -> list[int]:
    """Latent dimensions by descending KL (nats): the active units, which carry information, come first."""
    kl = np.asarray(kl_per_dim, dtype=np.float64).ravel()
    return [int(i) for i in np.argsort(-kl, kind="stable")]


def traversals(model: torch.nn.Module, z0, dims_order: list[int], n_steps: int = 9,
               span: float = 3.0) -> np.ndarray:
    """Vary one latent dimension at a time by -span..+span around z0: (len(dims_order), n_steps, H, W[, 3])."""
    z0 = np.asarray(z0, dtype=np.float64).ravel()
    d = model.config.latent_dim
    if z0.shape != (d,):
        raise ValueError(f"z0 must have {d} values, one per latent dimension, got {z0.size}.")
    bad = [i for i in dims_order if not 0 <= i < d]
    if bad or n_steps < 2:
        raise ValueError(f"Traversals need dimensions in 0..{d - 1} and n_steps >= 2, "
                         f"got dims {bad or list(dims_order)} and n_steps={n_steps}.")
    zs = traversal_latents(z0, dims_order, n_steps, span)                       # (n_dims, n_steps, D)
    images = decode_latents(model, zs.reshape(-1, d))
    return images.reshape(len(dims_order), n_steps, *images.shape[1:])


def traversal_latents(z0, dims_order: list[int], n_steps: int = 9, span: float = 3.0) -> np.ndarray:
    """(len(dims_order), n_steps, D): row r moves dimension dims_order[r] from -span to +span around z0."""
    z0 = np.asarray(z0, dtype=np.float64).ravel()
    zs = np.repeat(z0[None, None, :], len(dims_order), 0).repeat(n_steps, 1)
    for row, dim in enumerate(dims_order):
        zs[row, :, dim] += np.linspace(-span, span, n_steps)
    return zs


def interpolate(z_a, z_b, n: int, mode: str = "linear") -> np.ndarray:
    """n latents (n, D) from z_a to z_b, both included exactly; "spherical" is slerp (White, 2016).

    Slerp follows the arc between the two directions, so for equal norms the norm stays put and the path
    avoids the low-density centre of a high-dimensional Gaussian. For (anti)parallel vectors the arc is
    undefined and the straight line is used.
    """
    a, b = np.asarray(z_a, dtype=np.float64).ravel(), np.asarray(z_b, dtype=np.float64).ravel()
    if a.shape != b.shape or n < 2:
        raise ValueError(f"Interpolation needs two latents of one size and n >= 2, "
                         f"got sizes {a.size} and {b.size}, n={n}.")
    t = np.linspace(0.0, 1.0, n)[:, None]
    if mode not in ("linear", "spherical"):
        raise ValueError(f"Unknown interpolation mode {mode!r}; use 'linear' or 'spherical'.")
    norms = np.linalg.norm(a) * np.linalg.norm(b)
    cos = float(a @ b / norms) if norms > 0 else 1.0
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if mode == "linear" or np.sin(omega) < 1e-6:
        path = (1 - t) * a + t * b
    else:
        path = (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    path[0], path[-1] = a, b   # exact endpoints, free of rounding
    return path


@torch.no_grad()
def encode_mean(model: torch.nn.Module, x) -> np.ndarray:
    """The code of one image x (H, W[, 3]) in [0, 1]: the posterior mean for a VAE, z itself for an AE, (D,)."""
    mu, _ = model.encode(as_batch(x, model.config.image_shape))
    return mu[0].numpy()


def interpolation(model: torch.nn.Module, x_a, x_b, n: int, mode: str = "spherical") -> np.ndarray:
    """Decoded images (n, H, W[, 3]) along the path from image x_a's code to image x_b's (see `interpolate`)."""
    return decode_latents(model, interpolation_latents(model, x_a, x_b, n, mode))


def interpolation_latents(model: torch.nn.Module, x_a, x_b, n: int, mode: str = "spherical") -> np.ndarray:
    """The (n, D) latents from image x_a's code to image x_b's."""
    return interpolate(encode_mean(model, x_a), encode_mean(model, x_b), n, mode)


class Posterior(NamedTuple):
    mu: np.ndarray              # (D,) posterior mean (the code, for an AE)
    logvar: np.ndarray | None   # (D,) posterior log-variance; None for an AE
    images: np.ndarray          # (n, H, W[, 3]) decoded draws z ~ q(z|x)
    z: np.ndarray               # (n, D) the draws themselves, for plotting on a map


@torch.no_grad()
def posterior_samples(model: torch.nn.Module, x, n: int, seed: int) -> Posterior:
    """Encode one image x (H, W[, 3]) in [0, 1] and decode n draws from q(z|x); an AE's n draws are its code."""
    x = as_batch(x, model.config.image_shape)
    mu, logvar = model.encode(x)
    if logvar is None:
        z = mu.expand(n, -1)
    else:
        eps = torch.randn((n, mu.shape[1]), generator=torch.Generator().manual_seed(seed))
        z = reparameterise(mu, logvar, eps)
    return Posterior(mu[0].numpy(), None if logvar is None else logvar[0].numpy(), decode_latents(model, z),
                     z.numpy().copy())
