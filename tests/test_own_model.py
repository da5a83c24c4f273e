"""A model of one's own as a bundle (explorer/own_model.py, explorer/own_bundle.py): the README's example run as it
is written, the adapter against the user's model, consent before the model's code is imported, and which decoder
the browser runs."""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from explorer.app.latent_map.browser_export import UnsupportedDecoder, export_decoder
from explorer.bundle import BundleError, load_bundle
from explorer.data import load_dataset
from explorer.models import decode_mean
from explorer.own_bundle import export_model, factory_of
from explorer.own_model import OwnModel
from explorer.registry import load_registry
from node import run_node

ROOT = Path(__file__).resolve().parents[1]
CONSENT = "--allow-model-code"


class ExamplesVAE(nn.Module):
    """pytorch/examples' VAE as it is there (small): flat inputs, sigmoid outputs, decode written as code."""

    def __init__(self, latent_dim: int = 2):
        super().__init__()
        self.fc1, self.fc21, self.fc22 = nn.Linear(784, 32), nn.Linear(32, latent_dim), nn.Linear(32, latent_dim)
        self.fc3, self.fc4 = nn.Linear(latent_dim, 32), nn.Linear(32, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def decode(self, z):
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z))))


class ConvAE(nn.Module):
    """An autoencoder on images (B, 1, 28, 28) whose decoder is layers the browser runs, giving logits."""

    def __init__(self, latent_dim: int = 3):
        super().__init__()
        self.encoder = nn.Sequential(nn.Conv2d(1, 4, 4, stride=2, padding=1), nn.ReLU(), nn.Flatten(),
                                     nn.Linear(4 * 14 * 14, latent_dim))
        self.decoder = nn.Sequential(nn.Linear(latent_dim, 4 * 14 * 14), nn.ReLU(), nn.Unflatten(1, (4, 14, 14)),
                                     nn.ConvTranspose2d(4, 1, 4, stride=2, padding=1))

    def encode(self, x):
        return self.encoder(x)

    def decode(self, z):
        return self.decoder(z)


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits")


@pytest.fixture(scope="module")
def own_bundles(tmp_path_factory, digits) -> dict[str, Path]:
    """Untrained ExamplesVAE and ConvAE exported on the digits (their factories: this module, on sys.path)."""
    root = tmp_path_factory.mktemp("own")
    torch.manual_seed(0)
    vae = export_model(ExamplesVAE(), digits, root / "examples", inputs="flat", outputs="probabilities", iwae_k=4)
    ae = export_model(ConvAE(), digits, root / "conv", maps=("pca",), training={"beta": 0.0, "epochs": 1})
    return {"vae": vae, "ae": ae}


@pytest.mark.parametrize("model, inputs, outputs, kind, dim", [
    (ExamplesVAE(), "flat", "probabilities", "vae", 2), (ConvAE(), "images", "logits", "ae", 3)])
def test_the_adapter_gives_explorer_its_interface(model, inputs, outputs, kind, dim):
    own = OwnModel(model, inputs, outputs).eval()
    assert (own.config.kind, own.config.latent_dim) == (kind, dim)
    x = torch.rand(5, 1, 28, 28)
    logits, mu, logvar = own(x)
    assert logits.shape == (5, 1, 28, 28) and mu.shape == (5, dim)
    assert (logvar is None) == (kind == "ae")
    with torch.no_grad():
        theirs = model.decode(mu).view(5, 1, 28, 28)
        mine = decode_mean(own, mu)
    want = theirs if outputs == "probabilities" else torch.sigmoid(theirs)
    torch.testing.assert_close(mine, want, atol=1e-6, rtol=0)


@pytest.mark.parametrize("model, kwargs, words", [
    (ExamplesVAE(), {}, "inputs='flat'"),
    (ExamplesVAE(), {"inputs": "flat"}, "outputs='probabilities'"),
    (ConvAE(), {"outputs": "probabilities"}, "outputs='logits'"),
    (ConvAE(), {"image_shape": (1, 32, 32)}, "encode(x) failed"),
    (ExamplesVAE(), {"inputs": "flat", "outputs": "maybe"}, "outputs must be 'logits' or 'probabilities'"),
])
def test_a_model_that_does_not_fit_is_told_what_to_pass(model, kwargs, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        OwnModel(model, **kwargs)


def test_a_decoder_of_browser_layers_is_decoded_in_the_browser(own_bundles, tmp_path):
    b = load_bundle(own_bundles["ae"], allow_model_code=True)
    assert (b.kind, b.latent_dim, b.map_names) == ("ae", 3, ["pca"])
    info, weights = export_decoder(b)
    assert [op["op"] for op in info["ops"]] == ["linear", "relu", "reshape", "conv_transpose"]
    z = np.random.default_rng(0).normal(0, 2, size=(4, 3)).astype(np.float32)
    (tmp_path / "w.bin").write_bytes(weights)
    got = run_node("const buf = readFileSync(data.weights);"
                   "const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);"
                   "const m = D.loadDecoder(data.model, D.weightsFrom(ab, data.model.dtype));"
                   "console.log(JSON.stringify(data.z.map((z) => Array.from(D.decode(m, z)))));",
                   {"model": info, "weights": str(tmp_path / "w.bin"), "z": z.tolist()}, {"D": "decoder.js"})
    with torch.no_grad():
        want = decode_mean(b.model, torch.from_numpy(z)).numpy().reshape(4, -1)
    assert np.abs(np.array(got) - want).max() <= 1 / 255


def test_a_decoder_written_as_code_is_decoded_by_the_server(own_bundles):
    b = load_bundle(own_bundles["vae"], allow_model_code=True)
    with pytest.raises(UnsupportedDecoder, match="ExamplesVAE.decode is code"):
        export_decoder(b)
    from explorer.app.latent_map.component import browser_decoder   # where the app decides

    assert "the server decodes this model" in browser_decoder(b)["unsupported"]
    x = torch.from_numpy(b.test_image(slice(0, 4)))[:, None]
    with torch.no_grad():
        mu, _ = b.model.encode(x)
        assert np.allclose(mu.numpy(), b.codes[:4], atol=1e-6)
        assert decode_mean(b.model, mu).shape == (4, 1, 28, 28)


def test_a_bundle_naming_code_is_refused_without_consent_in_one_sentence(own_bundles):
    with pytest.raises(BundleError, match=re.escape(CONSENT)) as err:
        load_bundle(own_bundles["ae"])
    assert str(err.value).count(". ") == 0 and "test_own_model:ConvAE" in str(err.value)
    registry = load_registry(own_bundles["ae"].parents[1])
    assert not registry.bundles and CONSENT in registry.problems[0]


def test_a_factory_that_cannot_be_imported_says_what_to_put_on_pythonpath(own_bundles, tmp_path):
    copy = tmp_path / "moved" / "ae"
    shutil.copytree(own_bundles["ae"], copy)
    config = json.loads((copy / "config.json").read_text())
    config["model"]["source"]["factory"] = "lab.models.no_such_vae:ConvAE"
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(BundleError, match=re.escape("the folder that holds lab/models/no_such_vae.py on PYTHONPATH")):
        load_bundle(copy, allow_model_code=True)
    config["model"]["source"]["factory"] = "os.system"
    (copy / "config.json").write_text(json.dumps(config))
    with pytest.raises(BundleError, match=re.escape("model.source.factory must be")):
        load_bundle(copy)


def test_export_checks_that_the_factory_builds_this_model(digits):
    with pytest.raises(ValueError, match=re.escape("pass the factory_kwargs that build this model")):
        export_model(ConvAE(latent_dim=5), digits, "unused", factory_kwargs={"latent_dim": 4})
    with pytest.raises(ValueError, match=re.escape("plain JSON values")):
        export_model(ConvAE(), digits, "unused", factory_kwargs={"latent_dim": torch.tensor(3)})
    assert factory_of(ConvAE()) == "test_own_model:ConvAE"


def readme_example() -> str:
    """The Python block of the README's "Bring your own model" section."""
    section = (ROOT / "README.md").read_text().split("## Bring your own model", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.slow
def test_the_readme_example_runs_as_written(tmp_path):
    (tmp_path / "my_vae.py").write_text(readme_example())
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "my_vae.py"], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    bundle_dir = tmp_path / "my-checkpoints" / "digits-my-vae" / "vae"

    with pytest.raises(BundleError, match=re.escape(CONSENT)):
        load_bundle(bundle_dir)
    sys.path.insert(0, str(tmp_path))   # the app's PYTHONPATH=.
    try:
        b = load_bundle(bundle_dir, allow_model_code=True)
        assert b.config["model"]["source"] == {"inputs": "flat", "outputs": "probabilities", "factory": "my_vae:VAE",
                                               "kwargs": {}}
        x = torch.from_numpy(b.test_image(slice(0, 8)))[:, None]
        with torch.no_grad():
            mu, logvar = b.model.encode(x)
            recon = decode_mean(b.model, mu)
            theirs = b.model.model.decode(mu).view(8, 1, 28, 28)   # the user's own model, loaded by its class
        assert np.allclose(mu.numpy(), b.codes[:8], atol=1e-5) and logvar.shape == (8, 2)
        torch.testing.assert_close(recon, theirs, atol=1e-6, rtol=0)
        assert b.metrics["test"]["knn5_accuracy"] > 0.3, "300 steps separate the digits better than chance"
        info, _ = export_decoder(b)   # the README's decoder is a Sequential of layers the browser runs
        assert [op["op"] for op in info["ops"]] == ["linear", "relu", "linear", "reshape"]
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("my_vae", None)
