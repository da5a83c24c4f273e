"""Mutual information and MIG (explorer/disentanglement.py), against scikit-learn and cases whose answer is known."""
import numpy as np
import pytest
from sklearn.metrics import mutual_info_score

from explorer.disentanglement import (binned, entropy, followed_factors, mig, mutual_information,
                                      normalised_information)

RNG = np.random.default_rng(0)
FACTORS = RNG.integers(0, 8, (4000, 3))


def test_mutual_information_and_entropy_match_scikit_learn():
    a, b = RNG.integers(0, 5, 3000), RNG.integers(0, 7, 3000)
    b = np.where(RNG.random(3000) < 0.5, a, b)   # partly dependent
    assert mutual_information(a, b) == pytest.approx(mutual_info_score(a, b), abs=1e-12)
    assert entropy(a) == pytest.approx(mutual_info_score(a, a), abs=1e-12)


def test_one_dimension_per_factor_scores_one_and_names_its_factor():
    codes = FACTORS + RNG.normal(0, 0.01, FACTORS.shape)
    info = normalised_information(codes, FACTORS)
    assert mig(info) == pytest.approx(1.0, abs=0.02)
    assert followed_factors(info, ["a", "b", "c"]) == ["a", "b", "c"]


def test_noise_scores_zero_and_follows_nothing():
    info = normalised_information(RNG.normal(size=(4000, 3)), FACTORS)
    assert mig(info) < 0.02 and followed_factors(info, ["a", "b", "c"]) == [None, None, None]


def test_a_factor_copied_into_two_dimensions_has_no_gap():
    codes = np.stack([FACTORS[:, 0], FACTORS[:, 0] + 0.001, FACTORS[:, 1], FACTORS[:, 2]], 1).astype(float)
    info = normalised_information(codes, FACTORS)
    assert mig(info) == pytest.approx(2 / 3, abs=0.02)   # factor a: gap 0; b and c: gap 1


def test_binning_is_per_dimension_and_keeps_the_top_value_in_the_last_bin():
    z = binned(np.array([[0.0, 5.0], [1.0, 5.0], [0.5, 5.0]]), bins=4)
    assert z[:, 0].tolist() == [0, 3, 2] and z[:, 1].tolist() == [0, 0, 0]
