"""Encoders and decoders (MLP and convolutional), and the VAE / plain-AE pair built from the same parts.

Both models decode to pixel logits of shape (B, C, H, W), the config's `image_shape` ((1, 28, 28) for the
MNIST-style sets, (3, 32, 32) or (3, 64, 64) for colour); what those logits mean (Bernoulli logits or the
sigmoid-squashed mean of a fixed-sigma Gaussian) is the likelihood's business, in `losses.py`.
"""
import math
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from explorer.losses import reparameterise

IMAGE_SHAPE = (1, 28, 28)   # the MNIST-style default; a config without image_shape predates colour models
IMAGE_SIZES = (28, 32, 64)


@dataclass
class ModelConfig:
    kind: str = "vae"                # "vae" | "ae"
    arch: str = "mlp"                # "mlp" | "conv"
    latent_dim: int = 2
    likelihood: str = "bernoulli"    # "bernoulli" | "gaussian"
    gaussian_sigma: float = 0.1      # fixed decoder std for the Gaussian likelihood
    hidden: list[int] = field(default_factory=lambda: [512, 256])  # MLP widths, or conv channels
    image_shape: list[int] = field(default_factory=lambda: list(IMAGE_SHAPE))  # (C, H, W) of an input

    def __post_init__(self):
        checks = {
            "kind": self.kind in ("vae", "ae"),
            "arch": self.arch in ("mlp", "conv"),
            "likelihood": self.likelihood in ("bernoulli", "gaussian"),
            "latent_dim": isinstance(self.latent_dim, int) and self.latent_dim >= 1,
            "gaussian_sigma": self.gaussian_sigma > 0,
            "hidden": len(self.hidden) >= 1 and all(int(h) > 0 for h in self.hidden),
            "image_shape": (len(self.image_shape) == 3 and int(self.image_shape[0]) in (1, 3)
                            and int(self.image_shape[1]) == int(self.image_shape[2])
                            and int(self.image_shape[1]) in IMAGE_SIZES),
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise ValueError(f"Invalid model config value(s) for {', '.join(bad)}: {asdict(self)}")
        self.hidden = [int(h) for h in self.hidden]
        self.image_shape = [int(v) for v in self.image_shape]

    def to_dict(self) -> dict:
        return asdict(self)


def mlp_encoder(hidden: list[int], image_shape) -> nn.Module:
    """C*H*W -> hidden[0] -> ... -> hidden[-1], ReLU after each layer."""
    layers, width = [nn.Flatten()], math.prod(image_shape)
    for h in hidden:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    return nn.Sequential(*layers)


def mlp_decoder(latent_dim: int, hidden: list[int], image_shape) -> nn.Module:
    """latent -> reversed(hidden) -> C*H*W logits."""
    layers, width = [], latent_dim
    for h in reversed(hidden):
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers += [nn.Linear(width, math.prod(image_shape)), nn.Unflatten(1, tuple(image_shape))]
    return nn.Sequential(*layers)


def conv_stages(channels: list[int], image_shape) -> int:
    """How many stride-2 stages `channels` = [c1, ..., ck, dense] asks for; each halves the side, which must stay whole
    (28 -> 14 -> 7 with two stages; 32 -> 16 -> 8 with two, 64 -> 32 -> 16 -> 8 with three)."""
    stages, side = len(channels) - 1, image_shape[1]
    if not 2 <= stages <= 3:
        raise ValueError(f"The conv backbone takes hidden=[c1, c2, dense] or [c1, c2, c3, dense], got {channels}.")
    if side % 2 ** stages:
        raise ValueError(f"The conv backbone halves a {side}x{side} image once per channel count in hidden "
                         f"(then a dense width): {channels} halves it {stages} times, which {side} does not allow.")
    return stages


def conv_encoder(channels: list[int], image_shape) -> nn.Module:
    """A 4x4 stride-2 conv and a 3x3 conv per stage (28 -> 14 -> 7 for [c1, c2, dense]), then dense."""
    stages = conv_stages(channels, image_shape)
    layers, c_in = [], image_shape[0]
    for c in channels[:-1]:
        layers += [nn.Conv2d(c_in, c, 4, stride=2, padding=1), nn.ReLU(), nn.Conv2d(c, c, 3, padding=1), nn.ReLU()]
        c_in = c
    side = image_shape[1] // 2 ** stages
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(c_in * side * side, channels[-1]), nn.ReLU())


def conv_decoder(latent_dim: int, channels: list[int], image_shape) -> nn.Module:
    """Mirror of `conv_encoder`: dense -> (ck, side, side) -> per stage a 3x3 and a 4x4 stride-2 transposed conv.

    The 3x3 layers are stride-1 transposed convs (a conv with its kernel flipped), so the whole decoder is
    three kinds of layer, which the browser decoder (static/decoder.js) runs as they are. At [32, 64, 512]
    the 3x3 layers buy 0.8 nats of test ELBO after 80 epochs for twice the browser's decode time, ~3 ms instead
    of ~1.5 (bench/conv_depth.py, BENCHMARKS.md).
    """
    stages = conv_stages(channels, image_shape)
    side, convs = image_shape[1] // 2 ** stages, channels[:-1]
    layers = [nn.Linear(latent_dim, channels[-1]), nn.ReLU(),
              nn.Linear(channels[-1], convs[-1] * side * side), nn.ReLU(), nn.Unflatten(1, (convs[-1], side, side))]
    outs = [*reversed(convs[:-1]), image_shape[0]]
    for c, c_out in zip(reversed(convs), outs):
        layers += [nn.ConvTranspose2d(c, c, 3, padding=1), nn.ReLU(), nn.ConvTranspose2d(c, c_out, 4, stride=2, padding=1),
                   nn.ReLU()]
    return nn.Sequential(*layers[:-1])   # logits: no ReLU after the last layer


def build_parts(config: ModelConfig) -> tuple[nn.Module, int, nn.Module]:
    """Encoder body, its output width, and decoder for `config.arch`."""
    shape = config.image_shape
    if config.arch == "mlp":
        return mlp_encoder(config.hidden, shape), config.hidden[-1], mlp_decoder(config.latent_dim, config.hidden, shape)
    return conv_encoder(config.hidden, shape), config.hidden[-1], conv_decoder(config.latent_dim, config.hidden, shape)


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
        return self.decoder(z)  # (B, C, H, W) logits

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
    """Mean image E[x|z] in [0, 1], (B, C, H, W): the sigmoid of the logits for both likelihoods."""
    return torch.sigmoid(model.decode(z))
