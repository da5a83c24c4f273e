"""A live run in its own process (explorer.live_process): the same snapshots as in this process, the weights with
the last one, and a child that ends when the caller stops listening or when it fails."""
import multiprocessing as mp

import numpy as np
import pytest
import torch

from explorer.data import load_dataset
from explorer.live_process import RunFailed, train_in_process
from explorer.live_training import LiveRun, train_live
from explorer.models import ModelConfig, build_model

RUN = LiveRun(epochs=3, train_images=300, hidden=[32, 16])


def test_the_childs_snapshots_are_this_processes_and_its_weights_load():
    got = list(train_in_process("digits", RUN))
    assert [s.epoch for s, _ in got] == [1, 2, 3] and got[-1][0].done
    assert all(state is None for _, state in got[:-1]) and got[-1][0].model is None
    torch.set_num_threads(1)
    here = list(train_live(load_dataset("digits"), RUN))
    np.testing.assert_allclose(got[-1][0].codes, here[-1].codes, rtol=1e-5, atol=1e-6)
    model = build_model(ModelConfig(kind="vae", arch="mlp", latent_dim=2, hidden=[32, 16]))
    model.load_state_dict(got[-1][1])
    for key, value in here[-1].model.state_dict().items():
        torch.testing.assert_close(model.state_dict()[key], value)


def test_closing_the_iterator_ends_the_child():
    runs = train_in_process("digits", LiveRun(epochs=200, train_images=1000, hidden=[32, 16]))
    next(runs)
    assert any(p.is_alive() for p in mp.active_children())
    runs.close()
    assert not any(p.is_alive() for p in mp.active_children())


def test_a_failing_run_is_one_sentence():
    with pytest.raises(RunFailed, match="Training failed: .*Unknown dataset 'no-such-data'"):
        list(train_in_process("no-such-data", RUN))
