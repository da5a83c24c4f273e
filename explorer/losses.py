"""Pure functions: log-likelihoods, KL, ELBO parts and the IWAE bound, all in nats per image."""
import math

import torch
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)


def log_likelihood(x_logits, x, likelihood: str, sigma: float = 0.1) -> torch.Tensor:
    """log p(x|z) per image, (B,), for decoder logits (B, C, H, W) and targets in [0, 1]."""
    if likelihood == "bernoulli":
        # Bernoulli on grey levels: the per-pixel BCE, summed over pixels.
        return -F.binary_cross_entropy_with_logits(x_logits, x, reduction="none").flatten(1).sum(1)
    if likelihood == "gaussian":
        # Fixed-sigma Gaussian around the sigmoid mean: -(x - m)^2 / (2 sigma^2) - log(sigma) - log(2 pi) / 2.
        sq = (x - torch.sigmoid(x_logits)).pow(2).flatten(1).sum(1)
        n = x[0].numel()
        return -sq / (2 * sigma**2) - n * (math.log(sigma) + 0.5 * LOG_2PI)
    raise ValueError(f"Unknown likelihood {likelihood!r}; use 'bernoulli' or 'gaussian'.")


def reparameterise(mu, logvar, eps) -> torch.Tensor:
    """z = mu + sigma * eps: a draw from N(mu, exp(logvar)) that gradients flow through; eps ~ N(0, I), any
    leading batch dimensions (e.g. (k, B, D) for k draws per image)."""
    return mu + eps * torch.exp(0.5 * logvar)


def kl_per_dim(mu, logvar) -> torch.Tensor:
    """KL(N(mu, exp(logvar)) || N(0, 1)) for each latent dimension, (B, D), closed form."""
    return 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar)


def log_normal(z, mu, logvar) -> torch.Tensor:
    """log N(z; mu, diag(exp(logvar))) summed over the last dimension."""
    return -0.5 * (LOG_2PI + logvar + (z - mu).pow(2) / logvar.exp()).sum(-1)


def elbo_parts(model, x, generator=None) -> dict[str, torch.Tensor]:
    """One-sample ELBO split per image: reconstruction nats, KL nats, KL per dimension.

    For an AE there is no posterior: `kl_nats` is zero and `rec_nats` is -log p(x | z = f(x)).
    """
    cfg = model.config
    x_logits, mu, logvar = model(x, generator)
    rec = -log_likelihood(x_logits, x, cfg.likelihood, cfg.gaussian_sigma)  # (B,)
    if logvar is None:
        kl_dims = torch.zeros_like(mu)
    else:
        kl_dims = kl_per_dim(mu, logvar)                                        # (B, D)
    kl = kl_dims.sum(1)
    return {"rec_nats": rec, "kl_nats": kl, "kl_per_dim": kl_dims, "neg_elbo": rec + kl,
            "x_logits": x_logits, "mu": mu, "logvar": logvar}


def training_loss(parts: dict[str, torch.Tensor], beta: float = 1.0) -> torch.Tensor:
    """Batch mean of reconstruction nats + beta * KL nats (beta = 1 is the ELBO)."""
    return (parts["rec_nats"] + beta * parts["kl_nats"]).mean()


@torch.no_grad()
def iwae_bound(model, x, k: int = 64, generator=None, chunk: int = 64) -> torch.Tensor:
    """Importance-weighted lower bound on log p(x) with k samples, per image (B,).

    log (1/k) sum_i p(x|z_i) p(z_i) / q(z_i|x), z_i ~ q(z|x). k = 1 is the ELBO; it tightens as k grows.
    """
    cfg = model.config
    mu, logvar = model.encode(x)                       # (B, D)
    log_w = []
    for start in range(0, k, chunk):
        n = min(chunk, k - start)
        eps = torch.randn((n, *mu.shape), generator=generator, dtype=mu.dtype)
        z = reparameterise(mu, logvar, eps)             # (n, B, D)
        logits = model.decode(z.reshape(-1, mu.shape[1]))
        x_rep = x.unsqueeze(0).expand(n, *x.shape).reshape(-1, *x.shape[1:])
        log_px = log_likelihood(logits, x_rep, cfg.likelihood, cfg.gaussian_sigma).view(n, -1)
        log_pz = log_normal(z, torch.zeros_like(z), torch.zeros_like(z))
        log_qz = log_normal(z, mu, logvar)
        log_w.append(log_px + log_pz - log_qz)         # (n, B)
    log_w = torch.cat(log_w, 0)
    return torch.logsumexp(log_w, 0) - math.log(k)
