"""The Train view's parts without a browser: the figures it draws (codes, losses), and its streaming handler run
directly, as gradio runs it: a start line, then a redraw after each epoch (at most every UPDATE_S), the last one
saying the run finished and bringing the kept model to the picker and its zip to the download button."""
import json
import zipfile
from types import SimpleNamespace

import gradio as gr
import numpy as np
import pytest
import torch

from explorer.app.display import friendly
from explorer.app.latent_map.assets import ASSETS, PREFIX
from explorer.app.latent_map.component import browser_decoder, payload_url
from explorer.app.storage import PrivateStorage
from explorer.app.trained_models import MAX_KEPT, TrainedModels
from explorer.app.views import train
from explorer.bundle import load_bundle
from explorer.registry import Registry
from explorer.figures import PALETTE, code_scatter, flat_view, loss_curves


def test_the_code_map_has_a_trace_per_class_in_the_maps_colours():
    rng = np.random.default_rng(0)
    codes, labels = rng.normal(size=(300, 2)), np.repeat(np.arange(3), 100)
    fig = code_scatter(codes, labels, ["a", "b", "c"], "title")
    assert [t.name for t in fig.data] == ["a", "b", "c"]
    assert [t.marker.color for t in fig.data] == list(PALETTE[:3])
    np.testing.assert_allclose(fig.data[1].x, codes[100:200, 0])


def test_a_wider_code_is_shown_by_its_principal_components_with_stable_signs():
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(500, 6)) * np.array([5, 3, 1, 1, 1, 1])
    xy, names = flat_view(codes)
    assert names == ("pca 1", "pca 2") and xy.shape == (500, 2)
    assert xy[:, 0].var() > xy[:, 1].var() > 2 * codes[:, 2].var()
    np.testing.assert_allclose(flat_view(-codes)[0], -xy, atol=1e-9)  # the picture flips with the data, not alone
    np.testing.assert_allclose(flat_view(codes[:, :2])[0], codes[:, :2])


def test_the_loss_curves_show_a_vaes_elbo_parts_and_an_aes_reconstruction():
    history = [{"epoch": e, "train_loss": 10.0 / e, "test_rec_nats": 9.0 / e, "test_kl_nats": 1.0,
                "test_neg_elbo": 9.0 / e + 1} for e in (1, 2, 3)]
    vae = loss_curves(history, "vae")
    assert {t.name for t in vae.data} == {"test −ELBO", "test reconstruction", "training loss", "test KL (right axis)"}
    assert vae.data[-1].yaxis == "y2" and vae.layout.yaxis.range[1] < 10.0   # the first epoch's 10 nats left out
    ae = loss_curves(history, "ae")
    assert {t.name for t in ae.data} == {"test reconstruction", "training loss"} and list(ae.data[0].x) == [1, 2, 3]


def served(url: str) -> bytes:
    return ASSETS.get(url.removeprefix(f"{PREFIX}/"))[0]


@pytest.fixture
def trained(tmp_path):
    storage = PrivateStorage(str(tmp_path))
    yield TrainedModels(Registry(), storage)
    storage.remove()


def run_view(trained, *args, session="s1", mine=()):
    return friendly(train.train_updates)(trained, list(mine), *args, SimpleNamespace(session_hash=session))


def out(update, name):
    """One of the handler's outputs, by name (train.OUTPUTS)."""
    return update[train.OUTPUTS.index(name)]


def test_the_handler_streams_a_start_line_then_epochs_and_a_finish_and_keeps_the_model(monkeypatch, trained, tmp_path):
    torch.set_num_threads(1)
    monkeypatch.setattr(train, "UPDATE_S", 0.0)   # every epoch redrawn
    updates = list(run_view(trained, "digits", 1000, 2, 1.0, "VAE", 3, "Bernoulli"))
    assert len(updates[0]) == len(train.OUTPUTS) and out(updates[0], "status").startswith("Starting")
    assert len(updates) == 4 and [out(u, "status").split("**")[1] for u in updates[1:3]] == ["1", "2"]
    last = updates[-1]
    assert out(last, "status").startswith("**Finished** after 3 epochs")
    fig, curves = json.loads(out(last, "map")), json.loads(out(last, "curves"))   # JSON, for the page's figures
    assert len(curves["data"][0]["x"]) == 3 and out(last, "samples").size[0] > out(last, "samples").size[1]
    assert fig["layout"]["title"]["text"].endswith("after epoch 3") and len(fig["data"]) == 10
    assert isinstance(out(last, "twin_map"), type(gr.skip()))   # one model: no twin
    # kept: served under its pair, offered to this session's picker, downloadable as a bundle that loads
    [pair] = out(last, "mine")
    picker = out(last, "picker")
    assert f"`{pair}`" in out(last, "status") and trained.registry.pairs[pair] == {"vae": f"{pair}/vae"}
    assert [value for _, value in picker.choices] == [pair]
    assert picker.choices[0][0].startswith("Trained here: VAE · digits")
    with zipfile.ZipFile(out(last, "download").value["path"]) as zf:
        zf.extractall(tmp_path / "unzipped")
    bundle = load_bundle(tmp_path / "unzipped" / pair / "vae")
    assert bundle.config["training"]["epochs"] == 3 and bundle.code_history.shape[0] == 3
    assert all(isinstance(out(u, "picker"), type(gr.skip())) for u in updates[:-1])   # it changes only at the end


def test_stop_ends_the_run_after_the_epoch_in_progress_and_keeps_its_model(trained):
    torch.set_num_threads(1)
    got = []
    for update in run_view(trained, "digits", 1000, 2, 1.0, "VAE", 100, "Gaussian", session="s2"):
        got.append(update)
        if len(got) == 2:
            train.stop_run(SimpleNamespace(session_hash="s2"))
    status = out(got[-1], "status")
    assert status.startswith("**Stopped** after") and len(got) <= 5
    [pair] = out(got[-1], "mine")
    epochs = int(status.split("after ")[1].split(" ")[0])
    kept = trained.registry.model(f"{pair}/vae")
    assert len(kept.metrics["history"]) == epochs and kept.config["model"]["likelihood"] == "gaussian"
    assert "s2" not in train.STOPS


def test_a_vae_and_its_twin_make_one_pair_with_both_maps(monkeypatch, trained, tmp_path):
    torch.set_num_threads(1)
    monkeypatch.setattr(train, "UPDATE_S", 0.0)
    updates = list(run_view(trained, "digits", 1000, 2, 1.0, "VAE and AE", 2, "Bernoulli"))
    last = updates[-1]
    vae_map, ae_map = json.loads(out(last, "map")), json.loads(out(last, "twin_map"))
    assert vae_map["layout"]["title"]["text"].startswith("VAE") and ae_map["layout"]["title"]["text"].startswith("AE")
    names = [t["name"] for t in json.loads(out(last, "curves"))["data"]]
    assert "AE test reconstruction" in names and "test −ELBO" in names
    assert "VAE: test −ELBO" in out(last, "status") and "AE: test reconstruction" in out(last, "status")
    [pair] = out(last, "mine")
    assert trained.registry.pairs[pair] == {"vae": f"{pair}/vae", "ae": f"{pair}/ae"}
    assert trained.registry.shared_maps(pair) == ["latent"]
    assert out(last, "picker").choices[0][0].startswith("Trained here: VAE + AE · digits")
    with zipfile.ZipFile(out(last, "download").value["path"]) as zf:
        assert {n.split("/")[1] for n in zf.namelist() if n.count("/") >= 2} == {"vae", "ae"}


def test_a_sessions_trained_models_are_not_offered_to_others_and_the_oldest_goes_whole(trained):
    folders, first_files = [], None
    for _ in range(MAX_KEPT + 1):
        torch.manual_seed(0)
        pair, folder = trained.new_folder("digits")
        folders.append(pair)
        *_, (_, bundles) = train.train_in_process("digits", [train.LiveRun(epochs=2, train_images=200,
                                                                           hidden=[16, 8])], folder)
        trained.keep(pair, bundles)
        if first_files is None:   # the page's files for its map (points, replay frames, decoder), as a page asks
            bundle = trained.registry.model(f"{pair}/vae")
            payload = json.loads(served(payload_url(bundle, f"{pair}/vae", "latent")))
            first_files = [payload_url(bundle, f"{pair}/vae", "latent"), payload["history"]["url"],
                           browser_decoder(bundle)["url"]]
            assert all(ASSETS.get(u.removeprefix(f"{PREFIX}/")) for u in first_files)
    assert folders[0] not in trained.registry.pairs and len(trained.registry.added) == MAX_KEPT   # oldest dropped
    assert not any(ASSETS.get(u.removeprefix(f"{PREFIX}/")) for u in first_files)              # with its files
    assert [p for _, p in trained.choices([folders[-1]])] == [folders[-1]]
    assert trained.choices([folders[0]]) == [] and trained.registry.shipped == []
    with pytest.raises(Exception, match="choose one of: \\.$"):   # other sessions' names are never listed
        trained.registry.model("nope")


def test_an_unknown_data_set_is_one_sentence(trained):
    with pytest.raises(gr.Error, match="Choose a data set"):
        list(run_view(trained, "cifar", 1000, 2, 1.0, "VAE", 3, "Bernoulli"))
    with pytest.raises(gr.Error, match="Choose the model"):
        list(run_view(trained, "digits", 1000, 2, 1.0, "GAN", 3, "Bernoulli"))
    with pytest.raises(gr.Error, match="likelihood must be"):
        list(run_view(trained, "digits", 1000, 2, 1.0, "VAE", 3, "Poisson"))
