"""The coloured sprites (explorer/sprites.py): every factor combination once, the same pictures on every run."""
import hashlib

import numpy as np
import pytest

from explorer.sprites import FACTOR_NAMES, FACTORS, RGB, all_factors, draw, sprites


@pytest.fixture(scope="module")
def small():
    return sprites(32, seed=0)


def digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def test_every_combination_of_factors_is_drawn_once(small):
    factors = np.concatenate([small["train_factors"], small["test_factors"]])
    assert len(factors) == np.prod([len(v) for v in FACTORS.values()]) == 27_648
    assert len(np.unique(factors, axis=0)) == len(factors)
    assert len(small["test_x"]) == 4096 and small["train_x"].shape[1:] == (32, 32, 3)
    assert np.array_equal(small["train_y"], small["train_factors"][:, FACTOR_NAMES.index("shape")])


def test_the_same_seed_draws_the_same_set_and_another_seed_only_splits_it_differently(small):
    again = sprites(32, seed=0)
    for key in small:
        assert digest(small[key]) == digest(again[key])
    other = sprites(32, seed=1)
    assert digest(other["test_factors"]) != digest(small["test_factors"])
    # the pictures themselves do not depend on the seed: a factor row draws the same picture in both
    row = small["test_factors"][0]
    where = np.flatnonzero((np.concatenate([other["train_factors"], other["test_factors"]]) == row).all(1))[0]
    pictures = np.concatenate([other["train_x"], other["test_x"]])
    assert np.array_equal(pictures[where], small["test_x"][0])


@pytest.mark.parametrize("colour", list(RGB))
def test_a_sprite_is_its_colour_on_black(colour):
    row = np.array([[0, FACTORS["colour"].index(colour), 3, 0, 4, 4]])   # a large square near the middle
    img = draw(row, 32)[0].astype(int)
    assert img[0, 0].tolist() == [0, 0, 0]                            # the background
    assert img[16, 16].tolist() == list(RGB[colour])                  # the middle of the shape, its colour exactly


def test_x_and_y_move_the_sprite_and_scale_grows_it():
    base = np.array([0, 0, 0, 0, 0, 0])
    def centre(row):
        m = draw(np.array([row]), 32)[0].sum(2).astype(float)
        ys, xs = np.indices(m.shape)
        return (ys * m).sum() / m.sum(), (xs * m).sum() / m.sum(), (m > 0).sum()
    y0, x0, area0 = centre(base)
    y1, x1, _ = centre(base + np.array([0, 0, 0, 0, 7, 0]))       # x from its first place to its last
    y2, x2, _ = centre(base + np.array([0, 0, 0, 0, 0, 7]))
    _, _, area3 = centre(base + np.array([0, 0, 3, 0, 0, 0]))
    assert x1 - x0 > 15 and abs(y1 - y0) < 1 and y2 - y0 > 15 and abs(x2 - x0) < 1 and area3 > 2 * area0


def test_64_pixel_sprites_are_the_same_scene_larger():
    assert draw(all_factors()[:1], 64).shape == (1, 64, 64, 3)
