import pytest
import torch

from explorer.models import AE, VAE, ModelConfig, build_model, decode_mean


@pytest.mark.parametrize("arch", ["mlp", "conv"])
@pytest.mark.parametrize("latent_dim", [1, 2, 16])
def test_vae_shapes(arch, latent_dim):
    hidden = [64, 32] if arch == "mlp" else [8, 16, 32]
    model = build_model(ModelConfig(kind="vae", arch=arch, latent_dim=latent_dim, hidden=hidden))
    x = torch.rand(5, 1, 28, 28)
    logits, mu, logvar = model(x)
    assert isinstance(model, VAE)
    assert logits.shape == (5, 1, 28, 28)
    assert mu.shape == logvar.shape == (5, latent_dim)
    assert decode_mean(model, mu).min() >= 0 and decode_mean(model, mu).max() <= 1


@pytest.mark.parametrize("arch", ["mlp", "conv"])
def test_ae_shares_the_vae_parts(arch):
    hidden = [64, 32] if arch == "mlp" else [8, 16, 32]
    vae = build_model(ModelConfig(kind="vae", arch=arch, latent_dim=3, hidden=hidden))
    ae = build_model(ModelConfig(kind="ae", arch=arch, latent_dim=3, hidden=hidden))
    assert isinstance(ae, AE)
    z, none = ae.encode(torch.rand(4, 1, 28, 28))
    assert z.shape == (4, 3) and none is None
    shapes = lambda m: {k: v.shape for k, v in m.state_dict().items() if not k.startswith("head")}
    assert shapes(vae) == shapes(ae)   # only the head differs: the comparison isolates the variational part
    assert vae.head.out_features == 2 * ae.head.out_features


@pytest.mark.parametrize("bad", [dict(kind="gan"), dict(arch="rnn"), dict(likelihood="poisson"),
                                 dict(latent_dim=0), dict(gaussian_sigma=0.0), dict(hidden=[])])
def test_config_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="Invalid model config"):
        ModelConfig(**bad)


def test_conv_needs_three_widths():
    with pytest.raises(ValueError, match="c1, c2, dense"):
        build_model(ModelConfig(arch="conv", hidden=[8, 16]))
