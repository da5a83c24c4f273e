import math

import pytest
import torch
from torch.distributions import Bernoulli, Independent, Normal, kl_divergence

from explorer.losses import elbo_parts, iwae_bound, kl_per_dim, log_likelihood, log_normal
from explorer.models import ModelConfig, build_model


def test_kl_matches_torch_distributions():
    mu, logvar = torch.randn(7, 5) * 2, torch.randn(7, 5)
    q, p = Normal(mu, torch.exp(0.5 * logvar)), Normal(torch.zeros(7, 5), torch.ones(7, 5))
    torch.testing.assert_close(kl_per_dim(mu, logvar), kl_divergence(q, p), rtol=1e-5, atol=1e-5)


def test_kl_is_zero_only_at_the_prior():
    assert kl_per_dim(torch.zeros(1, 3), torch.zeros(1, 3)).abs().max() == 0
    assert (kl_per_dim(torch.full((1, 3), 0.1), torch.zeros(1, 3)) > 0).all()


def test_bernoulli_likelihood_matches_torch_on_binary_pixels():
    logits, x = torch.randn(4, 1, 28, 28), (torch.rand(4, 1, 28, 28) > 0.5).float()
    expected = Independent(Bernoulli(logits=logits), 3).log_prob(x)
    torch.testing.assert_close(log_likelihood(logits, x, "bernoulli"), expected, rtol=1e-5, atol=1e-3)


@pytest.mark.parametrize("sigma", [0.05, 0.1, 1.0])
def test_gaussian_likelihood_matches_torch(sigma):
    logits, x = torch.randn(4, 1, 28, 28), torch.rand(4, 1, 28, 28)
    expected = Independent(Normal(torch.sigmoid(logits), sigma), 3).log_prob(x)
    torch.testing.assert_close(log_likelihood(logits, x, "gaussian", sigma), expected, rtol=1e-5, atol=1e-2)


def test_log_normal_matches_torch():
    z, mu, logvar = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4)
    expected = Normal(mu, torch.exp(0.5 * logvar)).log_prob(z).sum(-1)
    torch.testing.assert_close(log_normal(z, mu, logvar), expected)


def test_unknown_likelihood_is_refused():
    with pytest.raises(ValueError, match="Unknown likelihood"):
        log_likelihood(torch.zeros(1, 1, 28, 28), torch.zeros(1, 1, 28, 28), "laplace")


def test_elbo_parts_add_up():
    model = build_model(ModelConfig(latent_dim=4, hidden=[32]))
    parts = elbo_parts(model, torch.rand(6, 1, 28, 28))
    torch.testing.assert_close(parts["kl_per_dim"].sum(1), parts["kl_nats"])
    torch.testing.assert_close(parts["rec_nats"] + parts["kl_nats"], parts["neg_elbo"])
    assert parts["rec_nats"].shape == (6,) and (parts["rec_nats"] > 0).all()


@pytest.fixture(scope="module")
def trained_digits_vae():
    """A small VAE trained briefly on digits, so that q(z|x) is informative and the bounds differ."""
    from explorer.data import digits_28
    from explorer.training import TrainConfig, fit

    torch.manual_seed(0)
    data = digits_28()
    model = build_model(ModelConfig(latent_dim=4, hidden=[64]))
    fit(model, data, TrainConfig(epochs=15, lr=3e-3, batch_size=64), log=lambda _: None)
    return model.eval(), data.x_test[:64]


def test_iwae_bound_is_above_the_elbo_and_tightens_with_k(trained_digits_vae):
    model, x = trained_digits_vae
    gen = lambda: torch.Generator().manual_seed(1)
    with torch.no_grad():
        elbo = -elbo_parts(model, x, gen())["neg_elbo"].mean().item()
    bounds = [iwae_bound(model, x, k=k, generator=gen()).mean().item() for k in (1, 8, 64, 256)]
    assert abs(bounds[0] - elbo) < 0.05 * abs(elbo)      # k = 1 is a one-sample ELBO
    assert bounds[1] > elbo
    assert bounds[0] < bounds[1] < bounds[2] < bounds[3]


def test_iwae_with_k1_is_the_one_sample_log_weight():
    model = build_model(ModelConfig(latent_dim=2, hidden=[16])).eval()
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        mu, logvar = model.encode(x)
        eps = torch.randn((1, *mu.shape), generator=torch.Generator().manual_seed(5))
        z = (mu + eps * torch.exp(0.5 * logvar))[0]
        log_w = (log_likelihood(model.decode(z), x, "bernoulli")
                 + log_normal(z, torch.zeros_like(z), torch.zeros_like(z)) - log_normal(z, mu, logvar))
    torch.testing.assert_close(iwae_bound(model, x, k=1, generator=torch.Generator().manual_seed(5)), log_w)
    assert math.isfinite(log_w.sum().item())
