"""Any PyTorch autoencoder as explorer's code expects a model to be (OwnModel), and rebuilt from its bundle.

Explorer calls `encode(x) -> (mu, logvar | None)` on (B, C, H, W) images in [0, 1], `decode(z) -> (B, C, H, W)`
logits and `model(x, generator) -> (logits, mu, logvar)`, and reads `model.config`. A model of one's own has its
own conventions (pytorch/examples' VAE encodes flattened 784-vectors and decodes to sigmoid probabilities), so
OwnModel translates between the two and computes nothing else.

A bundle of an own model records where its class comes from, an importable factory ("my_vae:VAE") with JSON
keyword arguments, and holds the model's own state_dict: loading is factory(**kwargs) plus its weights, nothing
unpickled. Importing that module runs its code, and the bundle chose it, so it is imported only with consent.
"""
import functools
import importlib
from dataclasses import asdict, dataclass, field

import torch
from torch import nn

from explorer.bundle_checks import FACTORY, BundleError
from explorer.losses import reparameterise

INPUTS = ("images", "flat")            # encode takes (B, C, H, W), or (B, C*H*W)
OUTPUTS = ("logits", "probabilities")  # decode returns logits, or probabilities in [0, 1] (it ends in a sigmoid)
LIKELIHOODS = ("bernoulli", "gaussian")
EPS = 1e-6         # probabilities are clamped to [EPS, 1 - EPS] before their logit: a sigmoid's 0 and 1 stay finite
PROBE = 8          # images (or codes) that OwnModel passes through the model to learn its shapes
REFUSED = ("config.json builds this bundle's model by calling {factory}, code the bundle names: load it only if "
           "you trust whoever made the bundle, with `python app.py --allow-model-code` or load_bundle(path, "
           "allow_model_code=True).")


@dataclass
class OwnModelConfig:
    """What explorer reads of a model (kind, latent size, likelihood, image shape), and in `source` what the
    user's model takes and gives ("inputs", "outputs") and, once exported, how to build it ("factory", "kwargs")."""
    kind: str                        # "vae": encode returns (mu, logvar); "ae": encode returns z
    latent_dim: int
    likelihood: str = "bernoulli"    # "bernoulli" | "gaussian"
    gaussian_sigma: float = 0.1
    image_shape: list[int] = field(default_factory=lambda: [1, 28, 28])   # (C, H, W)
    arch: str = "custom"             # what the app's labels show in place of "mlp" or "conv"
    source: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)


class NotForBrowser(nn.Module):
    """Stands in for a network the browser cannot be sent; browser_export names it and the server runs the model."""

    def __init__(self, why: str):
        super().__init__()
        self.why = why

    def __repr__(self) -> str:   # what browser_export's message shows after the class name
        return self.why


class OwnModel(nn.Module):
    """A user's nn.Module with `encode(x) -> (mu, logvar)` (a VAE) or `-> z` (an AE) and `decode(z) -> image`,
    seen through explorer's interface. Its shapes are learned by passing a few blank images through it."""

    def __init__(self, model: nn.Module, inputs: str = "images", outputs: str = "logits",
                 likelihood: str = "bernoulli", gaussian_sigma: float = 0.1, image_shape=(1, 28, 28)):
        super().__init__()
        for name, value, choices in (("inputs", inputs, INPUTS), ("outputs", outputs, OUTPUTS),
                                     ("likelihood", likelihood, LIKELIHOODS)):
            if value not in choices:
                raise ValueError(f"{name} must be {' or '.join(map(repr, choices))}, not {value!r}.")
        self.model = model
        self.config = OwnModelConfig("vae", 1, likelihood, float(gaussian_sigma), [int(v) for v in image_shape],
                                     source={"inputs": inputs, "outputs": outputs})
        self.config.kind, self.config.latent_dim = _probe(self)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        codes = self.model.encode(x.flatten(1) if self.config.source["inputs"] == "flat" else x)
        if isinstance(codes, (tuple, list)):
            return codes[0], codes[1]   # (B, D), (B, D)
        return codes, None

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        out = self.model.decode(z).reshape(len(z), *self.config.image_shape)
        if self.config.source["outputs"] == "probabilities":
            return torch.logit(out, eps=EPS)
        return out                      # (B, C, H, W) logits

    def forward(self, x, generator=None):
        mu, logvar = self.encode(x)
        if logvar is None:
            return self.decode(mu), mu, None
        eps = torch.randn(mu.shape, generator=generator, dtype=mu.dtype, device=mu.device)
        return self.decode(reparameterise(mu, logvar, eps)), mu, logvar

    @functools.cached_property   # found once: it runs the decoder to check it (an export reads it more than once)
    def decoder(self) -> nn.Module:
        """The user's `decoder` as the browser would run it (browser_export reads this), when it is an
        nn.Sequential that decode(z) is (a final Sigmoid of probabilities left out: the browser applies its own);
        else a stand-in saying why the server decodes."""
        layers = _browser_layers(self)
        if isinstance(layers, str):
            return NotForBrowser(layers)
        return layers

    # browser_export reads these to send the encoder to the static site's browser; an own model's stays here
    encoder = property(lambda self: NotForBrowser("an own model's encoder runs on the server"))
    head = encoder


@torch.no_grad()
def _probe(own: OwnModel) -> tuple[str, int]:
    """(kind, latent_dim) of the user's model, from encoding and decoding PROBE blank images in eval mode;
    ValueError with one sentence on whatever does not fit."""
    model, cfg = own.model, own.config
    param = next(model.parameters(), None)
    x = torch.zeros(PROBE, *cfg.image_shape, device=param.device if param is not None else None)
    was_training = model.training
    model.eval()    # a probe must not move batch-norm statistics
    try:
        kind, latent_dim = _probe_encode(own, x)
        _probe_decode(own, torch.randn(PROBE, latent_dim, generator=torch.Generator().manual_seed(0)).to(x.device))
    finally:
        model.train(was_training)
    return kind, latent_dim


def _probe_encode(own: OwnModel, x: torch.Tensor) -> tuple[str, int]:
    flat = own.config.source["inputs"] == "flat"
    hint = ("check that image_shape is the shape of one image" if flat
            else "a model of flattened images needs inputs='flat'")
    try:
        codes = own.model.encode(x.flatten(1) if flat else x)
    except Exception as err:
        raise ValueError(f"encode(x) failed on a batch of shape {tuple(x.flatten(1).shape if flat else x.shape)} "
                         f"({type(err).__name__}: {str(err)[:100]}): {hint}.") from None
    pair = isinstance(codes, (tuple, list)) and len(codes) == 2
    parts = codes if pair else [codes]
    if not all(isinstance(c, torch.Tensor) and c.ndim == 2 and c.shape == parts[0].shape and len(c) == PROBE
               for c in parts):
        raise ValueError("encode(x) must return (mu, logvar) or z, each a tensor of shape (batch, latent_dim).")
    return ("vae" if pair else "ae"), int(parts[0].shape[1])


def _probe_decode(own: OwnModel, z: torch.Tensor) -> None:
    cfg = own.config
    try:
        out = own.model.decode(z)
    except Exception as err:
        raise ValueError(f"decode(z) failed on codes of shape {tuple(z.shape)} "
                         f"({type(err).__name__}: {str(err)[:120]}).") from None
    if not isinstance(out, torch.Tensor) or out.numel() != z.shape[0] * torch.Size(cfg.image_shape).numel():
        shape = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        raise ValueError(f"decode(z) returned {shape} for {len(z)} codes, not {len(z)} images of shape "
                         f"{tuple(cfg.image_shape)}, the data's: pass the data the model was made for (for a folder or the sprites, "
                         "the image size and channels).")
    in_unit = bool(((out >= 0) & (out <= 1)).all())
    if cfg.source["outputs"] == "probabilities" and not in_unit:
        raise ValueError("decode(z) returns values outside [0, 1], which are not probabilities: pass outputs='logits'.")
    if cfg.source["outputs"] == "logits" and in_unit:   # a forgotten sigmoid would pass silently as grey images
        raise ValueError("decode(z) returns values in [0, 1] only, as a final sigmoid does: pass "
                         "outputs='probabilities'.")


@torch.no_grad()
def _browser_layers(own: OwnModel) -> nn.Sequential | str:
    """The user's `decoder` attribute as layers from z to logits, or why there are none. Which layers the browser
    runs is browser_export's word; this only finds the layers and checks that decode(z) is exactly them."""
    decoder = getattr(own.model, "decoder", None)
    name = type(own.model).__name__
    if not isinstance(decoder, nn.Sequential) or len(decoder) == 0:
        return f"{name}.decode is code, not an nn.Sequential named decoder"
    layers = list(decoder)
    if own.config.source["outputs"] == "probabilities":
        if not isinstance(layers[-1], nn.Sigmoid):
            return f"{name}.decoder gives probabilities but does not end in nn.Sigmoid"
        layers = layers[:-1]
    z = torch.randn(PROBE, own.config.latent_dim, generator=torch.Generator().manual_seed(1))
    z = z.to(next(own.model.parameters()).device)
    was_training = own.training
    own.eval()
    try:
        if nn.Sequential(*layers)(z).ndim == 2:     # flat pixels: the browser needs the image's shape
            layers.append(nn.Unflatten(1, tuple(own.config.image_shape)))
        same = torch.allclose(torch.sigmoid(nn.Sequential(*layers)(z)), torch.sigmoid(own.decode(z)), atol=1e-5)
    finally:
        own.train(was_training)
    return nn.Sequential(*layers) if same else f"{name}.decode(z) does more than {name}.decoder(z)"


def build_from_factory(factory: str, kwargs: dict) -> nn.Module:
    """factory(**kwargs), the factory named "package.module:callable"; BundleError with one sentence when it
    cannot be imported, called, or returns something other than an nn.Module."""
    if not FACTORY.fullmatch(factory):
        raise BundleError(f'A model factory must read "package.module:callable", not {factory[:80]!r}.')
    module_name, attr = factory.split(":")
    try:
        target = importlib.import_module(module_name)
    except ModuleNotFoundError as err:
        where = module_name.replace(".", "/") + ".py"
        raise BundleError(f"The model factory {factory} cannot be imported ({err}): put the folder that holds "
                          f"{where} on PYTHONPATH.") from None
    except Exception as err:
        raise BundleError(f"Importing {module_name} for the model factory failed ({type(err).__name__}).") from None
    for part in attr.split("."):
        target = getattr(target, part, None)
    if not callable(target):
        raise BundleError(f"The module {module_name} has no callable {attr}, the model factory {factory} names.")
    try:
        model = target(**kwargs)
    except Exception as err:
        raise BundleError(f"Calling {factory} with the bundle's keyword arguments failed "
                          f"({type(err).__name__}: {str(err)[:120]}).") from None
    if not isinstance(model, nn.Module):
        raise BundleError(f"{factory} returned a {type(model).__name__}, not a torch nn.Module.")
    return model


def rebuild(section: dict, allow_model_code: bool) -> nn.Module:
    """The user's model (weights as its factory leaves them) of a bundle's "model" section, only with consent:
    BundleError saying how to give it otherwise."""
    factory = section["source"]["factory"]
    if not allow_model_code:
        raise BundleError(REFUSED.format(factory=factory))
    return build_from_factory(factory, section["source"]["kwargs"])


def wrap_loaded(model: nn.Module, section: dict) -> OwnModel:
    """`model`, its weights loaded, as the OwnModel the bundle's "model" section describes; BundleError if it
    no longer fits that section (its code changed since the bundle was written)."""
    source = section["source"]
    try:
        own = OwnModel(model.eval(), source["inputs"], source["outputs"], section["likelihood"],
                       section["gaussian_sigma"], section["image_shape"])
    except ValueError as err:
        raise BundleError(f"The model {source['factory']} builds no longer fits its bundle: {err}") from None
    if (own.config.kind, own.config.latent_dim) != (section["kind"], section["latent_dim"]):
        raise BundleError(f"config.json describes a {section['kind']} of latent size {section['latent_dim']}, but "
                          f"{source['factory']} builds a {own.config.kind} of latent size {own.config.latent_dim}.")
    own.config.source = dict(source)
    return own.eval()
