"""A live run in its own process (explorer.live_process): the same snapshots as in this process, the run's bundle
with the last one (also when stopped early), and a child that ends when the caller stops listening or fails."""
import multiprocessing as mp

import numpy as np
import pytest
import torch

from explorer.data import load_dataset
from explorer.live_process import RunFailed, train_in_process
from explorer.live_training import LiveRun, train_live
from explorer.bundle import load_bundle

RUN = LiveRun(epochs=3, train_images=300, hidden=[32, 16])


def test_the_childs_snapshots_are_this_processes_and_its_bundle_loads(tmp_path):
    got = [(snaps[0], bundles) for snaps, bundles in train_in_process("digits", [RUN], tmp_path / "run")]
    assert [s.epoch for s, _ in got] == [1, 2, 3] and got[-1][0].done
    assert all(folder is None for _, folder in got[:-1]) and got[-1][0].model is None
    torch.set_num_threads(1)
    here = list(train_live(load_dataset("digits"), RUN))
    np.testing.assert_allclose(got[-1][0].codes, here[-1].codes, rtol=1e-5, atol=1e-6)
    [folder] = got[-1][1]
    assert folder == tmp_path / "run" / "vae"
    bundle = load_bundle(folder)
    for key, value in here[-1].model.state_dict().items():
        torch.testing.assert_close(bundle.model.state_dict()[key], value)
    assert bundle.code_history.shape == (3, len(here[-1].codes), 2)
    np.testing.assert_allclose(bundle.code_history[-1], bundle.codes, atol=2e-2)   # float16 of the same codes
    assert bundle.config["training"]["epochs"] == 3 and bundle.map_names == ["latent"]


def test_a_stop_keeps_the_model_of_the_last_epoch(tmp_path):
    asked = []
    runs = train_in_process("digits", [LiveRun(epochs=200, train_images=300, hidden=[32, 16])], tmp_path / "run",
                            stop=lambda: len(asked) >= 2)
    got = []
    for [snap], folders in runs:
        asked.append(snap.epoch)
        got.append((snap, folders))
    assert got[-1][0].done and got[-1][0].epoch <= 3 and got[-1][1] is not None
    bundle = load_bundle(got[-1][1][0])
    assert len(bundle.metrics["history"]) == got[-1][0].epoch == len(bundle.code_history)
    np.testing.assert_allclose(bundle.codes, got[-1][0].codes, rtol=1e-5, atol=1e-6)


def test_closing_the_iterator_ends_the_child():
    runs = train_in_process("digits", [LiveRun(epochs=200, train_images=1000, hidden=[32, 16])])
    next(runs)
    assert any(p.is_alive() for p in mp.active_children())
    runs.close()
    assert not any(p.is_alive() for p in mp.active_children())


def test_a_failing_run_is_one_sentence():
    with pytest.raises(RunFailed, match="Training failed: .*Unknown dataset 'no-such-data'"):
        list(train_in_process("no-such-data", [RUN]))


def test_a_vae_and_its_twin_train_in_turn_on_the_same_data_and_stop_together(tmp_path):
    vae, ae = LiveRun(epochs=50, train_images=300, hidden=[32, 16]), LiveRun(kind="ae", epochs=50, train_images=300,
                                                                             hidden=[32, 16])
    got = list(train_in_process("digits", [vae, ae], tmp_path / "pair", stop=lambda: True))
    [snaps, folders] = got[-1]
    assert [s.epoch for s in snaps] == [1, 1] and all(s.done for s in snaps)
    assert folders == [tmp_path / "pair" / "vae", tmp_path / "pair" / "ae"]
    bundles = [load_bundle(f) for f in folders]
    assert [b.kind for b in bundles] == ["vae", "ae"]
    np.testing.assert_array_equal(bundles[0].latents["labels"], bundles[1].latents["labels"])   # the same test set
    torch.set_num_threads(1)
    alone = list(train_live(load_dataset("digits"), ae))[0]   # the twin trains as it would alone
    np.testing.assert_allclose(snaps[1].codes, alone.codes, rtol=1e-5, atol=1e-6)
