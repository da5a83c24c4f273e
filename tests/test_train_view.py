"""The Train view's parts without a browser: the figures it draws (codes, losses), and its streaming handler run
directly, as gradio runs it: a start line, then a redraw after each epoch (at most every UPDATE_S), the last one
saying the run finished."""
import gradio as gr
import numpy as np
import pytest
import torch

from explorer.app.display import friendly
from explorer.app.views import train
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


def test_the_handler_streams_a_start_line_then_epochs_and_a_finish(monkeypatch):
    torch.set_num_threads(1)
    monkeypatch.setattr(train, "UPDATE_S", 0.0)   # every epoch redrawn
    updates = list(friendly(train.train_updates)("digits", 1000, 2, 1.0, "VAE", 3))
    assert updates[0][3].startswith("Starting") and len(updates) == 4
    assert [u[3].split("**")[1] for u in updates[1:3]] == ["1", "2"]
    assert updates[-1][3].startswith("**Finished** after 3 epochs")
    fig, curves, samples, _ = updates[-1]
    assert len(curves.data[0].x) == 3 and samples.size[0] > samples.size[1]
    assert fig.layout.title.text.endswith("after epoch 3")


def test_an_unknown_data_set_is_one_sentence():
    with pytest.raises(gr.Error, match="Choose a data set"):
        list(friendly(train.train_updates)("cifar", 1000, 2, 1.0, "VAE", 3))
