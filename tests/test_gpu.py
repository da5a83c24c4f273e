"""Training where the free Hugging Face path runs: gpu.on_gpu is spaces.GPU when `spaces` is importable and nothing
elsewhere; live_process.train_here (what the Train view runs inside it on ZeroGPU) gives train_in_process's
snapshots and bundle without a process of its own."""
import sys
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from explorer import gpu
from explorer.bundle import load_bundle
from explorer.live_process import train_here, train_in_process
from explorer.live_training import LiveRun

RUN = LiveRun(epochs=3, train_images=300, hidden=[32, 16])


@pytest.fixture
def spaces_module(monkeypatch):
    """Install `module` as the `spaces` package (None: not importable), with gpu.zero_gpu's answer forgotten."""
    def install(module):
        monkeypatch.setitem(sys.modules, "spaces", module)
        gpu.zero_gpu.cache_clear()
    yield install
    gpu.zero_gpu.cache_clear()


def test_without_spaces_the_decorator_changes_nothing(spaces_module):
    spaces_module(None)   # import spaces -> ImportError
    assert not gpu.zero_gpu()

    def fn():
        yield 1
    assert gpu.on_gpu(150)(fn) is fn
    assert gpu.device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_with_spaces_a_generator_is_decorated_with_its_duration(spaces_module):
    asked = []

    def GPU(duration):
        def wrap(fn):
            def held(*args, **kwargs):
                asked.append(duration)
                yield from fn(*args, **kwargs)
            return held
        return wrap
    spaces_module(SimpleNamespace(GPU=GPU))
    assert gpu.zero_gpu()
    runs = gpu.on_gpu(150.0)(train_here)
    got = list(runs("digits", [RUN]))
    assert asked == [150] and [s[0].epoch for s, _ in got] == [1, 2, 3]


def test_training_here_gives_the_childs_snapshots_and_bundle(tmp_path):
    torch.set_num_threads(1)
    here = [(s[0], b) for s, b in train_here("digits", [RUN], tmp_path / "here")]
    there = [(s[0], b) for s, b in train_in_process("digits", [RUN], tmp_path / "there")]
    assert [s.epoch for s, _ in here] == [1, 2, 3] and here[-1][0].done and here[-1][0].model is None
    np.testing.assert_allclose(here[-1][0].codes, there[-1][0].codes, rtol=1e-5, atol=1e-6)
    a, b = load_bundle(here[-1][1][0]), load_bundle(there[-1][1][0])
    for key, value in a.model.state_dict().items():
        torch.testing.assert_close(b.model.state_dict()[key], value)
    stopped = list(train_here("digits", [LiveRun(epochs=50, train_images=300, hidden=[32, 16])], tmp_path / "s",
                              stop=lambda: True))
    assert len(stopped) == 1 and stopped[0][0][0].done
    assert load_bundle(stopped[0][1][0]).code_history.shape[0] == 1
