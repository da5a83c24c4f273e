"""Training you can watch (explorer.live_training): a snapshot after every epoch, a stop and a time cap that end the
run with the model so far, caps that refuse a run in one sentence, and the same run twice giving the same codes."""
import numpy as np
import pytest
import torch

from explorer.data import load_dataset
from explorer.live_training import MAX_TEST_IMAGES, MAX_TRAIN_IMAGES, N_SAMPLES, LiveRun, check, subset, train_live


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


def small(**kw) -> LiveRun:
    return LiveRun(**{"epochs": 3, "train_images": 300, "hidden": [32, 16], **kw})


def test_a_snapshot_after_every_epoch_the_last_one_done(digits):
    torch.set_num_threads(1)
    snaps = list(train_live(digits, small()))
    assert [s.epoch for s in snaps] == [1, 2, 3] and [s.done for s in snaps] == [False, False, True]
    n_test = min(len(digits.x_test), MAX_TEST_IMAGES)
    for s in snaps:
        assert s.codes.shape == (n_test, 2) and s.labels.shape == (n_test,) and np.isfinite(s.codes).all()
        assert len(s.history) == s.epoch and 0 <= s.knn5 <= 1
        assert s.samples.shape == (N_SAMPLES, 28, 28) and 0 <= s.samples.min() and s.samples.max() <= 1
    assert snaps[0].seconds <= snaps[1].seconds <= snaps[2].seconds
    assert not np.allclose(snaps[0].codes, snaps[2].codes)   # the map moves as it trains
    assert snaps[2].history[-1]["test_neg_elbo"] < snaps[0].history[0]["test_neg_elbo"]


def test_a_stop_or_the_time_cap_ends_the_run_with_the_model_so_far(digits):
    torch.set_num_threads(1)
    asked = []
    snaps = list(train_live(digits, small(epochs=10), stop=lambda: asked.append(1) or len(asked) >= 2))
    assert [s.epoch for s in snaps] == [1, 2] and snaps[-1].done
    capped = list(train_live(digits, small(epochs=10, max_seconds=0)))
    assert [s.epoch for s in capped] == [1] and capped[0].done


def test_the_same_run_twice_gives_the_same_codes(digits):
    torch.set_num_threads(1)
    a, b = (list(train_live(digits, small(epochs=2)))[-1] for _ in range(2))
    np.testing.assert_array_equal(a.codes, b.codes)
    c = list(train_live(digits, small(epochs=2, seed=1)))[-1]
    assert not np.allclose(a.codes, c.codes)


def test_an_ae_and_beta_zero_train_too(digits):
    torch.set_num_threads(1)
    ae = list(train_live(digits, small(kind="ae", epochs=1)))[-1]
    free = list(train_live(digits, small(beta=0.0, epochs=1)))[-1]
    assert ae.model.config.kind == "ae" and np.isfinite(ae.codes).all() and np.isfinite(free.codes).all()


@pytest.mark.parametrize("field, value, words", [
    ("kind", "gan", "kind must be"), ("latent_dim", 0, "latent size"), ("beta", 9, "beta must"),
    ("epochs", 0, "1 to 200 epochs"), ("train_images", MAX_TRAIN_IMAGES + 1, "training images"),
])
def test_a_run_outside_the_caps_is_one_sentence(field, value, words):
    with pytest.raises(ValueError, match=words):
        check(LiveRun(**{field: value}))


def test_subsets_are_seeded_and_capped(digits):
    a, b = subset(digits, 500, 100, seed=0), subset(digits, 500, 100, seed=0)
    assert len(a.x_train) == 500 and len(a.x_test) == 100
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, subset(digits, 500, 100, seed=1).x_train)
    whole = subset(digits, 10**6, 10**6, seed=0)
    assert len(whole.x_train) == len(digits.x_train) and len(whole.x_test) == len(digits.x_test)
