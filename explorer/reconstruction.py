"""One image through a VAE and its AE twin: reconstruction, posterior draws, ELBO split, and map overlays."""
from dataclasses import dataclass

import numpy as np
import torch

from explorer.bundle import Bundle
from explorer.ellipse import ellipse, projected_ellipse
from explorer.generate import decode_latents, posterior_samples
from explorer.image_layout import as_batch
from explorer.losses import kl_per_dim, log_likelihood, reparameterise

N_SAMPLES = 16
N_PROJECTED = 256    # posterior draws whose projection gives the ellipse on a PCA / UMAP map


@dataclass
class Reconstruction:
    recon: np.ndarray             # (H, W[, 3]) decode of the posterior mean (the code, for an AE)
    samples: np.ndarray           # (16, H, W[, 3]) decodes of z ~ q(z|x) (all equal for an AE)
    mu: np.ndarray                # (D,)
    logvar: np.ndarray | None     # (D,), None for an AE
    rec_nats: float               # -log p(x|z) at one posterior draw (the ELBO's estimate); at z = f(x) for an AE
    kl_per_dim: np.ndarray | None

    @property
    def kl_nats(self) -> float:
        return float(self.kl_per_dim.sum()) if self.kl_per_dim is not None else 0.0


BATCH = 100


def _elbo_split(model, xt: torch.Tensor, z: torch.Tensor, mu: torch.Tensor, logvar) -> tuple[np.ndarray, np.ndarray | None]:
    """-log p(x|z) (B,) of images xt (B, C, H, W) at codes z (B, D), and KL(q(z|x) || N(0, I)) per dimension
    (B, D), None for an AE."""
    cfg = model.config
    rec = -log_likelihood(model.decode(z), xt, cfg.likelihood, cfg.gaussian_sigma).numpy()
    return rec, None if logvar is None else kl_per_dim(mu, logvar).numpy()


@torch.no_grad()
def elbo_parts(bundle: Bundle, x: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray | None]:
    """The ELBO of images x (N, H, W[, 3]) in [0, 1], split: (N,) reconstruction nats, -log p(x|z), at one posterior
    draw z, the first of the N_SAMPLES that `reconstruct` draws with this seed (so the same noise eps for every
    image), and (N, D) KL nats per dimension; for an AE, -log p(x | z = f(x)) and None."""
    model = bundle.model
    eps = None
    recs, kls = [], []
    for start in range(0, len(x), BATCH):
        xt = as_batch(x[start:start + BATCH], model.config.image_shape)
        mu, logvar = model.encode(xt)                                                   # (B, D)
        z = mu
        if logvar is not None:
            if eps is None:
                eps = torch.randn((N_SAMPLES, mu.shape[1]), generator=torch.Generator().manual_seed(seed))[0]
            z = reparameterise(mu, logvar, eps)
        rec, kl = _elbo_split(model, xt, z, mu, logvar)
        recs.append(rec)
        if kl is not None:
            kls.append(kl)
    rec = np.concatenate(recs) if recs else np.zeros(0, np.float32)
    return rec, (np.concatenate(kls) if kls else None)


@torch.no_grad()
def reconstruct(bundle: Bundle, x: np.ndarray, seed: int) -> Reconstruction:
    """Encode x (H, W[, 3]) in [0, 1], decode its mean and 16 posterior draws, and split its ELBO (at the first draw,
    as elbo_parts does)."""
    model = bundle.model
    post = posterior_samples(model, x, N_SAMPLES, seed)
    xt = as_batch(x, model.config.image_shape)
    logvar = None if post.logvar is None else torch.from_numpy(post.logvar)[None]
    rec, kl = _elbo_split(model, xt, torch.as_tensor(post.z[:1]), torch.from_numpy(post.mu)[None], logvar)
    return Reconstruction(decode_latents(model, post.mu[None])[0], post.images, post.mu, post.logvar,
                          float(rec[0]), None if kl is None else kl[0])


def map_overlay(bundle: Bundle, map_name: str, r: Reconstruction, seed: int, exaggerate: float = 1.0) -> dict:
    """Where the image lands on a map: its code as a point, and for a VAE the 1σ and 2σ outlines of q(z|x).

    On a 2-D latent the outlines are the true axis-aligned ellipses; on a projected map they are fitted to
    the projection of posterior draws, since a projection mixes dimensions.
    """
    m = bundle.maps[map_name]
    point = m.to_map(r.mu[None])[0]
    # The exact code travels with its map point: on a projected map the point's inverse is only near mu, and the
    # decode beside the map must be the reconstruction itself until the cursor moves.
    out = {"point": point.tolist(), "z": r.mu.astype(float).tolist(), "ellipses": [], "exaggerate": exaggerate}
    if r.logvar is None:
        return out
    if map_name == "latent":
        var = np.exp(r.logvar)
        var2 = np.pad(var, (0, 2 - len(var)))
        rings = [ellipse(r.mu[:2] if len(r.mu) >= 2 else np.pad(r.mu, (0, 1)), var2, s, exaggerate=exaggerate)
                 for s in (1, 2)]
    else:
        eps = np.random.default_rng(seed).standard_normal((N_PROJECTED, len(r.mu)))
        draws = m.to_map(reparameterise(*(torch.from_numpy(a) for a in (r.mu, r.logvar, eps))).numpy())
        rings = [projected_ellipse(draws, s, exaggerate=exaggerate) for s in (1, 2)]
    out["ellipses"] = [{"sigma": s, "xy": ring.round(5).tolist()} for s, ring in zip((1, 2), rings)]
    return out


def posterior_extent(bundle: Bundle, map_name: str, r: Reconstruction) -> float:
    """The 1σ outline's size relative to the map's span: below ~1% it is invisible without exaggeration."""
    if r.logvar is None:
        return 0.0
    span = np.ptp(bundle.maps[map_name].xy, axis=0).max()
    return float(np.exp(0.5 * r.logvar).max() / max(span, 1e-9))
