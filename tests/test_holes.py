import numpy as np
import pytest
from scipy.spatial.distance import cdist

from explorer.holes import aggregate_posterior_draws, hole_mask, hole_threshold, holes_fraction


@pytest.mark.parametrize("dim", [2, 8])
def test_codes_filling_the_prior_leave_few_holes(dim):
    rng = np.random.default_rng(0)
    fraction, threshold = holes_fraction(rng.normal(size=(2000, dim)), rng.normal(size=(2000, dim)))
    assert fraction < 0.05 and threshold > 0


@pytest.mark.parametrize("dim", [2, 8])
def test_codes_in_a_far_tiny_cluster_leave_the_prior_in_holes(dim):
    rng = np.random.default_rng(0)
    codes = 5.0 + 0.05 * rng.normal(size=(2000, dim))
    fraction, _ = holes_fraction(rng.normal(size=(2000, dim)), codes)
    assert fraction > 0.95


def test_a_gap_where_the_prior_is_dense_is_a_hole():
    rng = np.random.default_rng(0)     # codes on a ring of radius 2.5..4: the prior's centre is empty
    angle, radius = rng.uniform(0, 2 * np.pi, 3000), rng.uniform(2.5, 4.0, 3000)
    codes = np.stack([radius * np.cos(angle), radius * np.sin(angle)], 1)
    fraction, _ = holes_fraction(rng.normal(size=(2000, 2)), codes)
    assert 0.5 < fraction < 0.97


def test_the_fraction_does_not_depend_on_the_units():
    rng = np.random.default_rng(3)     # same geometry in other units: prior and codes scaled together
    codes, draws = rng.normal(size=(500, 2)) + 1.0, rng.normal(size=(800, 2))
    assert holes_fraction(draws, codes)[0] == holes_fraction(7.0 * draws, 7.0 * codes)[0]


def test_threshold_matches_brute_force():
    rng = np.random.default_rng(2)
    codes, draws = rng.normal(size=(300, 3)), rng.normal(size=(400, 3))
    d = cdist(codes, codes)
    np.fill_diagonal(d, np.inf)
    expected = np.quantile(d.min(1), 0.9)
    assert hole_threshold(codes, 0.9) == pytest.approx(expected)
    fraction, threshold = holes_fraction(draws, codes, quantile=0.9)
    assert threshold == pytest.approx(expected)
    assert fraction == pytest.approx((cdist(draws, codes).min(1) > expected).mean())
    np.testing.assert_array_equal(hole_mask(draws, codes, expected), cdist(draws, codes).min(1) > expected)


def test_fixed_threshold_is_used_as_given():
    codes = np.array([[0.0, 0.0], [1.0, 0.0]])
    assert holes_fraction(np.array([[0.0, 0.4], [0.0, 2.0]]), codes, threshold=0.5) == (0.5, 0.5)


@pytest.mark.parametrize("draws, codes", [(np.zeros((3, 2)), np.zeros((3, 3))),
                                          (np.zeros((3, 2)), np.zeros((1, 2))),
                                          (np.zeros((3, 2)), np.full((3, 2), np.nan)),
                                          (np.zeros(3), np.zeros((3, 2)))])
def test_holes_errors(draws, codes):
    with pytest.raises(ValueError):
        holes_fraction(draws, codes)


def test_wide_posteriors_cover_the_prior_even_when_the_means_huddle():
    rng = np.random.default_rng(4)     # a collapsed VAE: means near 0.4, posteriors close to N(0, 1)
    mu, logvar = 0.4 + 0.01 * rng.normal(size=(500, 2)), np.full((500, 2), -0.05)
    draws = rng.normal(size=(2000, 2))
    assert holes_fraction(draws, mu)[0] > 0.9
    assert holes_fraction(draws, aggregate_posterior_draws(mu, logvar, 4, seed=0))[0] < 0.1


def test_aggregate_posterior_draws_statistics():
    mu, logvar = np.array([[1.0, -2.0], [1.0, -2.0]]), np.log(np.array([[0.25, 4.0], [0.25, 4.0]]))
    z = aggregate_posterior_draws(mu, logvar, 5000, seed=1)
    assert z.shape == (10000, 2)
    np.testing.assert_allclose(z.mean(0), [1.0, -2.0], atol=0.05)
    np.testing.assert_allclose(z.std(0), [0.5, 2.0], rtol=0.03)
    np.testing.assert_array_equal(z, aggregate_posterior_draws(mu, logvar, 5000, seed=1))


def test_the_compare_table_judges_a_vae_by_its_posteriors_not_its_means():
    """A VAE that uses 2 of 8 dimensions: its means are 0 in the other 6, its posteriors there N(0, 1) like the
    prior. The table's holes must come from the posteriors (few), not from the means (nearly all)."""
    from pathlib import Path

    from explorer.bundle import Bundle
    from explorer.pair_metrics import prior_figures

    rng = np.random.default_rng(5)
    mu = np.zeros((2000, 8))
    mu[:, :2] = rng.normal(size=(2000, 2))
    logvar = np.zeros((2000, 8))
    logvar[:, :2] = np.log(0.01)
    def bundle(kind, latents):
        return Bundle(Path(kind), {"model": {"kind": kind, "latent_dim": 8}}, None, {}, latents, {})

    vae, ae = bundle("vae", {"mu": mu, "logvar": logvar}), bundle("ae", {"z": mu})
    assert prior_figures(vae, None)["holes"] < 0.1
    assert prior_figures(ae, None)["holes"] > 0.9
