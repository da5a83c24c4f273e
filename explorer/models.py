"""Encoders and decoders (MLP and convolutional), and the VAE / plain-AE pair built from the same parts.

Both models decode to pixel logits of shape (B, 1, 28, 28); what those logits mean (Bernoulli logits or
the sigmoid-squashed mean of a fixed-sigma Gaussian) is the likelihood's business, in `losses.py`.
"""
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from explorer.losses import reparameterise

IMAGE_SHAPE = (1, 28, 28)
N_PIXELS = 28 * 28


@dataclass
class ModelConfig:
    kind: str = "vae"                # "vae" | "ae"
    arch: str = "mlp"                # "mlp" | "conv"
    latent_dim: int = 2
    likelihood: str = "bernoulli"    # "bernoulli" | "gaussian"
    gaussian_sigma: float = 0.1      # fixed decoder std for the Gaussian likelihood
    hidden: list[int] = field(default_factory=lambda: [512, 256])  # MLP widths, or conv channels

    def __post_init__(self):
        checks = {
            "kind": self.kind in ("vae", "ae"),
            "arch": self.arch in ("mlp", "conv"),
            "likelihood": self.likelihood in ("bernoulli", "gaussian"),
            "latent_dim": isinstance(self.latent_dim, int) and self.latent_dim >= 1,
            "gaussian_sigma": self.gaussian_sigma > 0,
            "hidden": len(self.hidden) >= 1 and all(int(h) > 0 for h in self.hidden),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"Invalid model config value(s) for {', '.join(bad)}: {asdict(self)}")
        self.hidden = [int(h) for h in self.hidden]

    def to_dict(self) -> dict:
        return asdict(self)


def mlp_encoder(hidden: list[int]) -> nn.Module:
    """784 -> hidden[0] -> ... -> hidden[-1], ReLU after each layer."""
    layers, width = [nn.Flatten()], N_PIXELS
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers)


def mlp_decoder(latent_dim: int, hidden: list[int]) -> nn.Module:
    """latent -> reversed(hidden) -> 784 logits."""
    layers, width = [], latent_dim
    for h in reversed(hidden):
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers += [nn.Linear(width, N_PIXELS), nn.Unflatten(1, IMAGE_SHAPE)]
    return nn.Sequential(*layers)


def conv_encoder(channels: list[int]) -> nn.Module:
    """Two stages (28 -> 14 -> 7) of a 4x4 stride-2 conv and a 3x3 conv, then dense: channels = [c1, c2, dense]."""
    c1, c2, dense = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, 4, stride=2, padding=1), nn.ReLU(),   # (B, c1, 14, 14)
        nn.Conv2d(c1, c1, 3, padding=1), nn.ReLU(),
        nn.Conv2d(c1, c2, 4, stride=2, padding=1), nn.ReLU(),  # (B, c2, 7, 7)
        nn.Conv2d(c2, c2, 3, padding=1), nn.ReLU(),
        nn.Flatten(), nn.Linear(c2 * 7 * 7, dense), nn.ReLU(),
    )


def conv_decoder(latent_dim: int, channels: list[int]) -> nn.Module:
    """Mirror of `conv_encoder`: dense -> (c2, 7, 7) -> two stages of a 3x3 and a 4x4 stride-2 transposed conv.

    The 3x3 layers are stride-1 transposed convs (a conv with its kernel flipped), so the whole decoder is
    three kinds of layer, which the browser decoder (static/latent_decoder.js) runs as they are. At [32, 64, 512]
    the 3x3 layers buy 0.8 nats of test ELBO after 80 epochs for twice the browser's decode time, ~3 ms instead
    of ~1.5 (bench/conv_depth.py, BENCHMARKS.md).
    """
    c1, c2, dense = channels
    return nn.Sequential(
        nn.Linear(latent_dim, dense), nn.ReLU(),
        nn.Linear(dense, c2 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (c2, 7, 7)),
        nn.ConvTranspose2d(c2, c2, 3, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(c2, c1, 4, stride=2, padding=1), nn.ReLU(),  # (B, c1, 14, 14)
        nn.ConvTranspose2d(c1, c1, 3, padding=1), nn.ReLU(),
        nn.ConvTranspose2d(c1, 1, 4, stride=2, padding=1),              # (B, 1, 28, 28)
    )


def build_parts(config: ModelConfig) -> tuple[nn.Module, int, nn.Module]:
    """Encoder body, its output width, and decoder for `config.arch`."""
    if config.arch == "mlp":
        return mlp_encoder(config.hidden), config.hidden[-1], mlp_decoder(config.latent_dim, config.hidden)
    if len(config.hidden) != 3:
        raise ValueError(f"The conv backbone takes hidden=[c1, c2, dense], got {config.hidden}")
    return conv_encoder(config.hidden), config.hidden[-1], conv_decoder(config.latent_dim, config.hidden)


class VAE(nn.Module):
    """q(z|x) = N(mu, diag(exp(logvar))), p(z) = N(0, I), p(x|z) from decoder logits."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.encoder, width, self.decoder = build_parts(config)
        self.head = nn.Linear(width, 2 * config.latent_dim)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mu, logvar = self.head(self.encoder(x)).chunk(2, dim=-1)
        return mu, logvar  # (B, D), (B, D)

    def sample_posterior(self, mu, logvar, generator=None):
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
        return reparameterise(mu, logvar, eps)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)  # (B, 1, 28, 28) logits

    def forward(self, x, generator=None):
        mu, logvar = self.encode(x)
        z = self.sample_posterior(mu, logvar, generator)
        return self.decode(z), mu, logvar


class AE(nn.Module):
    """The same encoder body and decoder as the VAE, with a deterministic code z = f(x)."""

    def __init__(self, config: ModelConfig):
        super().__init__()
        self.config = config
        self.encoder, width, self.decoder = build_parts(config)
        self.head = nn.Linear(width, config.latent_dim)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, None]:
        return self.head(self.encoder(x)), None  # (B, D), no variance

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(z)

    def forward(self, x, generator=None):
        z, _ = self.encode(x)
        return self.decode(z), z, None


def build_model(config: ModelConfig) -> nn.Module:
    """A fresh, untrained VAE or AE for `config`."""
    return VAE(config) if config.kind == "vae" else AE(config)


def decode_mean(model: nn.Module, z: torch.Tensor) -> torch.Tensor:
    """Mean image E[x|z] in [0, 1], (B, 1, 28, 28): the sigmoid of the logits for both likelihoods."""
    return torch.sigmoid(model.decode(z))
